"""Purchasing and supplier returns: every change goes through here (WMS-01, WMS-14, WMS-16, WMS-17).

``create_purchase_order`` / ``confirm_purchase_order`` write the order receiving compares against;
``record_received`` is called by receiving when a receipt is booked; ``raise_supplier_return`` adds
defective goods (already lying in a defective bin) to the supplier's collecting return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.history import save_audited
from ecomops.core.validate import validate_model
from ecomops.inventory.actions import POST_PERM, next_number, suggest_fifo
from ecomops.inventory.enums import SELLABLE_BIN_KINDS, BinKind, DocKind
from ecomops.inventory.ledger import DocRef, InsufficientStock, Move, post_moves
from ecomops.inventory.models import Bin, DailyClose, Lot, StockBalance, Warehouse
from ecomops.inventory.reservations import available
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.enums import StaffStatus
from ecomops.org.models import Client, ClientGrant
from ecomops.org.scoping import ALL_CLIENTS_PERM, scope_for
from ecomops.policy import registry
from ecomops.suppliers.models import StyleSupplier, Supplier

from .enums import (
    OPEN_PO_STATES,
    PLAN_FLOW,
    RETURN_FLOW,
    RETURN_RHYTHM_DAYS,
    PackagingMoveKind,
    PackagingReceiptState,
    PlanState,
    POState,
    ReturnReason,
    ReturnState,
    SupplierSource,
)
from .models import (
    PackagingBalance,
    PackagingMaterial,
    PackagingMove,
    PackagingReceipt,
    PackagingReceiptLine,
    PackagingReorder,
    Promotion,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentLine,
    ReplenishmentPlan,
    ShippingDefect,
    SupplierReturn,
    SupplierReturnLine,
    SupplierReturnTerms,
)
from .replenishment import Policy, average_daily_sales, cover_days, decide
from .sales import daily_sales
from .sales import window as sales_window

PO_PREFIX = "PO"
RETURN_PREFIX = "TC"


def _require_client(user, client_id: int) -> None:
    if user is not None and not scope_for(user).sees_client(client_id, whole=False):
        raise NotAllowed(_("您无权操作该委托方的数据"))


# --- purchase orders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class POItem:
    sku: SKU
    quantity: int
    unit_cost: Decimal | None = None


@transaction.atomic
def create_purchase_order(
    *,
    user,
    client: Client,
    supplier,
    warehouse: Warehouse,
    lines: Iterable[POItem],
    expected_on: date | None = None,
    source: str = "",
    note: str = "",
    confirm: bool = False,
) -> PurchaseOrder:
    """A purchase order of ``lines`` (one line per SKU; repeated SKUs are added up)."""
    require_perm(user, "supply.add_purchaseorder")
    _internal(user)
    _require_client(user, client.pk)
    order = _write_purchase_order(
        user=user, client=client, supplier=supplier, warehouse=warehouse, lines=lines, expected_on=expected_on,
        source=source, note=note,
    )
    if confirm:
        order = confirm_purchase_order(order, user=user)
    return order


def _write_purchase_order(*, user, client, supplier, warehouse, lines, expected_on=None, source="", note=""):
    """The order itself, without the permission check: also used by an approved replenishment plan,
    whose approver (GM office) need not hold the purchasing permission (WMS-14)."""
    if supplier is None:
        raise BusinessError(_("请选择供应商"), field="supplier")
    if supplier.client_id not in (None, client.pk):
        raise BusinessError(_("供应商不属于该委托方"), field="supplier")
    merged: dict[int, POItem] = {}
    for index, item in enumerate(lines, start=1):
        if item.sku.client_id != client.pk:
            raise BusinessError(
                _("第 %(n)s 行：SKU %(sku)s 不属于该委托方") % {"n": index, "sku": item.sku.sku_code}, field="lines"
            )
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or item.quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须是正整数") % {"n": index}, field="lines")
        if item.sku.pk in merged:
            previous = merged[item.sku.pk]
            item = POItem(item.sku, previous.quantity + item.quantity, item.unit_cost or previous.unit_cost)
        merged[item.sku.pk] = item
    if not merged:
        raise BusinessError(_("采购单至少要有一行"), field="lines")
    order = PurchaseOrder(
        number=next_number(PO_PREFIX),
        client=client,
        supplier=supplier,
        warehouse=warehouse,
        expected_on=expected_on,
        source=source[:60],
        note=note[:200],
        created_by=user,
    )
    save_audited(order, user=user)
    for item in merged.values():
        save_audited(
            PurchaseOrderLine(order=order, sku=item.sku, quantity=item.quantity, unit_cost=item.unit_cost), user=user
        )
    return order


@transaction.atomic
def confirm_purchase_order(order: PurchaseOrder, *, user) -> PurchaseOrder:
    require_perm(user, "supply.change_purchaseorder")
    _internal(user)
    _require_client(user, order.client_id)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.state != POState.DRAFT:
        raise Conflict(_("采购单 %(n)s 不是草稿，不能下单") % {"n": order.number})
    order.state = POState.CONFIRMED
    order.confirmed_by = user
    order.confirmed_at = timezone.now()
    save_audited(order, user=user, reason="confirm")
    return order


@transaction.atomic
def cancel_purchase_order(order: PurchaseOrder, *, user, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing has been received against (draft or confirmed)."""
    require_perm(user, "supply.change_purchaseorder")
    _internal(user)
    _require_client(user, order.client_id)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.state not in (POState.DRAFT, POState.CONFIRMED) or order.lines.filter(received_quantity__gt=0).exists():
        raise Conflict(
            _("采购单 %(n)s 当前状态为“%(s)s”，不能取消") % {"n": order.number, "s": order.get_state_display()}
        )
    if not reason.strip():
        raise BusinessError(_("请填写取消原因"), field="reason")
    order.state = POState.CANCELLED
    order.note = (_("取消：%(r)s") % {"r": reason.strip()} + " " + order.note)[:200]
    save_audited(order, user=user, reason="cancel")
    return order


def record_received(order: PurchaseOrder, quantities: dict[int, int], *, user) -> PurchaseOrder:
    """Receiving booked ``quantities`` (sku_id → units) against ``order``: add them to the lines and
    move the order to partially received / received. Called inside receiving's transaction."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.state not in OPEN_PO_STATES:
        raise Conflict(
            _("采购单 %(n)s 当前状态为“%(s)s”，不能收货") % {"n": order.number, "s": order.get_state_display()}
        )
    lines = {line.sku_id: line for line in order.lines.all()}
    for sku_id, quantity in quantities.items():
        if sku_id not in lines:
            raise BusinessError(_("SKU 不在采购单 %(n)s 上") % {"n": order.number}, field="lines")
        PurchaseOrderLine.objects.filter(pk=lines[sku_id].pk).update(
            received_quantity=F("received_quantity") + quantity
        )
    outstanding = any(line.outstanding for line in order.lines.all())
    order.state = POState.PARTIALLY_RECEIVED if outstanding else POState.RECEIVED
    save_audited(order, user=user, reason="received")
    return order


# --- supplier returns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnItem:
    sku: SKU
    lot: Lot
    bin: Bin
    quantity: int
    reason: str = ReturnReason.QC_DEFECT
    detail: str = ""


@transaction.atomic
def raise_supplier_return(
    *, client: Client, supplier, warehouse: Warehouse, items: Iterable[ReturnItem], source: str = "", by=None
) -> SupplierReturn:
    """Add defective goods (already in a defective bin of ``warehouse``) to the supplier's collecting
    return there, opening one when none is open (WMS-16). Used by QC (WMS-25 rejections and defects)
    and by the shipping defect register (WMS-17)."""
    items = list(items)
    if not items:
        raise BusinessError(_("没有要退厂的商品"), field="items")
    for item in items:
        if item.bin.warehouse_id != warehouse.pk or item.bin.kind != BinKind.DEFECTIVE:
            raise BusinessError(_("退厂商品必须放在本仓的次品区库位"), field="bin")
        if item.sku.client_id != client.pk or item.lot.client_id != client.pk:
            raise BusinessError(_("SKU %(sku)s 不属于该委托方") % {"sku": item.sku.sku_code}, field="sku")
        if item.quantity < 1:
            raise BusinessError(_("退厂数量必须大于 0"), field="quantity")
    ret = (
        SupplierReturn.objects.select_for_update()
        .filter(client=client, supplier=supplier, warehouse=warehouse, state=ReturnState.COLLECTING)
        .first()
    )
    if ret is None:
        ret = SupplierReturn(
            number=next_number(RETURN_PREFIX),
            client=client,
            supplier=supplier,
            warehouse=warehouse,
            created_by=by if getattr(by, "pk", None) else None,
        )
        save_audited(ret, user=by)
    for item in items:
        save_audited(
            SupplierReturnLine(
                supplier_return=ret,
                sku=item.sku,
                lot=item.lot,
                bin=item.bin,
                quantity=item.quantity,
                reason=item.reason,
                detail=item.detail[:200],
                source=source[:60],
                added_by=by if getattr(by, "pk", None) else None,
            ),
            user=by,
        )
    return ret


# --- who is told ----------------------------------------------------------------------------------

WAREHOUSE_POSITIONS = ("warehouse_supervisor", "stock_keeper")
PURCHASING_FINANCE_DEPARTMENTS = ("purchasing", "finance")
PURCHASING_FINANCE_POSITIONS = ("finance_officer",)
APPROVE_PERM = "supply.approve_replenishmentplan"

RETURN_PICKUP_DUE = "supply.return_pickup"
RETURN_UNCOLLECTED_DUE = "supply.return_uncollected"
PACKAGING_REORDER_DUE = "supply.packaging_reorder"
PROMOTION_DUE = "supply.promotion_prepare"
PLAN_APPROVAL_DUE = "supply.plan_approval"


def _active_staff():
    User = get_user_model()
    return User.objects.filter(is_active=True, staff__status=StaffStatus.ACTIVE, client_member__isnull=True)


def _or_superusers(found: list) -> list:
    if found:
        return found
    User = get_user_model()
    return list(User.objects.filter(is_superuser=True, is_active=True).order_by("pk"))


def _seeing(people: list, client_id: int | None) -> list:
    """DAT-02: of ``people``, those who see the client (all of them for the company's own matters)."""
    return [u for u in people if client_id is None or scope_for(u).sees_client(client_id)]


def warehouse_owners(warehouse: Warehouse, client_id: int | None = None) -> list:
    """The warehouse's supervisor, then the active warehouse supervisors and keepers (WMS-16, WMS-18);
    with ``client_id`` (a client's return), only those who see the client."""
    found = list(_active_staff().filter(staff__positions__code__in=WAREHOUSE_POSITIONS).distinct().order_by("pk"))
    if warehouse.supervisor_id and warehouse.supervisor.is_active and warehouse.supervisor not in found:
        found.insert(0, warehouse.supervisor)
    return _or_superusers(_seeing(found, client_id))


def purchasing_finance_owners(client_id: int | None = None) -> list:
    """Purchasing and finance (WMS-16 month-end list); with ``client_id``, only those who see the client."""
    found = list(
        _active_staff()
        .filter(Q(staff__department__code__in=PURCHASING_FINANCE_DEPARTMENTS)
                | Q(staff__positions__code__in=PURCHASING_FINANCE_POSITIONS))
        .distinct().order_by("pk")
    )
    return _or_superusers(_seeing(found, client_id))


def plan_approvers(client_id: int) -> list:
    """Who approves a plan (GM office or purchasing, WMS-14): holders of the approve permission who see
    the client."""
    User = get_user_model()
    holders = User.objects.with_perm(APPROVE_PERM, include_superusers=False).filter(is_active=True)
    all_clients = User.objects.with_perm(ALL_CLIENTS_PERM, include_superusers=False).values("pk")
    granted = ClientGrant.objects.filter(client_id=client_id).values("user_id")
    found = list(holders.filter(Q(pk__in=granted) | Q(pk__in=all_clients))
                 .exclude(client_member__isnull=False).order_by("pk"))
    return _or_superusers(found)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


# --- supplier returns (WMS-16) --------------------------------------------------------------------


def _return_for(user, ret: SupplierReturn, perm: str) -> SupplierReturn:
    require_perm(user, perm)
    _internal(user)
    _require_client(user, ret.client_id)
    return SupplierReturn.objects.select_for_update().get(pk=ret.pk)


def _move_return(ret: SupplierReturn, to_state: str) -> None:
    if to_state not in RETURN_FLOW[ret.state]:
        raise Conflict(
            _("退厂单 %(n)s 当前为“%(s)s”，不能改为“%(t)s”")
            % {"n": ret.number, "s": ret.get_state_display(), "t": ReturnState(to_state).label}
        )


@transaction.atomic
def set_return_terms(supplier, *, user, source: str, note: str = "") -> SupplierReturnTerms:
    """Say whether a supplier is the manufacturer (returns daily) or a trader (weekly) (WMS-16)."""
    require_perm(user, "supply.change_supplierreturnterms")
    _internal(user)
    if not Supplier.objects.visible_to(user).filter(pk=supplier.pk).exists():
        raise BusinessError(_("供应商不存在"), field="supplier", code="not_found")
    if source not in SupplierSource.values:
        raise BusinessError(_("请选择货源类型"), field="source")
    terms = SupplierReturnTerms.objects.filter(supplier=supplier).first() or SupplierReturnTerms(supplier=supplier)
    terms.source, terms.note, terms.updated_by = source, note.strip()[:200], user
    save_audited(terms, user=user)
    return terms


def rhythm_days(supplier) -> int:
    """WMS-16: days between two pick-ups of this supplier's defects (manufacturer 1, trader 7)."""
    source = SupplierReturnTerms.objects.filter(supplier=supplier).values_list("source", flat=True).first()
    return RETURN_RHYTHM_DAYS[SupplierSource(source or SupplierSource.TRADER)]


def pickup_due_on(ret: SupplierReturn) -> date:
    """When the return is due to go back (WMS-16): one rhythm period after the last hand-over to the
    same supplier at the same warehouse, or after the return was opened; never before it was opened."""
    opened = timezone.localdate(ret.created_at)
    period = timedelta(days=rhythm_days(ret.supplier))
    last = (
        SupplierReturn.objects.filter(supplier_id=ret.supplier_id, warehouse_id=ret.warehouse_id,
                                      state=ReturnState.COLLECTED, handed_over_at__isnull=False)
        .exclude(pk=ret.pk).order_by("-handed_over_at").values_list("handed_over_at", flat=True).first()
    )
    if last is None:
        return opened + period
    return max(opened, timezone.localdate(last) + period)


@transaction.atomic
def mark_return_ready(ret: SupplierReturn, *, user) -> SupplierReturn:
    """The goods of the return are packed and waiting for the supplier's collector (WMS-16)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")
    _move_return(ret, ReturnState.READY)
    if not ret.lines.exists():
        raise BusinessError(_("退厂单没有明细，不能备货"), field="lines")
    ret.state, ret.ready_by, ret.ready_at = ReturnState.READY, user, timezone.now()
    save_audited(ret, user=user, reason="ready")
    return ret


@transaction.atomic
def reopen_return(ret: SupplierReturn, *, user) -> SupplierReturn:
    """A ready return goes back to collecting (the collector did not come, more goods to add)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")
    _move_return(ret, ReturnState.COLLECTING)
    if SupplierReturn.objects.filter(client_id=ret.client_id, supplier_id=ret.supplier_id,
                                     warehouse_id=ret.warehouse_id, state=ReturnState.COLLECTING).exists():
        raise Conflict(_("该供应商已有收集中的退厂单，新次品会加到那一张"))
    ret.state, ret.ready_by, ret.ready_at = ReturnState.COLLECTING, None, None
    save_audited(ret, user=user, reason="reopen")
    return ret


@transaction.atomic
def hand_over_return(ret: SupplierReturn, *, user, collector: str, collector_signature: str, keeper_signature: str,
                     collector_phone: str = "", at: datetime | None = None) -> SupplierReturn:
    """The supplier's collector takes the goods (WMS-16): who, when, the collector's name and both
    signatures are recorded and the goods leave the defective bins (退厂单 posted to the ledger, to
    nowhere), all in one transaction. Refused when the goods are no longer in those bins."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")
    require_perm(user, POST_PERM)
    if ret.state == ReturnState.COLLECTING:
        raise Conflict(_("退厂单 %(n)s 还在收集中，请先确认备货完成") % {"n": ret.number})
    _move_return(ret, ReturnState.COLLECTED)
    fields = {"collector": (collector, _("取货人")), "collector_signature": (collector_signature, _("取货人签名")),
              "keeper_signature": (keeper_signature, _("仓库交接人签名"))}
    clean = {}
    for name, (value, label) in fields.items():
        text = (value or "").strip()
        if not text:
            raise BusinessError(_("请填写%(label)s") % {"label": label}, field=name)
        if len(text) > 60:
            raise BusinessError(_("%(label)s最多 60 个字符") % {"label": label}, field=name)
        clean[name] = text
    lines = list(ret.lines.select_related("bin", "sku", "lot"))
    moves = [Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=line.quantity, from_bin=line.bin, to_bin=None,
                  note=_("退厂 %(n)s") % {"n": ret.number}) for line in lines]
    try:
        post_moves(moves, doc=DocRef.of(DocKind.SUPPLIER_RETURN, ret), by=user, at=at)
    except InsufficientStock as short:
        raise Conflict(
            _("退厂商品已不在次品库位，不能交接：%(detail)s") % {"detail": short.message}, field="lines"
        ) from None
    ret.state = ReturnState.COLLECTED
    ret.handed_over_by, ret.handed_over_at = user, at or timezone.now()
    ret.collector, ret.collector_signature, ret.keeper_signature = (
        clean["collector"], clean["collector_signature"], clean["keeper_signature"])
    ret.collector_phone = (collector_phone or "").strip()[:30]
    save_audited(ret, user=user, reason="handover")
    for kind in (RETURN_PICKUP_DUE, RETURN_UNCOLLECTED_DUE):
        dues.complete_due(kind=kind, source=ret, by=user, at=ret.handed_over_at)
    return ret


@transaction.atomic
def cancel_return(ret: SupplierReturn, *, user, reason: str) -> SupplierReturn:
    """Cancel a collecting return (the goods stay in the defective bin, e.g. to be scrapped)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")
    _move_return(ret, ReturnState.CANCELLED)
    if not (reason or "").strip():
        raise BusinessError(_("请填写取消原因"), field="reason")
    ret.state = ReturnState.CANCELLED
    ret.note = (_("取消：%(r)s") % {"r": reason.strip()} + " " + ret.note)[:200]
    save_audited(ret, user=user, reason="cancel")
    for kind in (RETURN_PICKUP_DUE, RETURN_UNCOLLECTED_DUE):
        dues.cancel_due(kind=kind, source=ret)
    return ret


def open_returns():
    return SupplierReturn.objects.filter(state__in=(ReturnState.COLLECTING, ReturnState.READY),
                                         lines__isnull=False).distinct()


def uncollected_in_month(year: int, month: int, queryset=None):
    """WMS-16 month-end list: returns opened by the end of the month and not handed over within it."""
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    end = timezone.make_aware(datetime.combine(following, time.min))
    rows = queryset if queryset is not None else SupplierReturn.objects.all()
    return (
        rows.filter(created_at__lt=end, lines__isnull=False)
        .exclude(state=ReturnState.CANCELLED)
        .filter(Q(handed_over_at__isnull=True) | Q(handed_over_at__gte=end))
        .exclude(handed_over_at__lt=timezone.make_aware(datetime.combine(start, time.min)))
        .distinct()
    )


def raise_return_dues(on: date) -> tuple[int, int]:
    """WMS-16 daily: a pick-up due item for every open return whose rhythm says it is due, to the
    warehouse; every open return opened before this month goes on the month-end list, to purchasing
    and finance. Idempotent. Returns (pick-ups, uncollected)."""
    pickups = uncollected = 0
    month_start = on.replace(day=1)
    for ret in open_returns().select_related("supplier", "warehouse", "client").order_by("pk"):
        link = reverse("supply:return_detail", args=[ret.pk])
        due_on = pickup_due_on(ret)
        if due_on <= on:
            rhythm = _("每日") if rhythm_days(ret.supplier) == 1 else _("每周")
            title = _("退厂到期（%(r)s）：%(n)s %(s)s") % {"r": rhythm, "n": ret.number, "s": ret.supplier.name}
            dues.raise_dues(kind=RETURN_PICKUP_DUE, owners=warehouse_owners(ret.warehouse, ret.client_id), title=title,
                            due_at=_end_of(due_on), source=ret, clause="WMS-16", link=link, client=ret.client)
            pickups += 1
        if timezone.localdate(ret.created_at) < month_start:
            title = _("月内未退回的退厂单：%(n)s %(s)s") % {"n": ret.number, "s": ret.supplier.name}
            dues.raise_dues(kind=RETURN_UNCOLLECTED_DUE, owners=purchasing_finance_owners(ret.client_id), title=title,
                            due_at=_end_of(on), source=ret, clause="WMS-16", link=reverse("supply:returns_uncollected"),
                            client=ret.client)
            uncollected += 1
    return pickups, uncollected


# --- defects found while shipping (WMS-17) --------------------------------------------------------

DEFECT_PREFIX = "CP"


def defective_bin(warehouse: Warehouse) -> Bin:
    found = Bin.objects.filter(warehouse=warehouse, kind=BinKind.DEFECTIVE, is_active=True).order_by(
        "pick_order", "code").first()
    if found is None:
        raise BusinessError(_("仓库 %(wh)s 没有启用的次品区库位") % {"wh": warehouse.code}, field="to_bin")
    return found


@transaction.atomic
def register_shipping_defect(*, user, warehouse: Warehouse, sku: SKU, from_bin: Bin, quantity, reason: str,
                             lot: Lot | None = None, to_bin: Bin | None = None, supplier=None, brand: str = "",
                             model: str = "", name: str = "") -> ShippingDefect:
    """WMS-17: record brand, code, model, name, quantity and reason of goods found defective while
    shipping; move them from their bin to the defective bin (次品登记单, oldest lot first unless a lot
    is given) and add them to the supplier's collecting return (supplier from the lot). The sellable
    quantity falls by the same amount, since defective bins are not sellable."""
    require_perm(user, "supply.add_shippingdefect")
    require_perm(user, POST_PERM)
    _internal(user)
    _require_client(user, sku.client_id)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise BusinessError(_("数量必须是正整数"), field="quantity")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(_("请填写次品原因"), field="reason")
    if from_bin.warehouse_id != warehouse.pk or from_bin.kind != BinKind.NORMAL:
        raise BusinessError(_("原库位必须是本仓的正常库位"), field="from_bin")
    to_bin = to_bin or defective_bin(warehouse)
    if to_bin.warehouse_id != warehouse.pk or to_bin.kind != BinKind.DEFECTIVE:
        raise BusinessError(_("次品必须移入本仓的次品区库位"), field="to_bin")
    if supplier is not None and not supplier.serves(sku.client_id):
        raise BusinessError(_("供应商不属于该委托方"), field="supplier")
    if lot is not None:
        if lot.client_id != sku.client_id:
            raise BusinessError(_("批次不属于该委托方"), field="lot")
        picks = [(lot, quantity)]
    else:
        fifo = [p for p in suggest_fifo(sku, warehouse, 10**9) if p.balance.bin_id == from_bin.pk]
        picks, remaining = [], quantity
        for pick in fifo:
            take = min(pick.quantity, remaining)
            if take > 0:
                picks.append((pick.balance.lot, take))
                remaining -= take
        if remaining > 0:
            raise BusinessError(
                _("库位 %(bin)s 的 SKU %(sku)s 可用 %(free)s 件，不足 %(qty)s 件")
                % {"bin": from_bin.code, "sku": sku.sku_code, "free": quantity - remaining, "qty": quantity},
                field="quantity",
            )
    for picked_lot, _qty in picks:
        if (picked_lot.supplier_id is None) and supplier is None:
            raise BusinessError(
                _("批次 %(lot)s 没有供应商，请选择退厂的供应商") % {"lot": picked_lot.number}, field="supplier"
            )
    style = sku.style
    before = available(sku.pk, warehouse.pk)
    defect = ShippingDefect(
        number=next_number(DEFECT_PREFIX), client_id=sku.client_id, warehouse=warehouse, sku=sku,
        brand=(brand.strip() or (style.brand.name if style.brand_id else ""))[:100],
        code=sku.sku_code[:60], model=(model.strip() or style.style_no)[:60],
        name=(name.strip() or f"{style.name} {sku.colour} {sku.size}".strip())[:200],
        quantity=quantity, reason=reason[:200], from_bin=from_bin, to_bin=to_bin,
        available_before=before, available_after=before, registered_by=user,
    )
    save_audited(defect, user=user)
    moves = [Move(sku_id=sku.pk, lot_id=picked_lot.pk, quantity=qty, from_bin=from_bin, to_bin=to_bin,
                  note=reason[:200]) for picked_lot, qty in picks]
    try:
        post_moves(moves, doc=DocRef.of(DocKind.DEFECT, defect), by=user)
    except InsufficientStock as short:
        raise BusinessError(short.message, field="quantity") from None
    by_supplier: dict = {}
    for picked_lot, qty in picks:
        owner = picked_lot.supplier if picked_lot.supplier_id else supplier
        by_supplier.setdefault(owner.pk, (owner, []))[1].append(
            ReturnItem(sku, picked_lot, to_bin, qty, ReturnReason.SHIPPING_DEFECT, reason))
    for owner, items in by_supplier.values():
        raise_supplier_return(client=sku.client, supplier=owner, warehouse=warehouse, items=items,
                              source=defect.number, by=user)
    defect.available_after = available(sku.pk, warehouse.pk)
    save_audited(defect, user=user, reason="posted")
    return defect


# --- packaging materials (WMS-18) -----------------------------------------------------------------

PACK_RECEIPT_PREFIX = "BR"
PACK_USE_PREFIX = "BL"
MATERIAL_FIELDS = ("code", "name", "spec", "unit", "is_active")


@transaction.atomic
def create_material(*, user, **fields) -> PackagingMaterial:
    require_perm(user, "supply.add_packagingmaterial")
    _internal(user)
    unknown = set(fields) - set(MATERIAL_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能填写") % {"name": name}, field=name)
    material = PackagingMaterial(**fields)
    material.code = (material.code or "").strip()
    material.name = (material.name or "").strip()
    if not material.name:
        raise BusinessError(_("请填写名称"), field="name")
    if PackagingMaterial.objects.filter(code=material.code).exists():
        raise BusinessError(_("编码“%(code)s”已被使用") % {"code": material.code}, field="code")
    validate_model(material)
    save_audited(material, user=user)
    return material


def _lock_pack_balance(material: PackagingMaterial, warehouse: Warehouse) -> PackagingBalance:
    PackagingBalance.objects.bulk_create([PackagingBalance(material=material, warehouse=warehouse)],
                                         ignore_conflicts=True)
    return PackagingBalance.objects.select_for_update().get(material=material, warehouse=warehouse)


def _post_packaging(lines: list[tuple[PackagingMaterial, int]], *, warehouse: Warehouse, kind: str, number: str,
                    by, note: str = "", at: datetime | None = None) -> list[PackagingMove]:
    """The one place packaging stock changes: balances locked in primary-key order, checked, moved and
    written to the append-only ledger in the caller's transaction (the CHECK backs the check up)."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    if DailyClose.objects.filter(warehouse=warehouse, day=day).exists():
        raise BusinessError(_("仓库 %(day)s 已日结，不能再过账当日单据（WMS-13）") % {"day": day}, field="warehouse")
    merged: dict[int, list] = {}
    for index, (material, quantity) in enumerate(lines, start=1):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须是正整数") % {"n": index}, field="quantity")
        if not material.is_active:
            raise BusinessError(_("包材 %(c)s 已停用") % {"c": material.code}, field="material")
        merged.setdefault(material.pk, [material, 0])[1] += quantity
    balances = {pk: _lock_pack_balance(material, warehouse) for pk, (material, _q) in sorted(merged.items())}
    rows = []
    for pk, (material, quantity) in sorted(merged.items()):
        balance = balances[pk]
        if kind == PackagingMoveKind.CONSUMPTION:
            if balance.on_hand < quantity:
                raise BusinessError(
                    _("包材 %(c)s 在库 %(have)s %(u)s，不足 %(q)s") % {
                        "c": material.code, "have": balance.on_hand, "u": material.unit, "q": quantity},
                    field="quantity",
                )
            PackagingBalance.objects.filter(pk=balance.pk).update(on_hand=F("on_hand") - quantity, updated_at=at)
        else:
            PackagingBalance.objects.filter(pk=balance.pk).update(on_hand=F("on_hand") + quantity, updated_at=at)
        balance.refresh_from_db(fields=["on_hand"])
        rows.append(PackagingMove(material=material, warehouse=warehouse, kind=kind, quantity=quantity,
                                  on_hand_after=balance.on_hand, doc_number=number, business_day=day, posted_at=at,
                                  by=by if getattr(by, "pk", None) else None, note=note[:200]))
    return PackagingMove.objects.bulk_create(rows)


@transaction.atomic
def create_packaging_receipt(*, user, warehouse: Warehouse, lines: Iterable[tuple[PackagingMaterial, int]],
                             vendor: str = "", note: str = "") -> PackagingReceipt:
    """A draft packaging receipt; posted by ``post_packaging_receipt`` (until then it is open and blocks
    the daily close)."""
    require_perm(user, "supply.add_packagingreceipt")
    _internal(user)
    lines = list(lines)
    if not lines:
        raise BusinessError(_("入库单至少要有一行"), field="lines")
    for index, (_material, quantity) in enumerate(lines, start=1):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须是正整数") % {"n": index}, field="lines")
    receipt = PackagingReceipt(number=next_number(PACK_RECEIPT_PREFIX), warehouse=warehouse,
                               vendor=vendor.strip()[:100], note=note.strip()[:200], created_by=user)
    save_audited(receipt, user=user)
    for material, quantity in lines:
        save_audited(PackagingReceiptLine(receipt=receipt, material=material, quantity=quantity), user=user)
    return receipt


@transaction.atomic
def post_packaging_receipt(receipt: PackagingReceipt, *, user, at: datetime | None = None) -> PackagingReceipt:
    require_perm(user, "supply.change_packagingreceipt")
    _internal(user)
    receipt = PackagingReceipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.state != PackagingReceiptState.DRAFT:
        raise Conflict(_("包材入库单 %(n)s 已过账") % {"n": receipt.number})
    lines = [(line.material, line.quantity) for line in receipt.lines.select_related("material")]
    if not lines:
        raise BusinessError(_("单据没有明细，不能过账"), field="lines")
    _post_packaging(lines, warehouse=receipt.warehouse, kind=PackagingMoveKind.RECEIPT, number=receipt.number,
                    by=user, at=at)
    receipt.state, receipt.posted_by, receipt.posted_at = PackagingReceiptState.POSTED, user, at or timezone.now()
    save_audited(receipt, user=user, reason="post")
    on = timezone.localdate(receipt.posted_at)
    for material, _q in lines:
        _close_reorder_if_covered(material, receipt.warehouse, on, by=user)
    return receipt


@transaction.atomic
def consume_packaging(*, user, warehouse: Warehouse, material: PackagingMaterial, quantity, note: str = "",
                      at: datetime | None = None) -> PackagingMove:
    """Packaging used (领用) by packing; checks cover afterwards (WMS-18)."""
    require_perm(user, "supply.add_packagingmove")
    _internal(user)
    row = _post_packaging([(material, quantity)], warehouse=warehouse, kind=PackagingMoveKind.CONSUMPTION,
                          number=next_number(PACK_USE_PREFIX), by=user, note=note, at=at)[0]
    check_packaging(warehouse, timezone.localdate(row.posted_at), materials=[material])
    return row


@dataclass(frozen=True)
class Cover:
    material: PackagingMaterial
    warehouse: Warehouse
    on_hand: int
    used: int
    window_days: int
    daily_use: Decimal
    cover_days: Decimal | None
    trigger_days: int
    citation: str

    @property
    def below(self) -> bool:
        return self.cover_days is not None and self.cover_days < self.trigger_days


def packaging_cover(material: PackagingMaterial, warehouse: Warehouse, on: date) -> Cover:
    """WMS-18: normal daily use = consumption of the last ``WMS-14.daily_sales_window_days`` days
    (reused: the same averaging window) ÷ those days; cover = on hand ÷ daily use."""
    window_days = int(registry.value("WMS-14.daily_sales_window_days", on=on))
    trigger = registry.resolve("WMS-18.packaging_reorder_cover_days", on=on)
    start = on - timedelta(days=window_days - 1)
    used = PackagingMove.objects.filter(
        material=material, warehouse=warehouse, kind=PackagingMoveKind.CONSUMPTION,
        business_day__gte=start, business_day__lte=on,
    ).aggregate(q=Sum("quantity"))["q"] or 0
    on_hand = PackagingBalance.objects.filter(material=material, warehouse=warehouse).values_list(
        "on_hand", flat=True).first() or 0
    daily = average_daily_sales(used, window_days)
    return Cover(material, warehouse, on_hand, used, window_days, daily, cover_days(on_hand, daily),
                 int(trigger.value), trigger.citation)


def _close_reorder_if_covered(material, warehouse, on: date, *, by) -> None:
    cover = packaging_cover(material, warehouse, on)
    if cover.below:
        return
    for reorder in PackagingReorder.objects.filter(material=material, warehouse=warehouse, closed_at__isnull=True,
                                                   promotion__isnull=True):
        reorder.closed_at = timezone.now()
        save_audited(reorder, user=by, reason="covered")
        dues.complete_due(kind=PACKAGING_REORDER_DUE, source=reorder, by=by)


def check_packaging(warehouse: Warehouse, on: date, materials: Iterable[PackagingMaterial] | None = None) -> int:
    """Open a reorder (and its due item to the warehouse) for every material whose cover fell below the
    policy days (WMS-18); one open reorder per material and warehouse. Returns how many were opened."""
    opened = 0
    if materials is None:
        materials = PackagingMaterial.objects.filter(is_active=True).order_by("code")
    for material in materials:
        cover = packaging_cover(material, warehouse, on)
        if not cover.below:
            continue
        if PackagingReorder.objects.filter(material=material, warehouse=warehouse, closed_at__isnull=True,
                                           promotion__isnull=True).exists():
            continue
        reason = _("在库 %(h)s %(u)s，近 %(w)s 天日均用量 %(d)s，可用 %(c)s 天，低于 %(t)s 天（%(cite)s）") % {
            "h": cover.on_hand, "u": material.unit, "w": cover.window_days, "d": _q2(cover.daily_use),
            "c": _q2(cover.cover_days), "t": cover.trigger_days, "cite": cover.citation}
        reorder = PackagingReorder(material=material, warehouse=warehouse, raised_on=on, on_hand=cover.on_hand,
                                   daily_use=cover.daily_use.quantize(Decimal("0.0001")),
                                   cover_days=cover.cover_days.quantize(Decimal("0.01")), reason=reason[:300])
        save_audited(reorder, user=None)
        title = _("包材补货：%(m)s（%(wh)s）") % {"m": material.name, "wh": warehouse.code}
        dues.raise_dues(kind=PACKAGING_REORDER_DUE, owners=warehouse_owners(warehouse), title=title,
                        due_at=_end_of(on), source=reorder, clause="WMS-18", link=reverse("supply:packaging"))
        opened += 1
    return opened


def _q2(value) -> str:
    return "∞" if value is None else str(Decimal(value).quantize(Decimal("0.01")))


@transaction.atomic
def enter_promotion(*, user, name: str, starts_on: date | None, warehouse: Warehouse) -> Promotion:
    """A big promotion entered ahead (WMS-18, FUL-05): a due item to the warehouse to stock packaging and
    pre-pack the main products ``FUL-05.prepack_days_before_promotion`` days before it starts."""
    require_perm(user, "supply.add_promotion")
    _internal(user)
    name = (name or "").strip()
    if not name:
        raise BusinessError(_("请填写大促名称"), field="name")
    if len(name) > 60:
        raise BusinessError(_("大促名称最多 60 个字符"), field="name")
    if starts_on is None:
        raise BusinessError(_("请填写开始日期"), field="starts_on")
    today = timezone.localdate()
    if starts_on < today:
        raise BusinessError(_("开始日期不能早于今天"), field="starts_on")
    lead = registry.resolve("FUL-05.prepack_days_before_promotion", on=today)
    promotion = Promotion(name=name, starts_on=starts_on, warehouse=warehouse,
                          prepare_on=starts_on - timedelta(days=int(lead.value)), policy_citation=lead.citation[:120],
                          created_by=user)
    save_audited(promotion, user=user)
    title = _("大促备货：%(n)s %(d)s 开始，%(p)s 前备齐包材并预打包主推商品") % {
        "n": name, "d": starts_on.isoformat(), "p": promotion.prepare_on.isoformat()}
    dues.raise_dues(kind=PROMOTION_DUE, owners=warehouse_owners(warehouse), title=title,
                    due_at=_end_of(promotion.prepare_on), source=promotion, clause="FUL-05",
                    link=reverse("supply:packaging"))
    return promotion


# --- replenishment plan (WMS-14) ------------------------------------------------------------------

PLAN_PREFIX = "BH"


def primary_suppliers(style_ids: Iterable[int], client_id: int) -> dict[int, Supplier]:
    """The supplier of each style (primary first, then by code) among those that serve the client."""
    found: dict[int, Supplier] = {}
    links = (StyleSupplier.objects.filter(style_id__in=list(style_ids))
             .filter(Q(supplier__client_id=client_id) | Q(supplier__client__isnull=True))
             .select_related("supplier").order_by("style_id", "-is_primary", "supplier__code"))
    for link in links:
        found.setdefault(link.style_id, link.supplier)
    return found


def sellable_available(sku_ids: Iterable[int], warehouse: Warehouse) -> dict[int, int]:
    """Available (on hand − reserved) in sellable bins per SKU, in one query (same as
    ``reservations.available``)."""
    rows = (StockBalance.objects.filter(sku_id__in=list(sku_ids), warehouse=warehouse,
                                        bin__kind__in=SELLABLE_BIN_KINDS)
            .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))).order_by())
    return {row["sku_id"]: int(row["free"] or 0) for row in rows}


@transaction.atomic
def build_plan(*, warehouse: Warehouse, client: Client, on: date | None = None, user=None) -> ReplenishmentPlan | None:
    """WMS-14: the day's plan of one client's goods in one warehouse. Every SKU sold in the window is
    judged by ``replenishment.decide``; the lines that reorder are kept with their figures, their
    explanation and the policy versions used. None when nothing needs ordering. Run twice, the day's
    plan is returned as it is."""
    on = on or timezone.localdate()
    existing = ReplenishmentPlan.objects.filter(client=client, warehouse=warehouse, plan_date=on).first()
    if existing is not None:
        return existing
    policy = Policy.resolve(on)
    sold = daily_sales(None, warehouse, on, window_days=policy.window_days)
    skus = {s.pk: s for s in SKU.objects.filter(pk__in=sold, client=client).select_related("style")}
    if not skus:
        return None
    free = sellable_available(skus, warehouse)
    suppliers = primary_suppliers({s.style_id for s in skus.values()}, client.pk)
    start, end = sales_window(on, policy.window_days)
    rows = []
    for sku_id, sku in sorted(skus.items(), key=lambda item: item[1].sku_code):
        decision = decide(available=free.get(sku_id, 0), daily_sales=sold[sku_id], is_hero=sku.style.is_hero,
                          policy=policy)
        if decision.reorder:
            rows.append((sku, decision))
    if not rows:
        return None
    plan = ReplenishmentPlan(
        number=next_number(PLAN_PREFIX, on), client=client, warehouse=warehouse, plan_date=on,
        created_by=user if getattr(user, "pk", None) else None,
        policy={"citations": policy.citations, "window": [start.isoformat(), end.isoformat()]},
    )
    save_audited(plan, user=user)
    for sku, decision in rows:
        save_audited(ReplenishmentLine(
            plan=plan, sku=sku, supplier=suppliers.get(sku.style_id), is_hero=sku.style.is_hero, rule=decision.rule,
            window_days=policy.window_days,
            sold_units=int((sold[sku.pk] * policy.window_days).to_integral_value(ROUND_HALF_UP)),
            daily_sales=sold[sku.pk].quantize(Decimal("0.0001")), available=max(free.get(sku.pk, 0), 0),
            cover_days=decision.cover_days.quantize(Decimal("0.01")), trigger_days=decision.trigger_days,
            order_days=decision.order_days, quantity=decision.quantity, explanation=decision.explanation[:400],
        ), user=user)
    title = _("补货计划待审批：%(n)s（%(c)s，%(wh)s）") % {"n": plan.number, "c": client.name, "wh": warehouse.code}
    dues.raise_dues(kind=PLAN_APPROVAL_DUE, owners=plan_approvers(client.pk), title=title, due_at=_end_of(on),
                    source=plan, clause="WMS-14", link=reverse("supply:plan_detail", args=[plan.pk]), client=client)
    return plan


def build_plans(*, warehouse: Warehouse, on: date | None = None, user=None) -> list[ReplenishmentPlan]:
    """The day's plans of every client whose goods sold in the warehouse (one plan per client)."""
    on = on or timezone.localdate()
    window_days = int(registry.value("WMS-14.daily_sales_window_days", on=on))
    sold = daily_sales(None, warehouse, on, window_days=window_days)
    client_ids = sorted(set(SKU.objects.filter(pk__in=sold).values_list("client_id", flat=True)))
    plans = []
    for client in Client.objects.filter(pk__in=client_ids).order_by("code"):
        plan = build_plan(warehouse=warehouse, client=client, on=on, user=user)
        if plan is not None:
            plans.append(plan)
    return plans


def _plan_for(user, plan: ReplenishmentPlan) -> ReplenishmentPlan:
    require_perm(user, APPROVE_PERM)
    _internal(user)
    _require_client(user, plan.client_id)
    plan = ReplenishmentPlan.objects.select_for_update().get(pk=plan.pk)
    return plan


def _move_plan(plan: ReplenishmentPlan, to_state: str) -> None:
    if to_state not in PLAN_FLOW[plan.state]:
        raise Conflict(
            _("补货计划 %(n)s 当前为“%(s)s”，不能改为“%(t)s”")
            % {"n": plan.number, "s": plan.get_state_display(), "t": PlanState(to_state).label}
        )


@transaction.atomic
def approve_plan(plan: ReplenishmentPlan, *, user, note: str = "") -> list[PurchaseOrder]:
    """Approve a plan (GM office or purchasing, WMS-14): its lines become draft purchase orders, one per
    client × supplier × warehouse. Lines without a supplier stay on the plan, listed as needing one."""
    plan = _plan_for(user, plan)
    _move_plan(plan, PlanState.APPROVED)
    lines = list(plan.lines.select_related("sku", "supplier").order_by("pk"))
    by_supplier: dict[int, list[ReplenishmentLine]] = {}
    for line in lines:
        if line.supplier_id:
            by_supplier.setdefault(line.supplier_id, []).append(line)
    orders = []
    for _supplier_id, group in sorted(by_supplier.items()):
        order = _write_purchase_order(
            user=user, client=plan.client, supplier=group[0].supplier, warehouse=plan.warehouse,
            lines=[POItem(line.sku, line.quantity) for line in group], source=plan.number,
            note=_("由补货计划 %(n)s 生成（WMS-14）") % {"n": plan.number},
        )
        for line in group:
            line.purchase_order = order
            save_audited(line, user=user, reason="ordered")
        orders.append(order)
    plan.state, plan.decided_by, plan.decided_at = PlanState.APPROVED, user, timezone.now()
    plan.decision_note = (note or "").strip()[:200]
    save_audited(plan, user=user, reason="approve")
    dues.complete_due(kind=PLAN_APPROVAL_DUE, source=plan, by=user)
    return orders


@transaction.atomic
def reject_plan(plan: ReplenishmentPlan, *, user, note: str) -> ReplenishmentPlan:
    plan = _plan_for(user, plan)
    _move_plan(plan, PlanState.REJECTED)
    note = (note or "").strip()
    if not note:
        raise BusinessError(_("驳回须写明原因"), field="note")
    plan.state, plan.decided_by, plan.decided_at, plan.decision_note = (
        PlanState.REJECTED, user, timezone.now(), note[:200])
    save_audited(plan, user=user, reason="reject")
    dues.complete_due(kind=PLAN_APPROVAL_DUE, source=plan, by=user)
    return plan


# --- the daily run --------------------------------------------------------------------------------


@dataclass
class DailyRun:
    pickups: int = 0
    uncollected: int = 0
    reorders: int = 0


def run_daily(on: date | None = None) -> DailyRun:
    """``ecomops supply-daily``: WMS-16 pick-up and month-end due items, WMS-18 packaging cover. Safe to
    run any number of times a day."""
    on = on or timezone.localdate()
    run = DailyRun()
    with transaction.atomic():
        run.pickups, run.uncollected = raise_return_dues(on)
    for warehouse in Warehouse.objects.filter(is_active=True).order_by("code"):
        with transaction.atomic():
            run.reorders += check_packaging(warehouse, on)
    return run
