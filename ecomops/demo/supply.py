"""The demo's purchasing side (issue 4): packaging stock in one warehouse with one material below its
cover (WMS-18), a replenishment plan awaiting approval (WMS-14) and a collecting supplier return
(WMS-16). Deterministic; built through the same actions people use.

Call after the catalogue and suppliers exist::

    from ecomops.demo.supply import build
    build(admin=admin, clients=clients, today=today)            # or warehouse=<Warehouse>
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ecomops.catalog.models import SKU
from ecomops.inventory import actions as inv
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import Bin, Warehouse
from ecomops.suppliers.models import StyleSupplier, Supplier
from ecomops.supply.enums import SupplierSource
from ecomops.supply.packaging import (
    check_packaging,
    consume_packaging,
    create_material,
    create_packaging_receipt,
    post_packaging_receipt,
)
from ecomops.supply.plans import build_plan
from ecomops.supply.returns import ReturnItem, raise_supplier_return, set_return_terms

# code, name, unit, received 8 days ago, used a day for the last 7 days
MATERIALS = [
    ("BOX-S", "小号纸箱", "个", 600, 30),
    ("BOX-M", "中号纸箱", "个", 400, 20),
    ("BUBBLE", "气泡膜", "米", 200, 25),  # 200 − 7×25 = 25 left at 25 a day: 1 day, below 10
    ("TAPE", "封箱胶带", "卷", 120, 4),
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _bin(warehouse: Warehouse, code: str, kind: str, admin) -> Bin:
    found = Bin.objects.filter(warehouse=warehouse, code=code).first()
    return found or inv.create_bin(warehouse, user=admin, code=code, kind=kind, pick_order=90)


def _warehouse(admin) -> Warehouse:
    found = Warehouse.objects.filter(is_active=True).order_by("code").first()
    return found or inv.create_warehouse(user=admin, code="HZ", name="杭州仓")


def build(*, admin, clients: dict, today: date, warehouse: Warehouse | None = None) -> dict[str, int]:
    warehouse = warehouse or _warehouse(admin)
    normal = _bin(warehouse, "SUP-01", BinKind.NORMAL, admin)
    defective = _bin(warehouse, "SUP-BAD", BinKind.DEFECTIVE, admin)
    week_ago = today - timedelta(days=8)

    # WMS-18: packaging received a week ago and used every day since; bubble wrap falls below cover.
    receipt = create_packaging_receipt(
        user=admin, warehouse=warehouse, vendor="余杭纸品厂",
        lines=[(create_material(user=admin, code=code, name=name, unit=unit), received)
               for code, name, unit, received, _daily in MATERIALS])
    post_packaging_receipt(receipt, user=admin, at=_at(week_ago))
    materials = {m.material.code: m.material for m in receipt.lines.select_related("material")}
    for days_ago in range(7, 0, -1):
        for code, _name, _unit, _received, daily in MATERIALS:
            consume_packaging(user=admin, warehouse=warehouse, material=materials[code], quantity=daily,
                                      at=_at(today - timedelta(days=days_ago), 16))
    check_packaging(warehouse, today)

    # WMS-14: a hero SKU selling fast with little left → a plan awaiting approval.
    client = next(iter(clients.values()))
    sku = (SKU.objects.filter(client=client, style__is_hero=True).order_by("sku_code").first()
           or SKU.objects.filter(client=client).order_by("sku_code").first())
    supplier = (Supplier.objects.filter(style_links__style=sku.style).order_by("code").first()
                or Supplier.objects.filter(client=client).order_by("code").first())
    if supplier is None:
        supplier = Supplier.objects.create(code="DEMO-SUP", name="龙坞茶厂", client=client, created_by=admin)
    if not StyleSupplier.objects.filter(style=sku.style).exists():
        StyleSupplier.objects.create(style=sku.style, supplier=supplier, is_primary=True)
    lot = inv.open_lot(client=client, source=DocRef(DocKind.OPENING, "demo-supply", "DEMO"), supplier=supplier,
                       received_on=week_ago)
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=160, to_bin=normal)],
               doc=DocRef(DocKind.OPENING, "demo-supply", "DEMO"), user=admin, at=_at(week_ago))
    for days_ago in range(7, 0, -1):
        post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=20, from_bin=normal)],
                   doc=DocRef(DocKind.OUTBOUND, f"demo-sale-{days_ago}", f"DEMO-SALE-{days_ago}"), user=admin,
                   at=_at(today - timedelta(days=days_ago), 15))
    plan = build_plan(warehouse=warehouse, client=client, on=today, user=admin)

    # WMS-16: two defects waiting in the defective bin for the manufacturer's collector.
    set_return_terms(supplier, user=admin, source=SupplierSource.MANUFACTURER, note="厂家每日来取")
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=2, from_bin=normal, to_bin=defective)],
               doc=DocRef(DocKind.DEFECT, "demo-defect", "DEMO-CP"), user=admin, at=_at(today - timedelta(days=1)))
    raise_supplier_return(
        client=client, supplier=supplier, warehouse=warehouse, source="DEMO-CP", user=admin,
        items=[ReturnItem(sku, lot, defective, 2, "shipping_defect", "外包装压损")])
    return {"packaging_materials": len(MATERIALS), "replenishment_plans": int(plan is not None),
            "supplier_returns": 1}
