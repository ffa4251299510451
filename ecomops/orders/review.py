"""Review and allocation (ORD-03, ORD-04).

- Automatic review: paid (or cash-on-delivery) orders enter review and the switchable rules of
  ``ReviewRule`` run over them. An order passing every enabled rule is allocated; one failing any
  keeps its reasons (``review_reasons``) and waits for a person. Customer-service notes and buyer
  messages always send an order to a person while that rule is on (ORD-03).
- Allocation: the order's lines are reserved through the warehouse's reservation API (FIFO by lot,
  all or nothing, race-free) in the first warehouse of the routing that can serve the whole order:
  the store's own warehouses by priority, then any other warehouse with enough stock. No warehouse
  can → the order waits in the out-of-stock queue (``waiting_stock``) and ``retry_waiting`` tries
  again in payment order when stock arrives. Allocated → state "reviewed".
- Manual review in batches of at most ``ORD-03.review_batch_max_orders``: a clerk takes a batch
  (orders with notes and messages first, then by payment time); two clerks never get the same order
  (the claim is one conditional UPDATE); approving allocates; closing returns the untouched ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, Conflict
from ecomops.inventory import reservations
from ecomops.inventory.enums import SELLABLE_BIN_KINDS, DocKind
from ecomops.inventory.ledger import DocRef, InsufficientStock
from ecomops.inventory.models import StockBalance, Warehouse
from ecomops.policy import registry

from . import actions
from .enums import AllocationState, OrderEventKind, OrderState, PaymentMethod, ReviewBatchState, ReviewRuleCode
from .models import Order, ReviewBatch, ReviewRule, StoreWarehouse
from .signals import order_reviewed

S = OrderState
BATCH_KEY = "ORD-03.review_batch_max_orders"
AMOUNT_KEY = "ORD-03.auto_review_amount_limit"
RULE_ORDER = [ReviewRuleCode.PAID, ReviewRuleCode.ADDRESS, ReviewRuleCode.NO_NOTES, ReviewRuleCode.AMOUNT,
              ReviewRuleCode.MATCHED, ReviewRuleCode.STOCK]


def seed_review_rules() -> None:
    """Every rule exists (switched on) once; an administrator's changes are kept."""
    existing = set(ReviewRule.objects.values_list("code", flat=True))
    ReviewRule.objects.bulk_create([ReviewRule(code=code, position=n * 10) for n, code in enumerate(RULE_ORDER)
                                    if code not in existing])


def doc_of(order: Order) -> DocRef:
    return DocRef(kind=DocKind.ORDER, id=str(order.pk), number=order.platform_order_no)


# --- the rules ---------------------------------------------------------------------------------


@dataclass
class Verdict:
    reasons: list[dict] = field(default_factory=list)

    def fail(self, code: str, message: str) -> None:
        self.reasons.append({"rule": code, "message": message})

    @property
    def passed(self) -> bool:
        return not self.reasons


def enabled_rules() -> dict[str, ReviewRule]:
    return {rule.code: rule for rule in ReviewRule.objects.filter(enabled=True)}


def check(order: Order, rules: dict[str, ReviewRule], *, lines=None, on=None) -> Verdict:
    """ORD-03: what keeps ``order`` from automatic review (stock is checked by the allocation)."""
    verdict = Verdict()
    lines = list(order.lines.all()) if lines is None else lines
    if ReviewRuleCode.PAID in rules and order.paid_at is None and order.payment_method != PaymentMethod.COD:
        verdict.fail(ReviewRuleCode.PAID, _("订单未付款"))
    if ReviewRuleCode.ADDRESS in rules:
        missing = [label for value, label in ((order.receiver_name, _("收货人")), (order.receiver_phone, _("手机")),
                                              (order.receiver_address, _("地址")), (order.province, _("省份")))
                   if not (value or "").strip()]
        if missing:
            verdict.fail(ReviewRuleCode.ADDRESS, _("收货信息不完整：缺%(what)s")
                         % {"what": "、".join(str(m) for m in missing)})
    if ReviewRuleCode.NO_NOTES in rules and (order.merchant_note or order.buyer_message):
        verdict.fail(ReviewRuleCode.NO_NOTES, _("有客服备注或买家留言，须人工审核"))
    if ReviewRuleCode.AMOUNT in rules:
        limit = rules[ReviewRuleCode.AMOUNT].params.get("limit")
        limit = Decimal(str(limit)) if limit not in (None, "") else registry.value(AMOUNT_KEY, on=on)
        if order.paid_amount >= limit:
            verdict.fail(ReviewRuleCode.AMOUNT, _("实付 %(amount)s 元不低于自动审单上限 %(limit)s 元")
                         % {"amount": order.paid_amount, "limit": limit})
    if ReviewRuleCode.MATCHED in rules and any(line.sku_id is None for line in lines):
        verdict.fail(ReviewRuleCode.MATCHED, _("有商品未匹配到SKU"))
    return verdict


# --- allocation --------------------------------------------------------------------------------


def _wanted(order: Order, lines=None) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for line in (order.lines.all() if lines is None else lines):
        if line.sku_id is not None:
            wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
    return wanted


def route(order: Order, wanted: dict[int, int]) -> list[Warehouse]:
    """ORD-04 routing: the store's warehouses by priority, then every other active warehouse that has
    enough sellable stock for the whole order right now (most free stock first)."""
    own = [sw.warehouse for sw in StoreWarehouse.objects.filter(store_id=order.store_id, warehouse__is_active=True)
           .select_related("warehouse").order_by("priority", "pk")]
    seen = {w.pk for w in own}
    free = (StockBalance.objects.filter(sku_id__in=list(wanted), bin__kind__in=SELLABLE_BIN_KINDS)
            .exclude(warehouse_id__in=seen).values("warehouse_id", "sku_id")
            .annotate(free=Sum(F("on_hand") - F("reserved"))))
    by_warehouse: dict[int, dict[int, int]] = {}
    for row in free:
        by_warehouse.setdefault(row["warehouse_id"], {})[row["sku_id"]] = row["free"] or 0
    able = [(sum(v.values()), wid) for wid, v in by_warehouse.items()
            if all(v.get(sku, 0) >= qty for sku, qty in wanted.items())]
    others = Warehouse.objects.in_bulk([wid for _total, wid in sorted(able, key=lambda t: (-t[0], t[1]))])
    return own + [others[wid] for _t, wid in sorted(able, key=lambda t: (-t[0], t[1])) if others[wid].is_active]


def allocate(order: Order, *, by, lines=None) -> bool:
    """Reserve the order's stock (ORD-04) and move it to "reviewed"; False (and the order waits in
    the out-of-stock queue) when no warehouse can serve all of it. ``order`` must be locked."""
    wanted = _wanted(order, lines)
    if not wanted:
        raise BusinessError(_("订单没有可分配的商品"), field="lines")
    short = ""
    for warehouse in route(order, wanted):
        try:
            with transaction.atomic():
                reservations.reserve(doc=doc_of(order), lines=list(wanted.items()), warehouse=warehouse, by=by,
                                     note=_("订单 %(no)s") % {"no": order.platform_order_no})
        except InsufficientStock as error:
            short = error.message
            continue
        order.warehouse = warehouse
        order.allocation_state = AllocationState.ALLOCATED
        order.allocation_note = ""
        order.review_reasons = []
        order.reviewed_at = timezone.now()
        actions._move(order, S.REVIEWED, by=by, reason=_("已占用 %(wh)s 库存") % {"wh": warehouse.name},
                      data={"warehouse": warehouse.code})
        transaction.on_commit(lambda reviewed=order.pk: order_reviewed.send(sender=Order, order_id=reviewed))
        return True
    note = (short or _("没有仓库有足够库存"))[:300]
    if order.allocation_state != AllocationState.WAITING_STOCK or order.allocation_note != note:
        order.allocation_state = AllocationState.WAITING_STOCK
        order.allocation_note = note
        actions._save(order, user=by, reason=_("库存不足，等待到货"))
        actions._event(order, kind=OrderEventKind.STATE, by=by, before=order.state, after=order.state,
                       reason=_("库存不足，等待到货：%(why)s") % {"why": note})
    return False


def release(order: Order, *, by, reason: str) -> int:
    """Give back the order's reserved stock (cancel, hold, back to review)."""
    if order.allocation_state != AllocationState.ALLOCATED:
        return 0
    freed = reservations.release(doc=doc_of(order), by=by, reason=reason)
    order.allocation_state = AllocationState.NONE
    order.warehouse = None
    return freed


# --- automatic review --------------------------------------------------------------------------


@dataclass
class ReviewRun:
    reviewed: int = 0
    manual: int = 0
    waiting: int = 0
    skipped: int = 0


# An order in no batch, or only in batches that are over, is free for the next one (ORD-03).
FREE = Q(review_batch__isnull=True) | Q(review_batch__state=ReviewBatchState.CLOSED)


def _candidates(order_ids=None):
    ready = Q(state=S.PAID) | Q(state=S.PLACED, payment_method=PaymentMethod.COD) | (Q(
        state=S.AWAITING_REVIEW, review_reasons=[], allocation_state=AllocationState.NONE) & FREE)
    queryset = Order.objects.filter(ready)
    if order_ids is not None:
        queryset = queryset.filter(pk__in=list(order_ids))
    return queryset.order_by("paid_at", "placed_at", "pk")


def auto_review(order_ids=None, *, by=None, rules: dict | None = None) -> ReviewRun:
    """ORD-03: run the rules over paid orders (all, or ``order_ids``); one transaction per order so
    a long run never blocks the warehouse for long."""
    rules = enabled_rules() if rules is None else rules
    run = ReviewRun()
    for order_id in list(_candidates(order_ids).values_list("pk", flat=True)):
        with transaction.atomic():
            order = Order.objects.select_for_update(of=("self",)).select_related("store").filter(
                pk=order_id).first()
            if order is None or order.state not in (S.PAID, S.PLACED, S.AWAITING_REVIEW):
                run.skipped += 1
                continue
            if order.state != S.AWAITING_REVIEW:
                actions._move(order, S.AWAITING_REVIEW, by=by, reason=_("进入审单"))
            lines = list(order.lines.all())
            verdict = check(order, rules, lines=lines)
            if not verdict.passed:
                order.review_reasons = verdict.reasons
                actions._save(order, user=by, reason=_("转人工审核"))
                actions._event(order, kind=OrderEventKind.STATE, by=by, before=order.state, after=order.state,
                               reason="；".join(r["message"] for r in verdict.reasons)[:500],
                               data={"review_reasons": verdict.reasons})
                run.manual += 1
                continue
            if allocate(order, by=by, lines=lines):
                run.reviewed += 1
            elif ReviewRuleCode.STOCK not in rules:
                # The stock rule off: an order without stock goes to a person instead of the queue.
                order.allocation_state = AllocationState.NONE
                order.review_reasons = [{"rule": ReviewRuleCode.STOCK, "message": order.allocation_note}]
                actions._save(order, user=by, reason=_("缺货转人工审核"))
                run.manual += 1
            else:
                run.waiting += 1
    return run


def retry_waiting(*, by=None, sku_ids=None) -> ReviewRun:
    """Allocate the out-of-stock queue again, oldest payment first (stock arrived)."""
    run = ReviewRun()
    waiting = Order.objects.filter(state=S.AWAITING_REVIEW, allocation_state=AllocationState.WAITING_STOCK)
    if sku_ids is not None:
        waiting = waiting.filter(lines__sku_id__in=list(sku_ids)).distinct()
    for order_id in list(waiting.order_by("paid_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            order = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order_id)
            if order.allocation_state != AllocationState.WAITING_STOCK:
                continue
            if allocate(order, by=by):
                run.reviewed += 1
            else:
                run.waiting += 1
    return run


# --- manual review in batches ------------------------------------------------------------------


def waiting_for_person(user):
    return (Order.objects.visible_to(user)
            .filter(FREE, state=S.AWAITING_REVIEW)
            .exclude(review_reasons=[]).exclude(allocation_state=AllocationState.WAITING_STOCK))


def take_batch(*, user, store=None) -> ReviewBatch:
    """ORD-03: a batch of at most the policy's number of orders for ``user``; notes and messages first."""
    actions._require(user, "orders.review_order")
    limit = registry.resolve(BATCH_KEY)
    if ReviewBatch.objects.filter(clerk=user, state=ReviewBatchState.OPEN).exists():
        raise Conflict(_("您还有未结束的审单批次，请先完成或结束它"))
    pool = waiting_for_person(user)
    if store is not None:
        pool = pool.filter(store=store)
    has_notes = Q(merchant_note__gt="") | Q(buyer_message__gt="")
    ordered = pool.annotate(notes_first=Case(When(has_notes, then=Value(0)), default=Value(1),
                                             output_field=IntegerField())).order_by("notes_first", "paid_at", "pk")
    candidates = list(ordered.values_list("pk", flat=True)[: limit.value])
    if not candidates:
        raise BusinessError(_("没有等待人工审核的订单"), field="orders")
    with transaction.atomic():
        batch = ReviewBatch.objects.create(number=_batch_number(), clerk=user, limit=limit.value,
                                           limit_citation=str(limit.citation))
        # The claim: one conditional UPDATE, so two clerks never take the same order.
        # Conditions on the order's own column, so a concurrent claim is re-checked row by row.
        free = list(Order.objects.filter(FREE, pk__in=candidates, state=S.AWAITING_REVIEW).values_list(
            "pk", "review_batch_id"))
        ids = [pk for pk, _b in free]
        closed = {b for _pk, b in free if b is not None}
        claimed = Order.objects.filter(pk__in=ids, review_batch__isnull=True).update(review_batch=batch)
        if closed:
            claimed += Order.objects.filter(pk__in=ids, review_batch_id__in=closed).update(review_batch=batch)
        if not claimed:
            raise Conflict(_("这些订单刚被其他审单员领取，请重试"))
        batch.size = claimed
        batch.save(update_fields=["size"])
    return batch


def _batch_number() -> str:
    from ecomops.inventory.actions import next_number

    return next_number("RB", timezone.localdate())


def _batch_order(batch: ReviewBatch, order: Order, user) -> Order:
    if batch.clerk_id != user.pk:
        raise BusinessError(_("这不是您的审单批次"), field="batch", code="not_found")
    if batch.state != ReviewBatchState.OPEN:
        raise Conflict(_("审单批次已结束"))
    locked = actions._locked(order)
    if locked.review_batch_id != batch.pk:
        raise BusinessError(_("订单不在本批次中"), field="order", code="not_found")
    return locked


@transaction.atomic
def approve(batch: ReviewBatch, order: Order, *, user) -> Order:
    """The clerk has read the notes and approves: allocate (or wait for stock)."""
    actions._require(user, "orders.review_order")
    order = _batch_order(batch, order, user)
    if not actions.is_payment_settled(order):
        raise BusinessError(_("订单 %(no)s 未付款，不能审核通过") % {"no": order.platform_order_no}, field="paid_at",
                            code="unpaid")
    if any(line.sku_id is None for line in order.lines.all()):
        raise BusinessError(_("订单有商品未匹配到SKU，请先处理"), field="lines")
    order.review_reasons = []
    allocate(order, by=user)
    return order


@transaction.atomic
def hold_in_batch(batch: ReviewBatch, order: Order, *, user, reason: str) -> Order:
    actions._require(user, "orders.hold_order")
    order = _batch_order(batch, order, user)
    actions.hold(order, by=user, reason=reason)
    return order


@transaction.atomic
def close_batch(batch: ReviewBatch, *, user) -> ReviewBatch:
    """End the batch; the orders not handled go back to the pool for the next clerk."""
    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.clerk_id != user.pk and not user.has_perm("orders.change_order"):
        raise BusinessError(_("这不是您的审单批次"), field="batch", code="not_found")
    if batch.state != ReviewBatchState.OPEN:
        return batch
    Order.objects.filter(review_batch=batch, state=S.AWAITING_REVIEW).update(review_batch=None)
    batch.state = ReviewBatchState.CLOSED
    batch.closed_at = timezone.now()
    batch.save(update_fields=["state", "closed_at"])
    return batch


def visible_batch(user, batch_id) -> ReviewBatch | None:
    """A clerk sees their own batches; a supervisor (``orders.change_order``) also others' batches that
    hold orders of their stores. Anything else is not there (404)."""
    batch = ReviewBatch.objects.select_related("clerk").filter(pk=batch_id).first()
    if batch is None or batch.clerk_id == user.pk:
        return batch
    if user.has_perm("orders.change_order") and Order.objects.visible_to(user).filter(review_batch=batch).exists():
        return batch
    return None
