"""Purchasing and supplier returns: every change goes through here (WMS-01, WMS-14, WMS-16, WMS-17).

``create_purchase_order`` / ``confirm_purchase_order`` write the order receiving compares against;
``record_received`` is called by receiving when a receipt is booked; ``raise_supplier_return`` adds
defective goods (already lying in a defective bin) to the supplier's collecting return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit.history import save_audited
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory.actions import next_number
from ecomops.inventory.enums import BinKind
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.actions import require_perm
from ecomops.org.models import Client
from ecomops.org.scoping import is_client_member, scope_for

from .enums import OPEN_PO_STATES, POState, ReturnReason, ReturnState
from .models import PurchaseOrder, PurchaseOrderLine, SupplierReturn, SupplierReturnLine

PO_PREFIX = "PO"
RETURN_PREFIX = "TC"


def _internal(user) -> None:
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能执行此操作"))


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
    if supplier.client_id not in (None, client.pk):
        raise BusinessError(_("供应商不属于该委托方"), field="supplier")
    merged: dict[int, POItem] = {}
    for index, item in enumerate(lines, start=1):
        if item.sku.client_id != client.pk:
            raise BusinessError(
                _("第 %(n)s 行：SKU %(sku)s 不属于该委托方") % {"n": index, "sku": item.sku.sku_code}, field="lines"
            )
        if not isinstance(item.quantity, int) or item.quantity < 1:
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
    if confirm:
        order = confirm_purchase_order(order, user=user)
    return order


@transaction.atomic
def confirm_purchase_order(order: PurchaseOrder, *, user) -> PurchaseOrder:
    require_perm(user, "supply.change_purchaseorder")
    _internal(user)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.state != POState.DRAFT:
        raise Conflict(_("采购单 %(n)s 不是草稿，不能下单") % {"n": order.number})
    order.state = POState.CONFIRMED
    order.confirmed_by = user
    order.confirmed_at = timezone.now()
    save_audited(order, user=user, reason="confirm")
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
