"""Every write of the coordination room, in a transaction with its audit event; split by topic."""

from linsek.coord.services.actions import (
    ActionInput,
    CarryResult,
    action_item_add,
    action_item_carry_over,
    action_item_set_status,
    carry_over_refresh,
)
from linsek.coord.services.calendar import (
    CalendarLoadResult,
    EventInput,
    calendar_load,
    event_cancel,
    event_create,
    event_update,
    responsibilities_load,
)
from linsek.coord.services.meetings import (
    MeetingInput,
    agenda_item_add,
    attendance_record,
    decision_add,
    meeting_create,
    meeting_invite,
    meeting_mark_held,
    meeting_minutes_record,
    meeting_series_default,
    presentation_upload,
)

__all__ = [
    "ActionInput",
    "CalendarLoadResult",
    "CarryResult",
    "EventInput",
    "MeetingInput",
    "action_item_add",
    "action_item_carry_over",
    "action_item_set_status",
    "agenda_item_add",
    "attendance_record",
    "calendar_load",
    "carry_over_refresh",
    "decision_add",
    "event_cancel",
    "event_create",
    "event_update",
    "meeting_create",
    "meeting_invite",
    "meeting_mark_held",
    "meeting_minutes_record",
    "meeting_series_default",
    "presentation_upload",
    "responsibilities_load",
]
