"""Concurrent appenders never fork the chain (PostgreSQL row lock; SQLite IMMEDIATE transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_append, audit_verify


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_keep_one_unbroken_chain() -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                audit_append(action="test.parallel", object_type="writer", object_id=f"{n}-{i}")
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = audit_verify()
    assert result.broken is None
    assert result.events == 100
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 101))
