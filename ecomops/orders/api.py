"""API of orders (ORD-01, ORD-06…09), payments (PAY-01, ORD-07) and refunds.

Thin: reads through scoped querysets (DAT-02: another store's order is a 404), writes through
``orders.actions``. The receiver's name, phone and address are always masked (LAW-04); a caller with
``orders.view_buyer_personal`` may ask for them in plain with ``?reveal=true`` on one order, and that
read is logged (CRM-03). Money travels as decimals, never floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Code, Day, Id, RefId, Search, Text
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404

from . import actions
from .enums import OrderEventKind, OrderState, PaymentMethod, PaymentState, RefundSource
from .models import Order, Payment, Refund
from .queries import masked_receiver, reason_choices, receiver_view, reconciliation, search_orders

router = Router()

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, description="元，最多两位小数")]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2, description="元，最多两位小数")]


class OrdersReceiver(Schema):
    name: str
    phone: str
    address: str
    province: str
    city: str
    district: str
    masked: bool = Field(description="true 表示已脱敏（LAW-04）")


class OrdersOrderOut(Schema):
    id: int
    store_id: int
    store_code: str = Field(validation_alias="store.code")
    platform_order_no: str
    state: OrderState
    held_from: str
    exception_reason: str
    buyer_nick: str
    receiver: OrdersReceiver
    goods_amount: Decimal
    shipping_fee: Decimal
    discount_amount: Decimal
    paid_amount: Decimal
    payment_method: PaymentMethod
    cash_on_delivery: bool = Field(validation_alias="is_cod")
    placed_at: datetime
    paid_at: datetime | None
    confirm_due_at: datetime | None
    confirmed_at: datetime | None
    confirm_late: bool = Field(validation_alias="late_flag", description="ORD-09：付款后超时未确认或确认逾期")
    shipped_at: datetime | None
    cancelled_at: datetime | None
    merchant_note: str
    buyer_message: str
    courier: str
    tracking_no: str


class OrdersLineOut(Schema):
    id: int = Field(description="订单明细 id（拆分发货按它指定每个包裹的件数）")
    line_no: int
    sku_id: int | None
    sku_code: str | None
    platform_sku_code: str
    title: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


class OrdersOrderDetailOut(OrdersOrderOut):
    lines: list[OrdersLineOut] = Field(validation_alias="lines_out")


class OrdersEventOut(Schema):
    id: int
    kind: OrderEventKind
    from_state: str
    to_state: str
    actor: str | None
    at: datetime
    reason: str


class OrdersPaymentOut(Schema):
    id: int
    store_id: int
    order_id: int | None
    platform_order_no: str
    transaction_no: str
    amount: Decimal
    method: PaymentMethod
    status: PaymentState
    paid_at: datetime
    is_duplicate: bool
    failure_reason: str


class OrdersRefundOut(Schema):
    id: int
    order_id: int
    payment_id: int | None
    amount: Decimal
    source: RefundSource
    reason: str
    refunded_at: datetime
    recorded_by: str = Field(validation_alias="recorded_by.username")


class OrdersFilters(PageQuery):
    store_id: Id | None = None
    state: OrderState | None = None
    exception: bool | None = Field(None, description="true 只列异常（挂起或有异常原因）")
    late: bool | None = Field(None, description="true 只列确认逾期（ORD-09）")
    q: Search | None = Field(None, description="平台订单号或买家昵称")
    placed_from: Day | None = None
    placed_to: Day | None = None
    batch: Text(30) | None = Field(None, description="发货批次号（ORD-05）或审单批次号（ORD-03）")
    reason: Text(40) | None = Field(None, description="卡住的原因：held、unmatched、waiting_stock 或 "
                                                               "rule:<审单规则代码>（ORD-03）")


class OrdersDetailQuery(Schema):
    reveal: bool = Field(False, description="true 返回未脱敏的收货信息（需 orders.view_buyer_personal，记录查看日志）")


class OrdersTransitionIn(InputSchema):
    to: OrderState
    reason: Text(200) = ""


class OrdersShipIn(InputSchema):
    courier: Text(20, min_length=1) = Field(description="快递公司代码，如 sf_express、zto、yto")
    tracking_no: Text(40, min_length=1) = Field(description="运单号")
    reason: Text(200) = ""


class OrdersPaymentIn(InputSchema):
    store_id: RefId
    platform_order_no: Code(64)
    amount: Money
    method: PaymentMethod
    status: PaymentState = PaymentState.SUCCESS
    paid_at: datetime
    transaction_no: Text(64) = ""
    failure_reason: Text(200) = ""


class OrdersPaymentFilters(PageQuery):
    store_id: Id | None = None
    unmatched: bool | None = Field(None, description="true 只列未匹配到订单的付款")
    duplicate: bool | None = None


class OrdersRefundIn(InputSchema):
    amount: PositiveMoney
    source: RefundSource
    reason: Text(500, min_length=1)
    payment_id: RefId | None = None
    refunded_at: datetime | None = None
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"payment_id", "refunded_at"})


class OrdersTransactionOut(Schema):
    store_id: int
    transaction_no: str = Field(description="平台交易号（支付单号）")
    orders: int = Field(description="该交易支付的订单数")
    payments_total: Decimal = Field(description="该交易下各订单付款记录之和（元）")
    orders_total: Decimal = Field(description="这些订单的实付金额之和（元）")
    transaction_total: Decimal = Field(description="交易总额（元）：平台给出的总额，未给出时为付款之和")
    balanced: bool = Field(description="订单金额之和与交易总额一致")


class OrdersReconciliationOut(Schema):
    unpaid_orders: list[int] = Field(description="未付款订单 id（最多 500）")
    orphan_payments: list[int] = Field(description="无订单的付款 id（最多 500）")
    mismatched_orders: list[int] = Field(description="金额不符的订单 id（最多 500）")
    unrefunded_duplicates: list[int] = Field(description="未退完的重复付款 id（最多 500）")
    shared_transactions: list[OrdersTransactionOut] = Field(
        default_factory=list, description="一笔交易支付多个订单（合并付款）的分组及是否平衡（PAY-01，最多 500）")


def _receiver(order: Order, view) -> dict:
    return {"name": view.name, "phone": view.phone, "address": view.address, "province": order.province,
            "city": order.city, "district": order.district, "masked": view.masked}


def _out(order: Order, view=None) -> Order:
    order.receiver = _receiver(order, view or masked_receiver(order))
    order.late_flag = order.confirm_is_late()
    return order


def _order(request, order_id: int) -> Order:
    return get_visible_or_404(Order.objects.select_related("store"), request.auth, pk=order_id)


def _detail(order: Order, view=None) -> Order:
    order = _out(order, view)
    order.lines_out = [
        {"id": line.pk, "line_no": line.line_no, "sku_id": line.sku_id,
         "sku_code": line.sku.sku_code if line.sku else None, "platform_sku_code": line.platform_sku_code,
         "title": line.title, "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount}
        for line in order.lines.select_related("sku").order_by("line_no")
    ]
    return order


@router.get("/orders", response=Page[OrdersOrderOut], tags=["orders"], summary="订单列表（授权范围内，收货信息脱敏）")
def orders_list_orders(request, filters: Query[OrdersFilters]):
    require_perm(request.auth, "orders.view_order")
    if filters.reason and filters.reason not in dict(reason_choices()):
        raise BusinessError(_("未知的原因：%(value)s（可用：%(choices)s）") % {
            "value": filters.reason, "choices": ", ".join(dict(reason_choices()))}, field="reason")
    queryset = search_orders(request.auth, store_id=filters.store_id, state=filters.state or "",
                             exception=filters.exception, late=filters.late, q=filters.q or "",
                             placed_from=filters.placed_from, placed_to=filters.placed_to,
                             batch=(filters.batch or "").strip(), reason=filters.reason or "")
    return paginate(queryset, filters, _out)


@router.get("/orders/{order_id}", response=OrdersOrderDetailOut, tags=["orders"], summary="订单详情")
def orders_get_order(request, order_id: Path[Id], query: Query[OrdersDetailQuery]):
    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    view = None
    if query.reveal:
        try:
            view = receiver_view(request.auth, order, reveal=True, request=request, purpose="api")
        except NotAllowed:
            raise PermissionDenied from None
    return _detail(order, view)


@router.get("/orders/{order_id}/events", response=list[OrdersEventOut], tags=["orders"], summary="订单记录")
def orders_list_events(request, order_id: Path[Id]):
    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    return [
        {"id": e.pk, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
         "actor": e.actor.username if e.actor else None, "at": e.at, "reason": e.note}  # API key stays "reason"
        for e in order.events.select_related("actor").order_by("at", "pk")
    ]


@router.post("/orders/{order_id}/transitions", response=OrdersOrderOut, tags=["orders"],
             summary="变更订单状态（按状态流转表，ORD-01；转为已发货即整单出库，同 /ship）")
def orders_transition(request, order_id: Path[Id], payload: OrdersTransitionIn):
    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    if order.state == OrderState.ON_HOLD and payload.to == actions.release_target(order):
        order = actions.release_hold(order, user=request.auth, reason=payload.reason)
    else:
        order = actions.set_state(order, payload.to, user=request.auth, reason=payload.reason)
    return _out(_order(request, order.pk))


@router.post("/orders/{order_id}/ship", response=OrdersOrderOut, tags=["orders"],
             summary="整单一个包裹发出：占用的库存按订单出库，订单转为已发货（WMS-10）；重复提交不会重复出库")
def orders_ship(request, order_id: Path[Id], payload: OrdersShipIn):
    require_perm(request.auth, "orders.view_order")
    order = actions.ship_order(_order(request, order_id), user=request.auth, courier=payload.courier,
                               tracking_no=payload.tracking_no, reason=payload.reason)
    return _out(_order(request, order.pk))


@router.post("/orders/{order_id}/confirm", response=OrdersOrderOut, tags=["orders"],
             summary="确认订单（ORD-06、ORD-09）")
def orders_confirm(request, order_id: Path[Id]):
    require_perm(request.auth, "orders.view_order")
    order = actions.confirm(_order(request, order_id), user=request.auth)
    return _out(_order(request, order.pk))


@router.get("/orders/{order_id}/payments", response=list[OrdersPaymentOut], tags=["orders"], summary="订单的付款记录")
def orders_list_order_payments(request, order_id: Path[Id]):
    require_perm(request.auth, "orders.view_payment")
    return list(_order(request, order_id).payments.order_by("paid_at", "pk"))


@router.get("/orders/{order_id}/refunds", response=list[OrdersRefundOut], tags=["orders"], summary="订单的退款记录")
def orders_list_refunds(request, order_id: Path[Id]):
    require_perm(request.auth, "orders.view_refund")
    return list(_order(request, order_id).refunds.select_related("recorded_by").order_by("refunded_at", "pk"))


@router.post("/orders/{order_id}/refunds", response={201: OrdersRefundOut}, tags=["orders"], summary="登记退款")
def orders_create_refund(request, order_id: Path[Id], payload: OrdersRefundIn):
    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    payment = None
    if payload.payment_id is not None:
        payment = Payment.objects.filter(pk=payload.payment_id, order=order).first()
        if payment is None:
            raise BusinessError(_("付款记录不存在"), field="payment_id", code="not_found")
    refund = actions.record_refund(order, user=request.auth, amount=payload.amount, source=payload.source,
                                   reason=payload.reason, payment=payment, refunded_at=payload.refunded_at)
    return Status(201, Refund.objects.select_related("recorded_by").get(pk=refund.pk))


@router.get("/payments", response=Page[OrdersPaymentOut], tags=["orders"], summary="付款记录（PAY-01）")
def orders_list_payments(request, filters: Query[OrdersPaymentFilters]):
    require_perm(request.auth, "orders.view_payment")
    queryset = Payment.objects.visible_to(request.auth)
    if filters.store_id is not None:
        queryset = queryset.filter(store_id=filters.store_id)
    if filters.unmatched is not None:
        queryset = queryset.filter(order__isnull=filters.unmatched)
    if filters.duplicate is not None:
        queryset = queryset.filter(is_duplicate=filters.duplicate)
    return paginate(queryset.order_by("-paid_at", "-pk"), filters)


@router.post("/payments", response={201: OrdersPaymentOut}, tags=["orders"],
             summary="登记付款（按平台订单号匹配订单；重复付款产生退款待办，ORD-07）")
def orders_record_payment(request, payload: OrdersPaymentIn):
    store = Store.objects.visible_to(request.auth).filter(pk=payload.store_id).first()
    if store is None:
        raise BusinessError(_("店铺不存在"), field="store_id", code="not_found")
    payment = actions.record_payment(user=request.auth, store=store, platform_order_no=payload.platform_order_no,
                                     amount=payload.amount, method=payload.method, status=payload.status,
                                     paid_at=payload.paid_at, transaction_no=payload.transaction_no,
                                     failure_reason=payload.failure_reason)
    return Status(201, Payment.objects.get(pk=payment.pk))


@router.get("/payments/reconciliation", response=OrdersReconciliationOut, tags=["orders"],
            summary="付款对账（PAY-01）")
def orders_reconciliation(request, store_id: Id | None = None):
    require_perm(request.auth, "orders.view_payment")
    rec = reconciliation(request.auth, store_id=store_id)
    return {
        "unpaid_orders": list(rec.unpaid_orders.values_list("pk", flat=True)[:500]),
        "orphan_payments": list(rec.orphan_payments.values_list("pk", flat=True)[:500]),
        "mismatched_orders": list(rec.mismatches.values_list("pk", flat=True)[:500]),
        "unrefunded_duplicates": list(rec.duplicates.values_list("pk", flat=True)[:500]),
        "shared_transactions": [
            {"store_id": g.store_id, "transaction_no": g.transaction_no, "orders": g.orders,
             "payments_total": g.payments_total, "orders_total": g.orders_total, "transaction_total": g.total,
             "balanced": g.balanced} for g in rec.transactions(limit=500)],
    }



# --- ORD-08: split shipments and merged orders ------------------------------------------------------

LineKey = Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]
Units = Annotated[int, Field(ge=0, le=1_000_000)]


class OrdersParcelReceiverIn(InputSchema):
    receiver_name: Text(50, min_length=1)
    receiver_phone: Text(30, min_length=1)
    receiver_address: Text(300, min_length=1)
    province: Text(20) = ""
    city: Text(30) = ""
    district: Text(30) = ""


class OrdersSplitPartIn(InputSchema):
    lines: dict[LineKey, Units] = Field(description="订单明细 id → 本包裹的件数")
    receiver: OrdersParcelReceiverIn | None = Field(None, description="另寄地址；不填则寄订单地址")
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"receiver"})


class OrdersSplitIn(InputSchema):
    parts: list[OrdersSplitPartIn] = Field(min_length=1, max_length=50)
    reason: Text(200) = ""


class OrdersMergeIn(InputSchema):
    order_ids: list[RefId] = Field(min_length=2, max_length=50)
    reason: Text(200) = ""


class OrdersUndoParcelsIn(InputSchema):
    reason: Text(200)


class OrdersShipParcelIn(InputSchema):
    courier: Text(20, min_length=1)
    tracking_no: Text(40)


class OrdersParcelLineOut(Schema):
    order_id: int
    order_line_id: int
    quantity: int


class OrdersParcelOut(Schema):
    id: int
    number: str
    store_id: int
    kind: str
    state: str
    courier: str
    tracking_no: str
    receiver: OrdersReceiver
    lines: list[OrdersParcelLineOut]
    created_at: datetime
    shipped_at: datetime | None


def _parcel_out(parcel) -> dict:
    return {"id": parcel.pk, "number": parcel.number, "store_id": parcel.store_id, "kind": parcel.kind,
            "state": parcel.state, "courier": parcel.courier, "tracking_no": parcel.tracking_no,
            "receiver": _receiver(parcel, masked_receiver(parcel)),
            "lines": [{"order_id": line.order_id, "order_line_id": line.order_line_id, "quantity": line.quantity}
                      for line in parcel.lines.order_by("pk")],
            "created_at": parcel.created_at, "shipped_at": parcel.shipped_at}


@router.get("/orders/{order_id}/parcels", response=list[OrdersParcelOut], tags=["orders"],
            summary="订单的发货包裹（拆分或合并，ORD-08）")
def orders_list_parcels(request, order_id: Path[Id]):
    from .models import Parcel

    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    return [_parcel_out(p) for p in Parcel.objects.filter(lines__order=order).distinct().order_by("pk")]


@router.post("/orders/{order_id}/split", response={201: list[OrdersParcelOut]}, tags=["orders"],
             summary="拆分发货：每件商品恰在一个包裹中，可另寄地址；货到付款不可拆（ORD-08）")
def orders_split(request, order_id: Path[Id], payload: OrdersSplitIn):
    from . import parcels

    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    parts = [{"lines": dict(part.lines), "receiver": part.receiver.model_dump() if part.receiver else None}
             for part in payload.parts]
    made = parcels.split_order(order, user=request.auth, parts=parts, reason=payload.reason)
    return Status(201, [_parcel_out(p) for p in made])


@router.post("/order-merges", response={201: OrdersParcelOut}, tags=["orders"],
             summary="合并发货：同店铺、同买家、同收货信息、下单间隔不超过政策值；货到付款不可合并（ORD-08）")
def orders_merge(request, payload: OrdersMergeIn):
    from . import parcels

    require_perm(request.auth, "orders.view_order")
    orders = [_order(request, order_id) for order_id in payload.order_ids]
    return Status(201, _parcel_out(parcels.merge_orders(orders, user=request.auth, reason=payload.reason)))


@router.post("/orders/{order_id}/parcels/undo", response=list[OrdersParcelOut], tags=["orders"],
             summary="撤销订单待发出的包裹（合并包裹对所有订单撤销）")
def orders_undo_parcels(request, order_id: Path[Id], payload: OrdersUndoParcelsIn):
    from . import parcels

    require_perm(request.auth, "orders.view_order")
    order = _order(request, order_id)
    return [_parcel_out(p) for p in parcels.undo_parcels(order, user=request.auth, reason=payload.reason)]


@router.post("/parcels/{parcel_id}/ship", response=OrdersParcelOut, tags=["orders"],
             summary="包裹发出；订单全部商品发出后转为已发货")
def orders_ship_parcel(request, parcel_id: Path[Id], payload: OrdersShipParcelIn):
    from .models import Parcel
    from .parcels import ship_parcel

    require_perm(request.auth, "orders.view_order")
    parcel = get_visible_or_404(Parcel.objects.all(), request.auth, pk=parcel_id)
    return _parcel_out(ship_parcel(parcel, user=request.auth, courier=payload.courier, tracking_no=payload.tracking_no))
