"""Logins, failed logins, logouts and lockouts into the audit trail.

Django's auth framework announces these only through its signals, so this is the one place
where linsek listens to signals; the handlers only append to the audit chain.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from linsek.audit.services import audit_append


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_append(action="auth.login", actor=user, object_type="user", object_id=user.pk)


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_append(action="auth.logout", actor=user, object_type="user", object_id=user.pk)


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_append(action="auth.login_failed", object_type="user", object_id=username, data={"username": username})


def _on_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kw: Any
) -> None:
    audit_append(
        action="auth.locked_out", object_type="user", object_id=(username or "")[:150], data={"ip": ip_address or ""}
    )


def auth_events_connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_on_login, dispatch_uid="linsek.audit.login")
    user_logged_out.connect(_on_logout, dispatch_uid="linsek.audit.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="linsek.audit.login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="linsek.audit.locked_out")
