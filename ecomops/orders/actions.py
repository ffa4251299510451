"""Every change to orders, payments, refunds and invoice requests (ORD-01, ORD-06…09, PAY-01, LAW-03).

Views, the API, the CLI, the platform import, the review workbench, parcels and the ship batches call
these functions only. Each checks the permission and the user's store scope (DAT-02), runs in
one transaction, locks the order row, and writes an ``OrderEvent`` through ``orders.events`` (who, when,
from, to, why). A step between states is ``core.flow.transition`` with ``ORDER_FLOW`` (``_move``).

``set_state`` is the one door between states: it checks the step against ``enums.ORDER_FLOW`` and the
payment rule (nothing reaches "awaiting shipment" unpaid, cash on delivery aside: ORD-01, ORD-04), and
hands the steps that move stock to their acts. "Shipped" has one path, ``ship_order`` (and parcel by
parcel ``parcels.ship_parcel``): the order's reserved units leave the ledger with it (WMS-10).
Other modules (the platform import) change orders only through these public functions; acts done on
the platform's word take ``source="platform"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.audit.access import log_personal_read
from ecomops.audit.masking import mask_address, mask_name, mask_phone
from ecomops.catalog.models import SKU, PlatformSKU
from ecomops.core import validate
from ecomops.core.crypto import digits_only, keyed_hash
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.validate import save_checked
from ecomops.org.actions import require_staff_perm
from ecomops.org.enums import StaffState
from ecomops.org.models import ClientGrant, Store, StoreGrant
from ecomops.org.scoping import ALL_CLIENTS_PERM, scope_for
from ecomops.policy import registry

from . import events
from .enums import (
    HOLDABLE,
    NEEDS_PAYMENT,
    ORDER_FLOW,
    SHIPPED_OR_LATER,
    AllocationState,
    Courier,
    InvoiceKind,
    InvoiceTitleKind,
    OrderEventKind,
    OrderState,
    PaymentMethod,
    PaymentState,
    RefundSource,
)
from .models import (
    ADDRESS_MAX,
    NAME_MAX,
    PERSONAL_FIELDS,
    PHONE_MAX,
    InvoiceRequest,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Refund,
)

S = OrderState
PERSONAL_PERM = "orders.view_buyer_personal"
CONFIRM_WITHIN_KEY = "ORD-09.confirm_within"
MERGE_GAP_KEY = "ORD-08.merge_max_gap_hours"
REFUND_WITHIN_KEY = "LAW-01.refund_within"
REFUND_DUE_KIND = "orders.refund_due"
CONFIRM_DUE_KIND = "orders.confirm_late"
# Who refunds a duplicate payment (ORD-07): the after-sales agents and finance (reference.toml).
REFUND_POSITIONS = ("after_sales", "finance_officer")
# Who confirms orders with the buyer (ORD-06, ORD-09): sales customer service, then their supervisor.
CONFIRM_POSITIONS = ("sales_cs",)
CONFIRM_FALLBACK_POSITIONS = ("ecom_supervisor",)
# Acts done on the platform's word (source="platform": the platform export says the order was closed,
# paid, received …) need the right to bring the store's platform exports in, not the clerk's right for
# the same act done by hand: the import acts for the platform (ORD-02). The store scope is checked alike.
PLATFORM_PERM = "orderimport.add_importjob"
SOURCE_USER, SOURCE_PLATFORM = "user", "platform"
SOURCES = (SOURCE_USER, SOURCE_PLATFORM)
# What the platform may change on an order that exists (ORD-02): besides the receiver and the state.
PLATFORM_FIELDS = {"buyer_nick": 100, "merchant_note": 1000, "buyer_message": 1000}

# The permission each target state needs when reached through set_state.
TARGET_PERM = {
    S.PAID: "orders.add_payment",
    S.AWAITING_REVIEW: "orders.review_order",
    S.REVIEWED: "orders.review_order",
    S.AWAITING_SHIPMENT: "orders.review_order",
    S.SHIPPED: "orders.ship_order",
    S.RECEIVED: "orders.ship_order",
    S.BUYER_REVIEWED: "orders.ship_order",
    S.COMPLETED: "orders.ship_order",
    S.CANCELLED: "orders.cancel_order",
    S.ON_HOLD: "orders.hold_order",
    S.PLACED: "orders.hold_order",  # only as the return from a hold
}
TIMESTAMP_OF = {
    S.REVIEWED: "reviewed_at",
    S.SHIPPED: "shipped_at",
    S.RECEIVED: "received_at",
    S.BUYER_REVIEWED: "buyer_reviewed_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}
FEN = Decimal("0.01")


# --- helpers ---------------------------------------------------------------------------------


_require = require_staff_perm  # AGY-07: staff only (org.actions)


def _require_store(user, store_id: int) -> None:
    if not scope_for(user).sees_store(store_id):
        raise BusinessError(_("订单不存在"), field="order", code="not_found")


def _choice(value, choices, *, field: str, label: str, blank: bool = False) -> str:
    value = value or ""
    if blank and value == "":
        return ""
    if value not in choices.values:
        raise BusinessError(_("%(label)s无效") % {"label": label}, field=field)
    return value


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order.pk)


def _label(state: str) -> str:
    return str(OrderState(state).label)


def _wrong_state(order: Order, to: str) -> BusinessError:
    return BusinessError(
        _("订单 %(no)s 当前为“%(current)s”，不能变为“%(target)s”")
        % {"no": order.platform_order_no, "current": _label(order.state), "target": _label(to)},
        field="state", code="wrong_state",
    )


def is_payment_settled(order: Order) -> bool:
    """ORD-04: paid, or cash on delivery (paid to the courier at the door)."""
    return order.paid_at is not None or order.is_cod


def release_target(order: Order) -> str:
    """Where a held order goes back to: the state it was held from, or "paid" when its payment came in
    while it was held."""
    back = order.held_from or S.PLACED
    if back == S.PLACED and order.paid_at is not None:
        return S.PAID
    return back


def check_move(order: Order, to: str) -> None:
    """ORD-01: refuse every step ORDER_FLOW does not allow (and any unpaid step past review, ORD-04).
    Used by ``_move`` and by the set-based review (``review.auto_review``), which writes many at once."""
    before = order.state
    if to not in ORDER_FLOW[before]:
        if to == S.CANCELLED and before in SHIPPED_OR_LATER:
            raise BusinessError(_("订单 %(no)s 已发货，不能取消；请走售后退款") % {"no": order.platform_order_no},
                                field="state", code="wrong_state")
        raise _wrong_state(order, to)
    if before == S.ON_HOLD and to != S.CANCELLED and to != release_target(order):
        raise _wrong_state(order, to)
    if to == S.PAID and order.paid_at is None:
        raise BusinessError(_("订单 %(no)s 没有成功的付款记录") % {"no": order.platform_order_no}, field="paid_at")
    if before == S.PLACED and to == S.AWAITING_REVIEW and not order.is_cod:
        raise BusinessError(_("订单 %(no)s 未付款，不能进入审单") % {"no": order.platform_order_no},
                            field="paid_at", code="unpaid")
    if to in NEEDS_PAYMENT and not is_payment_settled(order):
        # ORD-01 / ORD-04: no unpaid order reaches awaiting shipment.
        raise BusinessError(_("订单 %(no)s 未付款，不能进入“%(target)s”")
                            % {"no": order.platform_order_no, "target": _label(to)}, field="paid_at", code="unpaid")


def _move(order: Order, to: str, *, user, reason: str = "", kind: str | None = None, data: dict | None = None,
          at: datetime | None = None) -> OrderEvent:
    """Change the state of a locked order through ``core.flow.transition`` with ``ORDER_FLOW``; the
    order's own rules (``check_move``: payment, the state it was held from) replace the plain map check,
    and the hold and the step's timestamp are set in the same save."""
    before = order.state
    when = at or timezone.now()
    changes = {}
    if to == S.ON_HOLD:
        changes["held_from"] = before
    elif before == S.ON_HOLD:
        changes.update(held_from="", exception_reason="")
    stamp = TIMESTAMP_OF.get(to)
    if stamp and getattr(order, stamp) is None:
        changes[stamp] = when
    written = []

    def write(order, **step):
        written.append(events.state_changed(order, kind=kind, data=data, at=when, **step))

    transition(order, to, flow=ORDER_FLOW, user=user, reason=reason, check=check_move, changes=changes, event=write)
    return written[0]


@transaction.atomic
def set_state(order: Order, to: str, *, user, reason: str = "") -> Order:
    """ORD-01: move an order to ``to`` if the map allows it, with the permission that step needs.

    A step that does something besides the state goes through the act that does it, so there is one
    path to each such state: on hold (``hold``), cancelled (``cancel``: stock back, refund due),
    reviewed (the stock is reserved, ORD-04), back to review (the stock is given back) and shipped
    (``ship_order``: the reserved goods leave the ledger against the order, WMS-10)."""
    if to not in S.values:
        raise BusinessError(_("没有这个订单状态"), field="state")
    _require(user, TARGET_PERM[to])
    order = _locked(order)
    _require_store(user, order.store_id)
    if to == S.ON_HOLD:
        return hold(order, user=user, reason=reason)
    if to == S.CANCELLED:
        return cancel(order, user=user, reason=reason)
    if to == S.SHIPPED:
        return _ship(order, user=user, reason=reason)
    if to == S.REVIEWED:
        return _review(order, user=user, reason=reason)
    if to == S.AWAITING_REVIEW:
        _back_to_review(order, user=user, reason=reason)
    _move(order, to, user=user, reason=reason)
    return order


def _back_to_review(order: Order, *, user, reason: str) -> None:
    """A reviewed or printed order sent back to review gives its reserved stock back first (the review
    reserves it again, ORD-04); nothing may stay reserved for an order nobody will ship from it."""
    check_move(order, S.AWAITING_REVIEW)
    _nothing_left_yet(order, _("退回审单"))
    _give_back_stock(order, user=user, reason=reason or _label(S.AWAITING_REVIEW))


def _nothing_left_yet(order: Order, what: str) -> None:
    """ORD-08 / WMS-10: once a parcel of a split order has left (its units with it), the order can no
    longer be held, sent back to review or cancelled: its other parcels follow, the rest is after-sales."""
    from .models import ParcelLine

    if ParcelLine.objects.filter(order=order, parcel__state="shipped").exists():
        raise BusinessError(_("订单 %(no)s 已有包裹发出，不能%(what)s：其余包裹照常发出，退货退款请走售后")
                            % {"no": order.platform_order_no, "what": what}, field="state", code="shipped")


def _review(order: Order, *, user, reason: str = "") -> Order:
    """ORD-04: "reviewed" means the order's stock is reserved. A locked order awaiting review is
    allocated through the review's allocation (routing, FIFO by lot); refused, with the shortage,
    when no warehouse can serve all of it (nothing is written)."""
    from .review import allocate

    check_move(order, S.REVIEWED)
    if order.allocation_state == AllocationState.ALLOCATED:
        _move(order, S.REVIEWED, user=user, reason=reason)
        return order
    unmatched = _unmatched_lines(order)
    if unmatched:
        raise BusinessError(_("订单 %(no)s 第 %(lines)s 行商品未匹配到SKU，不能审核通过")
                            % {"no": order.platform_order_no, "lines": unmatched}, field="lines", code="unmatched")
    if not allocate(order, user=user):
        raise BusinessError(_("订单 %(no)s 不能审核通过：%(why)s")
                            % {"no": order.platform_order_no, "why": order.allocation_note},
                            field="lines", code="insufficient_stock")
    return order


def _unmatched_lines(order: Order) -> str:
    return "、".join(str(no) for no in order.lines.filter(sku__isnull=True).order_by("line_no")
                    .values_list("line_no", flat=True))


# --- owners of due items -----------------------------------------------------------------------


def _staff_seeing(store: Store, positions) -> list:
    """Active staff of these positions who see the store (its client granted, the store granted, or
    all clients); client users never."""
    User = get_user_model()
    sees = (
        Q(pk__in=ClientGrant.objects.filter(client_id=store.client_id).values("user_id"))
        | Q(pk__in=StoreGrant.objects.filter(store=store).values("user_id"))
        | Q(pk__in=User.objects.with_perm(ALL_CLIENTS_PERM, include_superusers=False).values("pk"))
    )
    return list(
        User.objects.filter(sees, is_active=True, staff__status=StaffState.ACTIVE,
                            staff__positions__code__in=positions, client_member__isnull=True)
        .distinct().order_by("pk")
    )


def _superusers() -> list:
    return list(get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def refund_owners(store: Store) -> list:
    return _staff_seeing(store, REFUND_POSITIONS) or _superusers()


def confirm_owners(store: Store) -> list:
    return (_staff_seeing(store, CONFIRM_POSITIONS) or _staff_seeing(store, CONFIRM_FALLBACK_POSITIONS)
            or _superusers())


def order_link(order: Order) -> str:
    """The order's page, for due items and messages of any module."""
    return reverse("orders:order_detail", args=[order.pk])


_order_link = order_link


# --- creating orders -----------------------------------------------------------------------------


@dataclass
class LineInput:
    quantity: int
    unit_price: Decimal
    platform_sku_code: str = ""
    title: str = ""
    sku: SKU | None = None
    amount: Decimal | None = None


def match_sku(store: Store, code: str) -> SKU | None:
    """ORD-02: the store's platform SKU code first, then the client's barcode, then its SKU code."""
    code = (code or "").strip()
    if not code:
        return None
    link = PlatformSKU.objects.filter(store=store, platform_sku_code=code).select_related("sku").first()
    if link is not None:
        return link.sku
    return (SKU.objects.filter(client_id=store.client_id, barcode=code).first()
            or SKU.objects.filter(client_id=store.client_id, sku_code=code).first())


def set_receiver(order: Order, *, name, phone, address, province="", city="", district="") -> None:
    """Check and fill the receiver of an order (or parcel) not saved yet, with the keyed hashes that
    matching and merging compare (CRM-03: never the plain values). Also what the import uses to
    build new orders and to tell whether the platform's receiver differs from ours."""
    order.receiver_name = validate.text(name, field="receiver_name", label=_("收货人"), max_length=NAME_MAX)
    phone = validate.text(phone, field="receiver_phone", label=_("收货人手机"), max_length=PHONE_MAX)
    if phone and not re.fullmatch(r"[0-9+\-\s()*#]{5,30}", phone):
        raise BusinessError(_("收货人手机格式不正确"), field="receiver_phone")
    order.receiver_phone = phone
    order.receiver_address = validate.text(address, field="receiver_address", label=_("收货详细地址"),
                                   max_length=ADDRESS_MAX)
    order.province = validate.text(province, field="province", label=_("省份"), max_length=20)
    order.city = validate.text(city, field="city", label=_("城市"), max_length=30)
    order.district = validate.text(district, field="district", label=_("区县"), max_length=30)
    order.phone_hash = keyed_hash(phone, normalise=digits_only)
    whole = "|".join([order.receiver_name, digits_only(phone), order.province, order.city, order.district,
                      order.receiver_address])
    order.receiver_hash = keyed_hash(whole) if order.receiver_address else ""
    order.name_hash = keyed_hash(order.receiver_name)


ORDER_FIELDS = {"buyer_nick", "merchant_note", "buyer_message", "courier", "payment_method", "goods_amount",
                "shipping_fee", "discount_amount", "paid_amount"}


@transaction.atomic
def create_order(*, user, store: Store, platform_order_no: str, placed_at: datetime, lines: list[LineInput],
                 receiver_name: str = "", receiver_phone: str = "", receiver_address: str = "",
                 province: str = "", city: str = "", district: str = "", **fields) -> Order:
    """Register one order of a store (the platform import will upsert through its own action later).
    Lines are matched to SKUs; an unmatched line puts the order on hold with the reason (ORD-02)."""
    _require(user, "orders.add_order")
    _require_store(user, store.pk)
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能设置") % {"name": field}, field=field)
    number = validate.text(platform_order_no, field="platform_order_no", label=_("平台订单号"), max_length=64,
                           required=True)
    if Order.objects.filter(store=store, platform_order_no=number).exists():
        raise Conflict(_("店铺 %(store)s 已有平台订单号 %(no)s") % {"store": store.code, "no": number},
                       field="platform_order_no")
    if not lines:
        raise BusinessError(_("订单至少要有一行商品"), field="lines")
    order = Order(store=store, platform_order_no=number, placed_at=placed_at)
    order.buyer_nick = validate.text(fields.get("buyer_nick"), field="buyer_nick", label=_("买家昵称"), max_length=100)
    order.merchant_note = validate.text(fields.get("merchant_note"), field="merchant_note", label=_("商家备注"),
                                max_length=1000)
    order.buyer_message = validate.text(fields.get("buyer_message"), field="buyer_message", label=_("买家留言"),
                                max_length=1000)
    order.courier = _choice(fields.get("courier"), Courier, field="courier", label=_("快递公司"), blank=True)
    order.payment_method = _choice(fields.get("payment_method") or PaymentMethod.PLATFORM, PaymentMethod,
                                   field="payment_method", label=_("支付方式"))
    for name, label in (("shipping_fee", _("运费")), ("discount_amount", _("优惠金额"))):
        setattr(order, name, validate.money(fields.get(name, 0), field=name, label=label))
    set_receiver(order, name=receiver_name, phone=receiver_phone, address=receiver_address, province=province,
                 city=city, district=district)
    built = []
    for index, line in enumerate(lines, start=1):
        where = _("第 %(n)d 行") % {"n": index}
        try:
            quantity = int(line.quantity)
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1:
            raise BusinessError(_("%(where)s数量至少为 1") % {"where": where}, field="quantity")
        price = validate.money(line.unit_price, field="unit_price", label=where + _("单价"))
        amount = (price * quantity).quantize(FEN) if line.amount is None else validate.money(
            line.amount, field="amount", label=where + _("金额"))
        sku = line.sku
        if sku is not None and sku.client_id != store.client_id:
            raise BusinessError(_("%(where)s的商品不属于本店铺的委托方") % {"where": where}, field="sku")
        code = validate.text(line.platform_sku_code, field="platform_sku_code", label=_("平台SKU编码"), max_length=64)
        if sku is None:
            sku = match_sku(store, code)
        built.append(OrderLine(line_no=index, sku=sku, platform_sku_code=code, quantity=quantity, unit_price=price,
                               amount=amount, title=validate.text(line.title, field="title", label=_("商品标题"),
                                                          max_length=200)))
    goods = sum((line.amount for line in built), Decimal("0.00"))
    order.goods_amount = validate.money(fields.get("goods_amount", goods), field="goods_amount", label=_("商品金额"))
    default_paid = max(order.goods_amount + order.shipping_fee - order.discount_amount, Decimal("0.00"))
    order.paid_amount = validate.money(fields.get("paid_amount", default_paid), field="paid_amount",
                                       label=_("实付金额"))
    if order.is_cod:
        # Cash on delivery: nothing is paid before shipping; the confirmation clock runs from placing.
        order.confirm_due_at = placed_at + registry.value(CONFIRM_WITHIN_KEY, on=timezone.localdate(placed_at))
    save_checked(order, user=user, reason=_("创建订单"))
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    events.order_created(order, user=user,
                         data={"lines": len(built), "paid_amount": str(order.paid_amount)})
    unmatched = [line.line_no for line in built if line.sku_id is None]
    # Payments recorded before the order came in (PAY-01) now find it.
    for payment in Payment.objects.select_for_update().filter(
            store=store, platform_order_no=number, order__isnull=True).order_by("paid_at", "pk"):
        payment.order = order
        save_checked(payment, user=user, reason=_("匹配到订单"))
        _apply_payment(order, payment, user=user)
    if unmatched:
        reason = _("第 %(lines)s 行商品未匹配到SKU") % {"lines": "、".join(str(n) for n in unmatched)}
        order.exception_reason = reason[:200]
        _move(order, S.ON_HOLD, user=user, reason=reason)
    return order


# --- payments (PAY-01, ORD-07) -------------------------------------------------------------------


def _successful_payments(order: Order):
    return Payment.objects.filter(order=order, status=PaymentState.SUCCESS, is_duplicate=False)


def _raise_refund_due(order: Order, payment: Payment | None, *, title: str) -> None:
    due_at = timezone.now() + registry.value(REFUND_WITHIN_KEY)
    dues.raise_dues(kind=REFUND_DUE_KIND, owners=refund_owners(order.store), title=title, due_at=due_at,
                    source=payment or order, clause="ORD-07", link=_order_link(order),
                    client=order.store.client, store=order.store)


def _apply_payment(order: Order, payment: Payment, *, user) -> None:
    """What a payment does to its (locked) order."""
    data = {"payment": payment.pk, "amount": str(payment.amount), "transaction_no": payment.transaction_no}
    if payment.status == PaymentState.FAILED:
        events.payment_failed(order, user=user, note=payment.failure_reason, data=data)
        return
    if order.paid_at is not None or _successful_payments(order).exclude(pk=payment.pk).exists():
        # ORD-07: a second successful payment is a duplicate; it must be refunded.
        payment.is_duplicate = True
        save_checked(payment, user=user, reason=_("重复付款"))
        events.payment_duplicate(order, user=user, note=_("重复付款，须退回"), data=data)
        _raise_refund_due(order, payment, title=_("退回重复付款：订单 %(no)s，%(amount)s 元")
                          % {"no": order.platform_order_no, "amount": payment.amount})
        return
    if order.state == S.CANCELLED:
        events.payment_mismatch(order, user=user, note=_("已取消订单收到付款，须退回"), data=data)
        _raise_refund_due(order, payment, title=_("退回已取消订单的付款：订单 %(no)s，%(amount)s 元")
                          % {"no": order.platform_order_no, "amount": payment.amount})
        return
    if payment.amount != order.paid_amount:
        # PAY-01: the reconciliation lists it; the order is not marked paid on a wrong amount.
        events.payment_mismatch(order, user=user, note=_("付款金额 %(paid)s 元与订单实付 %(due)s 元不符")
                                % {"paid": payment.amount, "due": order.paid_amount}, data=data)
        return
    _mark_paid(order, paid_at=payment.paid_at, user=user, data=data)


def _mark_paid(order: Order, *, paid_at: datetime, user, data: dict | None = None) -> None:
    order.paid_at = paid_at
    if not order.is_cod:
        # ORD-09: the order must be confirmed within the policy time of payment.
        order.confirm_due_at = paid_at + registry.value(CONFIRM_WITHIN_KEY, on=timezone.localdate(paid_at))
    if order.state == S.PLACED:
        _move(order, S.PAID, user=user, reason=_("付款成功"), data=data, at=paid_at)
    else:
        # Cash on delivery paid at the door, or an order held before its payment arrived.
        save_checked(order, user=user, reason=_("付款成功"))
        events.order_paid(order, user=user, data=data)


@transaction.atomic
def mark_paid(order: Order, *, user, paid_at: datetime | None = None, reason: str = "") -> Order:
    """Mark an order paid without a payment record (e.g. the platform says so); prefer record_payment."""
    _require(user, "orders.add_payment")
    order = _locked(order)
    _require_store(user, order.store_id)
    if order.paid_at is not None:
        raise Conflict(_("订单 %(no)s 已付款") % {"no": order.platform_order_no}, field="paid_at")
    _mark_paid(order, paid_at=paid_at or timezone.now(), user=user, data={"reason": reason[:200]} if reason else None)
    return order


@transaction.atomic
def record_payment(*, user, store: Store, platform_order_no: str, amount, method: str, paid_at: datetime,
                   status: str = PaymentState.SUCCESS, transaction_no: str = "", failure_reason: str = "",
                   source: str = SOURCE_USER) -> Payment:
    """PAY-01: record one payment of a store's order, found by its platform order number. A payment
    whose order has not come in yet is kept unmatched (the reconciliation lists it); a failed payment
    changes nothing on the order; a second successful one is a duplicate with a refund due (ORD-07).

    ``source="platform"``: the platform export says the order is paid (the import's right, not the
    cashier's). Its transaction number is not checked for uniqueness: a platform pays several orders of
    one checkout under one transaction number."""
    _require(user, _perm_for(source, "orders.add_payment"))
    _require_store(user, store.pk)
    number = validate.text(platform_order_no, field="platform_order_no", label=_("平台订单号"), max_length=64,
                           required=True)
    transaction_no = validate.text(transaction_no, field="transaction_no", label=_("平台交易号"), max_length=64)
    status = _choice(status, PaymentState, field="status", label=_("付款结果"))
    method = _choice(method, PaymentMethod, field="method", label=_("支付方式"))
    amount = validate.money(amount, field="amount", label=_("金额"))
    failure_reason = validate.text(failure_reason, field="failure_reason", label=_("失败原因"), max_length=200,
                           required=status == PaymentState.FAILED)
    if status == PaymentState.SUCCESS and amount <= 0:
        raise BusinessError(_("成功付款的金额必须大于 0"), field="amount")
    if paid_at is None:
        raise BusinessError(_("请填写付款时间"), field="paid_at")
    if transaction_no and source == SOURCE_USER and Payment.objects.filter(store=store,
                                                                          transaction_no=transaction_no).exists():
        raise Conflict(_("平台交易号 %(no)s 已登记") % {"no": transaction_no}, field="transaction_no")
    order = Order.objects.select_for_update(of=("self",)).select_related("store").filter(
        store=store, platform_order_no=number).first()
    payment = Payment(store=store, order=order, platform_order_no=number, transaction_no=transaction_no,
                      amount=amount, method=method, status=status, paid_at=paid_at, failure_reason=failure_reason,
                      recorded_by=user)
    save_checked(payment, user=user, reason=_("登记付款"))
    if order is not None:
        _apply_payment(order, payment, user=user)
    return payment


@transaction.atomic
def record_refund(order: Order, *, user, amount, source: str, reason: str, payment: Payment | None = None,
                  refunded_at: datetime | None = None) -> Refund:
    """A refund paid to the buyer. It cannot exceed what was paid and not yet refunded (per payment
    when it names one); refunding a duplicate payment completes its due item (ORD-07)."""
    _require(user, "orders.add_refund")
    order = _locked(order)
    _require_store(user, order.store_id)
    return _refund(order, user=user, amount=amount, source=source, reason=reason, payment=payment,
                   refunded_at=refunded_at)


def _refund(order: Order, *, user, amount, source: str, reason: str, payment: Payment | None,
            refunded_at: datetime | None, data: dict | None = None) -> Refund:
    """Record a refund of a locked order whose act was allowed (``record_refund``, ``record_platform_refund``)."""
    source = _choice(source, RefundSource, field="source", label=_("来源"))
    amount = validate.money(amount, field="amount", label=_("退款金额"), minimum=FEN)
    reason = validate.text(reason, field="reason", label=_("退款原因"), max_length=500, required=True)
    if payment is not None:
        if payment.order_id != order.pk or payment.status != PaymentState.SUCCESS:
            raise BusinessError(_("退回的付款不是本订单的成功付款"), field="payment")
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        left = payment.amount - (payment.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0"))
    else:
        paid = Payment.objects.filter(order=order, status=PaymentState.SUCCESS).aggregate(
            total=Sum("amount"))["total"] or Decimal("0")
        left = paid - (order.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0"))
    if amount > left:
        raise BusinessError(_("退款金额 %(amount)s 元超过可退金额 %(left)s 元") % {"amount": amount, "left": left},
                            field="amount")
    refund = Refund(order=order, payment=payment, amount=amount, source=source, reason=reason,
                    refunded_at=refunded_at or timezone.now(), recorded_by=user)
    save_checked(refund, user=user, reason=_("登记退款"))
    events.refund_recorded(order, user=user, note=reason,
                           data={"refund": refund.pk, "amount": str(amount), "source": source, **(data or {})})
    dues.complete_due(kind=REFUND_DUE_KIND, source=payment or order, user=user)
    return refund


def platform_refunded(order: Order) -> Decimal:
    """What the books hold as refunded to the buyer for ``order`` (duplicate payments aside: the platform's
    refund total of an order never covers a second payment we give back ourselves)."""
    return (order.refunds.exclude(source=RefundSource.DUPLICATE_PAYMENT).aggregate(total=Sum("amount"))["total"]
            or Decimal("0.00"))


@transaction.atomic
def record_platform_refund(order: Order, amount, *, reason: str, user, at: datetime | None = None) -> Refund | None:
    """ORD-02 / PER-07: the platform says the buyer got ``amount`` back for this order in all (its export's
    退款金额 is a running total). What our books do not hold yet is recorded as a refund (source
    "platform"): it counts against the commission sales like any refund, completes the refund due item
    of a closed paid order (ORD-07), and leaves a refund event. Importing the same total again records
    nothing; a later, larger total records only the difference; a smaller one changes nothing (a refund
    is never taken back by an export). ``at``: the platform's refund time, else now (the import's
    observation). On the import's right (the platform's word), in the user's store scope."""
    order = _acting(order, user, "orders.add_refund", SOURCE_PLATFORM)
    total = validate.money(amount, field="refund_amount", label=_("退款金额"))
    missing = total - platform_refunded(order)
    if missing <= 0:
        return None
    return _refund(order, user=user, amount=missing, source=RefundSource.PLATFORM, reason=reason, payment=None,
                   refunded_at=at, data={"platform_total": str(total)})


# --- lifecycle acts ---------------------------------------------------------------------------------


def _acting(order: Order, user, perm: str, source: str = SOURCE_USER) -> Order:
    _require(user, _perm_for(source, perm))
    order = _locked(order)
    _require_store(user, order.store_id)
    return order


def _perm_for(source: str, perm: str) -> str:
    """The permission an act needs: its own by hand, the import's right on the platform's word."""
    if source not in SOURCES:
        raise BusinessError(_("来源无效"), field="source")
    return PLATFORM_PERM if source == SOURCE_PLATFORM else perm


@transaction.atomic
def confirm(order: Order, *, user, at: datetime | None = None) -> Order:
    """ORD-06 / ORD-09: customer service confirmed the order with the buyer. Late when after the
    policy time from payment; the late flag stays on the order."""
    order = _acting(order, user, "orders.confirm_order")
    if order.state in (S.CANCELLED, S.ON_HOLD):
        raise BusinessError(_("订单当前为“%(state)s”，不能确认") % {"state": order.get_state_display()},
                            field="state", code="wrong_state")
    if not is_payment_settled(order):
        raise BusinessError(_("订单 %(no)s 未付款，不能确认") % {"no": order.platform_order_no}, field="paid_at",
                            code="unpaid")
    if order.confirmed_at is not None:
        raise Conflict(_("订单 %(no)s 已确认") % {"no": order.platform_order_no}, field="confirmed_at")
    when = at or timezone.now()
    order.confirmed_at, order.confirmed_by = when, user
    late = order.confirm_due_at is not None and when > order.confirm_due_at
    order.confirm_late = order.confirm_late or late
    save_checked(order, user=user, reason=_("确认订单"))
    events.order_confirmed(order, user=user, at=when, data={
                           "late": late, "due_at": order.confirm_due_at.isoformat() if order.confirm_due_at else None})
    dues.complete_due(kind=CONFIRM_DUE_KIND, source=order, user=user, at=when)
    return order


@transaction.atomic
def hold(order: Order, *, user, reason: str) -> Order:
    """ORD-08: put an order aside as an exception, with the reason."""
    order = _acting(order, user, "orders.hold_order")
    reason = validate.text(reason, field="reason", label=_("挂起原因"), max_length=200, required=True)
    if order.state not in HOLDABLE:
        raise _wrong_state(order, S.ON_HOLD)
    _nothing_left_yet(order, _("挂起"))
    order.exception_reason = reason
    before = order.state
    _give_back_stock(order, user=user, reason=reason)
    _move(order, S.ON_HOLD, user=user, reason=reason)
    if before in (S.REVIEWED, S.AWAITING_SHIPMENT):
        # Its stock went back on hold (ORD-04): released, it is reviewed and allocated again.
        order.held_from = S.AWAITING_REVIEW
        order.save(update_fields=["held_from", "updated_at"])
    return order


def _give_back_stock(order: Order, *, user, reason: str) -> None:
    """Release the stock reserved for the order (hold, cancel); see ``review.allocate``."""
    from .review import release

    release(order, user=user, reason=reason)


@transaction.atomic
def release_hold(order: Order, *, user, reason: str) -> Order:
    order = _acting(order, user, "orders.hold_order")
    reason = validate.text(reason, field="reason", label=_("解除原因"), max_length=200, required=True)
    if order.state != S.ON_HOLD:
        raise BusinessError(_("订单 %(no)s 没有挂起") % {"no": order.platform_order_no}, field="state",
                            code="wrong_state")
    _move(order, release_target(order), user=user, reason=reason, kind=OrderEventKind.RELEASED)
    return order


@transaction.atomic
def cancel(order: Order, *, user, reason: str, source: str = SOURCE_USER, at: datetime | None = None) -> Order:
    """Cancel before shipping, with the reason; refused once shipped (that is an after-sales refund),
    also when one parcel of a split order has left. The order's reserved stock goes back (ORD-04), its
    open parcels are undone (ORD-08), a paid order's money is due back to the buyer (ORD-07) and nobody
    has to confirm it any more (ORD-09).

    ``source="platform"``: the platform closed the order (交易关闭, 已取消, 未发货退款成功 … in its
    export); the same act, on the import's right, recorded as the platform's (ORD-02). ``at``: when it
    was cancelled (the platform's close time or the import's observation time), else now."""
    order = _acting(order, user, "orders.cancel_order", source)
    reason = validate.text(reason, field="reason", label=_("取消原因"), max_length=200, required=True)
    check_move(order, S.CANCELLED)
    _nothing_left_yet(order, _("取消"))
    from .parcels import undo_with_order

    undo_with_order(order, user=user, reason=reason)
    order.cancel_reason = reason
    _give_back_stock(order, user=user, reason=reason)
    _move(order, S.CANCELLED, user=user, reason=reason, data={"source": source}, at=at)
    if _successful_payments(order).exists():
        if source == SOURCE_PLATFORM:
            title = _("订单 %(no)s 已由平台关闭：核对平台退款并登记 %(amount)s 元")
        else:
            title = _("订单 %(no)s 已取消，退回货款 %(amount)s 元")
        _raise_refund_due(order, None, title=title % {"no": order.platform_order_no, "amount": order.paid_amount})
    dues.cancel_due(kind=CONFIRM_DUE_KIND, source=order)
    return order


@transaction.atomic
def closed_by_platform_after_payment(order: Order, *, user) -> Order:
    """ORD-07: an order that came in already closed by the platform (a new order of an export, so it
    never held stock here) with a payment: the platform refunded the buyer, and that refund is due in
    our books like any cancelled paid order's (done when ``record_refund`` records it). Idempotent."""
    order = _acting(order, user, "orders.cancel_order", SOURCE_PLATFORM)
    if order.state == S.CANCELLED and _successful_payments(order).exists():
        _raise_refund_due(order, None, title=_("订单 %(no)s 已由平台关闭：核对平台退款并登记 %(amount)s 元")
                          % {"no": order.platform_order_no, "amount": order.paid_amount})
    return order


def _step(order: Order, to: str, *, user, perm: str, reason: str = "", at: datetime | None = None,
          source: str = SOURCE_USER) -> Order:
    order = _acting(order, user, perm, source)
    if to == S.AWAITING_REVIEW:
        _back_to_review(order, user=user, reason=reason)
    _move(order, to, user=user, reason=reason, at=at)
    return order


@transaction.atomic
def submit_for_review(order: Order, *, user, reason: str = "") -> Order:
    """Paid (or cash-on-delivery) order into the review queue (ORD-03); a reviewed or printed order
    sent back gives its stock back."""
    return _step(order, S.AWAITING_REVIEW, user=user, perm="orders.review_order", reason=reason)


@transaction.atomic
def mark_reviewed(order: Order, *, user, reason: str = "") -> Order:
    """Reviewed by hand: the stock is reserved now (ORD-04), or the act is refused with the shortage."""
    return _review(_acting(order, user, "orders.review_order"), user=user, reason=reason)


@transaction.atomic
def release_to_shipping(order: Order, *, user, reason: str = "") -> Order:
    """Reviewed → awaiting shipment (待发货). Refused for an unpaid order (ORD-01, ORD-04)."""
    return _step(order, S.AWAITING_SHIPMENT, user=user, perm="orders.review_order", reason=reason)


# The ship batch's print (ORD-05) moves its orders on; the print right is the batch's, not the reviewer's.
BATCH_PRINT_PERM = "dispatch.print_shipbatch"


@transaction.atomic
def print_for_shipping(order: Order, *, user, batch_no: str) -> tuple[Order, str]:
    """ORD-04 / ORD-05: an order of a ship batch being printed. Its payment is verified first: a paid
    (or cash-on-delivery) reviewed order moves to "awaiting shipment" and ``""`` is returned; any other
    stays where it is, with an event saying why it left the batch, and the reason is returned (the
    batch takes it out)."""
    order = _acting(order, user, BATCH_PRINT_PERM)
    if order.state == S.REVIEWED and is_payment_settled(order):
        _move(order, S.AWAITING_SHIPMENT, user=user, reason=_("发货批次 %(no)s 已打印") % {"no": batch_no})
        return order, ""
    why = (_("未付款") if not is_payment_settled(order)
           else _("当前为“%(state)s”") % {"state": order.get_state_display()})
    events.state_noted(order, user=user,
                       note=_("移出发货批次 %(no)s：%(why)s") % {"no": batch_no, "why": why})
    return order, why


# --- shipping: the one path to "shipped" (ORD-01, WMS-10) -------------------------------------------


@transaction.atomic
def ship_order(order: Order, *, user, courier: str, tracking_no: str, reason: str = "",
               at: datetime | None = None) -> Order:
    """The whole order leaves as one parcel with its courier and tracking number (ORD-01, WMS-10).

    In one transaction on the locked order: its reserved units are taken out of their bins as ledger
    moves against the order (the reservation is consumed, FIFO by lot; the WMS-14 plan counts them as
    sales) and the order becomes shipped. Refused, naming the order: shipped already (a second click or
    a second clerk: ``Conflict``, nothing posted twice), not awaiting shipment, split or merged into
    parcels (those leave parcel by parcel, ``parcels.ship_parcel``), stock not reserved as its lines
    need (back to review, where it is reserved again)."""
    order = _acting(order, user, "orders.ship_order")
    return _ship(order, user=user, courier=courier, tracking_no=tracking_no, reason=reason, at=at, required=True)


@transaction.atomic
def mark_shipped(order: Order, *, user, courier: str = "", tracking_no: str = "", reason: str = "",
                 at: datetime | None = None) -> Order:
    """``ship_order`` where the courier and tracking number may already be on the order."""
    order = _acting(order, user, "orders.ship_order")
    return _ship(order, user=user, courier=courier, tracking_no=tracking_no, reason=reason, at=at)


def _ship(order: Order, *, user, courier: str = "", tracking_no: str = "", reason: str = "",
          at: datetime | None = None, required: bool = False) -> Order:
    """Ship a locked order whole (see ``ship_order``); ``set_state`` to shipped comes here too."""
    _not_shipped_yet(order)
    check_move(order, S.SHIPPED)
    if order.parcel_lines.exclude(parcel__state="cancelled").exists():
        # ORD-08: a split or merged order leaves parcel by parcel (parcels.ship_parcel).
        raise BusinessError(_("订单 %(no)s 已拆分或合并，请按包裹发货") % {"no": order.platform_order_no},
                            field="state", code="has_parcels")
    _set_waybill(order, courier=courier, tracking_no=tracking_no, required=required)
    _take_out_stock(order, user=user, note=_("订单发货"))
    return _mark_left(order, user=user, reason=reason, at=at)


def _not_shipped_yet(order: Order) -> None:
    if order.state in SHIPPED_OR_LATER:
        raise Conflict(_("订单 %(no)s 已发货（%(state)s），不会重复出库")
                       % {"no": order.platform_order_no, "state": _label(order.state)}, field="state")


def _set_waybill(order: Order, *, courier: str, tracking_no: str, required: bool) -> None:
    if courier or required:
        order.courier = _choice(courier, Courier, field="courier", label=_("快递公司"))
    tracking_no = validate.text(tracking_no, field="tracking_no", label=_("运单号"), max_length=40, required=required)
    order.tracking_no = tracking_no or order.tracking_no


def _take_out_stock(order: Order, *, user, quantities: dict[int, int] | None = None, note: str) -> None:
    """WMS-10: the goods of a locked order leave the warehouse against the order, from its reservation
    (every unit still reserved, or ``quantities`` sku → units for one parcel). The reservation must
    hold exactly what the order has not shipped yet: an order whose stock is not reserved, or not as
    its lines need, is refused (back to review, where the stock is reserved again). When nothing stays
    reserved the order's allocation is "consumed". The caller saves the order (``_mark_left`` does)."""
    from ecomops.inventory import reservations

    from .review import doc_of

    no = order.platform_order_no
    unmatched = _unmatched_lines(order)
    if unmatched:
        raise BusinessError(_("订单 %(no)s 第 %(lines)s 行商品未匹配到SKU，不能发货") % {"no": no, "lines": unmatched},
                            field="lines", code="unmatched")
    if order.allocation_state != AllocationState.ALLOCATED:
        raise BusinessError(
            _("订单 %(no)s 没有占用库存（%(allocation)s），不能发货：请退回审单，占用库存后再发货")
            % {"no": no, "allocation": order.get_allocation_state_display()},
            field="allocation_state", code="not_allocated")
    doc = doc_of(order)
    held: dict[int, int] = {}
    for reservation in reservations.reserved_for(doc):
        held[reservation.sku_id] = held.get(reservation.sku_id, 0) + reservation.quantity
    unshipped = _unshipped_units(order)
    if held != unshipped:
        raise BusinessError(
            _("订单 %(no)s 的库存占用（%(held)s）与未发商品（%(need)s）不符，不能发货：请退回审单，重新占用后再发货")
            % {"no": no, "held": _units_text(held), "need": _units_text(unshipped)},
            field="allocation_state", code="not_allocated")
    if quantities is None or quantities == unshipped:
        reservations.consume(doc=doc, user=user, note=note)
        order.allocation_state = AllocationState.CONSUMED
    else:
        reservations.consume(doc=doc, user=user, quantities=quantities, note=note)


def _unshipped_units(order: Order) -> dict[int, int]:
    """Units per SKU of the order not yet gone in a shipped parcel."""
    from .models import ParcelLine

    units: dict[int, int] = {}
    for sku_id, quantity in order.lines.values_list("sku_id", "quantity"):
        units[sku_id] = units.get(sku_id, 0) + quantity
    gone = ParcelLine.objects.filter(order=order, parcel__state="shipped").values_list("order_line__sku_id",
                                                                                      "quantity")
    for sku_id, quantity in gone:
        units[sku_id] -= quantity
    return {sku_id: n for sku_id, n in units.items() if n}


def _units_text(units: dict[int, int]) -> str:
    codes = dict(SKU.objects.filter(pk__in=list(units)).values_list("pk", "sku_code"))
    return "、".join(f"{codes.get(sku_id, sku_id)}×{n}" for sku_id, n in sorted(units.items())) or "0"


def _mark_left(order: Order, *, user, reason: str = "", at: datetime | None = None) -> Order:
    """The last goods of a locked order have left (``_take_out_stock`` posted them): it is shipped."""
    _move(order, S.SHIPPED, user=user, reason=reason, at=at,
          data={"courier": order.courier, "tracking_no": order.tracking_no})
    return order


@transaction.atomic
def mark_received(order: Order, *, user, at: datetime | None = None, reason: str = "",
                  source: str = SOURCE_USER) -> Order:
    """The buyer received a shipped order; ``source="platform"`` when the platform's export says so."""
    return _step(order, S.RECEIVED, user=user, perm="orders.ship_order", at=at, reason=reason, source=source)


@transaction.atomic
def mark_buyer_reviewed(order: Order, *, user, at: datetime | None = None) -> Order:
    return _step(order, S.BUYER_REVIEWED, user=user, perm="orders.ship_order", at=at)


@transaction.atomic
def mark_completed(order: Order, *, user, at: datetime | None = None, reason: str = "",
                   source: str = SOURCE_USER) -> Order:
    """The order is complete (交易成功); ``source="platform"`` when the platform's export says so."""
    return _step(order, S.COMPLETED, user=user, perm="orders.ship_order", at=at, reason=reason, source=source)


# --- changes (ORD-08, LAW-03) ---------------------------------------------------------------------


def _masked_receiver(order: Order) -> dict:
    return {"name": mask_name(order.receiver_name), "phone": mask_phone(order.receiver_phone),
            "address": mask_address(order.receiver_address), "province": order.province, "city": order.city,
            "district": order.district}


def _before_shipping(order: Order, what: str) -> None:
    if order.state in SHIPPED_OR_LATER or order.state == S.CANCELLED:
        raise BusinessError(_("订单 %(no)s 当前为“%(state)s”，不能%(what)s")
                            % {"no": order.platform_order_no, "state": order.get_state_display(), "what": what},
                            field="state", code="wrong_state")


@transaction.atomic
def change_address(order: Order, *, user, receiver_name: str, receiver_phone: str, receiver_address: str,
                   province: str = "", city: str = "", district: str = "", reason: str = "",
                   source: str = SOURCE_USER) -> Order:
    """ORD-08: the buyer's new address, re-encrypted; the event keeps masked before/after only.
    ``source="platform"``: the buyer changed it on the platform (the import's right, ORD-02)."""
    order = _acting(order, user, "orders.change_order", source)
    _before_shipping(order, _("修改地址"))
    reason = validate.text(reason, field="reason", label=_("修改原因"), max_length=200)
    before = _masked_receiver(order)
    set_receiver(order, name=receiver_name, phone=receiver_phone, address=receiver_address, province=province,
                 city=city, district=district)
    if not order.receiver_address:
        raise BusinessError(_("请填写收货详细地址"), field="receiver_address")
    save_checked(order, user=user, reason=_("平台导入更新") if source == SOURCE_PLATFORM else _("修改地址"))
    events.address_changed(order, user=user, note=reason,
                           data={"before": before, "after": _masked_receiver(order)})
    return order


@transaction.atomic
def change_courier(order: Order, *, user, courier: str, reason: str = "") -> Order:
    order = _acting(order, user, "orders.change_order")
    _before_shipping(order, _("修改快递"))
    courier = _choice(courier, Courier, field="courier", label=_("快递公司"))
    before = order.courier
    if before == courier:
        raise BusinessError(_("快递公司没有变化"), field="courier")
    order.courier = courier
    save_checked(order, user=user, reason=_("修改快递"))
    events.courier_changed(order, user=user,
                           note=validate.text(reason, field="reason", label=_("修改原因"), max_length=200),
                           data={"before": before, "after": courier})
    return order


@transaction.atomic
def give_tracking_number(order: Order, *, user, courier: str, tracking_no: str, perm: str, note: str = "",
                         data: dict | None = None) -> Order:
    """LOG-02 / LAW-04: the carrier and the electronic waybill number given to an order before it ships
    (``logistics.numbers.assign``, which checks ``perm`` as its own right). Refused once the order has
    shipped or was cancelled; the order's history shows the number (a courier event)."""
    order = _acting(order, user, perm)
    _before_shipping(order, _("分配运单号"))
    before = order.courier
    _set_waybill(order, courier=courier, tracking_no=tracking_no, required=True)
    save_checked(order, user=user, reason=_("分配运单号"))
    events.courier_changed(order, user=user, note=note,
                           data={"before": before, "after": order.courier, "tracking_no": order.tracking_no,
                                 **(data or {})})
    return order


@transaction.atomic
def add_note(order: Order, *, user, note: str) -> OrderEvent:
    """A note on the order (备注) from the list or the page, kept in its record (the platform's merchant
    note stays the platform's: the import would overwrite it, and the review reads it, ORD-03)."""
    order = _acting(order, user, "orders.change_order")
    note = validate.text(note, field="note", label=_("备注"), max_length=500, required=True)
    return events.note_added(order, user=user, note=note)


def same_receiver(order: Order, *, name, phone, address, province="", city="", district="") -> bool:
    """Whether these receiver values are the order's (compared by keyed hash, nothing decrypted)."""
    probe = Order()
    set_receiver(probe, name=name, phone=phone, address=address, province=province, city=city, district=district)
    return probe.receiver_hash == order.receiver_hash


@transaction.atomic
def update_from_platform(order: Order, *, user, reason: str, **fields) -> tuple[Order, list[str]]:
    """ORD-02: what the platform's export now says of the buyer's nickname, the merchant's note and the
    buyer's message (``PLATFORM_FIELDS``); the import's right. Returns the order and the names changed."""
    order = _acting(order, user, "orders.change_order", SOURCE_PLATFORM)
    unknown = set(fields) - set(PLATFORM_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能设置") % {"name": name}, field=name)
    changed = []
    for name, limit in PLATFORM_FIELDS.items():
        if name not in fields:
            continue
        value = validate.text(fields[name], field=name, label=str(Order._meta.get_field(name).verbose_name),
                      max_length=limit)
        if value != getattr(order, name):
            setattr(order, name, value)
            changed.append(name)
    if changed:
        save_checked(order, user=user, reason=reason)
    return order, changed


@transaction.atomic
def note_platform_update(order: Order, *, user, reason: str, data: dict | None = None) -> OrderEvent:
    """ORD-01/02: the record that an import applied the platform's view of the order (what changed)."""
    order = _acting(order, user, "orders.change_order", SOURCE_PLATFORM)
    return events.platform_updated(order, user=user, note=reason, data=data)


USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_tax_number(value: str) -> bool:
    """A unified social credit code (GB 32100-2015, with its check character) or an old 15/17/20
    character taxpayer number."""
    value = (value or "").strip().upper()
    if len(value) == 18:
        if not USCC.fullmatch(value):
            return False
        total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
        return _USCC_CHARS[(31 - total % 31) % 31] == value[17]
    return len(value) in (15, 17, 20) and bool(re.fullmatch(r"[0-9A-Z]+", value)) and value[:6].isdigit()


@transaction.atomic
def request_invoice(order: Order, *, user, kind: str, title_kind: str, title: str,
                    tax_number: str = "") -> InvoiceRequest:
    """ORD-08 / LAW-03 art. 14: an invoice on the buyer's request. A company title needs a valid
    taxpayer number; a special VAT invoice is for companies only."""
    order = _acting(order, user, "orders.change_order")
    if order.state == S.CANCELLED:
        raise BusinessError(_("已取消的订单不能开票"), field="state", code="wrong_state")
    kind = _choice(kind, InvoiceKind, field="kind", label=_("发票类型"))
    title_kind = _choice(title_kind, InvoiceTitleKind, field="title_kind", label=_("抬头类型"))
    title = validate.text(title, field="title", label=_("发票抬头"), max_length=100, required=True)
    tax_number = validate.text(tax_number, field="tax_number", label=_("纳税人识别号"), max_length=20).upper()
    if kind == InvoiceKind.SPECIAL_VAT and title_kind != InvoiceTitleKind.COMPANY:
        raise BusinessError(_("增值税专用发票只能开给单位"), field="title_kind")
    if title_kind == InvoiceTitleKind.COMPANY:
        if not tax_number:
            raise BusinessError(_("单位抬头须填写纳税人识别号"), field="tax_number")
        if not valid_tax_number(tax_number):
            raise BusinessError(_("纳税人识别号格式或校验位不正确"), field="tax_number")
    elif tax_number:
        raise BusinessError(_("个人抬头不填写纳税人识别号"), field="tax_number")
    invoice = InvoiceRequest(order=order, kind=kind, title_kind=title_kind, title=title, tax_number=tax_number,
                             requested_by=user)
    save_checked(invoice, user=user, reason=_("申请发票"))
    events.invoice_requested(order, user=user,
                             data={"invoice": invoice.pk, "kind": kind, "title_kind": title_kind})
    return invoice


@dataclass(frozen=True)
class MergeCheck:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


MERGEABLE = (S.PAID, S.AWAITING_REVIEW, S.REVIEWED)


def can_merge(a: Order, b: Order, *, on=None) -> MergeCheck:
    """ORD-08: two orders ship as one only when of the same store, buyer and receiver (name, phone and
    address), placed at most ``ORD-08.merge_max_gap_hours`` apart, both paid and not yet allocated;
    never a cash-on-delivery order (the courier collects each order's own amount)."""
    if a.pk is not None and a.pk == b.pk:
        return MergeCheck(False, _("不能与自身合并"))
    if a.is_cod or b.is_cod:
        return MergeCheck(False, _("货到付款订单不能合并"))
    if a.store_id != b.store_id:
        return MergeCheck(False, _("不是同一店铺的订单"))
    if not a.buyer_nick or a.buyer_nick != b.buyer_nick:
        return MergeCheck(False, _("不是同一买家"))
    if not a.receiver_hash or a.receiver_hash != b.receiver_hash:
        return MergeCheck(False, _("收货人或收货地址不同"))
    for order in (a, b):
        if order.state not in MERGEABLE:
            return MergeCheck(False, _("订单 %(no)s 当前为“%(state)s”，不能合并")
                              % {"no": order.platform_order_no, "state": order.get_state_display()})
    hours = registry.value(MERGE_GAP_KEY, on=on)
    if abs(a.placed_at - b.placed_at) > timedelta(hours=hours):
        return MergeCheck(False, _("下单时间相差超过 %(h)d 小时") % {"h": hours})
    return MergeCheck(True)


# --- personal data (CRM-03, LAW-04) ----------------------------------------------------------------


def reveal_receiver(order: Order, *, user, request=None, purpose: str = "") -> dict:
    """The receiver's plain name, phone and address for a user holding the right; the read is logged
    (PersonalDataAccess: who, when, which order, which fields; never the values)."""
    if user is None or not user.has_perm(PERSONAL_PERM):
        raise NotAllowed(_("您没有查看买家个人信息的权限"))
    _require_store(user, order.store_id)
    log_personal_read(user, order, list(PERSONAL_FIELDS), request=request, purpose=purpose or "order receiver")
    return {"name": order.receiver_name, "phone": order.receiver_phone, "address": order.receiver_address}


# --- ORD-09: late confirmations ---------------------------------------------------------------------


@dataclass
class LateRun:
    flagged: int = 0
    raised: int = 0


def flag_late_confirmations(now: datetime | None = None) -> LateRun:
    """ORD-09: orders still unconfirmed past their deadline get the late flag, an event (once) and a
    due item for customer service of the store. Safe to run any number of times."""
    from ecomops.audit.models import DueItem

    from .queries import late_unconfirmed

    now = now or timezone.now()
    run = LateRun()
    before = DueItem.objects.filter(kind=CONFIRM_DUE_KIND).count()
    for order_id in list(late_unconfirmed(now).values_list("pk", flat=True)):
        with transaction.atomic():
            order = Order.objects.select_for_update(of=("self",)).select_related("store", "store__client").get(
                pk=order_id)
            if order.confirmed_at is not None or order.state == S.CANCELLED:
                continue
            if not order.confirm_late:
                order.confirm_late = True
                order.save(update_fields=["confirm_late", "updated_at"])
                events.confirm_late(order, note=_("付款后超时未确认"), at=now,
                                    data={"due_at": order.confirm_due_at.isoformat()})
                run.flagged += 1
            dues.raise_dues(kind=CONFIRM_DUE_KIND, owners=confirm_owners(order.store), due_at=order.confirm_due_at,
                            title=_("确认订单 %(no)s（已逾期）") % {"no": order.platform_order_no},
                            source=order, clause="ORD-09", link=_order_link(order),
                            client=order.store.client, store=order.store)
    run.raised = DueItem.objects.filter(kind=CONFIRM_DUE_KIND).count() - before
    return run
