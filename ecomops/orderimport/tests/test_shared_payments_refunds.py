"""Issue 13: what a real Taobao 订单报表 says about money (ORD-02, PAY-01, PER-07).

- PAY-01: a cart checkout pays several orders of one store in one Alipay transaction (the orders share
  支付单号). Each order gets its own payment record under the shared number; the reconciliation groups
  them and checks the orders' sum against the transaction. Before, the import died on
  ``UNIQUE constraint failed: orders_payment.store_id, orders_payment.transaction_no``.
- ORD-02 / PER-07: a closed order refunded on the platform (交易关闭, 订单关闭原因, 退款金额) is cancelled
  with a refund record and the close reason; a partial refund on a completed order is a refund too;
  the platform's 退款金额 is a running total (the same again records nothing, a larger one the
  difference). Platform refunds count against the commission sales.
- ORD-02: the cancel time is the platform's close time or the import's observation time, never the
  time the order was placed.
- ORD-02: a database error inside a chunk refuses that order only; the rest of the chunk goes in.

The sample is ``fixtures/taobao_cart_refund_gb18030.csv`` (``make_fixtures.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.orderimport import engine
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportedOrder, ImportFormat, ImportRowError
from ecomops.orders import actions as order_actions
from ecomops.orders.enums import OrderEventKind, OrderState, RefundSource
from ecomops.orders.models import Order, OrderEvent, OrderLine, Payment, Refund
from ecomops.orders.queries import reconciliation
from ecomops.orders.tests.conftest import make_user

from .conftest import taobao_csv, tb_row
from .fixtures.make_fixtures import CART_TX, TAOBAO

SAMPLE = "taobao_cart_refund_gb18030.csv"
CART = ("3958100000000011", "3958100000000012", "3958100000000013")
CLOSED, PARTIAL, UNPAID = "3958100000000021", "3958100000000031", "3958100000000041"
REFUND_HEADER = [*TAOBAO, "订单关闭原因", "退款金额"]


def snapshot() -> tuple:
    return (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count(), Payment.objects.count(),
            Refund.objects.count(), Order.history.count(), Payment.history.count(), DueItem.objects.count(),
            sorted(Refund.objects.values_list("order_id", "amount")))


@pytest.fixture
def finance(imp, org):
    return make_user("finance_a", "orders.view_payment", "orders.view_order", client=org.client_a)


# --- PAY-01: shared payments ----------------------------------------------------------------------


def test_pay01_a_cart_checkout_paid_in_one_transaction_imports_and_reconciles(imp, finance):
    """PAY-01: three orders of one store sharing one 支付单号 import (each with its payment record under
    the shared number); importing the file again changes nothing; the reconciliation shows the
    transaction as one group whose orders add up to it."""
    job = imp.upload(SAMPLE)
    assert job.state == JobState.DONE, job.failure
    assert (job.orders_created, job.rows_failed, job.orders_failed) == (6, 0, 0)
    assert job.encoding == "gb18030"
    payments = Payment.objects.filter(transaction_no=CART_TX).select_related("order").order_by("platform_order_no")
    assert [p.platform_order_no for p in payments] == list(CART)
    assert [p.amount for p in payments] == [Decimal("100.00"), Decimal("230.00"), Decimal("68.00")]
    assert all(p.order.platform_order_no == p.platform_order_no and p.amount == p.order.paid_amount
               and p.order.state == OrderState.PAID and not p.is_duplicate for p in payments)
    assert Order.objects.get(platform_order_no=CART[1]).lines.count() == 2

    before = snapshot()
    again = imp.upload(SAMPLE)
    assert (again.state, again.orders_created, again.orders_updated, again.orders_unchanged) == (JobState.DONE, 0, 0, 6)
    assert snapshot() == before

    rec = reconciliation(finance)
    [group] = rec.transactions()
    assert (group.transaction_no, group.orders, group.orders_total, group.total) == (
        CART_TX, 3, Decimal("398.00"), Decimal("398.00"))
    assert group.balanced and group.declared_total is None and rec.unbalanced_transactions() == []
    assert not rec.mismatches.exists()

    http = HttpClient()
    http.force_login(finance)
    body = http.get(reverse("orders:reconciliation")).content.decode()
    assert CART_TX in body and "398.00" in body
    api = http.get("/api/v1/payments/reconciliation").json()
    assert api["shared_transactions"] == [{
        "store_id": imp.org.store_a1.pk, "transaction_no": CART_TX, "orders": 3, "payments_total": "398.00",
        "orders_total": "398.00", "transaction_total": "398.00", "balanced": True}]


def test_pay01_a_transaction_whose_total_differs_from_its_orders_is_flagged(imp, finance):
    """PAY-01: where the platform gives the transaction's total (a format mapping 支付单金额), the
    reconciliation checks the orders' sum against it and flags the difference."""
    fmt = ImportFormat.objects.get(code="taobao_merged")
    fmt.columns = {**fmt.columns, "transaction_amount": ["支付单金额"]}
    fmt.save()
    header = [*TAOBAO, "支付单号", "支付单金额"]
    good = {"支付单号": "TX-OK", "支付单金额": "200.00"}
    bad = {"支付单号": "TX-BAD", "支付单金额": "205.00"}
    job = imp.upload(taobao_csv([tb_row("G1", **good), tb_row("G2", **good), tb_row("B1", **bad),
                                 tb_row("B2", **bad)], header=header))
    assert (job.state, job.orders_created, job.rows_failed) == (JobState.DONE, 4, 0)
    assert Payment.objects.get(platform_order_no="G1").transaction_amount == Decimal("200.00")
    groups = {g.transaction_no: g for g in reconciliation(finance).transactions()}
    assert groups["TX-OK"].balanced and groups["TX-OK"].total == Decimal("200.00")
    assert not groups["TX-BAD"].balanced and groups["TX-BAD"].difference == Decimal("5.00")
    assert [g.transaction_no for g in reconciliation(finance).unbalanced_transactions()] == ["TX-BAD"]
    http = HttpClient()
    http.force_login(finance)
    answer = http.get("/api/v1/payments/reconciliation").json()
    flagged = {t["transaction_no"]: t for t in answer["shared_transactions"]}
    assert flagged["TX-BAD"]["balanced"] is False and flagged["TX-BAD"]["transaction_total"] == "205.00"
    assert "不一致（差 5.00 元）" in http.get(reverse("orders:reconciliation")).content.decode()
    # A transaction total below this very order's payment is refused, with its column.
    job = imp.upload(taobao_csv([tb_row("C1", **{"支付单号": "TX-C", "支付单金额": "99.00"})], header=header))
    error = ImportRowError.objects.get(job=job)
    assert error.column == "支付单金额" and "小于" in error.reason


def test_pay01_a_cart_checkout_paid_later_is_recorded_per_order(imp, finance):
    """PAY-01: orders imported unpaid, then paid in one transaction in the next export: each gets its
    payment under the shared number (the update path), never a uniqueness failure."""
    unpaid = {"订单状态": "等待买家付款", "订单付款时间": ""}
    header = [*TAOBAO, "支付单号"]
    imp.upload(taobao_csv([tb_row("L1", **unpaid), tb_row("L2", **unpaid)], header=header))
    job = imp.upload(taobao_csv([tb_row("L1", **{"支付单号": "TX-L"}), tb_row("L2", **{"支付单号": "TX-L"})],
                                header=header))
    assert (job.state, job.orders_updated, job.rows_failed) == (JobState.DONE, 2, 0)
    assert Payment.objects.filter(transaction_no="TX-L").count() == 2
    [group] = reconciliation(finance).transactions()
    assert group.orders == 2 and group.balanced


# --- ORD-02 / PER-07: platform refunds and close reasons ---------------------------------------------


def test_ord02_per07_a_refunded_closed_order_is_cancelled_with_its_refund_and_close_reason(imp, org):
    """The platform closed the order after a full refund (交易关闭, 退款金额 313.00): cancelled, the close
    reason kept, a platform refund of 313.00 recorded (with its event), the refund due item done; the
    completed order's partial refund is recorded too; the same file again records nothing."""
    make_user("afs_a", "orders.view_order", "orders.add_refund", client=org.client_a, position="after_sales")
    job = imp.upload(SAMPLE)
    closed = Order.objects.get(platform_order_no=CLOSED)
    assert closed.state == OrderState.CANCELLED and "买家申请全额退款：不想要了" in closed.cancel_reason
    assert closed.cancelled_at == job.created_at and closed.cancelled_at != closed.placed_at
    refund = closed.refunds.get()
    assert (refund.amount, refund.source, refund.recorded_by) == (Decimal("313.00"), RefundSource.PLATFORM,
                                                                  imp.importer)
    event = closed.events.get(kind=OrderEventKind.REFUND)
    assert event.data["platform_total"] == "313.00" and event.actor == imp.importer
    assert not DueItem.objects.open().filter(kind=order_actions.REFUND_DUE_KIND, source_id=str(closed.pk)).exists()
    assert Refund.history.filter(id=refund.pk).exists()  # audited

    partial = Order.objects.get(platform_order_no=PARTIAL)
    assert partial.state == OrderState.COMPLETED and partial.cancelled_at is None
    assert list(partial.refunds.values_list("amount", "source")) == [(Decimal("30.00"), RefundSource.PLATFORM)]
    assert not Order.objects.get(platform_order_no=UNPAID).refunds.exists()

    before = snapshot()
    imp.upload(SAMPLE)
    assert snapshot() == before


def test_per07_the_platform_refund_total_is_a_running_total(imp):
    """退款金额 is what the buyer got back in all: a larger total later records only the difference, the
    same or a smaller one nothing; a refund recorded by hand already counts."""
    header = REFUND_HEADER
    done = {"订单状态": "交易成功"}
    imp.upload(taobao_csv([tb_row("P1", qty="2", **done, **{"退款金额": "30.00"})], header=header))
    order = Order.objects.get(platform_order_no="P1")
    assert list(order.refunds.values_list("amount", flat=True)) == [Decimal("30.00")]
    job = imp.upload(taobao_csv([tb_row("P1", qty="2", **done, **{"退款金额": "50.00"})], header=header))
    assert (job.orders_updated, job.rows_failed) == (1, 0)
    assert sorted(order.refunds.values_list("amount", flat=True)) == [Decimal("20.00"), Decimal("30.00")]
    assert "refund" in order.events.filter(kind=OrderEventKind.PLATFORM_UPDATE).last().data["changes"]
    agent = make_user("afs_b", "orders.add_refund", "orders.view_order", client=imp.org.client_a)
    order_actions.record_refund(order, user=agent, amount="10.00", source="after_sales", reason="补偿")
    for total in ("60.00", "40.00"):  # 50 + 10 by hand = 60 already: nothing more; a smaller total: nothing
        imp.upload(taobao_csv([tb_row("P1", qty="2", **done, **{"退款金额": total})], header=header))
        assert order.refunds.count() == 3
    # The public act on its own: same total, nothing; a refund beyond what was paid is refused.
    assert order_actions.record_platform_refund(order, "60.00", reason="平台退款", user=imp.importer) is None
    with pytest.raises(Exception, match="超过可退金额"):
        order_actions.record_platform_refund(order, "300.00", reason="平台退款", user=imp.importer)


def test_ord02_a_refund_larger_than_paid_or_on_an_unpaid_order_is_refused_with_its_column(imp):
    header = REFUND_HEADER
    job = imp.upload(taobao_csv([
        tb_row("X1", **{"退款金额": "100.01"}),
        tb_row("X2", status="等待买家付款", **{"订单付款时间": "", "退款金额": "5.00"}),
        tb_row("X3", **{"退款金额": "0.00"}),
    ], header=header))
    assert (job.state, job.orders_created, job.orders_failed) == (JobState.DONE, 1, 2)
    errors = {e.order_no: e for e in ImportRowError.objects.filter(job=job)}
    assert errors["X1"].column == "退款金额" and "超过实付金额" in errors["X1"].reason
    assert errors["X2"].column == "退款金额" and "未付款" in errors["X2"].reason
    assert not Refund.objects.exists()


def test_per07_a_platform_refund_reduces_the_commission_sales(imp):
    """PER-07: the month's commission base is its orders minus its refunds; a refund read from the
    platform's export (a partial refund of a completed order) counts against it like any other."""
    from ecomops.payroll.compute import live_sales

    now = timezone.localtime()
    month = now.date().replace(day=1)
    placed = max(datetime.combine(month, datetime.min.time(), tzinfo=now.tzinfo), now - timedelta(hours=2))
    when = {"订单创建时间": f"{placed:%Y-%m-%d %H:%M:%S}", "订单付款时间": f"{placed:%Y-%m-%d %H:%M:%S}"}
    done = {"订单状态": "交易成功", **when}
    imp.upload(taobao_csv([tb_row("M1", qty="2", **done, **{"退款金额": "0.00"})], header=REFUND_HEADER))
    before = live_sales(month, [])
    assert before.orders_amount == Decimal("200.00") and before.refunds_amount == 0
    imp.upload(taobao_csv([tb_row("M1", qty="2", **done, **{"退款金额": "30.00"})], header=REFUND_HEADER))
    after = live_sales(month, [])
    assert (after.refunds, after.refunds_amount) == (1, Decimal("30.00"))
    assert after.net == before.net - Decimal("30.00") == Decimal("170.00")


# --- ORD-02: the cancel time ------------------------------------------------------------------------


def test_ord02_the_cancel_time_is_the_platforms_or_the_imports_never_the_placed_time(imp):
    """A new closed order: the platform's close time if the format maps one, else the import's
    observation time (the upload). An existing order closed later: cancelled through the public
    ``orders.actions.cancel`` (stock back, refund due…) at the same time."""
    fmt = ImportFormat.objects.get(code="taobao_merged")
    fmt.columns = {**fmt.columns, "closed_at": ["订单关闭时间"]}
    fmt.save()
    header = [*REFUND_HEADER, "订单关闭时间"]
    unpaid = {"订单付款时间": ""}
    job = imp.upload(taobao_csv([tb_row("C1", status="交易关闭", **unpaid),
                                 tb_row("C2", status="交易关闭", **unpaid, **{"订单关闭时间": "2026-03-02 18:00:00"}),
                                 tb_row("C3")], header=header))
    c1, c2 = Order.objects.get(platform_order_no="C1"), Order.objects.get(platform_order_no="C2")
    assert c1.cancelled_at == job.created_at and c1.cancelled_at != c1.placed_at
    assert timezone.localtime(c2.cancelled_at).strftime("%Y-%m-%d %H:%M") == "2026-03-02 18:00"

    later = imp.upload(taobao_csv([tb_row("C3", status="交易关闭", **{"订单关闭原因": "买家不想买了"})], header=header))
    c3 = Order.objects.get(platform_order_no="C3")
    assert c3.state == OrderState.CANCELLED and c3.cancelled_at == later.created_at
    assert c3.cancel_reason == "平台已关闭：买家不想买了"
    cancelled = c3.events.get(kind=OrderEventKind.CANCELLED)
    assert cancelled.data["source"] == "platform" and cancelled.at == later.created_at  # orders.actions.cancel
    # A close time before the order was placed is refused.
    bad = imp.upload(taobao_csv([tb_row("C4", status="交易关闭", **unpaid, **{"订单关闭时间": "2026-03-01 08:00:00"})],
                                header=header))
    assert ImportRowError.objects.get(job=bad).column == "订单关闭时间"


# --- ORD-02: a database error inside a chunk ------------------------------------------------------


def test_ord02_a_database_error_in_a_chunk_refuses_that_order_and_the_rest_goes_in(imp, monkeypatch):
    """ORD-02: an integrity error while writing a chunk (here a line the database refuses: quantity 0
    breaks its check constraint) no longer fails the job: the chunk is retried order by order in
    savepoints, the failing order is refused whole (every row listed with the reason), the others of
    the same chunk are imported, and the job finishes."""
    build = engine.Importer._build

    def broken(self, parsed):
        order, lines, unmatched = build(self, parsed)
        if parsed.number == "E2":
            lines[-1]["quantity"] = 0
        return order, lines, unmatched

    monkeypatch.setattr(engine.Importer, "_build", broken)
    job = imp.upload(taobao_csv([tb_row("E1"), tb_row("E2"), tb_row("E2", code="2000000000022"), tb_row("E3")]))
    assert job.state == JobState.DONE, job.failure
    assert (job.orders_created, job.orders_failed, job.rows_failed) == (2, 1, 2)
    assert sorted(Order.objects.values_list("platform_order_no", flat=True)) == ["E1", "E3"]
    assert not Payment.objects.filter(platform_order_no="E2").exists()
    assert not ImportedOrder.objects.filter(platform_order_no="E2").exists()
    errors = list(ImportRowError.objects.filter(job=job).order_by("row_no"))
    assert [(e.row_no, e.order_no) for e in errors] == [(3, "E2"), (4, "E2")]
    assert all("未能写入" in e.reason and "E2" in e.reason for e in errors)
    monkeypatch.setattr(engine.Importer, "_build", build)
    again = imp.upload(taobao_csv([tb_row("E1"), tb_row("E2"), tb_row("E2", code="2000000000022"), tb_row("E3")]))
    assert (again.orders_created, again.orders_unchanged, again.rows_failed) == (1, 2, 0)
