"""Pages of the coordination room, mounted at /koordinasi/."""

from django.urls import path

from linsek.coord import views

app_name = "coord"
urlpatterns = [
    path("", views.home, name="home"),
    path("kalender/", views.calendar, name="calendar"),
    path("kalender.ics", views.calendar_ics, name="ics"),
    path("kalender/acara/baru/", views.event_new, name="event-new"),
    path("kalender/acara/<int:pk>/", views.event_detail, name="event"),
    path("kalender/acara/<int:pk>/ubah/", views.event_edit, name="event-edit"),
    path("kalender/acara/<int:pk>/batal/", views.event_cancel_view, name="event-cancel"),
    path("matriks/", views.matrix, name="matrix"),
    path("rapat/", views.meetings, name="meetings"),
    path("rapat/baru/", views.meeting_new, name="meeting-new"),
    path("rapat/<int:pk>/", views.meeting_detail_view, name="meeting"),
    # One POST endpoint per part of the meeting page; ``part`` names the form and the service.
    *[
        path(f"rapat/<int:pk>/{slug}/", views.meeting_post, {"part": part}, name=f"meeting-{part}")
        for slug, part in (
            ("kehadiran", "attendance"),
            ("acara", "agenda"),
            ("paparan", "upload"),
            ("notulen", "minutes"),
            ("keputusan", "decision"),
            ("tindak-lanjut", "action"),
            ("terlaksana", "held"),
        )
    ],
    path("rapat/<int:pk>/paparan/<int:pid>/", views.presentation_download, name="presentation"),
    path("tindak-lanjut/", views.actions, name="actions"),
    path("tindak-lanjut/<int:pk>/", views.action_detail, name="action"),
]
