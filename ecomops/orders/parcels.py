"""ORD-08: split shipments and merged orders.

- **Split**: an order's units go out in several parcels (each unit in exactly one), each parcel to
  the order's address or to an address of its own (a gift to a second address). Never a cash-on-delivery
  order: the courier collects the order's amount once.
- **Merge**: orders of the same store, buyer and receiver, placed within ``ORD-08.merge_max_gap_hours``
  and not shipped, go out as one parcel (``actions.can_merge`` says whether two may). Never cash on
  delivery. Orders already reserved in different warehouses cannot share a parcel.
- **Undo**: open parcels are cancelled (with a reason), never edited; the orders ship whole again.
- **Ship**: a parcel leaves with its courier and tracking number, and its units leave the ledger with
  it (against the order, from the order's reservation, WMS-10); an order whose every unit has left
  becomes "shipped", the others record the partial shipment. An order with parcels cannot ship whole,
  nor be cancelled once one of its parcels has left (its open parcels are undone when it is cancelled).

Every step writes an ``OrderEvent`` on each order concerned and an audited parcel record.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core import validate
from ecomops.core.errors import BusinessError
from ecomops.core.flow import transition
from ecomops.core.validate import save_checked

from . import events
from .actions import (
    _acting,
    _before_shipping,
    _choice,
    _mark_left,
    _take_out_stock,
    can_merge,
    set_receiver,
)
from .enums import PARCEL_FLOW, Courier, OrderState, ParcelKind, ParcelState
from .models import RECEIVER_FIELDS, Order, OrderLine, Parcel, ParcelLine

S = OrderState
MAX_PARTS = 20


def open_parcels(order: Order):
    return Parcel.objects.filter(lines__order=order, state=ParcelState.OPEN).distinct()


def _shippable(order: Order, what: str) -> None:
    _before_shipping(order, what)
    if Parcel.objects.filter(lines__order=order).exclude(state=ParcelState.CANCELLED).exists():
        raise BusinessError(_("订单 %(no)s 已拆分或合并发货，请先撤销") % {"no": order.platform_order_no},
                            field="order", code="has_parcels")


def _new_parcel(order: Order, kind: str, *, user, receiver: dict | None = None) -> Parcel:
    parcel = Parcel(number=f"tmp-{uuid.uuid4().hex[:24]}", store=order.store, kind=kind, courier=order.courier,
                    created_by=user)
    source = receiver or {key: getattr(order, key) for key in RECEIVER_FIELDS}
    set_receiver(parcel, name=source.get("receiver_name", ""), phone=source.get("receiver_phone", ""),
                  address=source.get("receiver_address", ""), province=source.get("province", ""),
                  city=source.get("city", ""), district=source.get("district", ""))
    if not parcel.receiver_address:
        raise BusinessError(_("请填写收货详细地址"), field="receiver_address")
    parcel.save()
    parcel.number = f"PK{timezone.localdate():%y%m%d}{parcel.pk:06d}"
    save_checked(parcel, user=user, reason=_("拆分发货") if kind == ParcelKind.SPLIT else _("合并发货"))
    return parcel


def _quantity(value, *, field: str) -> int:
    if isinstance(value, bool):
        raise BusinessError(_("数量须为整数"), field=field)
    try:
        number = int(str(value).strip() or 0)
    except (TypeError, ValueError):
        raise BusinessError(_("数量须为整数"), field=field) from None
    if number < 0:
        raise BusinessError(_("数量不能为负"), field=field)
    return number


@transaction.atomic
def split_order(order: Order, *, user, parts: list[dict], reason: str = "") -> list[Parcel]:
    """ORD-08: ship the order in ``parts``, each ``{"lines": {line_id: quantity}, "receiver": {...} | None}``.
    Every unit of every line is in exactly one part; at least two parts, each with something in it."""
    order = _acting(order, user, "orders.change_order")
    _shippable(order, _("拆分发货"))
    if order.is_cod:
        raise BusinessError(_("货到付款订单不能拆分发货（快递员按订单收款）"), field="order", code="cod")
    reason = validate.text(reason, field="reason", label=_("拆分原因"), max_length=200)
    if not isinstance(parts, list) or not 2 <= len(parts) <= MAX_PARTS:
        raise BusinessError(_("拆分须分为 2 到 %(n)d 个包裹") % {"n": MAX_PARTS}, field="parts")
    lines = {line.pk: line for line in order.lines.all()}
    cleaned: list[tuple[dict[int, int], dict | None]] = []
    placed: dict[int, int] = defaultdict(int)
    for n, part in enumerate(parts):
        wanted = part.get("lines") if isinstance(part, dict) else None
        if not isinstance(wanted, dict):
            raise BusinessError(_("第 %(n)d 个包裹没有商品") % {"n": n + 1}, field=f"parts.{n}.lines")
        quantities: dict[int, int] = {}
        for key, value in wanted.items():
            line_id = int(key) if str(key).isdigit() else None
            if line_id not in lines:
                raise BusinessError(_("第 %(n)d 个包裹：明细 %(line)s 不属于此订单") % {"n": n + 1, "line": key},
                                    field=f"parts.{n}.lines")
            qty = _quantity(value, field=f"parts.{n}.lines.{key}")
            if qty:
                quantities[line_id] = qty
                placed[line_id] += qty
        if not quantities:
            raise BusinessError(_("第 %(n)d 个包裹没有商品") % {"n": n + 1}, field=f"parts.{n}.lines")
        receiver = part.get("receiver") or None
        if receiver is not None and not isinstance(receiver, dict):
            raise BusinessError(_("第 %(n)d 个包裹的收货信息无效") % {"n": n + 1}, field=f"parts.{n}.receiver")
        cleaned.append((quantities, receiver))
    for line_id, line in lines.items():
        if placed.get(line_id, 0) != line.quantity:
            raise BusinessError(
                _("第 %(no)d 行共 %(total)d 件，包裹里合计 %(got)d 件：每件须且只能在一个包裹里")
                % {"no": line.line_no, "total": line.quantity, "got": placed.get(line_id, 0)}, field="parts")
    made = []
    for quantities, receiver in cleaned:
        parcel = _new_parcel(order, ParcelKind.SPLIT, user=user, receiver=receiver)
        ParcelLine.objects.bulk_create([ParcelLine(parcel=parcel, order=order, order_line_id=line_id, quantity=qty)
                                        for line_id, qty in quantities.items()])
        made.append(parcel)
    events.order_split(order, user=user, note=reason or _("拆分为 %(n)d 个包裹") % {"n": len(made)},
                       data={"parcels": [p.number for p in made],
                             "other_address": [p.number for p, (_q, r) in zip(made, cleaned, strict=True) if r]})
    return made


@transaction.atomic
def merge_orders(orders: list[Order], *, user, reason: str = "") -> Parcel:
    """ORD-08: ship several orders as one parcel, to the first order's receiver (all share it)."""
    if not isinstance(orders, list) or len(orders) < 2:
        raise BusinessError(_("合并至少需要两个订单"), field="orders")
    if len({o.pk for o in orders}) != len(orders):
        raise BusinessError(_("同一订单不能重复合并"), field="orders")
    reason = validate.text(reason, field="reason", label=_("合并原因"), max_length=200)
    # Lock in primary-key order, so two clerks merging overlapping orders cannot deadlock.
    locked = [_acting(o, user, "orders.change_order") for o in sorted(orders, key=lambda o: o.pk)]
    first = min(locked, key=lambda o: (o.placed_at, o.pk))
    for order in locked:
        _shippable(order, _("合并发货"))
        if order is not first:
            verdict = can_merge(first, order)
            if not verdict:
                raise BusinessError(_("订单 %(a)s 与 %(b)s 不能合并：%(why)s")
                                    % {"a": first.platform_order_no, "b": order.platform_order_no,
                                       "why": verdict.reason}, field="orders", code="not_mergeable")
    warehouses = {o.warehouse_id for o in locked if o.warehouse_id}
    if len(warehouses) > 1:
        raise BusinessError(_("订单的库存占用在不同仓库，不能合为一个包裹"), field="orders", code="warehouses")
    parcel = _new_parcel(first, ParcelKind.MERGED, user=user)
    ParcelLine.objects.bulk_create([ParcelLine(parcel=parcel, order=line.order, order_line=line,
                                               quantity=line.quantity)
                                    for line in OrderLine.objects.filter(order__in=locked).select_related("order")])
    numbers = [o.platform_order_no for o in locked]
    for order in locked:
        events.order_merged(order, user=user, note=reason or _("与 %(others)s 合并发货") % {
                                "others": "、".join(n for n in numbers if n != order.platform_order_no)},
                            data={"parcel": parcel.number, "orders": numbers})
    return parcel


@transaction.atomic
def undo_parcels(order: Order, *, user, reason: str) -> list[Parcel]:
    """Cancel the order's open parcels (a merged parcel for all its orders); they ship whole again."""
    order = _acting(order, user, "orders.change_order")
    reason = validate.text(reason, field="reason", label=_("撤销原因"), max_length=200, required=True)
    parcels = _undo(order, user=user, reason=reason)
    if not parcels:
        raise BusinessError(_("订单没有待发出的包裹"), field="order", code="no_parcels")
    return parcels


def _undo(order: Order, *, user, reason: str) -> list[Parcel]:
    parcels = list(Parcel.objects.select_for_update().filter(pk__in=open_parcels(order).values("pk")).order_by("pk"))
    if not parcels:
        return []
    if Parcel.objects.filter(lines__order=order, state=ParcelState.SHIPPED).exists():
        raise BusinessError(_("已有包裹发出，不能撤销"), field="order", code="shipped")
    now = timezone.now()
    touched = set()
    for parcel in parcels:
        transition(parcel, ParcelState.CANCELLED, flow=PARCEL_FLOW, user=user, reason=_("撤销包裹"),
                   changes={"cancelled_at": now, "cancel_reason": reason})
        touched |= set(parcel.lines.values_list("order_id", flat=True))
    for other in Order.objects.filter(pk__in=touched).order_by("pk"):
        events.parcels_undone(other, user=user, note=reason, data={"parcels": [p.number for p in parcels]})
    return parcels


def undo_with_order(order: Order, *, user, reason: str) -> None:
    """An order being cancelled (``actions.cancel``, locked and checked by it: none of its parcels has
    left): its open parcels are undone, a merged one for its other orders too (they ship whole again)."""
    _undo(order, user=user, reason=reason)


@transaction.atomic
def ship_parcel(parcel: Parcel, *, user, courier: str, tracking_no: str) -> Parcel:
    """A parcel leaves. Its orders must be released for shipping (awaiting shipment: paid and printed,
    ORD-04) with their stock reserved; the parcel's units of each order leave the ledger now, against
    the order (WMS-10, ``actions._take_out_stock``), and an order whose every unit has now left becomes
    "shipped" (the one path, ``actions._mark_left``). A parcel shipped already is refused."""
    # Orders first (key order), then the parcel: the order everything else locks in (cancel, undo), so
    # a clerk cancelling while the warehouse ships never deadlocks; a parcel's lines never change.
    order_ids = sorted(set(ParcelLine.objects.filter(parcel_id=parcel.pk).values_list("order_id", flat=True)))
    orders = [_acting(Order(pk=pk), user, "orders.ship_order") for pk in order_ids]
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if parcel.state != ParcelState.OPEN:
        raise BusinessError(_("包裹 %(no)s 当前为“%(state)s”，不能发出")
                            % {"no": parcel.number, "state": parcel.get_state_display()}, field="state",
                            code="wrong_state")
    for order in orders:
        if order.state != S.AWAITING_SHIPMENT:
            raise BusinessError(_("订单 %(no)s 当前为“%(state)s”，须先打印转为待发货")
                                % {"no": order.platform_order_no, "state": order.get_state_display()},
                                field="state", code="wrong_state")
    parcel.courier = _choice(courier, Courier, field="courier", label=_("快递公司"))
    parcel.tracking_no = validate.text(tracking_no, field="tracking_no", label=_("运单号"), max_length=40,
                                       required=True)
    note = _("订单发货 包裹 %(no)s") % {"no": parcel.number}
    for order in orders:
        units: dict[int, int] = defaultdict(int)
        for sku_id, quantity in parcel.lines.filter(order=order).values_list("order_line__sku_id", "quantity"):
            units[sku_id] += quantity
        _take_out_stock(order, user=user, quantities=dict(units), note=note)
    transition(parcel, ParcelState.SHIPPED, flow=PARCEL_FLOW, user=user, reason=_("包裹发出"),
               changes={"shipped_at": timezone.now()})
    for order in orders:
        if _all_units_left(order):
            order.courier, order.tracking_no = parcel.courier, parcel.tracking_no
            _mark_left(order, user=user, reason=_("包裹 %(no)s 已发出") % {"no": parcel.number})
        else:
            events.parcel_shipped(order, user=user, note=_("包裹 %(no)s 已发出（部分发货）") % {"no": parcel.number},
                                  data={"parcel": parcel.number, "courier": parcel.courier,
                                        "tracking_no": parcel.tracking_no})
    return parcel


def _all_units_left(order: Order) -> bool:
    shipped = dict(ParcelLine.objects.filter(order=order, parcel__state=ParcelState.SHIPPED)
                   .values("order_line").annotate(n=Sum("quantity")).values_list("order_line", "n"))
    return all(shipped.get(line.pk, 0) >= line.quantity for line in order.lines.all())


def merge_candidates(order: Order, user) -> list[Order]:
    """The user's other orders that ``can_merge`` with this one (same store, buyer and receiver hash)."""
    if not order.receiver_hash or order.is_cod:
        return []
    others = (Order.objects.visible_to(user).filter(store_id=order.store_id, receiver_hash=order.receiver_hash,
                                                   buyer_nick=order.buyer_nick)
              .exclude(pk=order.pk).exclude(parcel_lines__parcel__state__in=[ParcelState.OPEN, ParcelState.SHIPPED])
              .order_by("placed_at", "pk")[:20])
    return [other for other in others if can_merge(order, other)]
