"""DAT-02 on releasing a document's reservations through the API: another client's document answers
exactly like one that does not exist, and nothing of it is released."""

from __future__ import annotations

from ecomops.inventory import reservations
from ecomops.inventory.models import Reservation
from ecomops.inventory.tests import support
from ecomops.inventory.tests.support import Api

wh = support.wh  # the fixture


def test_dat02_releasing_another_clients_document_reads_like_an_unknown_one(wh):
    wh.put(wh.sku_b, 5)
    made = Api(wh.keeper_b).post("inventory/reservations", {
        "doc_kind": "order", "doc_id": "B-88", "doc_number": "SO-B-88", "warehouse_id": wh.wh.pk,
        "lines": [{"sku_id": wh.sku_b.pk, "quantity": 2}]})
    assert made.status_code == 201
    api = Api(wh.keeper)  # client A only
    theirs = api.post("inventory/reservations/release", {"doc_kind": "order", "doc_id": "B-88", "reason": "x"})
    unknown = api.post("inventory/reservations/release", {"doc_kind": "order", "doc_id": "NOPE", "reason": "x"})
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json()) == (200, {"released": 0})
    assert Reservation.objects.get(doc_id="B-88").state == "active"
    assert reservations.available(wh.sku_b.pk, wh.wh.pk) == 3
    # Its own client's keeper still releases it.
    mine = Api(wh.keeper_b).post("inventory/reservations/release", {"doc_kind": "order", "doc_id": "B-88"})
    assert mine.json() == {"released": 2}
