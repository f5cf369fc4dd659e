"""A report's lifecycle: which action moves it from which status to which. Pure.

    new → acknowledged → verified | rejected (duplicate, hoax, out of scope; with reason)
    verified → in_handling → resolved → closed; resolved → in_handling (reopened)

A supporting agency does not close: it *requests* closure, and the lead agency approves (→ closed) or
declines. Who may take an action is decided in ``incidents.access``; this module only knows the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from linsek.core.errors import DomainError


class InvalidTransition(DomainError):
    """The action is not allowed from the report's current status; the message names the allowed ones."""

    code = "invalid_transition"


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label_id: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("acknowledge", frozenset({"new"}), "acknowledged", "terima"),
        Transition("verify", frozenset({"new", "acknowledged"}), "verified", "verifikasi"),
        Transition("reject", frozenset({"new", "acknowledged", "verified"}), "rejected", "tolak"),
        Transition("start", frozenset({"verified"}), "in_handling", "mulai tangani"),
        Transition("resolve", frozenset({"in_handling"}), "resolved", "selesaikan"),
        Transition("reopen", frozenset({"resolved"}), "in_handling", "buka kembali"),
        Transition("close", frozenset({"resolved"}), "closed", "tutup"),
        Transition("approve_closure", frozenset({"in_handling", "resolved"}), "closed", "setujui penutupan"),
    )
}
# Actions that do not change the status but are only possible on open reports.
CLOSURE_REQUEST_FROM = frozenset({"in_handling", "resolved"})
OPEN = frozenset({"new", "acknowledged", "verified", "in_handling"})


def allowed_actions(status: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


def transition_target(*, status: str, action: str) -> str:
    """The status an action leads to from ``status``, or :class:`InvalidTransition` naming what is allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(f"tindakan tidak dikenal: '{action}' (yang ada: {', '.join(TRANSITIONS)})")
    if status not in transition.sources:
        allowed = allowed_actions(status)
        raise InvalidTransition(
            f"laporan berstatus '{status}' tidak dapat '{action}'; yang boleh: {', '.join(allowed) or 'tidak ada'}"
        )
    return transition.target
