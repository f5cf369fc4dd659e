"""Case pages, mounted at ``perkara/`` with the namespace ``cases``."""

from django.urls import path

from linsek.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.board, name="board"),
    path("baru/", views.register, name="register"),
    path("kalkulator/", views.calculator, name="calculator"),
    path("register.xlsx", views.register_xlsx_download, name="register-xlsx"),
    path("register.pdf", views.register_pdf_download, name="register-pdf"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transisi/", views.transition, name="transition"),
    path("<int:pk>/dokumen/<int:doc_id>/", views.document, name="document"),
]
