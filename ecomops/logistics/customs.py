"""Cross-border shipments and customs (LOG-04, LAW-06).

A declaration is made for an order that ships abroad, in one of the customs modes (9610 retail parcels,
9710 direct B2B export, 9810 export to an overseas warehouse, 1210 bonded). It needs the three matched
documents: the order, its successful payment (the payment's transaction number) and the waybill (the
order's carrier and tracking number); without any of them it is refused, naming what is missing. The
declaration list has one line per item: HS code (10 digits), name, quantity, unit price and origin,
and its total must equal the order's amount paid for goods.

Customs answers with receipts (回执): 100 rejected, 120 accepted, 300 manual review, 399 cleared,
500 inspection, 501/502/599 detained, 700 returned, 800 released. Each receipt is kept (the same one
twice once) and the latest moves the declaration's status; a receipt older than the current status
is kept in the history but moves nothing. A detained, rejected or returned shipment raises a due item
to the declaration's owner, done when the shipment is released or closed as returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core import validate
from ecomops.core.documents import next_number
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.history import save_audited
from ecomops.orders import events as order_events
from ecomops.orders.models import Order, Payment
from ecomops.org.actions import require_perm

from .models import (
    CUSTOMS_DETAINED,
    CUSTOMS_FINAL,
    CUSTOMS_TROUBLE,
    CustomsDeclaration,
    CustomsLine,
    CustomsMode,
    CustomsReceipt,
    CustomsStatus,
)

PERM = "logistics.declare_customs"
PREFIX = "BG"
DUE_KIND = "logistics.customs"
HS_CODE = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class LineIn:
    hs_code: str
    name: str
    quantity: int
    unit_price: Decimal
    origin: str


def _order(order: Order, user) -> Order:
    require_perm(user, PERM)
    if not Order.objects.visible_to(user).filter(pk=order.pk).exists():
        raise NotAllowed(_("订单不存在或无权查看"))
    return Order.objects.select_for_update().get(pk=order.pk)


def _payment(order: Order) -> Payment | None:
    return (Payment.objects.filter(order=order, status="success", is_duplicate=False).exclude(transaction_no="")
            .order_by("paid_at", "pk").first())


@transaction.atomic
def declare(order: Order, *, user, mode: str, destination: str, lines: list[LineIn]) -> CustomsDeclaration:
    """LAW-06: the declaration of a cross-border order with its three matched documents and its list."""
    order = _order(order, user)
    if mode not in CustomsMode.values:
        raise BusinessError(_("请选择监管方式（9610、9710、9810、1210）"), field="mode")
    if CustomsDeclaration.objects.filter(order=order).exists():
        raise BusinessError(_("订单 %(no)s 已有跨境申报单") % {"no": order.platform_order_no}, field="order")
    payment = _payment(order)
    missing = [label for label, ok in ((_("支付单（成功付款的交易号）"), payment is not None),
                                       (_("运单（快递公司和运单号）"), bool(order.courier and order.tracking_no)))
               if not ok]
    if missing:
        raise BusinessError(_("订单 %(no)s 缺少%(what)s，三单不齐不能申报") % {
            "no": order.platform_order_no, "what": "、".join(missing)}, field="order")
    destination = validate.text(destination, field="destination", label=_("目的国（地区）"), max_length=40,
                                required=True)
    if not lines:
        raise BusinessError(_("申报清单不能为空"), field="lines")
    rows, total = [], Decimal("0")
    for n, line in enumerate(lines, start=1):
        where = _("清单第 %(n)d 行：") % {"n": n}
        if not HS_CODE.match(str(line.hs_code or "")):
            raise BusinessError(where + _("商品编码须为 10 位数字"), field="lines")
        name = validate.text(line.name, field="lines", label=where + _("商品名称"), max_length=100, required=True)
        origin = validate.text(line.origin, field="lines", label=where + _("原产国（地区）"), max_length=40,
                               required=True)
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or not 1 <= line.quantity <= 100000:
            raise BusinessError(where + _("数量须为 1 到 100000 的整数"), field="lines")
        price = validate.money(line.unit_price, field="lines", label=where + _("单价"))
        rows.append(CustomsLine(line_no=n, hs_code=line.hs_code, name=name, quantity=line.quantity,
                                unit_price=price, origin=origin))
        total += price * line.quantity
    if total != order.goods_amount:
        raise BusinessError(_("申报总价 %(total)s 元与订单商品金额 %(goods)s 元不一致")
                            % {"total": total, "goods": order.goods_amount}, field="lines")
    declaration = CustomsDeclaration(number=next_number(PREFIX), order=order, mode=mode,
                                     payment_no=payment.transaction_no, tracking_no=order.tracking_no,
                                     courier=order.courier, destination=destination, total=total,
                                     status=CustomsStatus.DECLARED, status_at=timezone.now(), owner=user)
    save_audited(declaration, user=user, reason=_("跨境申报"))
    for row in rows:
        row.declaration = declaration
    CustomsLine.objects.bulk_create(rows)
    order_events.state_noted(order, user=user, note=_("跨境申报 %(no)s（%(mode)s），支付单 %(pay)s，运单 %(track)s") % {
        "no": declaration.number, "mode": declaration.mode, "pay": declaration.payment_no,
        "track": declaration.tracking_no})
    return declaration


@dataclass
class ReceiptResult:
    recorded: bool
    declaration: CustomsDeclaration


def _moment(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


@transaction.atomic
def record_receipt(declaration: CustomsDeclaration, *, user, status: str, at: datetime | None = None,
                   note: str = "") -> ReceiptResult:
    """A customs receipt (LAW-06). The same receipt twice is recorded once; the latest receipt sets the
    status; a detained, rejected or returned shipment raises a due item to its owner."""
    require_perm(user, PERM)
    if not CustomsDeclaration.objects.visible_to(user).filter(pk=declaration.pk).exists():
        raise NotAllowed(_("跨境申报单不存在或无权查看"))
    declaration = CustomsDeclaration.objects.select_for_update().select_related("order__store").get(pk=declaration.pk)
    if status not in CustomsStatus.values or status in (CustomsStatus.DRAFT, CustomsStatus.DECLARED):
        raise BusinessError(_("回执状态无效：%(s)s") % {"s": status}, field="status")
    at = _moment(at)
    note = validate.text(note, field="note", label=_("回执说明"), max_length=200)
    latest = declaration.receipts.order_by("-at", "-pk").first()
    try:
        with transaction.atomic():
            CustomsReceipt.objects.create(declaration=declaration, status=status, at=at, note=note, recorded_by=user)
    except IntegrityError:
        return ReceiptResult(False, declaration)
    if latest is not None and at < latest.at:
        return ReceiptResult(True, declaration)  # older than the last receipt: history only
    label = CustomsStatus(status).label
    declaration.status, declaration.status_at = status, at
    save_audited(declaration, user=user, reason=_("海关回执：%(s)s") % {"s": label})
    order = declaration.order
    order_events.state_noted(order, user=user, note=_("海关回执 %(no)s：%(s)s %(note)s") % {
        "no": declaration.number, "s": label, "note": note})
    if status in CUSTOMS_TROUBLE:
        what = (_("扣留") if status in CUSTOMS_DETAINED else _("退运") if status == CustomsStatus.RETURNED
                else _("退单"))
        dues.raise_dues(kind=DUE_KIND, owners=[declaration.owner] if declaration.owner else [],
                        title=_("跨境包裹%(what)s：%(no)s（订单 %(order)s）%(note)s") % {
                            "what": what, "no": declaration.number, "order": order.platform_order_no, "note": note},
                        due_at=at + timedelta(days=1), source=declaration, clause="LOG-04",
                        link=f"/logistics/customs/{declaration.pk}/", store=order.store)
    if status in CUSTOMS_FINAL or status == CustomsStatus.CLEARED:
        dues.complete_due(kind=DUE_KIND, source=declaration, user=user)
    return ReceiptResult(True, declaration)
