"""Read side of orders: scoped lists, the payment reconciliation (PAY-01), late confirmations (ORD-09)
and the receiver block as a user may see it (LAW-04, CRM-03)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.audit.masking import mask_address, mask_name, mask_phone
from ecomops.catalog.models import SKU
from ecomops.core.crypto import digits_only, keyed_hash
from ecomops.policy import registry

from .enums import AllocationState, OrderState, PaymentMethod, PaymentState, ReviewRuleCode
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


# Issue 15: what the list's search box looks for. "" is the order number or the buyer's nickname (as
# before); the others are exact: a SKU code of a line, the receiver's name or phone (compared by keyed
# hash, nothing decrypted: CRM-03), a tracking number of the order or of one of its parcels.
SEARCH_KINDS = ("", "sku", "receiver", "phone", "tracking")


def search_kind_choices() -> list[tuple[str, str]]:
    return [("", _("订单号/买家昵称")), ("sku", _("SKU编码")), ("receiver", _("收货人")), ("phone", _("手机号")),
            ("tracking", _("运单号"))]


def search_q(q: str, kind: str = "") -> Q | None:
    """The condition of the search box; None when nothing can match (the list is then empty)."""
    from .models import ParcelLine

    if kind == "sku":
        skus = SKU.objects.filter(sku_code=q).values("pk")
        return Q(pk__in=OrderLine.objects.filter(Q(platform_sku_code=q) | Q(sku__in=skus)).values("order_id"))
    if kind == "receiver":
        digest = keyed_hash(q)
        return Q(name_hash=digest) if digest else None
    if kind == "phone":
        digest = keyed_hash(q, normalise=digits_only)
        return Q(phone_hash=digest) if digest else None
    if kind == "tracking":
        return Q(tracking_no=q) | Q(pk__in=ParcelLine.objects.filter(parcel__tracking_no=q).values("order_id"))
    return Q(platform_order_no__icontains=q) | Q(buyer_nick__icontains=q)


# Issue 15: the columns the list sorts by (``sort=placed`` ascending, ``sort=-placed`` descending);
# ties broken by the id in the same direction, so a page never repeats or skips an order.
SORTS = {"no": "platform_order_no", "store": "store__code", "placed": "placed_at", "amount": "paid_amount",
         "state": "state"}
DEFAULT_SORT = "-placed"


def sort_fields(sort: str) -> tuple[str, str] | None:
    """The ``order_by`` of a whitelisted sort key, else None (the default order)."""
    key = (sort or "").removeprefix("-")
    if key not in SORTS:
        return None
    sign = "-" if sort.startswith("-") else ""
    return f"{sign}{SORTS[key]}", f"{sign}pk"


def search_orders(user, *, store_id: int | None = None, state: str = "", exception: bool | None = None,
                  late: bool | None = None, q: str = "", placed_from: date | None = None,
                  placed_to: date | None = None, batch: str = "", reason: str = "", kind: str = "",
                  sort: str = "") -> QuerySet[Order]:
    """The user's orders by the list's filters. ``batch`` is a ship batch (ORD-05) or review batch
    (ORD-03) number; ``reason`` one of ``reason_choices``; ``kind`` what ``q`` is (``SEARCH_KINDS``);
    ``sort`` a key of ``SORTS`` (``-`` first: descending)."""
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
        condition = search_q(q, kind)
        if condition is None:
            return orders.none()
        orders = orders.filter(condition)
    if placed_from:
        orders = orders.filter(placed_at__date__gte=placed_from)
    if placed_to:
        orders = orders.filter(placed_at__date__lte=placed_to)
    ordering = sort_fields(sort)
    if ordering:
        return orders.order_by(*ordering)
    return orders.order_by("-placed_at", "-pk")


# Issue 15: the list's status tabs; "exception" is held or carrying an exception reason.
TABS = (("", gettext_lazy("全部")), (OrderState.PAID, gettext_lazy("已付款")),
        (OrderState.AWAITING_REVIEW, OrderState.AWAITING_REVIEW.label),
        (OrderState.REVIEWED, OrderState.REVIEWED.label),
        (OrderState.AWAITING_SHIPMENT, OrderState.AWAITING_SHIPMENT.label),
        (OrderState.SHIPPED, OrderState.SHIPPED.label), (OrderState.ON_HOLD, gettext_lazy("挂起")),
        ("exception", gettext_lazy("异常")))


def tab_counts(user, **filters) -> dict[str, int]:
    """How many of the user's orders each tab holds under the list's other filters (not its state or
    exception filter): ONE grouped query (by state, with the orders carrying an exception reason
    counted alongside), whatever the number of tabs."""
    filters = {**filters, "state": "", "exception": None, "sort": ""}
    rows = (search_orders(user, **filters).order_by().values("state")
            .annotate(n=Count("pk"), flagged=Count("pk", filter=~Q(exception_reason=""))))
    counts = {"": 0, "exception": 0}
    for row in rows:
        counts[row["state"]] = row["n"]
        counts[""] += row["n"]
        counts["exception"] += row["n"] if row["state"] == OrderState.ON_HOLD else row["flagged"]
    return counts


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
class TransactionGroup:
    """PAY-01: the payments of several orders under one platform transaction (a cart checkout paid in
    one Alipay transaction: the orders share 支付单号). It balances when the orders' amounts add up to
    what the transaction paid, and to the transaction's own total where the platform gave one."""

    store_id: int
    store_name: str
    transaction_no: str
    orders: int
    payments_total: Decimal  # the payment records of the transaction (duplicates aside)
    orders_total: Decimal  # what the orders paid under it were due (their paid amounts)
    declared_total: Decimal | None  # the transaction's total as the platform gave it, if it did

    @property
    def total(self) -> Decimal:
        return self.declared_total if self.declared_total is not None else self.payments_total

    @property
    def balanced(self) -> bool:
        return self.orders_total == self.payments_total == self.total

    @property
    def difference(self) -> Decimal:
        return self.total - self.orders_total


def _fen(name: str):
    """An amount as integer fen: exact sums on SQLite (floating point decimals) as on PostgreSQL."""
    return Cast(Round(F(name) * Value(Decimal("100"))), BigIntegerField())


def transaction_groups(payments: QuerySet, *, limit: int | None = None) -> list[TransactionGroup]:
    """PAY-01: successful payments grouped by (store, transaction number) where the transaction paid
    several orders or the platform gave its total; one aggregate query."""
    rows = (payments.filter(status=PaymentState.SUCCESS, is_duplicate=False, order__isnull=False)
            .exclude(transaction_no="").order_by().values("store_id", "store__name", "transaction_no")
            .annotate(n=Count("order_id", distinct=True), paid=Sum(_fen("amount")), due=Sum(_fen("order__paid_amount")),
                      declared=Max(_fen("transaction_amount")))
            .filter(Q(n__gte=2) | Q(declared__isnull=False)).order_by("store_id", "transaction_no"))
    if limit is not None:
        rows = rows[:limit]
    return [TransactionGroup(store_id=r["store_id"], store_name=r["store__name"], transaction_no=r["transaction_no"],
                             orders=r["n"], payments_total=Decimal(r["paid"] or 0).scaleb(-2),
                             orders_total=Decimal(r["due"] or 0).scaleb(-2),
                             declared_total=None if r["declared"] is None else Decimal(r["declared"]).scaleb(-2))
            for r in rows]


@dataclass
class Reconciliation:
    unpaid_orders: QuerySet  # orders expecting payment with no successful payment
    orphan_payments: QuerySet  # successful payments no order matches
    mismatches: QuerySet  # orders whose successful payments (duplicates aside) differ from the amount due
    duplicates: QuerySet  # duplicate payments not yet refunded in full
    payments: QuerySet | None = None  # the user's payments in view (for the transaction groups)

    def transactions(self, limit: int | None = None) -> list[TransactionGroup]:
        """PAY-01: the shared transactions (several orders, one transaction number), balanced or not."""
        return transaction_groups(self.payments, limit=limit) if self.payments is not None else []

    def unbalanced_transactions(self, limit: int | None = None) -> list[TransactionGroup]:
        return [group for group in self.transactions() if not group.balanced][:limit]


def reconciliation(user, *, store_id: int | None = None) -> Reconciliation:
    orders = Order.objects.visible_to(user).select_related("store")
    payments = Payment.objects.visible_to(user).select_related("store", "order")
    if store_id:
        orders, payments = orders.filter(store_id=store_id), payments.filter(store_id=store_id)
    success = Payment.objects.filter(order=OuterRef("pk"), status=PaymentState.SUCCESS, is_duplicate=False)
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
        orphan_payments=payments.filter(order__isnull=True, status=PaymentState.SUCCESS).order_by("paid_at", "pk"),
        mismatches=annotated.filter(has_payment=True).exclude(received=F("paid_amount")).order_by("placed_at", "pk"),
        duplicates=payments.filter(is_duplicate=True).annotate(refunded=Coalesce(refunded, ZERO))
        .filter(refunded__lt=F("amount")).order_by("paid_at", "pk"),
        payments=payments,
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
