"""The demo builds one receipt per QC outcome (WMS-25) through the actions; the books still agree."""

from ecomops.audit.models import DueItem
from ecomops.demo import receiving as demo
from ecomops.inventory import verify
from ecomops.receiving import actions
from ecomops.receiving.enums import ReceiptState


def test_demo_builds_each_qc_outcome(rc):
    """WMS-25: accepted, full inspection with defects, whole delivery rejected, and one awaiting QC."""
    found = demo.build(admin=rc.stock.admin, receiver=rc.receiver, warehouse=rc.stock.wh,
                       skus=[rc.sku, rc.sku2, rc.new_sku], suppliers={rc.stock.org.client_a.pk: rc.supplier})
    states = {name: r.__class__.objects.get(pk=r.pk).state for name, r in found.items()}
    assert states == {"accepted": ReceiptState.COMPLETED, "full_inspection": ReceiptState.COMPLETED,
                      "rejected": ReceiptState.REJECTED, "awaiting_qc": ReceiptState.BOOKED}
    assert found["full_inspection"].lines.get().defective_quantity == 6
    assert DueItem.objects.filter(kind=actions.REJECTED_DUE_KIND).exists()
    assert verify.differences() == []
