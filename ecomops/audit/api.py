"""API of the due items (DAT-04): what the calling user must do, by when, and whether it is late."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from ecomops.apiutil.pagination import Page, PageQuery, paginate

from .models import DueItem

router = Router()


class DueItemOut(Schema):
    id: int
    kind: str
    title: str
    clause: str
    due_at: datetime
    done_at: datetime | None
    cancelled_at: datetime | None
    is_late: bool
    link: str
    client_id: int | None
    store_id: int | None


class DueItemFilters(PageQuery):
    open: bool | None = Field(None, description="true：未完成且未取消；false：已完成或已取消")
    late: bool | None = Field(None, description="true：已逾期（未完成且过了截止时间，或完成晚于截止时间）")


@router.get("/me/due-items", response=Page[DueItemOut], tags=["me"], summary="我的待办事项")
def my_due_items(request, filters: Query[DueItemFilters]):
    now = timezone.now()
    items = DueItem.objects.of_user(request.auth)
    if filters.open is True:
        items = items.open()
    elif filters.open is False:
        items = items.exclude(pk__in=DueItem.objects.open().values("pk"))
    if filters.late is True:
        items = items.late(now)
    elif filters.late is False:
        items = items.exclude(pk__in=DueItem.objects.late(now).values("pk"))
    return paginate(items.order_by("due_at", "pk"), filters)
