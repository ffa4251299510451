"""API of review and allocation (ORD-03, ORD-04): run automatic review, take and work a review batch,
the rules, the out-of-stock queue and its retry. Orders outside the caller's stores are 404."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Id, Text
from ecomops.org.scoping import get_visible_or_404

from . import review
from .enums import AllocationState, OrderState, ReviewBatchState, ReviewRuleCode
from .models import Order, ReviewBatch, ReviewRule

router = Router(tags=["order-review"])
VIEW, REVIEW = "orders.view_order", "orders.review_order"


class OrdersReviewRunOut(Schema):
    reviewed: int
    manual: int
    waiting: int


class OrdersReviewOrderOut(Schema):
    id: int
    platform_order_no: str
    store_id: int
    state: OrderState
    paid_amount: str
    merchant_note: str
    buyer_message: str
    review_reasons: list[dict]
    allocation_state: str
    allocation_note: str
    warehouse_id: int | None
    paid_at: datetime | None

    @staticmethod
    def resolve_paid_amount(obj) -> str:
        return str(obj.paid_amount)


class OrdersReviewBatchOut(Schema):
    id: int
    number: str
    state: ReviewBatchState
    size: int
    limit: int
    limit_citation: str
    opened_at: datetime
    closed_at: datetime | None
    orders: list[OrdersReviewOrderOut]


class OrdersReviewBatchListOut(Schema):
    id: int
    number: str
    state: ReviewBatchState
    size: int
    limit: int
    opened_at: datetime
    closed_at: datetime | None


class OrdersReviewHoldIn(InputSchema):
    reason: Text(200, min_length=1)


class OrdersReviewRuleOut(Schema):
    id: int
    code: ReviewRuleCode
    name: str
    enabled: bool
    params: dict

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.get_code_display())


class OrdersReviewRulePatch(InputSchema):
    enabled: bool | None = None
    limit: str | None = Field(None, pattern=r"^(\d{1,9}(\.\d{1,2})?)?$",
                              description="金额上限（仅 amount_limit 规则；空字符串 = 用政策值）")


def _batch_out(request, batch: ReviewBatch) -> dict:
    orders = Order.objects.visible_to(request.auth).filter(review_batch=batch).order_by("pk")
    return {**{f: getattr(batch, f) for f in ("id", "number", "state", "size", "limit", "limit_citation",
                                               "opened_at", "closed_at")}, "orders": list(orders)}


def _batch(request, batch_id: int) -> ReviewBatch:
    batch = review.visible_batch(request.auth, batch_id)
    if batch is None:
        raise Http404
    return batch


@router.post("/orders/review/auto", response=OrdersReviewRunOut, summary="运行自动审单（仅授权店铺的订单）")
def orders_review_auto(request):
    require_perm(request.auth, REVIEW, internal=True)
    ids = list(Order.objects.visible_to(request.auth).filter(state__in=[OrderState.PAID, OrderState.PLACED,
                                                                         OrderState.AWAITING_REVIEW])
               .values_list("pk", flat=True))
    return review.auto_review(ids, user=request.auth).__dict__


@router.post("/orders/review/batches", response={201: OrdersReviewBatchOut}, summary="领取审单批次（ORD-03）")
def orders_review_take_batch(request):
    require_perm(request.auth, REVIEW, internal=True)
    batch = review.take_batch(user=request.auth)
    return Status(201, _batch_out(request, batch))


@router.get("/orders/review/batches/{batch_id}", response=OrdersReviewBatchOut, summary="审单批次")
def orders_review_get_batch(request, batch_id: Path[Id]):
    require_perm(request.auth, VIEW, internal=True)
    return _batch_out(request, _batch(request, batch_id))


@router.post("/orders/review/batches/{batch_id}/orders/{order_id}/approve", response=OrdersReviewOrderOut,
             summary="审核通过并占用库存")
def orders_review_approve(request, batch_id: Path[Id], order_id: Path[Id]):
    require_perm(request.auth, REVIEW, internal=True)
    batch = _batch(request, batch_id)
    order = get_visible_or_404(Order.objects.all(), request.auth, pk=order_id)
    return review.approve(batch, order, user=request.auth)


@router.post("/orders/review/batches/{batch_id}/orders/{order_id}/hold", response=OrdersReviewOrderOut,
             summary="挂起批次中的订单")
def orders_review_hold(request, batch_id: Path[Id], order_id: Path[Id], payload: OrdersReviewHoldIn):
    require_perm(request.auth, REVIEW, internal=True)
    batch = _batch(request, batch_id)
    order = get_visible_or_404(Order.objects.all(), request.auth, pk=order_id)
    return review.hold_in_batch(batch, order, user=request.auth, reason=payload.reason)


@router.post("/orders/review/batches/{batch_id}/close", response=OrdersReviewBatchOut, summary="结束审单批次")
def orders_review_close_batch(request, batch_id: Path[Id]):
    require_perm(request.auth, REVIEW, internal=True)
    return _batch_out(request, review.close_batch(_batch(request, batch_id), user=request.auth))


@router.get("/orders/review/rules", response=list[OrdersReviewRuleOut], summary="自动审单规则")
def orders_review_rules(request):
    require_perm(request.auth, VIEW, internal=True)
    return list(ReviewRule.objects.all())


@router.patch("/orders/review/rules/{rule_id}", response=OrdersReviewRuleOut, summary="启用/停用规则或改金额上限")
def orders_review_update_rule(request, rule_id: Path[Id], payload: OrdersReviewRulePatch):
    require_perm(request.auth, "orders.change_reviewrule", internal=True)
    rule = ReviewRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    fields = payload.model_dump(exclude_unset=True)
    return review.update_rule(rule, user=request.auth, enabled=fields.get("enabled"),
                              limit=fields["limit"] if "limit" in fields else review.UNSET)


@router.get("/orders/review/batches", response=list[OrdersReviewBatchListOut], summary="我的审单批次（最近 50 个）")
def orders_review_list_batches(request):
    require_perm(request.auth, VIEW, internal=True)
    return list(ReviewBatch.objects.filter(clerk=request.auth).order_by("-opened_at", "-pk")[:50])


@router.get("/orders/review/waiting", response=list[OrdersReviewOrderOut], summary="缺货等待的订单（ORD-04）")
def orders_review_waiting(request):
    require_perm(request.auth, VIEW, internal=True)
    waiting = Order.objects.visible_to(request.auth).filter(state=OrderState.AWAITING_REVIEW,
                                                            allocation_state=AllocationState.WAITING_STOCK)
    return list(waiting.order_by("paid_at", "pk")[:500])


@router.post("/orders/review/retry", response=OrdersReviewRunOut, summary="缺货订单重新分配库存")
def orders_review_retry(request):
    require_perm(request.auth, REVIEW, internal=True)
    return review.retry_waiting(user=request.auth).__dict__
