"""Schemathesis against ``/api/v1/openapi.json``, over the real Django app and the real test database.

Bounded and deterministic (fixed seed, derandomized Hypothesis, a few examples per operation) so that it
runs in ``make test`` on both databases in about a minute each. Every generated request (valid data from
the schema, the schema's examples, and the coverage phase's edge and invalid values) must be answered
without a 5xx, with a status code, content type and body the schema declares; and every operation that
declares authentication must refuse the same request without credentials (``ignored_auth``: schemathesis
replays a successful call without the token, and with a made-up one, and expects a 401).

Run it alone with ``pytest -q src/linsek/api/tests/test_fuzz.py``; ``LINSEK_FUZZ_EXAMPLES=50`` digs deeper.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import SmallJepara
from linsek.accounts.tokens import api_token_create
from linsek.api.tests.conftest import API, bearer

SEED = 20241127  # the day of the 2024 regional elections: any fixed value makes the run repeatable
MAX_EXAMPLES = int(os.environ.get("LINSEK_FUZZ_EXAMPLES", "5"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
AUTH_CHECKS = [*CHECKS, ignored_auth]


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
        }
    )


@pytest.fixture(autouse=True)
def _connection_kept_across_requests(jepara_small: SmallJepara) -> Iterator[None]:
    """As Django's test client does, the handler must not close the database connection at the end of
    each request: the test's transaction (and the small Jepara in it) lives on that connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def command_token(jepara_small: SmallJepara) -> str:
    """A real bearer token of the command user: the widest API role of the small Jepara."""
    return api_token_create(user=jepara_small.users["command"], name="schemathesis")[1]


# The schema the app serves, bound to the app itself (WSGI, in this process, on the test database).
# Serving it reads no table, so it can be loaded when the module is collected.
schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", WSGIHandler(), config=_config())


# The fixtures (the small Jepara, the token) are set up once per operation and shared by its examples,
# which is what is wanted: the examples run against one database state.
FIXTURES_SHARED = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@schema.parametrize()
@FIXTURES_SHARED
def test_api_keeps_its_schema_for_a_command_token(case: Any, command_token: str) -> None:
    case.call_and_validate(headers=bearer(command_token), checks=AUTH_CHECKS)


@pytest.mark.slow
@schema.parametrize()
@FIXTURES_SHARED
def test_api_keeps_its_schema_without_credentials(case: Any) -> None:
    response = case.call_and_validate(checks=CHECKS)
    # Every operation declares authentication: without any, a request that reaches a route is a 401
    # (or a 404/405/422 when schemathesis sent it somewhere that is not the route, or malformed).
    assert response.status_code in {401, 404, 405, 422}, response.status_code
