"""The OpenAPI explorer renders in Chromium from the real server with every outside request blocked."""

from __future__ import annotations

from typing import Any

import pytest

from linsek.api.tests.test_auth_and_schema import EXPECTED_OPERATIONS
from tests.browser import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_swagger_ui_works_offline(transactional_db: Any, linsek_server: LiveServer, page: Any) -> None:
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(linsek_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    rendered = page.locator(".opblock").count()
    assert rendered >= len(EXPECTED_OPERATIONS)
    assert "linsek API" in page.locator(".information-container").inner_text()
    assert outside == []
