"""Receiving against a purchase order (WMS-01), signatures and same-day booking (WMS-03), QC sampling
(WMS-04, WMS-25), put-away and isolation of defects (WMS-05), the inbound notice (WMS-06, WMS-15) and
the CAT-08 due items; refused out-of-order steps; the ledger still equals the balances."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import closing, verify
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import StockBalance, StockMove
from ecomops.listing.models import NewProductChain
from ecomops.policy.models import PolicyParameter, PolicyVersion
from ecomops.receiving import actions, labels
from ecomops.receiving.closing import open_documents
from ecomops.receiving.enums import QcStage, ReceiptState
from ecomops.receiving.models import QcRecord, Receipt
from ecomops.supply.enums import POState, ReturnReason
from ecomops.supply.models import SupplierReturnLine


def on_hand(sku, bin_):
    return sum(StockBalance.objects.filter(sku=sku, bin=bin_).values_list("on_hand", flat=True))


# --- WMS-01 -----------------------------------------------------------------------------------


def test_wms01_goods_not_on_the_purchase_order_are_refused(rc):
    """WMS-01: a SKU the purchase order does not list is refused, naming the SKU."""
    receipt = rc.receipt(rc.po((rc.sku, 10)))
    with pytest.raises(BusinessError, match=rc.sku2.sku_code) as refused:
        actions.set_line(receipt, user=rc.receiver, sku=rc.sku2, noted_quantity=5, counted_quantity=5)
    assert refused.value.field == "sku" and "拒收" in refused.value.message


def test_wms01_more_than_outstanding_is_refused(rc):
    """WMS-01: goods beyond the purchase order's outstanding quantity are refused (strict policy)."""
    order = rc.po((rc.sku, 10))
    receipt = rc.receipt(order)
    with pytest.raises(BusinessError, match="超过采购单未到数量 10") as refused:
        actions.set_line(receipt, user=rc.receiver, sku=rc.sku, noted_quantity=11, counted_quantity=11)
    assert refused.value.field == "counted_quantity"


def test_wms01_note_vs_goods_mismatch_needs_a_reason(rc):
    """WMS-01: delivery note and goods disagree, or state/spec is off: recorded only with a reason;
    a short delivery against the order is a normal partial delivery."""
    receipt = rc.receipt(rc.po((rc.sku, 10), (rc.sku2, 10)))
    with pytest.raises(BusinessError, match="送货单 10 件，实收 8 件") as refused:
        actions.set_line(receipt, user=rc.receiver, sku=rc.sku, noted_quantity=10, counted_quantity=8)
    assert refused.value.field == "mismatch_reason"
    with pytest.raises(BusinessError, match="外观状态异常"):
        actions.set_line(receipt, user=rc.receiver, sku=rc.sku2, noted_quantity=5, counted_quantity=5,
                         state_ok=False)
    line = actions.set_line(receipt, user=rc.receiver, sku=rc.sku, noted_quantity=10, counted_quantity=8,
                            reason="少送 2 件，司机确认")
    assert [i.code for i in actions.line_issues(10, 8, 10)] == ["note_vs_goods", "short"]
    assert line.mismatch_reason == "少送 2 件，司机确认" and line.outstanding_quantity == 10
    short = actions.set_line(receipt, user=rc.receiver, sku=rc.sku2, noted_quantity=4, counted_quantity=4)
    assert short.mismatch_reason == ""


def test_wms01_receipt_needs_open_purchase_order_and_delivery_note(rc):
    """WMS-01: receiving needs a confirmed (open) purchase order and the delivery note number."""
    draft = rc.po((rc.sku, 5), confirm=False)
    with pytest.raises(BusinessError, match="不能收货") as refused:
        actions.create_receipt(user=rc.receiver, purchase_order=draft, delivery_note_no="DN")
    assert refused.value.field == "purchase_order"
    with pytest.raises(BusinessError) as refused:
        actions.create_receipt(user=rc.receiver, purchase_order=rc.po((rc.sku, 5)), delivery_note_no=" ")
    assert refused.value.field == "delivery_note_no"


# --- WMS-03 -----------------------------------------------------------------------------------


def test_wms03_receiver_and_supervisor_sign_then_booked_into_inspection(rc):
    """WMS-03: signed by the receiver and the supervisor, booked the same day: a lot of the PO's
    supplier enters the inspection bin (DocKind.RECEIPT) and the PO records what arrived."""
    order = rc.po((rc.sku, 30), (rc.sku2, 20))
    receipt = rc.receipt(order, (rc.sku, 30, 30), (rc.sku2, 12, 12))
    actions.sign_receipt(receipt, user=rc.receiver, role="receiver")
    actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
    receipt = actions.book_receipt(receipt, user=rc.supervisor)
    assert receipt.state == ReceiptState.BOOKED and receipt.lot.supplier == rc.supplier
    assert receipt.inspection_bin == rc.stock.inspection
    assert on_hand(rc.sku, rc.stock.inspection) == 30 and on_hand(rc.sku2, rc.stock.inspection) == 12
    assert set(StockMove.objects.filter(doc_kind=DocKind.RECEIPT, doc_id=str(receipt.pk))
               .values_list("quantity", flat=True)) == {30, 12}
    order.refresh_from_db()
    assert order.state == POState.PARTIALLY_RECEIVED
    assert {line.sku_id: line.received_quantity for line in order.lines.all()} == {rc.sku.pk: 30, rc.sku2.pk: 12}
    assert rc.line(receipt, rc.sku).first_sample == 3 and rc.line(receipt, rc.sku2).first_sample == 2
    assert verify.differences() == []


def test_wms03_same_person_cannot_sign_both(rc):
    """WMS-03: two different people sign: the receiver cannot also sign as supervisor."""
    rc.receiver.user_permissions.add(*rc.supervisor.user_permissions.all())
    receiver = type(rc.receiver).objects.get(pk=rc.receiver.pk)
    receipt = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    actions.sign_receipt(receipt, user=receiver, role="receiver")
    with pytest.raises(NotAllowed, match="两人"):
        actions.sign_receipt(receipt, user=receiver, role="supervisor")


def test_wms03_signing_twice_and_out_of_order_is_refused(rc):
    """WMS-03: each signs once; the supervisor does not sign before the receiver; no booking unsigned."""
    receipt = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    with pytest.raises(Conflict, match="收货员尚未签字"):
        actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
    with pytest.raises(Conflict, match="不能记账"):
        actions.book_receipt(receipt, user=rc.supervisor)
    actions.sign_receipt(receipt, user=rc.receiver, role="receiver")
    with pytest.raises(Conflict, match="不能重复签字"):
        actions.sign_receipt(receipt, user=rc.receiver, role="receiver")
    actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
    with pytest.raises(Conflict, match="不能重复签字"):
        actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
    with pytest.raises(Conflict):
        actions.set_line(receipt, user=rc.receiver, sku=rc.sku, noted_quantity=4, counted_quantity=4)


def test_wms03_empty_receipt_cannot_be_signed(rc):
    """WMS-03: nothing counted, nothing to sign."""
    receipt = rc.receipt(rc.po((rc.sku, 5)))
    with pytest.raises(BusinessError, match="没有实收数量"):
        actions.sign_receipt(receipt, user=rc.receiver, role="receiver")


def test_wms03_booking_must_be_the_same_day_as_the_signature(rc):
    """WMS-03: a receipt signed yesterday and not booked is refused; it blocks the daily close."""
    receipt = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    actions.sign_receipt(receipt, user=rc.receiver, role="receiver")
    actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
    Receipt.objects.filter(pk=receipt.pk).update(supervisor_signed_at=timezone.now() - timedelta(days=1))
    with pytest.raises(BusinessError, match="须当日记账"):
        actions.book_receipt(receipt, user=rc.supervisor)
    assert [n for n, *_ in open_documents(rc.stock.wh, timezone.localdate())] == [receipt.number]


def test_wms03_booking_rechecks_the_purchase_order(rc):
    """WMS-01/03: another receipt booked first leaves less outstanding: the second is refused at signing."""
    order = rc.po((rc.sku, 10))
    first = rc.receipt(order, (rc.sku, 8, 8))
    second = rc.receipt(order, (rc.sku, 8, 8), note_no="DN-002")
    for receipt in (first,):
        actions.sign_receipt(receipt, user=rc.receiver, role="receiver")
        actions.sign_receipt(receipt, user=rc.supervisor, role="supervisor")
        actions.book_receipt(receipt, user=rc.supervisor)
    with pytest.raises(BusinessError, match="超过采购单未到数量 2"):
        actions.sign_receipt(second, user=rc.receiver, role="receiver")


# --- WMS-04 / WMS-25 ----------------------------------------------------------------------------


def test_wms04_qc_before_booking_and_putaway_before_qc_are_refused(rc):
    """WMS-04: QC only after booking into the inspection bin; put-away only after QC of the receipt."""
    receipt = rc.receipt(rc.po((rc.sku, 10)), (rc.sku, 10, 10))
    line = rc.line(receipt, rc.sku)
    with pytest.raises(Conflict, match="尚未记账"):
        actions.record_sample(receipt, line, user=rc.inspector, failed=0)
    receipt = rc.booked((rc.sku2, 10))
    with pytest.raises(Conflict, match="质检尚未完成"):
        actions.put_away(receipt, user=rc.keeper, sku=rc.sku2, bin=rc.stock.a1, quantity=1)
    line = rc.line(receipt, rc.sku2)
    with pytest.raises(Conflict, match="不需要全检"):
        actions.record_full_inspection(receipt, line, user=rc.inspector, defective=0)


def test_wms25_all_pass_accepts_and_putaway_completes_with_notice_and_cat08(rc):
    """WMS-25 all pass → accept; WMS-05 put away to normal bins; WMS-06/WMS-15 inbound notice to sales
    of the client and the warehouse; CAT-08 due items for a style received for the first time."""
    receipt = rc.booked((rc.new_sku, 20))
    line = rc.line(receipt, rc.new_sku)
    with pytest.raises(BusinessError, match="本次须抽检 2 件") as refused:
        actions.record_sample(receipt, line, user=rc.inspector, failed=0, passed=3)
    assert refused.value.field == "failed"
    actions.record_sample(receipt, line, user=rc.inspector, failed=0)
    receipt = rc.refresh(receipt)
    line.refresh_from_db()
    assert line.qc_stage == QcStage.ACCEPTED and line.accepted_quantity == 20
    assert receipt.state == ReceiptState.INSPECTED
    with pytest.raises(BusinessError, match="正常库位") as refused:
        actions.put_away(receipt, user=rc.keeper, sku=rc.new_sku, bin=rc.stock.defective, quantity=5)
    assert refused.value.field == "bin"
    with pytest.raises(BusinessError, match="待上架 20 件") as refused:
        actions.put_away(receipt, user=rc.keeper, sku=rc.new_sku, bin=rc.stock.a1, quantity=21)
    assert refused.value.field == "quantity"
    actions.put_away(receipt, user=rc.keeper, sku=rc.new_sku, bin=rc.stock.a1, quantity=15)
    assert actions.suggest_bin(receipt, rc.new_sku) == rc.stock.a1
    assert not DueItem.objects.filter(kind=actions.NOTICE_DUE_KIND).exists()
    actions.put_away(receipt, user=rc.keeper, sku=rc.new_sku, bin=rc.stock.a2, quantity=5)
    receipt = rc.refresh(receipt)
    assert receipt.state == ReceiptState.COMPLETED
    assert on_hand(rc.new_sku, rc.stock.a1) == 15 and on_hand(rc.new_sku, rc.stock.a2) == 5
    assert on_hand(rc.new_sku, rc.stock.inspection) == 0
    owners = set(DueItem.objects.filter(kind=actions.NOTICE_DUE_KIND).values_list("owner__username", flat=True))
    # DAT-02: only people who see client A (wh_clerk holds no client: see test_notice_scope.py).
    assert "sales_a" in owners and not owners & {"sales_b", "wh_clerk"}
    notice = DueItem.objects.filter(kind=actions.NOTICE_DUE_KIND).first()
    assert notice.title.startswith("到货通知：COAT9 20 件") and notice.clause == "WMS-15"
    chain = NewProductChain.objects.get(style=rc.new_sku.style)
    assert DueItem.objects.filter(source_id=str(chain.pk), clause="CAT-08").count() >= 2
    assert verify.differences() == []


def test_cat08_not_raised_for_a_style_received_before(rc):
    """CAT-08: a style already received (a completed earlier receipt) gets no new-product due items."""
    for _n in range(2):
        receipt = rc.booked((rc.sku, 5))
        actions.record_sample(receipt, rc.line(receipt, rc.sku), user=rc.inspector, failed=0)
        if _n == 0:
            assert actions.first_time_styles(receipt) == [rc.sku.style]
        actions.put_away(receipt, user=rc.keeper, sku=rc.sku, bin=rc.stock.a1, quantity=5)
    chains = NewProductChain.objects.filter(style=rc.sku.style)
    assert chains.count() == 1
    assert actions.first_time_styles(receipt) == []


def test_qc_full_inspection_after_second_sample_isolates_defects_on_the_supplier_return(rc):
    """WMS-25: first sample fails → second sample; 85% over both → full inspection; good units
    accepted, defects to the defective bin and the supplier return (qc_defect) (WMS-05, WMS-16)."""
    receipt = rc.booked((rc.sku, 100), (rc.sku2, 10))
    line = rc.line(receipt, rc.sku)
    with pytest.raises(BusinessError, match="问题描述") as refused:
        actions.record_sample(receipt, line, user=rc.inspector, failed=2)
    assert refused.value.field == "reason"
    actions.record_sample(receipt, line, user=rc.inspector, failed=2, reason="线头、污渍")
    line.refresh_from_db()
    assert line.qc_stage == QcStage.SECOND_SAMPLE and line.second_sample == 10
    assert actions.line_step(receipt, line).sample_size == 10
    actions.record_sample(receipt, line, user=rc.inspector, failed=1, passed=9, reason="开线")
    line.refresh_from_db()
    assert line.qc_stage == QcStage.FULL_INSPECTION
    with pytest.raises(BusinessError, match="3（抽检已发现）到 100") as refused:
        actions.record_full_inspection(receipt, line, user=rc.inspector, defective=2)
    assert refused.value.field == "defective"
    actions.record_full_inspection(receipt, line, user=rc.inspector, defective=7, reason="开线、污渍")
    line.refresh_from_db()
    assert (line.accepted_quantity, line.defective_quantity, line.qc_stage) == (93, 7, QcStage.INSPECTED)
    assert on_hand(rc.sku, rc.stock.defective) == 7 and on_hand(rc.sku, rc.stock.inspection) == 93
    ret_line = SupplierReturnLine.objects.get(sku=rc.sku)
    assert (ret_line.quantity, ret_line.reason, ret_line.source) == (7, ReturnReason.QC_DEFECT, receipt.number)
    assert ret_line.supplier_return.supplier == rc.supplier
    receipt = rc.refresh(receipt)
    assert receipt.state == ReceiptState.BOOKED  # sku2 still to inspect
    actions.record_sample(receipt, rc.line(receipt, rc.sku2), user=rc.inspector, failed=0)
    receipt = rc.refresh(receipt)
    assert receipt.state == ReceiptState.INSPECTED and receipt.supplier_return == ret_line.supplier_return
    kinds = list(QcRecord.objects.filter(receipt=receipt).values_list("kind", flat=True))
    assert kinds == ["first_sample", "second_sample", "full_inspection", "first_sample"]
    pdf = labels.defect_labels_pdf(receipt)
    assert b"/FontFile2" in pdf and len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1
    assert verify.differences() == []


def test_qc_rejects_whole_delivery_below_70_percent(rc):
    """WMS-25: pass rate over both samples below 70% → the WHOLE delivery is rejected: every unit
    (all colour-sizes) to the defective bin, on the supplier return (qc_rejected), due item to the
    GM office (总经办)."""
    receipt = rc.booked((rc.sku, 100), (rc.sku2, 40))
    actions.record_sample(receipt, rc.line(receipt, rc.sku2), user=rc.inspector, failed=0)
    line = rc.line(receipt, rc.sku)
    actions.record_sample(receipt, line, user=rc.inspector, failed=3, reason="色差")
    actions.record_sample(receipt, line, user=rc.inspector, failed=4, reason="色差")  # 13/20 = 65%
    receipt = rc.refresh(receipt)
    assert receipt.state == ReceiptState.REJECTED
    assert on_hand(rc.sku, rc.stock.defective) == 100 and on_hand(rc.sku2, rc.stock.defective) == 40
    assert on_hand(rc.sku, rc.stock.inspection) == 0 and on_hand(rc.sku2, rc.stock.inspection) == 0
    reasons = set(SupplierReturnLine.objects.values_list("sku_id", "quantity", "reason"))
    assert reasons == {(rc.sku.pk, 100, ReturnReason.QC_REJECTED), (rc.sku2.pk, 40, ReturnReason.QC_REJECTED)}
    due = DueItem.objects.get(kind=actions.REJECTED_DUE_KIND)
    assert due.owner == rc.gm and "65.00%" in due.title and due.clause == "WMS-25"
    assert set(receipt.lines.values_list("qc_stage", flat=True)) == {QcStage.REJECTED}
    with pytest.raises(Conflict):
        actions.put_away(receipt, user=rc.keeper, sku=rc.sku2, bin=rc.stock.a1, quantity=1)
    assert open_documents(rc.stock.wh, timezone.localdate()) == []
    assert verify.differences() == []


def test_qc_exactly_70_percent_goes_to_full_inspection(rc):
    """WMS-25: 14 of 20 sampled units pass (70%) → full inspection, not rejection."""
    receipt = rc.booked((rc.sku, 100))
    line = rc.line(receipt, rc.sku)
    actions.record_sample(receipt, line, user=rc.inspector, failed=3, reason="脏污")
    actions.record_sample(receipt, line, user=rc.inspector, failed=3, reason="脏污")
    line.refresh_from_db()
    assert line.qc_stage == QcStage.FULL_INSPECTION and rc.refresh(receipt).state == ReceiptState.BOOKED


def test_qc_rejection_after_a_full_inspection_moves_only_what_is_left(rc):
    """WMS-25: defects isolated by an earlier full inspection stay on the return as qc_defect; the
    rest of the colour-size follows the whole-delivery rejection as qc_rejected."""
    receipt = rc.booked((rc.sku, 100), (rc.sku2, 10))
    line = rc.line(receipt, rc.sku)
    actions.record_sample(receipt, line, user=rc.inspector, failed=1, reason="破洞")
    actions.record_sample(receipt, line, user=rc.inspector, failed=0)
    actions.record_full_inspection(receipt, line, user=rc.inspector, defective=7, reason="破洞")
    line2 = rc.line(receipt, rc.sku2)
    actions.record_sample(receipt, line2, user=rc.inspector, failed=1, reason="错码")
    actions.record_sample(receipt, line2, user=rc.inspector, failed=1, reason="错码")  # 0 of 2 pass
    assert rc.refresh(receipt).state == ReceiptState.REJECTED
    assert on_hand(rc.sku, rc.stock.defective) == 100 and on_hand(rc.sku2, rc.stock.defective) == 10
    assert set(SupplierReturnLine.objects.values_list("sku_id", "quantity", "reason")) == {
        (rc.sku.pk, 7, ReturnReason.QC_DEFECT), (rc.sku.pk, 93, ReturnReason.QC_REJECTED),
        (rc.sku2.pk, 10, ReturnReason.QC_REJECTED)}
    assert verify.differences() == []


def test_wms25_policy_versions_in_force_on_the_receipt_date_are_kept(rc):
    """WMS-25: the values in force on the receipt date are used and recorded; a later change of the
    policy does not change an inspection in progress."""
    parameter = PolicyParameter.objects.get(key=actions.FIRST_RATE_KEY)
    today = timezone.localdate()
    PolicyVersion.objects.create(parameter=parameter, number=2, value="0.20", effective_from=today,
                                 reason="测试")
    receipt = rc.booked((rc.sku, 100))
    assert receipt.qc_policy["values"][actions.FIRST_RATE_KEY] == "0.20"
    assert receipt.qc_policy["versions"][actions.FIRST_RATE_KEY] == 2
    assert rc.line(receipt, rc.sku).first_sample == 20
    PolicyVersion.objects.create(parameter=parameter, number=3, value="0.50", effective_from=today,
                                 reason="测试")
    assert actions.line_step(receipt, rc.line(receipt, rc.sku)).sample_size == 20


# --- WMS-02 labels ------------------------------------------------------------------------------


def test_wms02_labels_one_per_unit_or_per_carton_with_embedded_chinese_font(rc):
    """WMS-02: one Code128 label per received unit (or per carton with its count), Chinese text in
    an embedded font."""
    receipt = rc.booked((rc.sku, 3), (rc.sku2, 2))
    pdf = labels.receipt_labels_pdf(receipt)
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 5
    cartons = labels.receipt_labels_pdf(receipt, per_carton=2)
    assert len(re.findall(rb"/Type /Page\b(?!s)", cartons)) == 3  # 2+1 and 2
    with pytest.raises(BusinessError) as refused:
        labels.receipt_labels_pdf(receipt, per_carton=0)
    assert refused.value.field == "per_carton"
    draft = rc.receipt(rc.po((rc.sku, 3)), (rc.sku, 3, 3))
    with pytest.raises(BusinessError, match="签字后"):
        labels.receipt_labels_pdf(draft)


# --- scope, close, cancel ------------------------------------------------------------------------


def test_out_of_scope_users_cannot_act_on_another_clients_receipt(rc):
    """DAT-02: a receiver granted only client B cannot touch client A's receipt."""
    receipt = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    with pytest.raises(NotAllowed):
        actions.sign_receipt(receipt, user=rc.receiver_b, role="receiver")
    with pytest.raises(NotAllowed):
        actions.set_line(receipt, user=rc.receiver_b, sku=rc.sku, noted_quantity=1, counted_quantity=1)
    with pytest.raises(NotAllowed):
        actions.create_receipt(user=rc.inspector, purchase_order=receipt.purchase_order, delivery_note_no="X")


def test_wms13_open_receipts_block_the_daily_close(rc):
    """WMS-13: unsigned, unbooked, uninspected or not put away receipts are open for the daily close."""
    rc.receipt(rc.po((rc.sku, 5)))  # empty draft: blocks nothing
    draft = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    booked = rc.booked((rc.sku2, 5))
    listed = open_documents(rc.stock.wh, timezone.localdate())
    assert [n for n, *_ in listed] == [draft.number, booked.number]
    assert "质检未完成" in listed[1][1] and listed[1][2] == f"/receiving/{booked.pk}/"
    assert "receiving" in closing.registered()
    closer = rc.stock.admin
    with pytest.raises(closing.DayNotClosable):
        closing.close_day(rc.stock.wh, timezone.localdate(), closer)
    actions.cancel_receipt(draft, user=rc.receiver, reason="供应商撤回送货")
    with pytest.raises(BusinessError) as refused:
        actions.cancel_receipt(booked, user=rc.supervisor, reason="")
    assert refused.value.field == "reason"
    with pytest.raises(Conflict):
        actions.cancel_receipt(booked, user=rc.supervisor, reason="不行")


def test_missing_defective_bin_is_named(rc):
    """WMS-05: isolating defects needs a defective bin in the warehouse; the refusal names it."""
    receipt = rc.booked((rc.sku, 1))
    rc.stock.defective.is_active = False
    rc.stock.defective.save()
    with pytest.raises(BusinessError, match="次品区") as refused:
        actions.record_sample(receipt, rc.line(receipt, rc.sku), user=rc.inspector, failed=1, reason="破")
    assert refused.value.field == "defective_bin"
    assert rc.refresh(receipt).state == ReceiptState.BOOKED  # nothing half-written
    assert on_hand(rc.sku, rc.stock.inspection) == 1
