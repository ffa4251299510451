"""Defects found while shipping (WMS-17): registered, moved to the defective bin and added to the
supplier's return.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.core.history import save_audited
from ecomops.inventory.actions import POST_PERM, next_number, suggest_fifo
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, InsufficientStock, Move, post_moves
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.inventory.reservations import available
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm

from .enums import (
    ReturnReason,
)
from .models import (
    ShippingDefect,
)
from .owners import require_client
from .returns import ReturnItem, raise_supplier_return

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
    require_client(user, sku.client_id)
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
        post_moves(moves, doc=DocRef.of(DocKind.DEFECT, defect), user=user)
    except InsufficientStock as short:
        raise BusinessError(short.message, field="quantity") from None
    by_supplier: dict = {}
    for picked_lot, qty in picks:
        owner = picked_lot.supplier if picked_lot.supplier_id else supplier
        by_supplier.setdefault(owner.pk, (owner, []))[1].append(
            ReturnItem(sku, picked_lot, to_bin, qty, ReturnReason.SHIPPING_DEFECT, reason))
    for owner, items in by_supplier.values():
        raise_supplier_return(client=sku.client, supplier=owner, warehouse=warehouse, items=items,
                              source=defect.number, user=user)
    defect.available_after = available(sku.pk, warehouse.pk)
    save_audited(defect, user=user, reason=_("已过账"))
    return defect
