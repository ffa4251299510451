"""Demo receipts (WMS-01…06, WMS-25): purchase orders and their deliveries with one QC outcome of
each kind, built through the actions like a real warehouse day. Deterministic.

    build(admin=admin, receiver=receiver_user, warehouse=warehouses["HZ"], skus=[...],
          suppliers={client_id: Supplier, ...})

``admin`` (a superuser) signs as the warehouse supervisor, books, inspects and puts away; ``receiver``
(another person: WMS-03 wants two signatures) receives and signs first. ``skus``: at least one SKU;
each receipt takes its SKUs from the list (the first client's SKUs), ``suppliers`` maps a client id to
the supplier its purchase orders go to. The warehouse needs an inspection, a defective and a normal
bin (``inventory.demo.build`` makes them). Returns the receipts by outcome:
``accepted``, ``full_inspection``, ``rejected``, ``awaiting_qc`` (left open for the QC page).
"""

from __future__ import annotations

from ecomops.inventory.enums import BinKind
from ecomops.inventory.models import Bin
from ecomops.receiving import actions
from ecomops.receiving.models import Receipt
from ecomops.supply.purchasing import POItem, create_purchase_order


def _receive(*, admin, receiver, warehouse, supplier, lines, note_no) -> Receipt:
    client = lines[0][0].client
    order = create_purchase_order(user=admin, client=client, supplier=supplier, warehouse=warehouse,
                                         confirm=True, lines=[POItem(sku, qty) for sku, qty in lines],
                                         note="演示采购单")
    receipt = actions.create_receipt(user=receiver, purchase_order=order, delivery_note_no=note_no)
    for sku, qty in lines:
        actions.set_line(receipt, user=receiver, sku=sku, noted_quantity=qty, counted_quantity=qty)
    actions.sign_receipt(receipt, user=receiver, role="receiver")
    actions.sign_receipt(receipt, user=admin, role="supervisor")
    return actions.book_receipt(receipt, user=admin)


def _put_all_away(receipt: Receipt, *, admin, normal: Bin) -> None:
    for line in receipt.lines.select_related("sku").order_by("pk"):
        if line.to_put_away:
            target = actions.suggest_bin(receipt, line.sku) or normal
            actions.put_away(receipt, user=admin, sku=line.sku, bin=target, quantity=line.to_put_away)


def build(*, admin, receiver, warehouse, skus, suppliers: dict) -> dict[str, Receipt]:
    if receiver is None or receiver.pk == admin.pk:
        raise ValueError("the receiver must be another person than the supervisor (WMS-03)")
    skus = list(skus)
    if not skus:
        raise ValueError("at least one SKU")
    client_id = skus[0].client_id
    skus = [sku for sku in skus if sku.client_id == client_id]
    supplier = suppliers[client_id]
    normal = Bin.objects.filter(warehouse=warehouse, kind=BinKind.NORMAL, is_active=True).order_by(
        "pick_order", "code").first()

    def sku(i):
        return skus[i % len(skus)]

    found: dict[str, Receipt] = {}
    # All pass (WMS-25): accepted and put away; inbound notice, CAT-08 for new styles.
    receipt = _receive(admin=admin, receiver=receiver, warehouse=warehouse, supplier=supplier,
                       lines=[(sku(0), 40)] + ([(sku(1), 20)] if len(skus) > 1 else []), note_no="DEMO-DN-001")
    for line in receipt.lines.order_by("pk"):
        actions.record_sample(receipt, line, user=admin, failed=0)
    _put_all_away(receipt, admin=admin, normal=normal)
    found["accepted"] = receipt
    # First sample fails, second too: 85 % → full inspection, 6 defects to the supplier return.
    receipt = _receive(admin=admin, receiver=receiver, warehouse=warehouse, supplier=supplier,
                       lines=[(sku(0), 100)], note_no="DEMO-DN-002")
    line = receipt.lines.get()
    actions.record_sample(receipt, line, user=admin, failed=2, reason="线头未剪、轻微污渍")
    actions.record_sample(receipt, line, user=admin, failed=1, reason="开线")
    actions.record_full_inspection(receipt, line, user=admin, defective=6, reason="污渍 4 件、开线 2 件")
    _put_all_away(receipt, admin=admin, normal=normal)
    found["full_inspection"] = receipt
    # 2 of 6 sampled pass (33 %) → the whole delivery is rejected, GM office informed.
    receipt = _receive(admin=admin, receiver=receiver, warehouse=warehouse, supplier=supplier,
                       lines=[(sku(2), 30)], note_no="DEMO-DN-003")
    line = receipt.lines.get()
    actions.record_sample(receipt, line, user=admin, failed=2, reason="色差明显")
    actions.record_sample(receipt, line, user=admin, failed=2, reason="色差明显")
    found["rejected"] = receipt
    # Booked, waiting for QC.
    found["awaiting_qc"] = _receive(admin=admin, receiver=receiver, warehouse=warehouse, supplier=supplier,
                                    lines=[(sku(1), 24)], note_no="DEMO-DN-004")
    return found
