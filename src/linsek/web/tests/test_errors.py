"""A refusal raised inside a page or layer view (need-to-know on the object, after the route matrix let the
request through) is answered 403 and recorded in the audit trail like the gate's own refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from linsek.audit.models import AuditEvent
from linsek.core.errors import Forbidden
from linsek.core.middleware import current_client_addr
from linsek.web.errors import layer, page
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _refusing(request: HttpRequest) -> HttpResponse:
    raise Forbidden("hanya instansi penanggung jawab yang dapat melakukan ini")


def _request(user: Any, path: str) -> HttpRequest:
    request = RequestFactory().post(path)
    request.user = user
    return request


def test_view_level_refusals_are_answered_and_recorded(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory.create(username="petugas")
    token = current_client_addr.set("10.0.0.7")
    try:
        with pytest.raises(PermissionDenied):
            page(_refusing)(_request(user, "/laporan/7/aksi/"))
        events = list(AuditEvent.objects.filter(action="auth.permission_denied"))
        assert len(events) == 1 and events[0].actor_id == user.pk
        assert events[0].data["path"] == "/laporan/7/aksi/" and "penanggung jawab" in events[0].data["detail"]
        other = UserFactory.create(username="lain")
        response = layer(_refusing)(_request(other, "/peta/lapisan/x"))
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="auth.permission_denied", actor_id=other.pk).count() == 1
    finally:
        current_client_addr.reset(token)
