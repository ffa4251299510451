"""PAY-01 payment records and reconciliation; ORD-07 payment exceptions (failed, duplicate → refund due)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict
from ecomops.orders import actions
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.queries import reconciliation

from .conftest import at, new_order, pay


def test_pay01_successful_payment_marks_the_order_paid_and_starts_the_confirm_clock(od):
    payment = pay(od.clerk, od.a1, txn="T1")
    od.a1.refresh_from_db()
    assert payment.order == od.a1 and not payment.is_duplicate
    assert od.a1.state == OrderState.PAID and od.a1.paid_at == at(2, 10, 5)
    assert od.a1.confirm_due_at == at(3, 10, 5)  # ORD-09: 24 h from the policy


def test_ord07_failed_payment_is_recorded_without_changing_the_state(od):
    with pytest.raises(BusinessError) as refused:
        pay(od.clerk, od.a1, status="failed")
    assert refused.value.field == "failure_reason"
    failed = pay(od.clerk, od.a1, status="failed", failure_reason="余额不足", txn="F1")
    od.a1.refresh_from_db()
    assert failed.status == "failed" and od.a1.state == OrderState.PLACED and od.a1.paid_at is None
    assert od.a1.events.filter(kind=OrderEventKind.PAYMENT_FAILED).count() == 1


def test_ord07_second_successful_payment_is_a_duplicate_with_a_refund_due_for_finance_and_after_sales(od):
    pay(od.clerk, od.a1, txn="T1")
    duplicate = pay(od.clerk, od.a1, txn="T2")
    od.a1.refresh_from_db()
    assert duplicate.is_duplicate and od.a1.state == OrderState.PAID
    items = DueItem.objects.filter(kind=actions.REFUND_DUE_KIND, source_id=str(duplicate.pk))
    # the owners see client A: after-sales and finance of A, never after-sales of client B
    assert set(items.values_list("owner__username", flat=True)) == {"fin_a", "afs_a"}
    assert all(item.clause == "ORD-07" and item.store == od.a1.store for item in items)
    assert od.a1.events.filter(kind=OrderEventKind.PAYMENT_DUPLICATE).count() == 1
    # Refunding the duplicate completes the due items; more than the payment is refused.
    with pytest.raises(BusinessError) as refused:
        actions.record_refund(od.a1, user=od.finance, amount="100.01", source="duplicate_payment", reason="退重复",
                              payment=duplicate)
    assert refused.value.field == "amount"
    refund = actions.record_refund(od.a1, user=od.finance, amount="100.00", source="duplicate_payment",
                                   reason="退回重复付款", payment=duplicate)
    assert refund.amount == Decimal("100.00")
    assert not DueItem.objects.open().filter(kind=actions.REFUND_DUE_KIND).exists()
    assert not reconciliation(od.finance).duplicates.exists()


def test_pay01_transaction_number_is_unique_per_store(od):
    pay(od.clerk, od.a1, txn="T1")
    with pytest.raises(Conflict) as refused:
        pay(od.clerk, od.a1, txn="T1")
    assert refused.value.field == "transaction_no"


def test_pay01_payment_before_its_order_is_kept_and_matched_when_the_order_arrives(od, org):
    early = actions.record_payment(user=od.clerk, store=org.store_a1, platform_order_no="TB5555", amount="100.00",
                                   method="wechat", paid_at=at(2, 9), transaction_no="W1")
    assert early.order is None
    assert list(reconciliation(od.clerk).orphan_payments) == [early]
    order = new_order(od.clerk, org.store_a1, "TB5555")
    early.refresh_from_db()
    assert early.order == order and order.state == OrderState.PAID
    assert not reconciliation(od.clerk).orphan_payments.exists()


def test_pay01_reconciliation_lists_unpaid_orders_and_amount_mismatches_in_scope(od, org):
    pay(od.clerk, od.a1, amount="90.00", txn="T1")
    od.a1.refresh_from_db()
    assert od.a1.state == OrderState.PLACED  # not paid on a wrong amount
    assert od.a1.events.filter(kind=OrderEventKind.PAYMENT_MISMATCH).exists()
    rec = reconciliation(od.clerk)
    assert [o.platform_order_no for o in rec.mismatches] == ["TB1001"]
    assert rec.mismatches[0].received == Decimal("90.00")
    assert [o.platform_order_no for o in rec.unpaid_orders] == ["JD2001"]  # B1's order is out of scope
    assert [o.platform_order_no for o in reconciliation(od.store_clerk).mismatches] == ["TB1001"]
    assert not reconciliation(od.store_clerk).unpaid_orders.exists()  # JD2001 is in store A2


def test_ord07_payment_of_a_cancelled_order_raises_a_refund_due(od):
    actions.cancel(od.a1, user=od.clerk, reason="缺货")
    payment = pay(od.clerk, od.a1, txn="T9")
    assert DueItem.objects.filter(kind=actions.REFUND_DUE_KIND, source_id=str(payment.pk)).exists()


def test_pay01_bad_amounts_are_refused_naming_the_field(od):
    for amount in ("abc", "1.001", "-1"):
        with pytest.raises(BusinessError) as refused:
            pay(od.clerk, od.a1, amount=amount)
        assert refused.value.field == "amount"
