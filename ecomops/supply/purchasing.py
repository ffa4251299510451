"""Purchase orders (WMS-01): ``create_purchase_order`` / ``confirm_purchase_order`` write the order
receiving compares against; ``record_received`` is called by receiving when a receipt is booked.
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

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.inventory.actions import next_number
from ecomops.inventory.models import Warehouse
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.models import Client

from .enums import (
    OPEN_PO_STATES,
    PO_FLOW,
    POState,
)
from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
)
from .owners import require_client

PO_PREFIX = PurchaseOrder.number_prefix



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
    require_client(user, client.pk)
    order = write_purchase_order(
        user=user, client=client, supplier=supplier, warehouse=warehouse, lines=lines, expected_on=expected_on,
        source=source, note=note,
    )
    if confirm:
        order = confirm_purchase_order(order, user=user)
    return order


def write_purchase_order(*, user, client, supplier, warehouse, lines, expected_on=None, source="", note=""):
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


def _not_draft(order: PurchaseOrder, to: str) -> None:
    if not allowed(PO_FLOW, order.state, to):
        raise Conflict(_("采购单 %(n)s 不是草稿，不能下单") % {"n": order.number})


@transaction.atomic
def confirm_purchase_order(order: PurchaseOrder, *, user) -> PurchaseOrder:
    require_perm(user, "supply.change_purchaseorder")
    _internal(user)
    require_client(user, order.client_id)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    transition(order, POState.CONFIRMED, flow=PO_FLOW, user=user, check=_not_draft,
               changes={"confirmed_by": user, "confirmed_at": timezone.now()})
    return order


@transaction.atomic
def cancel_purchase_order(order: PurchaseOrder, *, user, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing has been received against (draft or confirmed)."""
    require_perm(user, "supply.change_purchaseorder")
    _internal(user)
    require_client(user, order.client_id)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)

    def check(order: PurchaseOrder, to: str) -> None:
        if not allowed(PO_FLOW, order.state, to) or order.lines.filter(received_quantity__gt=0).exists():
            raise Conflict(
                _("采购单 %(n)s 当前状态为“%(s)s”，不能取消") % {"n": order.number, "s": order.get_state_display()}
            )
        if not reason.strip():
            raise BusinessError(_("请填写取消原因"), field="reason")

    why = _("取消：%(r)s") % {"r": reason.strip()}
    transition(order, POState.CANCELLED, flow=PO_FLOW, user=user, check=check, reason=why,
               changes={"note": (why + " " + order.note)[:200]})
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
    to = POState.PARTIALLY_RECEIVED if outstanding else POState.RECEIVED
    if to == order.state:
        # Another partial receipt: the state stays, the history still records the receipt.
        save_audited(order, user=user, reason=str(POState(to).label))
    else:
        transition(order, to, flow=PO_FLOW, user=user)
    return order
