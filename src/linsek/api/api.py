"""The /api/v1 router assembly: one NinjaAPI, one router per domain, one error mapping."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="linsek API",
    version="1",
    description="Cross-sector election security coordination. Token (Bearer) or session authentication.",
    urls_namespace="api",
)
