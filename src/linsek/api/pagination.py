"""Limit/offset pages for every list route: ``{"count", "limit", "offset", "next", "previous", "items"}``.

Two queries per page whatever its size (a COUNT and the slice); ``next``/``previous`` are absolute URLs
that keep the request's filters, or null at either end. A ``limit`` above :data:`MAX_LIMIT` is a 422
rather than a silent cap, so that a client never believes it got everything when it did not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Bounded so that no offset overflows a database integer (the country has 820,161 TPS).
MAX_OFFSET = 100_000_000


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"items per page (1–{MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")


class Page(Schema):
    count: int = Field(description="items matching the filters, over all pages")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, or null on the last one")
    previous: str | None = Field(None, description="URL of the previous page, or null on the first one")


def _page_url(request: HttpRequest, *, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_build(
    request: HttpRequest,
    queryset: QuerySet[Any],
    params: PageParams,
    *,
    item: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of a queryset (already filtered and ordered by a selector), with its links."""
    limit, offset = params.limit, params.offset
    count = queryset.count()
    rows = list(queryset[offset : offset + limit]) if offset < count else []
    items = [item(row) for row in rows] if item is not None else rows
    next_url = _page_url(request, limit=limit, offset=offset + limit) if offset + limit < count else None
    previous_url = None
    if offset > 0:
        last_start = ((count - 1) // limit) * limit if count else 0
        previous_url = _page_url(request, limit=limit, offset=max(0, min(offset - limit, last_start)))
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": next_url,
        "previous": previous_url,
        "items": items,
    }
