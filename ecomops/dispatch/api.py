"""API of ship batches (ORD-05): the day's waves, a batch's orders in print order, printing (ORD-04:
payment verified first), assigning reviewed orders still outside a batch, and the day's late flags.
A batch is visible when the caller sees one of its orders; only the caller's orders are listed, and
printing and assigning touch only them (DAT-02, AGY-07): a wave is shared by every client, so its
state, print time and counts are those of the caller's part."""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.types import Day, Id
from ecomops.orders.enums import OrderState

from . import actions
from .models import BatchOrder, BatchState, LateFlag, ShipBatch

router = Router(tags=["dispatch"])
VIEW, PRINT = "dispatch.view_shipbatch", "dispatch.print_shipbatch"


class DispatchDayQuery(Schema):
    day: Day | None = Field(None, description="日期（默认今天，Asia/Shanghai）")


class DispatchBatchOut(Schema):
    id: int
    number: str
    day: date
    seq: int
    cutoff: time
    is_last: bool
    state: BatchState = Field(description="调用者可见部分的状态：可见订单全部打印后为 printed")
    cutoff_citation: str
    printed_at: datetime | None = Field(description="调用者可见订单最近一次打印的时间")
    orders: int = Field(description="其中调用者可见的订单数")
    printed_orders: int = Field(description="其中调用者可见且已打印的订单数")


class DispatchEntryOut(Schema):
    order_id: int
    platform_order_no: str
    store_id: int
    courier: str
    state: OrderState
    paid_at: datetime | None
    joined_at: datetime
    printed_at: datetime | None


class DispatchBatchDetailOut(DispatchBatchOut):
    entries: list[DispatchEntryOut] = Field(description="打印顺序（当日最后一批顺丰在前，ORD-05）")


class DispatchSkippedOut(Schema):
    order_id: int
    platform_order_no: str
    reason: str


class DispatchPrintOut(Schema):
    batch: DispatchBatchOut
    printed: list[int]
    skipped: list[DispatchSkippedOut]


class DispatchAssignOut(Schema):
    assigned: int


class DispatchLateFlagOut(Schema):
    order_id: int
    platform_order_no: str
    day: date
    clerk_id: int | None
    reason: str
    flagged_at: datetime


def _out(batch: ShipBatch, user) -> dict:
    part = actions.part_of(batch, user)
    return {"id": batch.pk, "number": batch.number, "day": batch.day, "seq": batch.seq, "cutoff": batch.cutoff,
            "is_last": batch.is_last, "state": part.state, "cutoff_citation": batch.cutoff_citation,
            "printed_at": part.printed_at, "orders": part.total, "printed_orders": part.printed}


def _batch(request, batch_id: int) -> ShipBatch:
    batch = actions.visible_batch_or_none(request.auth, batch_id)
    if batch is None:
        raise Http404
    return batch


@router.get("/ship-batches", response=list[DispatchBatchOut], summary="某日的发货批次（ORD-05）")
def dispatch_list_batches(request, query: Query[DispatchDayQuery]):
    require_perm(request.auth, VIEW)
    day = query.day or timezone.localdate()
    return [_out(batch, request.auth) for batch in ShipBatch.objects.filter(day=day).order_by("seq")]


@router.get("/ship-batches/late-flags", response=list[DispatchLateFlagOut], summary="某日未按时发出的订单（ORD-05）")
def dispatch_list_late_flags(request, query: Query[DispatchDayQuery]):
    require_perm(request.auth, VIEW)
    day = query.day or timezone.localdate()
    flags = LateFlag.objects.visible_to(request.auth).filter(day=day).select_related("order").order_by("pk")
    return [{"order_id": f.order_id, "platform_order_no": f.order.platform_order_no, "day": f.day,
             "clerk_id": f.clerk_id, "reason": f.reason, "flagged_at": f.flagged_at} for f in flags]


@router.post("/ship-batches/assign", response=DispatchAssignOut,
             summary="调用者可见的已审但未进批次的订单加入批次（需打印权限）")
def dispatch_assign_pending(request):
    require_perm(request.auth, PRINT)
    return {"assigned": actions.assign_pending(user=request.auth)}


@router.get("/ship-batches/{batch_id}", response=DispatchBatchDetailOut, summary="批次及其订单（打印顺序）")
def dispatch_get_batch(request, batch_id: Path[Id]):
    require_perm(request.auth, VIEW)
    batch = _batch(request, batch_id)
    visible = BatchOrder.objects.visible_to(request.auth).filter(batch=batch).select_related("order")
    entries = [{"order_id": e.order_id, "platform_order_no": e.order.platform_order_no,
                "store_id": e.order.store_id, "courier": e.order.courier, "state": e.order.state,
                "paid_at": e.order.paid_at, "joined_at": e.joined_at, "printed_at": e.printed_at}
               for e in actions.ordered_entries(batch, visible)]
    return {**_out(batch, request.auth), "entries": entries}


@router.post("/ship-batches/{batch_id}/print", response=DispatchPrintOut,
             summary="打印批次中调用者可见的订单：核对付款（ORD-04），已付款的转待发货，其余移出批次")
def dispatch_print_batch(request, batch_id: Path[Id]):
    require_perm(request.auth, PRINT)
    batch = _batch(request, batch_id)
    result = actions.print_batch(batch, user=request.auth)
    batch.refresh_from_db()
    return {"batch": _out(batch, request.auth), "printed": [o.pk for o in result.printed],
            "skipped": [{"order_id": o.pk, "platform_order_no": o.platform_order_no, "reason": str(why)}
                        for o, why in result.skipped]}
