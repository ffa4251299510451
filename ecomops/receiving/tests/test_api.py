"""API of receiving (WMS-01…05, WMS-25): scoped (another client's receipt is 404), errors name the
field, the whole flow from receipt to put-away."""

from __future__ import annotations

from ecomops.inventory import verify
from ecomops.receiving.enums import ReceiptState


def test_api_full_flow_with_full_inspection(rc, api):
    """WMS-01 → WMS-03 → WMS-25 → WMS-05 through the API."""
    order = rc.po((rc.sku, 20))
    receiver = api(rc.receiver)
    created = receiver.post("receiving/receipts", {"purchase_order_id": order.pk, "delivery_note_no": "DN-1"})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    over = receiver.post(f"receiving/receipts/{rid}/lines", {"barcode": rc.sku.barcode, "noted_quantity": 21,
                                                             "counted_quantity": 21})
    assert over.status_code == 400 and over.json()["error"]["field"] == "counted_quantity"
    missing = receiver.post(f"receiving/receipts/{rid}/lines", {"barcode": "NOPE", "noted_quantity": 1,
                                                                "counted_quantity": 1})
    assert missing.json()["error"]["field"] == "barcode"
    body = receiver.post(f"receiving/receipts/{rid}/lines", {"barcode": rc.sku.barcode, "noted_quantity": 20,
                                                             "counted_quantity": 20}).json()
    assert body["lines"][0]["issues"] == []
    early = api(rc.inspector).post(f"receiving/receipts/{rid}/qc/samples", {"barcode": rc.sku.barcode, "failed": 0})
    assert early.status_code == 409
    assert receiver.post(f"receiving/receipts/{rid}/sign", {"role": "receiver"}).status_code == 200
    twice = receiver.post(f"receiving/receipts/{rid}/sign", {"role": "receiver"})
    assert twice.status_code == 409
    boss = api(rc.supervisor)
    assert boss.post(f"receiving/receipts/{rid}/sign", {"role": "supervisor"}).status_code == 200
    booked = boss.post(f"receiving/receipts/{rid}/book", {}).json()
    assert booked["state"] == "booked" and booked["lines"][0]["sample_size"] == 2
    qc = api(rc.inspector)
    r = qc.post(f"receiving/receipts/{rid}/qc/samples", {"barcode": rc.sku.barcode, "failed": 1, "reason": "色差"})
    assert r.json()["lines"][0]["next_step"] == "有不合格，再抽检 2 件"
    r = qc.post(f"receiving/receipts/{rid}/qc/samples", {"barcode": rc.sku.barcode, "failed": 0})
    assert r.json()["lines"][0]["qc_stage"] == "full_inspection" and r.json()["lines"][0]["pass_rate"] == "75.00%"
    bad = qc.post(f"receiving/receipts/{rid}/qc/full-inspections", {"barcode": rc.sku.barcode, "defective": 0})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "defective"
    r = qc.post(f"receiving/receipts/{rid}/qc/full-inspections", {"barcode": rc.sku.barcode, "defective": 2})
    assert r.json()["state"] == "inspected" and r.json()["supplier_return_number"]
    keeper = api(rc.keeper)
    wrong_bin = keeper.post(f"receiving/receipts/{rid}/putaway", {"barcode": rc.sku.barcode,
                                                                  "bin_code": "BAD-01", "quantity": 18})
    assert wrong_bin.status_code == 400 and wrong_bin.json()["error"]["field"] == "bin_code"
    done = keeper.post(f"receiving/receipts/{rid}/putaway", {"barcode": rc.sku.barcode, "bin_code": "A-01-01",
                                                             "quantity": 18})
    assert done.json()["state"] == ReceiptState.COMPLETED
    records = qc.get(f"receiving/receipts/{rid}/qc").json()
    assert [r["kind"] for r in records] == ["first_sample", "second_sample", "full_inspection"]
    assert verify.differences() == []


def test_api_scoping_404_and_lists(rc, api):
    """DAT-02: client B's user gets 404 on client A's receipt and does not see it in the list."""
    receipt = rc.booked((rc.sku, 5))
    other = api(rc.receiver_b)
    assert other.get(f"receiving/receipts/{receipt.pk}").status_code == 404
    assert other.post(f"receiving/receipts/{receipt.pk}/sign", {"role": "receiver"}).status_code == 404
    assert other.get("receiving/receipts").json()["count"] == 0
    mine = api(rc.receiver).get("receiving/receipts", {"open": "true"}).json()
    assert [row["number"] for row in mine["items"]] == [receipt.number]
    assert api(rc.stock.org.member_a).get(f"receiving/receipts/{receipt.pk}").status_code in (403, 404)
    foreign_po = rc.po((rc.stock.sku_b, 1), supplier=rc.supplier_b, client=rc.stock.org.client_b)
    refused = api(rc.receiver).post("receiving/receipts", {"purchase_order_id": foreign_po.pk,
                                                           "delivery_note_no": "X"})
    assert refused.json()["error"]["field"] == "purchase_order_id"
    extra = api(rc.receiver).post("receiving/receipts", {"purchase_order_id": foreign_po.pk,
                                                         "delivery_note_no": "X", "junk": 1})
    assert extra.status_code == 422
