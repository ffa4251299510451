"""The warehouse API: stock, balances, ledger, lots/trace (CAT-05), reservations (thin wrappers over
``reservations``), holds (WMS-11); scoped (DAT-02: client B's stock is 404 or absent)."""

from __future__ import annotations

from ecomops.inventory import reservations
from ecomops.inventory.models import CustomerHold
from ecomops.inventory.tests import support
from ecomops.inventory.tests.support import Api, make_user

wh = support.wh  # the fixture


def test_api_stock_and_balances_are_scoped(wh):
    wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 9)
    api = Api(wh.keeper)
    body = api.get("inventory/stock").json()
    assert [(r["sku_code"], r["on_hand"], r["available"]) for r in body["items"]] == [(wh.sku.sku_code, 5, 5)]
    assert api.get("inventory/stock", {"sku_id": wh.sku_b.pk}).json()["items"] == []
    balances = api.get("inventory/balances", {"sku_id": wh.sku.pk}).json()["items"]
    assert balances[0]["bin"] == "A-01-01" and balances[0]["on_hand"] == 5
    assert api.get("inventory/balances", {"sku_id": wh.sku_b.pk}).status_code == 404


def test_api_ledger_is_paginated_with_quantities_after_and_scoped(wh):
    for _ in range(3):
        wh.put(wh.sku, 2)
    wh.put(wh.sku_b, 1)
    api = Api(wh.keeper)
    body = api.get("inventory/moves", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2 and body["items"][0]["to_after"] == 2
    assert all(item["sku_id"] == wh.sku.pk for item in body["items"])
    bad = api.get("inventory/moves", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "date_to"
    assert api.get("inventory/moves", {"date_from": "yesterday"}).status_code == 422


def test_cat05_api_lot_trace_and_back_from_barcode(wh):
    lot = wh.put(wh.sku, 5)
    lot_b = wh.put(wh.sku_b, 1)
    api = Api(wh.keeper)
    found = api.get(f"inventory/lots/{lot.pk}/trace").json()
    assert found["lot"]["number"] == lot.number and found["on_hand"] == 5 and len(found["moves"]) == 1
    assert found["orders"] == []
    assert api.get(f"inventory/lots/{lot_b.pk}/trace").status_code == 404
    back = api.get("inventory/lots", {"barcode": wh.sku.barcode}).json()["items"]
    assert [row["number"] for row in back] == [lot.number] and back[0]["source_number"] == "TEST"
    assert api.get("inventory/lots", {"barcode": wh.sku_b.barcode}).json()["items"] == []


def test_api_reserve_and_release_for_a_document(wh):
    """ORD-04/WMS-10: all or nothing; needs inventory.reserve_stock; another client's SKU is refused."""
    wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 5)
    api = Api(wh.keeper)
    body = {"doc_kind": "order", "doc_id": "77", "doc_number": "SO-77", "warehouse_id": wh.wh.pk,
            "lines": [{"sku_id": wh.sku.pk, "quantity": 3}]}
    created = api.post("inventory/reservations", body)
    assert created.status_code == 201 and created.json()[0]["quantity"] == 3
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 2
    short = api.post("inventory/reservations", {**body, "doc_id": "78", "lines": [{"sku_id": wh.sku.pk,
                                                                                   "quantity": 3}]})
    assert short.status_code == 400 and "库存不足" in short.json()["error"]["message"]
    other = api.post("inventory/reservations", {**body, "doc_id": "79", "lines": [{"sku_id": wh.sku_b.pk,
                                                                                   "quantity": 1}]})
    assert other.status_code == 400 and other.json()["error"]["field"] == "lines.0.sku_id"
    assert api.post("inventory/reservations", {**body, "lines": [{"sku_id": wh.sku.pk, "quantity": 0}]}).status_code \
        == 422
    listed = api.get("inventory/reservations", {"doc_kind": "order", "doc_id": "77"}).json()
    assert listed["count"] == 1
    released = api.post("inventory/reservations/release", {"doc_kind": "order", "doc_id": "77", "reason": "取消"})
    assert released.json() == {"released": 3} and reservations.available(wh.sku.pk, wh.wh.pk) == 5
    viewer = make_user("viewer", "inventory.view_stockbalance", client=wh.org.client_a)
    assert Api(viewer).post("inventory/reservations", body).status_code == 403


def test_wms11_api_holds(wh):
    wh.put(wh.sku, 4)
    api = Api(wh.sales)
    created = api.post("inventory/holds", {"sku_id": wh.sku.pk, "warehouse_id": wh.wh.pk, "quantity": 2,
                                           "customer": "张女士"})
    assert created.status_code == 201 and created.json()["state"] == "active"
    hold_id = created.json()["id"]
    no_note = api.post(f"inventory/holds/{hold_id}/extend", {"note": ""})
    assert no_note.status_code == 422
    extended = api.post(f"inventory/holds/{hold_id}/extend", {"note": "客户出差"})
    assert extended.status_code == 200 and extended.json()["expires_at"] > created.json()["expires_at"]
    released = api.post(f"inventory/holds/{hold_id}/release", {"reason": "不要了"})
    assert released.json()["state"] == "released"
    wh.put(wh.sku_b, 1)
    refused = api.post("inventory/holds", {"sku_id": wh.sku_b.pk, "warehouse_id": wh.wh.pk, "quantity": 1,
                                           "customer": "x"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "sku_id"
    hold_b = CustomerHold.objects.create(number="LH-B", client=wh.org.client_b, warehouse=wh.wh, sku=wh.sku_b,
                                         quantity=1, customer="x", staff=wh.keeper_b,
                                         expires_at=created.json()["expires_at"])
    assert api.get(f"inventory/holds/{hold_b.pk}").status_code == 404
    assert api.post(f"inventory/holds/{hold_b.pk}/release", {}).status_code == 404
    assert [h["id"] for h in api.get("inventory/holds").json()["items"]] == [hold_id]


def test_api_operation_ids_and_schema_names_are_prefixed():
    from ecomops.api import api

    schema = api.get_openapi_schema()
    ids = [op["operationId"] for path, item in schema["paths"].items() if path.startswith("/api/v1/inventory")
           for op in item.values() if isinstance(op, dict) and "operationId" in op]
    assert ids and all(i.startswith("inventory_") for i in ids)
    from ninja import Schema

    from ecomops.inventory import api as module

    ours = [v.__name__ for v in vars(module).values() if isinstance(v, type) and issubclass(v, Schema)
            and v.__module__ == module.__name__]
    assert ours and all(name.startswith(("Inventory", "Page[Inventory")) for name in ours)
    assert "HoldState" not in schema["components"]["schemas"]
