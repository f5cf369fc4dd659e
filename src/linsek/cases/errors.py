"""Domain errors of the cases app (mapped to HTTP answers with the others from ``linsek.core.errors``)."""

from __future__ import annotations

from linsek.core.errors import DomainError, FieldProblem, ValidationFailed


class InvalidTransition(DomainError):
    """The rule set does not allow this transition from the current stage; names the ones it allows."""

    code = "invalid_transition"

    def __init__(self, *, current: str, target: str, allowed: tuple[str, ...]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "tidak ada (tahap akhir)"
        super().__init__(
            f"Transisi dari tahap '{current}' ke '{target}' tidak diizinkan. Yang diizinkan: {allowed_text}."
        )
        self.current = current
        self.target = target
        self.allowed = allowed


class MissingDocument(ValidationFailed):
    """The transition needs a document of a given kind and none was attached."""

    code = "missing_document"

    def __init__(self, *, target: str, kind: str, label: str) -> None:
        super().__init__(
            f"Tahap '{target}' memerlukan dokumen: {label} ({kind}).",
            [FieldProblem("document", f"Lampirkan dokumen: {label}", kind)],
        )
        self.kind = kind
