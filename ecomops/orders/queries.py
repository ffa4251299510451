"""Read side of orders: scoped lists, the payment reconciliation (PAY-01), late confirmations (ORD-09)
and the receiver block as a user may see it (LAW-04, CRM-03)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.masking import mask_address, mask_name, mask_phone
from ecomops.policy import registry

from .enums import AllocationState, OrderState, PaymentMethod, PaymentStatus, ReviewRuleCode
from .models import Order, OrderLine, Payment, Refund

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def reason_choices() -> list[tuple[str, str]]:
    """What an order can be stuck on, for the list's filter: held, lines not matched to a SKU (ORD-02),
    waiting for stock (ORD-04), or one of the review rules that sent it to a person (ORD-03)."""
    return [("held", _("挂起")), ("unmatched", _("商品未匹配SKU")), ("waiting_stock", _("缺货等待到货")),
            *((f"rule:{value}", _("待人工：%(rule)s") % {"rule": label}) for value, label in ReviewRuleCode.choices)]


def reason_q(reason: str) -> Q | None:
    if reason == "held":
        return Q(state=OrderState.ON_HOLD)
    if reason == "unmatched":
        return Q(Exists(OrderLine.objects.filter(order=OuterRef("pk"), sku__isnull=True)))
    if reason == "waiting_stock":
        return Q(allocation_state=AllocationState.WAITING_STOCK, state=OrderState.AWAITING_REVIEW)
    code = reason.removeprefix("rule:")
    if reason.startswith("rule:") and code in ReviewRuleCode.values:
        # The reasons are a JSON list of {"rule": code, "message": …}; the code is matched in its text,
        # which works the same on SQLite and PostgreSQL (JSON containment does not exist on SQLite).
        return Q(state=OrderState.AWAITING_REVIEW, reasons_text__contains=f'"{code}"')
    return None


def search_orders(user, *, store_id: int | None = None, state: str = "", exception: bool | None = None,
                  late: bool | None = None, q: str = "", placed_from: date | None = None,
                  placed_to: date | None = None, batch: str = "", reason: str = "") -> QuerySet[Order]:
    """The user's orders by the list's filters. ``batch`` is a ship batch (ORD-05) or review batch
    (ORD-03) number; ``reason`` one of ``reason_choices``."""
    orders = Order.objects.visible_to(user).select_related("store", "store__client")
    if batch:
        orders = orders.filter(Q(ship_entry__batch__number=batch) | Q(review_batch__number=batch))
    if reason:
        condition = reason_q(reason)
        if condition is None:
            return orders.none()
        if reason.startswith("rule:"):
            orders = orders.annotate(reasons_text=Cast("review_reasons", TextField()))
        orders = orders.filter(condition)
    if store_id:
        orders = orders.filter(store_id=store_id)
    if state:
        orders = orders.filter(state=state)
    if exception is True:
        orders = orders.filter(Q(state=OrderState.ON_HOLD) | ~Q(exception_reason=""))
    elif exception is False:
        orders = orders.exclude(state=OrderState.ON_HOLD).filter(exception_reason="")
    if late is True:
        orders = orders.filter(confirm_late_q())
    if q:
        orders = orders.filter(Q(platform_order_no__icontains=q) | Q(buyer_nick__icontains=q))
    if placed_from:
        orders = orders.filter(placed_at__date__gte=placed_from)
    if placed_to:
        orders = orders.filter(placed_at__date__lte=placed_to)
    return orders.order_by("-placed_at", "-pk")


def confirm_late_q(now: datetime | None = None) -> Q:
    """ORD-09: flagged late, or past the deadline and still unconfirmed (not cancelled)."""
    now = now or timezone.now()
    return Q(confirm_late=True) | (
        Q(confirmed_at__isnull=True, confirm_due_at__lt=now) & ~Q(state=OrderState.CANCELLED)
    )


def late_unconfirmed(now: datetime | None = None) -> QuerySet[Order]:
    """ORD-09: orders past their confirmation deadline and still unconfirmed (all stores)."""
    now = now or timezone.now()
    return (Order.objects.filter(confirmed_at__isnull=True, confirm_due_at__lt=now)
            .exclude(state=OrderState.CANCELLED).order_by("confirm_due_at", "pk"))


# --- PAY-01: reconciliation -----------------------------------------------------------------------


@dataclass
class Reconciliation:
    unpaid_orders: QuerySet  # orders expecting payment with no successful payment
    orphan_payments: QuerySet  # successful payments no order matches
    mismatches: QuerySet  # orders whose successful payments (duplicates aside) differ from the amount due
    duplicates: QuerySet  # duplicate payments not yet refunded in full


def reconciliation(user, *, store_id: int | None = None) -> Reconciliation:
    orders = Order.objects.visible_to(user).select_related("store")
    payments = Payment.objects.visible_to(user).select_related("store", "order")
    if store_id:
        orders, payments = orders.filter(store_id=store_id), payments.filter(store_id=store_id)
    success = Payment.objects.filter(order=OuterRef("pk"), status=PaymentStatus.SUCCESS, is_duplicate=False)
    paid_total = Subquery(
        success.order_by().values("order").annotate(total=Sum("amount")).values("total")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    expecting = orders.exclude(state=OrderState.CANCELLED).exclude(payment_method=PaymentMethod.COD)
    annotated = expecting.annotate(has_payment=Exists(success), received=Coalesce(paid_total, ZERO))
    refunded = Subquery(
        Refund.objects.filter(payment=OuterRef("pk")).order_by().values("payment").annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    return Reconciliation(
        unpaid_orders=annotated.filter(has_payment=False).order_by("placed_at", "pk"),
        orphan_payments=payments.filter(order__isnull=True, status=PaymentStatus.SUCCESS).order_by("paid_at", "pk"),
        mismatches=annotated.filter(has_payment=True).exclude(received=F("paid_amount")).order_by("placed_at", "pk"),
        duplicates=payments.filter(is_duplicate=True).annotate(refunded=Coalesce(refunded, ZERO))
        .filter(refunded__lt=F("amount")).order_by("paid_at", "pk"),
    )


# --- LAW-04 / CRM-03: the receiver as a user may see it ---------------------------------------------


@dataclass
class ReceiverView:
    name: str
    phone: str
    address: str
    masked: bool


def masked_receiver(order: Order) -> ReceiverView:
    return ReceiverView(name=mask_name(order.receiver_name), phone=mask_phone(order.receiver_phone),
                        address=mask_address(order.receiver_address), masked=True)


def receiver_view(user, order: Order, *, reveal: bool = False, request=None, purpose: str = "") -> ReceiverView:
    """Masked for everybody by default (screens, API lists, exports); plain only on an explicit reveal
    by a user holding ``orders.view_buyer_personal``, and then logged."""
    if not reveal:
        return masked_receiver(order)
    from .actions import reveal_receiver

    plain = reveal_receiver(order, user=user, request=request, purpose=purpose)
    return ReceiverView(name=plain["name"], phone=plain["phone"], address=plain["address"], masked=False)


# --- ORD-06: the confirmation message --------------------------------------------------------------


def estimated_ship_date(order: Order) -> date | None:
    """ORD-06 / ORD-05: paid (or placed, cash on delivery) before the same-day cut-off ships that day,
    otherwise the next day. None while unpaid."""
    start = order.paid_at or (order.placed_at if order.is_cod else None)
    if start is None:
        return None
    local = timezone.localtime(start)
    cutoff = registry.value("ORD-05.same_day_cutoff", on=local.date())
    return local.date() if local.time() < cutoff else local.date() + timedelta(days=1)
