"""The demo company's warehouses (WMS-07) and opening stock, built through the actions as an
administrator would (deterministic: same codes, same bins every time).

    from ecomops.demo.inventory import build, put_opening_stock
    warehouses = build(admin=admin)                      # {"HZ": Warehouse, "SH": Warehouse}
    put_opening_stock(admin=admin, warehouse=warehouses["HZ"], lines=[(sku, 40), (sku2, 12)])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from ecomops.inventory import actions
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.models import Bin, StockDocument, Warehouse

WAREHOUSES = [
    {"code": "HZ", "name": "杭州主仓", "address": "浙江省杭州市余杭区仓前街道演示路 1 号"},
    {"code": "SH", "name": "上海分仓", "address": "上海市嘉定区演示路 8 号"},
]

# (zone code, zone name, purpose, [(bin code, kind, pick order)])
LAYOUT = [
    ("A", "正常库区", "按品类与批次存放的可售商品", [("A-01-01", BinKind.NORMAL, 1), ("A-01-02", BinKind.NORMAL, 2),
                                                    ("A-02-01", BinKind.NORMAL, 3), ("A-02-02", BinKind.NORMAL, 4)]),
    ("Q", "待检区", "收货后待质检", [("QC-01", BinKind.INSPECTION, 50)]),
    ("D", "次品区", "不合格品，待退厂或报废（WMS-05）", [("BAD-01", BinKind.DEFECTIVE, 60)]),
    ("R", "退货区", "客户退货待检", [("RET-01", BinKind.RETURNS, 70)]),
    ("S", "样品区", "拍摄样品（WMS-12）", [("SMP-01", BinKind.SAMPLES, 80)]),
    ("P", "包材区", "包装材料（WMS-18）", [("PKG-01", BinKind.PACKAGING, 90)]),
    ("Y", "预包区", "大促前预打包的主推商品（FUL-05）", [("YB-01", BinKind.PREPACK, 5)]),
]


@transaction.atomic
def build(*, admin) -> dict[str, Warehouse]:
    """Two warehouses (杭州主仓 HZ, 上海分仓 SH), each with seven zones and bins of every kind (plus the
    system transit bin). Returns them by code; existing ones are returned unchanged."""
    found = {}
    for row in WAREHOUSES:
        warehouse = Warehouse.objects.filter(code=row["code"]).first()
        if warehouse is None:
            warehouse = actions.create_warehouse(user=admin, **row)
            for zone_code, zone_name, purpose, bins in LAYOUT:
                zone = actions.create_zone(warehouse, user=admin, code=zone_code, name=zone_name, purpose=purpose)
                for code, kind, order in bins:
                    actions.create_bin(warehouse, user=admin, code=code, zone=zone, kind=kind, pick_order=order)
        found[row["code"]] = warehouse
    return found


@transaction.atomic
def put_opening_stock(*, admin, warehouse: Warehouse, lines: Iterable[tuple], bin_code: str = "A-01-01",
                      note: str = "演示期初") -> list[StockDocument]:
    """Opening stock (期初) for ``lines`` of ``(sku, quantity)`` or ``(sku, quantity, bin_code)``: one
    opening document per client, posted through the core (a new lot each). Returns the documents."""
    by_client: dict[int, list[tuple]] = defaultdict(list)
    clients = {}
    for line in lines:
        sku, quantity = line[0], line[1]
        code = line[2] if len(line) > 2 else bin_code
        by_client[sku.client_id].append((sku, quantity, code))
        clients[sku.client_id] = sku.client
    bins = {b.code: b for b in Bin.objects.filter(warehouse=warehouse)}
    documents = []
    for client_id, rows in by_client.items():
        document = actions.create_document(user=admin, kind=DocKind.OPENING, warehouse=warehouse,
                                           client=clients[client_id], note=note)
        for sku, quantity, code in rows:
            actions.add_line(document, user=admin, sku=sku, quantity=int(quantity), to_bin=bins[code])
        actions.post_document(document, user=admin)
        documents.append(document)
    return documents
