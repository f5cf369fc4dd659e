"""Domain exceptions, raised by services/selectors/access and mapped to HTTP answers in one place
(``linsek.api.errors`` for the API, ``linsek.web.errors`` for pages)."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base class; ``message`` is for people (Bahasa Indonesia or English), ``code`` for machines."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist *or* the viewer may not see it: the two are indistinguishable on purpose."""

    code = "not_found"


class Forbidden(DomainError):
    """The viewer may see the object but not do this to it."""

    code = "forbidden"


@dataclass
class FieldProblem:
    field: str
    message: str
    value: str | None = None


class ValidationFailed(DomainError):
    """Input that breaks a domain rule; names each field and what to do about it."""

    code = "invalid"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[FieldProblem] = problems or []
