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

from ecomops.core import validate
from ecomops.core.bulk import insert_history, insert_rows
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import transition
from ecomops.inventory import reservations
from ecomops.inventory.enums import SELLABLE_BIN_KINDS, DocKind
from ecomops.inventory.ledger import DocRef, InsufficientStock
from ecomops.inventory.models import StockBalance, Warehouse
from ecomops.org.actions import require_staff_perm
from ecomops.policy import registry

from . import actions
from . import events as order_events
from .actions import _locked  # the orders app's own helpers
from .enums import (
    REVIEW_BATCH_FLOW,
    AllocationState,
    OrderEventKind,
    OrderState,
    PaymentMethod,
    ReviewBatchState,
    ReviewRuleCode,
)
from .models import PERSONAL_FIELDS, Order, OrderEvent, OrderLine, ReviewBatch, ReviewRule, StoreWarehouse
from .signals import order_reviewed

S = OrderState
BATCH_KEY = "ORD-03.review_batch_max_orders"
AMOUNT_KEY = "ORD-03.auto_review_amount_limit"
# The rules in the order they are shown and reported; the number is the seeded ``position``.
RULE_ORDER = {ReviewRuleCode.PAID: 0, ReviewRuleCode.ADDRESS: 10, ReviewRuleCode.NO_NOTES: 20,
              ReviewRuleCode.NO_EXCEPTION: 25, ReviewRuleCode.AMOUNT: 30, ReviewRuleCode.MATCHED: 40,
              ReviewRuleCode.STOCK: 50}


def seed_review_rules() -> None:
    """Every rule exists (switched on) once; an administrator's changes are kept."""
    existing = set(ReviewRule.objects.values_list("code", flat=True))
    ReviewRule.objects.bulk_create([ReviewRule(code=code, position=position) for code, position in RULE_ORDER.items()
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
                                              (order.receiver_address, _("地址")), (order.province, _("省份")),
                                              (order.city, _("城市")))
                   if not (value or "").strip()]
        if missing:
            verdict.fail(ReviewRuleCode.ADDRESS, _("收货信息不完整：缺%(what)s")
                         % {"what": "、".join(str(m) for m in missing)})
    if ReviewRuleCode.NO_NOTES in rules and (order.merchant_note or order.buyer_message):
        verdict.fail(ReviewRuleCode.NO_NOTES, _("有客服备注或买家留言，须人工审核"))
    if ReviewRuleCode.NO_EXCEPTION in rules and (order.state == S.ON_HOLD or order.exception_reason.strip()):
        verdict.fail(ReviewRuleCode.NO_EXCEPTION,
                     _("订单有异常：%(why)s") % {"why": order.exception_reason or _("挂起")})
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


class Routes:
    """ORD-04 routing as data: each store's own warehouses (``StoreWarehouse``) by priority, read once
    per run and kept for it (a run of thousands of orders asks the database once per store)."""

    def __init__(self) -> None:
        self._own: dict[int, list[Warehouse]] = {}

    def own(self, store_id: int) -> list[Warehouse]:
        if store_id not in self._own:
            self._own[store_id] = [sw.warehouse for sw in StoreWarehouse.objects.filter(
                store_id=store_id, warehouse__is_active=True).select_related("warehouse").order_by("priority", "pk")]
        return self._own[store_id]

    @staticmethod
    def others(wanted: dict[int, int], exclude: list[int]) -> list[Warehouse]:
        """Every other active warehouse with enough sellable stock for the whole order right now (most
        free stock first). Asked only when the store's own warehouses cannot serve the order."""
        free = (StockBalance.objects.filter(sku_id__in=list(wanted), bin__kind__in=SELLABLE_BIN_KINDS,
                                            warehouse__is_active=True)
                .exclude(warehouse_id__in=exclude).values("warehouse_id", "sku_id")
                .annotate(free=Sum(F("on_hand") - F("reserved"))))
        by_warehouse: dict[int, dict[int, int]] = {}
        for row in free:
            by_warehouse.setdefault(row["warehouse_id"], {})[row["sku_id"]] = row["free"] or 0
        able = sorted(((sum(v.values()), wid) for wid, v in by_warehouse.items()
                       if all(v.get(sku, 0) >= qty for sku, qty in wanted.items())), key=lambda t: (-t[0], t[1]))
        found = Warehouse.objects.in_bulk([wid for _total, wid in able])
        return [found[wid] for _total, wid in able]


def route(order: Order, wanted: dict[int, int], routes: Routes | None = None) -> list[Warehouse]:
    """ORD-04 routing: the store's warehouses by priority, then every other active warehouse that has
    enough sellable stock for the whole order right now (most free stock first)."""
    own = (routes or Routes()).own(order.store_id)
    return own + Routes.others(wanted, [w.pk for w in own])


def _reserve_in(order: Order, wanted: dict[int, int], warehouses, *, user) -> tuple[Warehouse | None, str]:
    short = ""
    for warehouse in warehouses:
        try:
            with transaction.atomic():
                # FUL-05: a single-unit order takes a pre-packed parcel first.
                reservations.reserve(doc=doc_of(order), lines=list(wanted.items()), warehouse=warehouse, user=user,
                                     note=_("订单 %(no)s") % {"no": order.platform_order_no},
                                     prefer_prepacked=sum(wanted.values()) == 1)
        except InsufficientStock as error:
            short = error.message
            continue
        return warehouse, short
    return None, short


def _write(order: Order, fields: list[str], *, user, reason: str, events: list[dict]) -> None:
    """Save the changed ``fields`` of a locked order with its history row and events: an UPDATE of just
    those columns and prepared INSERTs (the personal fields are not touched, so nothing is re-encrypted)."""
    now = timezone.now()
    order.updated_at = now
    Order.objects.filter(pk=order.pk).update(**{f: getattr(order, f) for f in [*fields, "updated_at"]})
    insert_history(Order, [order], user=user, reason=reason, at=now, kind="~")
    insert_rows(OrderEvent, [{"order_id": order.pk, "actor_id": getattr(user, "pk", None), "at": now, **e}
                             for e in events], returning=False)


def announce(order_ids: list[int]) -> None:
    """After the commit, tell ship batches (ORD-05) which orders were reviewed — a chunk at a time."""
    if order_ids:
        ids = list(order_ids)
        transaction.on_commit(lambda: order_reviewed.send(sender=Order, order_ids=ids))


def allocate(order: Order, *, user, lines=None, routes: Routes | None = None, reviewed: list | None = None) -> bool:
    """Reserve the order's stock (ORD-04) and move it to "reviewed"; False (and the order waits in
    the out-of-stock queue) when no warehouse can serve all of it. ``order`` must be locked and
    awaiting review. A run passes ``reviewed`` to collect the ids and ``announce`` them at once."""
    wanted = _wanted(order, lines)
    if not wanted:
        raise BusinessError(_("订单没有可分配的商品"), field="lines")
    routes = routes or Routes()
    own = routes.own(order.store_id)
    warehouse, short = _reserve_in(order, wanted, own, user=user)
    if warehouse is None:
        warehouse, other_short = _reserve_in(order, wanted, Routes.others(wanted, [w.pk for w in own]), user=user)
        short = short or other_short
    if warehouse is not None:
        actions.check_move(order, S.REVIEWED)
        before = order.state
        order.state = S.REVIEWED
        order.warehouse = warehouse
        order.allocation_state = AllocationState.ALLOCATED
        order.allocation_note = ""
        order.review_reasons = []
        order.reviewed_at = timezone.now()
        reason = _("已占用 %(wh)s 库存") % {"wh": warehouse.name}
        _write(order, ["state", "warehouse", "allocation_state", "allocation_note", "review_reasons", "reviewed_at"],
               user=user, reason=reason, events=[order_events.row(OrderEventKind.STATE, before=before, after=S.REVIEWED,
                                                        note=reason, data={"warehouse": warehouse.code})])
        if reviewed is None:
            announce([order.pk])
        else:
            reviewed.append(order.pk)
        return True
    note = (short or _("没有仓库有足够库存"))[:300]
    if order.allocation_state != AllocationState.WAITING_STOCK or order.allocation_note != note:
        order.allocation_state = AllocationState.WAITING_STOCK
        order.allocation_note = note
        _write(order, ["allocation_state", "allocation_note", "review_reasons"], user=user,
               reason=_("库存不足，等待到货"),
               events=[order_events.row(OrderEventKind.STATE, before=order.state, after=order.state,
                                  note=_("库存不足，等待到货：%(why)s") % {"why": note})])
    return False


def release(order: Order, *, user, reason: str) -> int:
    """Give back the order's reserved stock (cancel, hold, back to review)."""
    if order.allocation_state != AllocationState.ALLOCATED:
        return 0
    freed = reservations.release(doc=doc_of(order), user=user, reason=reason)
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
# Awaiting review with nothing found against it and no stock yet: the rules passed, allocation is due.
READY = Q(state=S.AWAITING_REVIEW, review_reasons=[], allocation_state=AllocationState.NONE) & FREE
CHUNK = 200


def _candidates(order_ids=None):
    ready = Q(state=S.PAID) | Q(state=S.PLACED, payment_method=PaymentMethod.COD) | READY
    queryset = Order.objects.filter(ready)
    if order_ids is not None:
        queryset = queryset.filter(pk__in=list(order_ids))
    return queryset.order_by("paid_at", "placed_at", "pk")


def _is_candidate(order: Order) -> bool:
    if order.state == S.PAID or (order.state == S.PLACED and order.is_cod):
        return True
    return (order.state == S.AWAITING_REVIEW and not order.review_reasons
            and order.allocation_state == AllocationState.NONE)


def _enter_review(order_ids: list[int], rules: dict, *, user, on, run: ReviewRun) -> list[tuple[Order, list]]:
    """Phase 1 of a chunk, one transaction, set-based: lock the chunk's orders (primary-key order, so two
    runs never wait on each other crosswise), move them into review, run the rules over them in memory
    and write the outcome with one UPDATE per changed order shape, one INSERT of events and one of
    history rows. Returns the orders that passed, with their lines, for allocation."""
    passed: list[tuple[Order, list]] = []
    with transaction.atomic():
        orders = list(Order.objects.select_for_update(of=("self",)).filter(pk__in=order_ids).filter(
            Q(review_batch__isnull=True) | Q(review_batch__state=ReviewBatchState.CLOSED) | ~Q(
                state=S.AWAITING_REVIEW)).order_by("pk"))
        lines: dict[int, list] = {}
        for line in OrderLine.objects.filter(order_id__in=[o.pk for o in orders]).order_by("order_id", "line_no"):
            lines.setdefault(line.order_id, []).append(line)
        now = timezone.now()
        events, changed, failed = [], [], []
        for order in orders:
            if not _is_candidate(order):
                run.skipped += 1
                continue
            before = order.state
            verdict = check(order, rules, lines=lines.get(order.pk, []), on=on)
            if before != S.AWAITING_REVIEW:
                actions.check_move(order, S.AWAITING_REVIEW)
                order.state = S.AWAITING_REVIEW
                changed.append(order)
                if verdict.passed:
                    events.append(order_events.row(OrderEventKind.STATE, before=before, after=S.AWAITING_REVIEW,
                                             note=_("进入审单")) | {"order_id": order.pk})
            if verdict.passed:
                passed.append((order, lines.get(order.pk, [])))
                continue
            order.review_reasons = verdict.reasons
            failed.append(order)
            if order not in changed:
                changed.append(order)
            why = "；".join(r["message"] for r in verdict.reasons)
            events.append(order_events.row(OrderEventKind.STATE, before=before, after=S.AWAITING_REVIEW,
                                     note=_("转人工审核：%(why)s") % {"why": why},
                                     data={"review_reasons": verdict.reasons}) | {"order_id": order.pk})
            run.manual += 1
        if changed:
            for order in changed:
                order.updated_at = now
            Order.objects.bulk_update(changed, ["state", "review_reasons", "updated_at"], batch_size=500)
            insert_history(Order, changed, user=user, reason=str(_("进入审单")), at=now, kind="~")
            actor = getattr(user, "pk", None)
            insert_rows(OrderEvent, [{**e, "actor_id": actor, "at": now} for e in events], returning=False)
    return passed


def _allocate_passed(order: Order, lines: list, rules: dict, *, user, routes: Routes, run: ReviewRun,
                     reviewed: list) -> None:
    """Phase 2, one short transaction per order: lock it again, check nobody moved it meanwhile, reserve."""
    with transaction.atomic():
        # Personal fields are not needed here: leaving them out saves decrypting them (CRM-03).
        locked = (Order.objects.select_for_update(of=("self",)).defer(*PERSONAL_FIELDS)
                  .filter(READY, pk=order.pk).first())
        if locked is None:
            run.skipped += 1
            return
        if allocate(locked, user=user, lines=lines, routes=routes, reviewed=reviewed):
            run.reviewed += 1
        elif ReviewRuleCode.STOCK not in rules:
            # The stock rule off: an order without stock goes to a person instead of the queue.
            locked.allocation_state = AllocationState.NONE
            locked.review_reasons = [{"rule": ReviewRuleCode.STOCK, "message": locked.allocation_note}]
            _write(locked, ["allocation_state", "review_reasons"], user=user, reason=_("缺货转人工审核"), events=[])
            run.manual += 1
        else:
            run.waiting += 1


def _runs_for(queryset, user):
    """A run started by a person (``by``: the page, the API) works only on the orders that person may see
    (DAT-02, AGY-07); the system's own runs (imports, arriving stock, cron: ``by`` None) on all."""
    return queryset if user is None else queryset.visible_to(user)


def auto_review(order_ids=None, *, user=None, rules: dict | None = None) -> ReviewRun:
    """ORD-03: run the enabled rules over paid (and cash-on-delivery) orders — all, or ``order_ids`` —
    in chunks of ``CHUNK``: the rules set-based per chunk (one transaction), then the passing orders'
    stock reserved one short transaction each (ORD-04), so a long run never blocks the warehouse and
    parallel runs over the same orders neither collide nor deadlock. A person's run (``by``) takes only
    the orders they may see."""
    rules = enabled_rules() if rules is None else rules
    on = timezone.localdate()
    if ReviewRuleCode.AMOUNT in rules and rules[ReviewRuleCode.AMOUNT].params.get("limit") in (None, ""):
        # The policy value once per run, not once per order.
        rules = {**rules, ReviewRuleCode.AMOUNT: _with_limit(rules[ReviewRuleCode.AMOUNT],
                                                             registry.value(AMOUNT_KEY, on=on))}
    run = ReviewRun()
    routes = Routes()
    ids = list(_runs_for(_candidates(order_ids), user).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        reviewed: list[int] = []
        for order, lines in _enter_review(ids[start:start + CHUNK], rules, user=user, on=on, run=run):
            _allocate_passed(order, lines, rules, user=user, routes=routes, run=run, reviewed=reviewed)
        announce(reviewed)
    return run


def _with_limit(rule: ReviewRule, limit) -> ReviewRule:
    return ReviewRule(pk=rule.pk, code=rule.code, enabled=rule.enabled, position=rule.position,
                      params={**rule.params, "limit": str(limit)})


def retry_waiting(sku_ids=None, *, user=None) -> ReviewRun:
    """Allocate the out-of-stock queue again, oldest payment first (stock arrived; ORD-04). With
    ``sku_ids``, only the orders asking for one of them. A person's retry (``by``) takes only the
    orders they may see (DAT-02); the system's (arriving stock, cron) the whole queue."""
    run = ReviewRun()
    routes = Routes()
    waiting = _runs_for(Order.objects.filter(state=S.AWAITING_REVIEW,
                                             allocation_state=AllocationState.WAITING_STOCK), user)
    if sku_ids is not None:
        waiting = waiting.filter(pk__in=OrderLine.objects.filter(sku_id__in=list(sku_ids)).values("order_id"))
    reviewed: list[int] = []
    for order_id in list(waiting.order_by("paid_at", "pk").values_list("pk", flat=True)):
        if len(reviewed) >= CHUNK:
            announce(reviewed)
            reviewed = []
        with transaction.atomic():
            order = Order.objects.select_for_update(of=("self",)).filter(
                pk=order_id, state=S.AWAITING_REVIEW, allocation_state=AllocationState.WAITING_STOCK).first()
            if order is None:
                run.skipped += 1
                continue
            if allocate(order, user=user, routes=routes, reviewed=reviewed):
                run.reviewed += 1
            else:
                run.waiting += 1
    announce(reviewed)
    return run


# --- manual review in batches ------------------------------------------------------------------


def waiting_for_person(user):
    return (Order.objects.visible_to(user)
            .filter(FREE, state=S.AWAITING_REVIEW)
            .exclude(review_reasons=[]).exclude(allocation_state=AllocationState.WAITING_STOCK))


def take_batch(*, user, store=None) -> ReviewBatch:
    """ORD-03: a batch of at most the policy's number of orders for ``user``; notes and messages first."""
    require_staff_perm(user, "orders.review_order")
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
    locked = _locked(order)
    if locked.review_batch_id != batch.pk:
        raise BusinessError(_("订单不在本批次中"), field="order", code="not_found")
    return locked


@transaction.atomic
def approve(batch: ReviewBatch, order: Order, *, user) -> Order:
    """The clerk has read the notes and approves: allocate (or wait for stock)."""
    require_staff_perm(user, "orders.review_order")
    order = _batch_order(batch, order, user)
    if not actions.is_payment_settled(order):
        raise BusinessError(_("订单 %(no)s 未付款，不能审核通过") % {"no": order.platform_order_no}, field="paid_at",
                            code="unpaid")
    if any(line.sku_id is None for line in order.lines.all()):
        raise BusinessError(_("订单有商品未匹配到SKU，请先处理"), field="lines")
    order.review_reasons = []
    allocate(order, user=user)
    return order


@transaction.atomic
def hold_in_batch(batch: ReviewBatch, order: Order, *, user, reason: str) -> Order:
    require_staff_perm(user, "orders.hold_order")
    order = _batch_order(batch, order, user)
    actions.hold(order, user=user, reason=reason)
    return order


@transaction.atomic
def close_batch(batch: ReviewBatch, *, user) -> ReviewBatch:
    """End the batch; the orders not handled go back to the pool for the next clerk.

    The clerk gives back their whole claim. A supervisor (``orders.change_order``) closing another
    clerk's batch touches only their part (DAT-02, AGY-07): the unhandled orders they may see go back to
    the pool; while the batch still holds unhandled orders of clients they cannot see, it stays open
    with its clerk for those (a closed batch frees all its orders), and it closes once none is left."""
    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.clerk_id != user.pk and not user.has_perm("orders.change_order"):
        raise BusinessError(_("这不是您的审单批次"), field="batch", code="not_found")
    if batch.state != ReviewBatchState.OPEN:
        return batch
    unhandled = Order.objects.filter(review_batch=batch, state=S.AWAITING_REVIEW)
    if batch.clerk_id != user.pk:
        unhandled.visible_to(user).update(review_batch=None)
        # Approved but waiting for stock is the out-of-stock queue's, not the clerk's any more (ORD-04).
        if unhandled.exclude(allocation_state=AllocationState.WAITING_STOCK).exists():
            return batch
    else:
        unhandled.update(review_batch=None)
    transition(batch, ReviewBatchState.CLOSED, flow=REVIEW_BATCH_FLOW, user=user,
               changes={"closed_at": timezone.now()}, update_fields=[])
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


@transaction.atomic
def cancel_in_batch(batch: ReviewBatch, order: Order, *, user, reason: str) -> Order:
    """The clerk cancels an order of the batch (the buyer asked to); its stock, if any, goes back."""
    require_staff_perm(user, "orders.cancel_order")
    order = _batch_order(batch, order, user)
    return actions.cancel(order, user=user, reason=reason)


@transaction.atomic
def change_address_in_batch(batch: ReviewBatch, order: Order, *, user, **fields) -> Order:
    """ORD-03: the clerk corrects the address while reviewing; a reason of the address rule that the
    new address now satisfies is dropped, so approving needs no second look."""
    require_staff_perm(user, "orders.change_order")
    order = _batch_order(batch, order, user)
    order = actions.change_address(order, user=user, **fields)
    if any(r.get("rule") == ReviewRuleCode.ADDRESS for r in order.review_reasons):
        still = check(order, {ReviewRuleCode.ADDRESS: ReviewRule(code=ReviewRuleCode.ADDRESS)}).reasons
        order.review_reasons = [r for r in order.review_reasons if r.get("rule") != ReviewRuleCode.ADDRESS] + still
        Order.objects.filter(pk=order.pk).update(review_reasons=order.review_reasons)
    return order


UNSET = object()


@transaction.atomic
def update_rule(rule: ReviewRule, *, user, enabled: bool | None = None, limit=UNSET) -> ReviewRule:
    """Switch a rule on or off, or set the amount rule's own limit (blank = the policy value
    ``ORD-03.auto_review_amount_limit``); audited with the acting user."""
    from ecomops.core.history import save_audited

    require_staff_perm(user, "orders.change_reviewrule")
    rule = ReviewRule.objects.select_for_update().get(pk=rule.pk)
    if enabled is not None:
        rule.enabled = bool(enabled)
    if limit is not UNSET:
        if rule.code != ReviewRuleCode.AMOUNT:
            raise BusinessError(_("只有金额规则有上限参数"), field="limit")
        params = {k: v for k, v in rule.params.items() if k != "limit"}
        if limit not in (None, ""):
            params["limit"] = str(validate.money(limit, field="limit", label=_("金额上限"), minimum=Decimal("0.01")))
        rule.params = params
    save_audited(rule, user=user, reason=_("修改审单规则"))
    return rule
