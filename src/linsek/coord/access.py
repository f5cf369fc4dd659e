"""Who may see and do what in the coordination room, and fetching one object for a viewer.

Need-to-know is by area: a viewer sees calendar entries, meetings and action items whose region lies within
their organisation's jurisdiction, above it (the regency's Rakor for a Polsek; the national stages for
everyone) or below it; and any meeting their organisation organises or is invited to. A missing and a
hidden object both answer :class:`NotFound`.

Capabilities come from ``accounts/rules/policy.json``, the one policy in force.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linsek.accounts.policy import user_can
from linsek.coord.models import ActionItem, CalendarEvent, Meeting, Presentation
from linsek.core.errors import Forbidden, NotFound


def coord_can(user: Any, capability: str) -> bool:
    """The capability from ``accounts/rules/policy.json`` (the one policy in force)."""
    return user_can(user, capability)


def _ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def viewer_area_codes(viewer: Any) -> tuple[str, ...] | None:
    """The jurisdiction codes of the viewer's organisation; None means every area (superuser)."""
    if getattr(viewer, "is_superuser", False):
        return None
    cached: tuple[str, ...] | None = viewer.__dict__.get("_coord_area") if viewer is not None else ()
    if cached is not None:
        return cached
    codes: tuple[str, ...] = ()
    if getattr(viewer, "organisation_id", None):
        codes = tuple(viewer.organisation.jurisdiction.values_list("code", flat=True))
    viewer.__dict__["_coord_area"] = codes
    return codes


def region_q(viewer: Any, field: str = "region") -> Q:
    """Rows whose region (``field``) is empty, within, above or below the viewer's jurisdiction."""
    codes = viewer_area_codes(viewer)
    if codes is None:
        return Q()
    q = Q(**{f"{field}__isnull": True})
    above: set[str] = set()
    for code in codes:
        q |= Q(**{f"{field}__code": code}) | Q(**{f"{field}__code__startswith": code + "."})
        above.update(_ancestor_codes(code))
    if above:
        q |= Q(**{f"{field}__code__in": sorted(above)})
    return q


def region_in_area(viewer: Any, region_code: str | None) -> bool:
    """The same rule as :func:`region_q`, for one region code."""
    codes = viewer_area_codes(viewer)
    if codes is None or not region_code:
        return True
    return any(region_code == c or region_code.startswith(c + ".") or c.startswith(region_code + ".") for c in codes)


def meeting_q(viewer: Any) -> Q:
    org_id = getattr(viewer, "organisation_id", None)
    q = region_q(viewer)
    if org_id:
        q |= Q(organiser_id=org_id) | Q(invitations__organisation_id=org_id)
    return q


def access_meeting(*, viewer: Any, meeting_id: int, purpose: str = "view") -> Meeting:
    """One meeting the viewer may see; ``purpose="manage"`` also needs ``coord.meetings.manage``."""
    if not coord_can(viewer, "coord.view"):
        raise NotFound("rapat tidak ditemukan")
    meeting = (
        Meeting.objects.filter(meeting_q(viewer), pk=meeting_id)
        .select_related("region", "organiser", "chair_person", "chair_organisation")
        .distinct()
        .first()
    )
    if meeting is None:
        raise NotFound("rapat tidak ditemukan")
    if purpose == "manage" and not coord_can(viewer, "coord.meetings.manage"):
        raise Forbidden("Anda tidak berwenang mengelola rapat ini")
    return meeting


def access_presentation(*, viewer: Any, meeting_id: int, presentation_id: int) -> Presentation:
    """A presentation of a meeting the viewer may see (the file is served only after this)."""
    meeting = access_meeting(viewer=viewer, meeting_id=meeting_id)
    found = Presentation.objects.filter(meeting=meeting, pk=presentation_id).select_related("organisation").first()
    if found is None:
        raise NotFound("paparan tidak ditemukan")
    return found


def can_upload_for(viewer: Any, meeting: Meeting, organisation_id: int) -> bool:
    """Command uploads for anyone invited; an agency uploads for itself when it is invited."""
    if not coord_can(viewer, "coord.presentations.upload"):
        return False
    invited = meeting.invitations.filter(organisation_id=organisation_id).exists()
    if coord_can(viewer, "coord.meetings.manage"):
        return invited or organisation_id == meeting.organiser_id
    return invited and getattr(viewer, "organisation_id", None) == organisation_id


def access_action_item(*, viewer: Any, action_id: int, purpose: str = "view") -> ActionItem:
    """An action item of a visible meeting; ``purpose="update"`` needs the owner's organisation or command."""
    if not coord_can(viewer, "coord.view"):
        raise NotFound("tindak lanjut tidak ditemukan")
    item = (
        ActionItem.objects.filter(pk=action_id)
        .select_related("meeting", "owner_org", "owner_person", "decision", "event")
        .first()
    )
    if item is None or not Meeting.objects.filter(meeting_q(viewer), pk=item.meeting_id).exists():
        raise NotFound("tindak lanjut tidak ditemukan")
    if purpose == "update" and not can_update_action(viewer, item):
        raise Forbidden("hanya instansi penanggung jawab atau Posko yang dapat memperbarui tindak lanjut ini")
    return item


def can_update_action(viewer: Any, item: ActionItem) -> bool:
    if coord_can(viewer, "coord.meetings.manage"):
        return True
    return coord_can(viewer, "coord.actions.update") and getattr(viewer, "organisation_id", None) == item.owner_org_id


def access_event(*, viewer: Any, event_id: int, purpose: str = "view") -> CalendarEvent:
    """A calendar entry; ``purpose="edit"`` only for agency events, by their organiser or command."""
    if not coord_can(viewer, "coord.view"):
        raise NotFound("agenda tidak ditemukan")
    event = (
        CalendarEvent.objects.filter(region_q(viewer), pk=event_id)
        .select_related("region", "organiser", "calendar")
        .first()
    )
    if event is None:
        raise NotFound("agenda tidak ditemukan")
    if purpose == "edit":
        if event.kind != CalendarEvent.Kind.AGENCY:
            raise Forbidden("tahapan kalender diubah lewat berkas datanya, bukan di sini")
        own = getattr(viewer, "organisation_id", None) == event.organiser_id
        if not coord_can(viewer, "coord.events.manage") or not (own or coord_can(viewer, "coord.meetings.manage")):
            raise Forbidden("hanya instansi pencatat atau Posko yang dapat mengubah agenda ini")
    return event
