"""The audit anchor: the last event of the audit chain before the end of the period, so anyone holding the
report can later check (``linsek audit verify``) that the chain it points to is intact."""

from __future__ import annotations

from linsek.audit.models import AuditEvent
from linsek.reports.providers import Period


def provide_audit(period: Period) -> dict[str, object]:
    end = min(period.end, period.now)
    last = AuditEvent.objects.filter(at__lt=end).order_by("-seq").only("seq", "hash", "at").first()
    if last is None:
        return {"state": "no_data"}
    return {"state": "ok", "seq": last.seq, "hash": last.hash, "at": last.at.isoformat()}
