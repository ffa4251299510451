"""Paginated lists: ``{"items": [...], "count": N, "page": p, "page_size": s}``.

``page`` starts at 1; ``page_size`` is at most ``settings.ECOMOPS_API_PAGE_SIZE_MAX``. A value out of
range is refused with the error shape (422, field ``page`` or ``page_size``), not silently changed.
A page past the end is empty. The queryset must be ordered (a unique last key keeps pages stable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

from .schemas import document_nulls
from .types import MAX_PAGE

T = TypeVar("T")

PAGE_SIZE_MAX: int = settings.ECOMOPS_API_PAGE_SIZE_MAX
PAGE_SIZE_DEFAULT = min(50, PAGE_SIZE_MAX)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(ge=0, description="符合条件的记录总数")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)


class PageQuery(Schema):
    """Query parameters of every list; lists add their filters (optional, never null) to these."""

    model_config = ConfigDict(json_schema_extra=document_nulls)

    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int = Field(
        PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description=f"每页条数，最多 {PAGE_SIZE_MAX}"
    )


def paginate(queryset, params: PageQuery, serialize: Callable[[Any], Any] | None = None) -> dict:
    if not queryset.ordered:
        raise ValueError("paginate() needs an ordered queryset")
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    rows = list(queryset[start : start + params.page_size]) if start < count else []
    return {
        "items": [serialize(row) for row in rows] if serialize else rows,
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
    }
