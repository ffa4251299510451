"""Ship batches (ORD-05): assigning reviewed orders to the cut-off waves, the order inside a batch,
printing (ORD-04: payment verified first) and the late flags of the day.

A wave holds every client's orders; a person's act on it (printing, assigning) touches only the orders
they may see and reports only those (DAT-02, AGY-07). Printing is recorded per entry; the batch is
printed when its last entry is.

All times are Asia/Shanghai. The cut-offs are ``ORD-05.ship_batch_cutoffs`` in force on the day; the
carrier printed first in the last batch is ``ORD-05.last_batch_first_carrier``; the orders that must
leave the same day are those placed before ``ORD-05.same_day_cutoff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.orders import actions as order_actions
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.policy import registry

from .models import BATCH_FLOW, BatchOrder, BatchState, LateFlag, ShipBatch

CUTOFFS = "ORD-05.ship_batch_cutoffs"
SAME_DAY = "ORD-05.same_day_cutoff"
FIRST_CARRIER = "ORD-05.last_batch_first_carrier"
LATE_DUE_KIND = "dispatch.late_order"
PRINT_PERM = "dispatch.print_shipbatch"
S = OrderState


def _local(at: datetime | None) -> datetime:
    return timezone.localtime(at or timezone.now())


def slot_for(at: datetime) -> tuple[date, int, time, bool, str]:
    """ORD-05: (day, sequence, cut-off, is the last of the day, citation) of the batch an order
    reviewed at ``at`` joins: the first cut-off at or after ``at``; after the last, the next day's first."""
    local = _local(at)
    day = local.date()
    resolved = registry.resolve(CUTOFFS, on=day)
    cutoffs = sorted(resolved.value)
    for seq, cutoff in enumerate(cutoffs, start=1):
        if local.time() <= cutoff:
            return day, seq, cutoff, seq == len(cutoffs), str(resolved.citation)
    day = day + timedelta(days=1)
    resolved = registry.resolve(CUTOFFS, on=day)
    cutoffs = sorted(resolved.value)
    return day, 1, cutoffs[0], len(cutoffs) == 1, str(resolved.citation)


def batch_for(day: date, seq: int, cutoff: time, is_last: bool, citation: str) -> ShipBatch:
    """The batch of (day, seq), created on first use; two workers creating it at once get the same one."""
    found = ShipBatch.objects.filter(day=day, seq=seq).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ShipBatch.objects.create(number=f"SB{day:%Y%m%d}-{seq}", day=day, seq=seq, cutoff=cutoff,
                                            is_last=is_last, cutoff_citation=citation)
    except IntegrityError:
        return ShipBatch.objects.get(day=day, seq=seq)


def assign(order: Order, *, at: datetime | None = None) -> BatchOrder | None:
    """Put a reviewed order into its batch (once); None when it is not reviewed or already in one."""
    if order.state != S.REVIEWED or BatchOrder.objects.filter(order=order).exists():
        return None
    at = _local(at)
    day, seq, cutoff, is_last, citation = slot_for(at)
    batch = batch_for(day, seq, cutoff, is_last, citation)
    if batch.state != BatchState.OPEN:
        # Printed or closed already (a late review of a past wave): the next open wave takes it.
        later = datetime.combine(day, cutoff, tzinfo=at.tzinfo) + timedelta(minutes=1)
        return assign(order, at=later)
    try:
        with transaction.atomic():
            return BatchOrder.objects.create(batch=batch, order=order, joined_at=at)
    except IntegrityError:
        return None


def assign_many(order_ids, *, at: datetime | None = None) -> int:
    """Put many orders reviewed at one moment into their batch at once: the batch looked up once, one
    INSERT for all of them; orders not reviewed or already in a batch are left out. Returns how many joined."""
    ids = list(Order.objects.filter(pk__in=list(order_ids), state=S.REVIEWED, ship_entry__isnull=True)
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    at = _local(at)
    day, seq, cutoff, is_last, citation = slot_for(at)
    batch = batch_for(day, seq, cutoff, is_last, citation)
    if batch.state != BatchState.OPEN:
        # Printed or closed already: one by one, each finds the next open wave.
        return sum(assign(order, at=at) is not None for order in Order.objects.filter(pk__in=ids))
    made = BatchOrder.objects.bulk_create([BatchOrder(batch=batch, order_id=pk, joined_at=at) for pk in ids],
                                          ignore_conflicts=True)
    return len(made)


@transaction.atomic
def add_to_batch(order: Order, *, user) -> BatchOrder:
    """Issue 15, the order list's batch action: a reviewed order not yet in a ship batch joins the next
    open wave now (what ``assign_pending`` does for all of them). Needs the print right; an order the
    user may not see is not found (DAT-02)."""
    _require_print(user)
    order = (Order.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=order.pk).first())
    if order is None:
        raise BusinessError(_("订单不存在"), field="order", code="not_found")
    entry = BatchOrder.objects.filter(order=order).select_related("batch").first()
    if entry is not None:
        raise BusinessError(_("订单 %(no)s 已在发货批次 %(batch)s 中")
                            % {"no": order.platform_order_no, "batch": entry.batch.number}, field="order")
    if order.state != S.REVIEWED:
        raise BusinessError(_("订单 %(no)s 当前为“%(state)s”，只有已审单的订单能加入发货批次")
                            % {"no": order.platform_order_no, "state": order.get_state_display()},
                            field="state", code="wrong_state")
    entry = assign(order)
    if entry is None:
        raise Conflict(_("订单 %(no)s 未能加入发货批次，请刷新后重试") % {"no": order.platform_order_no})
    return entry


def assign_pending(*, user=None, at: datetime | None = None) -> int:
    """Every reviewed order not yet in a batch (a safety net for the hook that assigns at review), all
    joining the same wave at once. A person (``user``, from the page or the API) needs the print right
    and assigns only the orders they may see (DAT-02, AGY-07); the scheduled run (no user) takes all."""
    pending = Order.objects.filter(state=S.REVIEWED, ship_entry__isnull=True)
    if user is not None:
        _require_print(user)
        pending = pending.visible_to(user)
    return assign_many(pending.values_list("pk", flat=True), at=at)


def ordered_entries(batch: ShipBatch, queryset=None):
    """The batch's orders in print order: in the day's last batch the policy's carrier (SF Express)
    first (ORD-05), then by payment time."""
    source = queryset if queryset is not None else batch.entries.all()
    entries = list(source.select_related("order", "order__store"))
    first = registry.value(FIRST_CARRIER, on=batch.day) if batch.is_last else "none"

    def key(entry):
        order = entry.order
        return (0 if first != "none" and order.courier == first else 1, order.paid_at or order.placed_at, order.pk)

    return sorted(entries, key=key)


@dataclass
class PrintResult:
    printed: list[Order]
    skipped: list[tuple[Order, str]]


def _require_print(user) -> None:
    if not user.has_perm(PRINT_PERM):
        raise NotAllowed(_("您没有执行此操作的权限"))


@transaction.atomic
def print_batch(batch: ShipBatch, *, user) -> PrintResult:
    """Print the user's part of the batch (DAT-02, AGY-07: a wave is shared by every client; only the
    entries the user may see are touched, the others wait for the people of their clients). ORD-04:
    payment is verified first — unpaid, held or cancelled orders are taken out of the batch with the
    reason; the others move to "awaiting shipment" and their entries are marked printed. The batch is
    "printed" once no entry of it is left unprinted (a user who sees every client prints it at once)."""
    _require_print(user)
    batch = ShipBatch.objects.select_for_update().get(pk=batch.pk)
    visible = BatchOrder.objects.visible_to(user).filter(batch=batch)
    entries = ordered_entries(batch, visible.filter(printed_at__isnull=True))
    if not entries:
        if batch.state == BatchState.PRINTED or visible.exists():
            raise Conflict(_("批次 %(no)s 已打印") % {"no": batch.number})
        raise Conflict(_("批次 %(no)s 中没有可打印的订单") % {"no": batch.number})
    result = PrintResult([], [])
    now = timezone.now()
    printed_entries = []
    for entry in entries:
        order, why = order_actions.print_for_shipping(entry.order, user=user, batch_no=batch.number)
        if why:
            entry.delete()
            result.skipped.append((order, why))
            continue
        printed_entries.append(entry.pk)
        result.printed.append(order)
    BatchOrder.objects.filter(pk__in=printed_entries).update(printed_at=now, printed_by=user)
    if batch.state != BatchState.PRINTED and not batch.entries.filter(printed_at__isnull=True).exists():
        transition(batch, BatchState.PRINTED, flow=BATCH_FLOW, user=user,
                   changes={"printed_at": now, "printed_by": user}, update_fields=[])
    return result


@dataclass(frozen=True)
class BatchPart:
    """A batch as one user sees it (DAT-02): their entries, how many of them are printed and when the
    last was, and the state of their part — printed once all of it is; a part with nothing in it shows
    the wave's cut-off state, never whether other clients' orders were printed."""

    total: int
    printed: int
    printed_at: datetime | None
    state: str

    @property
    def to_print(self) -> int:
        return self.total - self.printed


def part_of(batch: ShipBatch, user) -> BatchPart:
    figures = BatchOrder.objects.visible_to(user).filter(batch=batch).aggregate(
        total=Count("pk"), printed=Count("printed_at"), last=Max("printed_at"))
    total, printed = figures["total"], figures["printed"]
    if total and printed == total:
        state = BatchState.PRINTED
    else:
        # Not (all) printed for this user: the wave's own state, open or past its cut-off.
        state = BatchState.CLOSED if batch.state == BatchState.PRINTED else batch.state
    return BatchPart(total=total, printed=printed, printed_at=figures["last"], state=state)


def close_due_batches(*, at: datetime | None = None) -> int:
    """Batches whose cut-off has passed stop taking orders."""
    local = _local(at)
    closed = 0
    for batch in ShipBatch.objects.filter(state=BatchState.OPEN, day__lte=local.date()):
        if datetime.combine(batch.day, batch.cutoff, tzinfo=local.tzinfo) < local:
            transition(batch, BatchState.CLOSED, flow=BATCH_FLOW, user=None, update_fields=[])
            closed += 1
    return closed


def _clerk_of(order: Order):
    reviewed = order.events.filter(to_state=S.REVIEWED, actor__isnull=False).order_by("-at").first()
    return reviewed.actor if reviewed else None


def flag_late(day: date, *, at: datetime | None = None) -> int:
    """ORD-05: after the day's last cut-off, every order placed before the same-day cut-off that was not
    reviewed and printed by then is flagged against its clerk (the reviewer, else the store's order
    clerks get the due item). Idempotent: one flag per order and day."""
    local = _local(at)
    last = max(registry.value(CUTOFFS, on=day))
    tz = local.tzinfo
    deadline = datetime.combine(day, last, tzinfo=tz)
    if local < deadline:
        return 0
    same_day = registry.value(SAME_DAY, on=day)
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    placed_before = datetime.combine(day, same_day, tzinfo=tz)
    # Only orders the clerk could ship: paid (or cash on delivery) and not cancelled.
    candidates = (Order.objects.filter(placed_at__gte=start, placed_at__lt=placed_before)
                  .filter(Q(paid_at__isnull=False) | Q(payment_method="cod")).exclude(state=S.CANCELLED))
    # Printing is recorded per entry: a client's part of a shared wave may be printed before another's.
    printed_in_time = BatchOrder.objects.filter(printed_at__lte=deadline).values("order_id")
    made = 0
    for order in candidates.exclude(pk__in=printed_in_time).exclude(late_flags__day=day).select_related("store"):
        clerk = _clerk_of(order)
        reviewed = order.state not in (S.PLACED, S.PAID, S.AWAITING_REVIEW, S.ON_HOLD)
        reason = (_("下单于 %(placed)s，%(deadline)s 前未打印") if reviewed
                  else _("下单于 %(placed)s，%(deadline)s 前未审单打印")) % {
            "placed": timezone.localtime(order.placed_at).strftime("%H:%M"), "deadline": last.strftime("%H:%M")}
        try:
            with transaction.atomic():
                LateFlag.objects.create(order=order, day=day, clerk=clerk, reason=reason)
        except IntegrityError:
            continue
        # The clerk, if they still see the store (DAT-02); else the store's order clerks.
        store = order.store
        title = _("订单 %(no)s 当日未发出（%(why)s）") % {"no": order.platform_order_no, "why": reason}
        owners = [clerk] if clerk is not None else order_actions.confirm_owners(store)
        dues.raise_dues(kind=LATE_DUE_KIND, owners=owners, due_at=deadline,
                        fallback=lambda store=store: order_actions.confirm_owners(store),
                        source=order, clause="ORD-05", title=title, link=order_actions.order_link(order),
                        client=store.client, store=store)
        made += 1
    return made


def require_view(user) -> None:
    if not user.has_perm("dispatch.view_shipbatch"):
        raise NotAllowed(_("您没有查看此数据的权限"))


def visible_batch_or_none(user, batch_id) -> ShipBatch | None:
    """A batch is visible to a user who sees at least one of its orders (or when it is empty and the
    user may view batches at all)."""
    batch = ShipBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return None
    entries = BatchOrder.objects.filter(batch=batch)
    if not entries.exists() or BatchOrder.objects.visible_to(user).filter(batch=batch).exists():
        return batch
    return None


__all__ = ["assign", "assign_pending", "print_batch", "part_of", "close_due_batches", "flag_late", "slot_for",
           "ordered_entries", "BusinessError"]
