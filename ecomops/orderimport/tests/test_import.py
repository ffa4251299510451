"""ORD-02: platform exports in, as data-driven formats; idempotent upsert; exceptions; bad rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.orderimport import engine
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportedOrder, ImportFormat, ImportRowError
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent, OrderLine, Payment

from .conftest import taobao_csv, tb_row

PLATFORM_FILES = [
    ("taobao_gb18030.csv", "taobao_merged", "3958000000000001"),
    ("tmall_utf8_bom.csv", "tmall_merged", "3958000000000001"),
    ("taobao_utf8.csv", "taobao_merged", "3958000000000001"),
    ("jd.xlsx", "jd", "JD2026030201"),
    ("pinduoduo.csv", "pinduoduo", "260302-000000001"),
    ("douyin.xlsx", "douyin", "6920000000000001"),
    ("amazon.txt", "amazon", "112-0000001-0000001"),
]


@pytest.mark.parametrize(("name", "fmt", "first"), PLATFORM_FILES)
def test_ord02_each_platform_sample_imports(imp, name, fmt, first):
    job = imp.upload(name, fmt)
    assert job.state == JobState.DONE, job.failure
    assert (job.orders_created, job.rows_failed, job.orders_held) == (3, 0, 0)
    order = Order.objects.get(store=imp.org.store_a1, platform_order_no=first)
    lines = list(order.lines.order_by("line_no"))
    assert [(line.sku, line.quantity) for line in lines] == [(imp.sku, 2), (imp.sku2, 1)]
    assert order.state == OrderState.PAID and order.paid_at is not None
    assert order.goods_amount == sum(line.amount for line in lines)
    assert order.receiver_phone.replace(" ", "").replace("-", "").endswith(("5678", "0100"))
    assert Payment.objects.filter(order=order, amount=order.paid_amount).count() == 1
    cancelled = Order.objects.filter(store=imp.org.store_a1, state=OrderState.CANCELLED)
    assert cancelled.count() == 1 and cancelled.get().paid_at is None


def test_ord02_encodings_are_told_apart(imp):
    """UTF-8, UTF-8 with BOM and GB18030 (what Chinese Excel saves) read the same."""
    jobs = [imp.upload(name) for name in ("taobao_gb18030.csv", "tmall_utf8_bom.csv", "taobao_utf8.csv")]
    assert [j.encoding for j in jobs] == ["gb18030", "utf-8-sig", "utf-8"]
    assert [j.orders_created for j in jobs] == [3, 0, 0] and [j.orders_unchanged for j in jobs] == [0, 3, 3]
    order = Order.objects.get(platform_order_no="3958000000000001")
    assert (order.province, order.city, order.district) == ("浙江省", "杭州市", "西湖区")
    assert order.receiver_name == "王小二" and order.buyer_nick == "茶友小王"


def test_ord02_importing_the_same_file_twice_changes_nothing(imp):
    imp.upload("taobao_utf8.csv")
    counts = (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count(), Payment.objects.count(),
              Order.history.count())
    again = imp.upload("taobao_utf8.csv")
    assert (again.orders_created, again.orders_updated, again.orders_unchanged) == (0, 0, 3)
    assert counts == (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count(),
                      Payment.objects.count(), Order.history.count())


def test_ord02_a_changed_export_updates_status_address_and_notes_with_events(imp):
    imp.upload(taobao_csv([tb_row("A1"), tb_row("A2"), tb_row("A3", status="等待买家付款", **{"订单付款时间": ""})]))
    changed = taobao_csv([
        tb_row("A1", **{"收货地址": "浙江省 杭州市 滨江区 江南大道 1 号 8 幢 101 室", "商家备注": "改地址"}),
        tb_row("A2", status="交易关闭"),
        tb_row("A3"),
    ])
    job = imp.upload(changed)
    assert (job.orders_updated, job.orders_unchanged, job.rows_failed) == (3, 0, 0)
    a1, a2, a3 = (Order.objects.get(platform_order_no=n) for n in ("A1", "A2", "A3"))
    assert a1.district == "滨江区" and a1.merchant_note == "改地址"
    moved = a1.events.get(kind=OrderEventKind.ADDRESS_CHANGED)
    assert "13812345678" not in str(moved.data) and "江南大道 1 号 8 幢 101" not in str(moved.data)
    assert a2.state == OrderState.CANCELLED and a2.events.filter(kind=OrderEventKind.CANCELLED).exists()
    assert a3.state == OrderState.PAID and a3.paid_at is not None and a3.payments.count() == 1
    assert OrderEvent.objects.filter(kind=OrderEventKind.PLATFORM_UPDATE).count() == 3


def test_ord02_platform_shipped_but_not_here_is_reported_not_forced(imp):
    imp.upload(taobao_csv([tb_row("S1")]))
    job = imp.upload(taobao_csv([tb_row("S1", status="卖家已发货，等待买家确认")]))
    assert job.orders_updated == 0 and job.orders_failed == 1
    error = ImportRowError.objects.get(job=job)
    assert error.row_no == 2 and "尚未发货" in error.reason
    assert Order.objects.get(platform_order_no="S1").state == OrderState.PAID


def test_ord02_unmatched_line_holds_the_order_and_rematch_releases_it(imp):
    from ecomops.catalog.models import PlatformSKU
    from ecomops.orderimport import actions

    job = imp.upload(taobao_csv([tb_row("U1"), tb_row("U1", code="NEW-9")]))
    order = Order.objects.get(platform_order_no="U1")
    assert job.orders_held == 1 and order.state == OrderState.ON_HOLD and order.held_from == OrderState.PAID
    assert "第 2 行" in order.exception_reason and "NEW-9" in order.exception_reason
    # The order's record says where it came from and why it is held (the notes of the bulk-written events).
    created = order.events.get(kind=OrderEventKind.CREATED)
    assert created.note == f"平台导入 {job}" and created.to_state == OrderState.PAID
    assert order.events.get(kind=OrderEventKind.HELD).note == order.exception_reason
    assert order.lines.filter(sku__isnull=True).count() == 1  # nothing dropped
    assert actions.rematch_held(user=imp.importer, store=imp.org.store_a1) == {"lines": 0, "released": 0}
    PlatformSKU.objects.create(store=imp.org.store_a1, sku=imp.sku2, platform_sku_code="NEW-9")
    assert actions.rematch_held(user=imp.importer, store=imp.org.store_a1) == {"lines": 1, "released": 1}
    order.refresh_from_db()
    assert order.state == OrderState.PAID and order.exception_reason == ""


BAD_ROWS = [
    ({"购买数量": "两"}, "购买数量", "不是正整数"),
    ({"购买数量": "0"}, "购买数量", "不是正整数"),
    ({"价格": "1.005"}, "价格", "两位小数"),
    ({"价格": "abc"}, "价格", "无效"),
    ({"订单状态": "火星状态"}, "订单状态", "未知的订单状态"),
    ({"订单创建时间": "昨天"}, "订单创建时间", "无法识别"),
    ({"订单创建时间": ""}, "订单创建时间", "下单时间为空"),
    ({"商品编码": ""}, "商品编码", "商品编码为空"),
    ({"联系手机": "call me"}, "联系手机", "手机号格式"),
    ({"收货人姓名": "名" * 51}, "收货人姓名", "超过 50 个字"),
]


@pytest.mark.parametrize(("change", "column", "reason"), BAD_ROWS)
def test_ord02_a_bad_row_keeps_its_whole_order_out_and_the_rest_goes_in(imp, change, column, reason):
    rows = [tb_row("G1"), tb_row("B1"), tb_row("B1", code="2000000000022", **change), tb_row("G2")]
    job = imp.upload(taobao_csv(rows))
    assert job.state == JobState.DONE
    assert set(Order.objects.values_list("platform_order_no", flat=True)) == {"G1", "G2"}
    errors = list(ImportRowError.objects.filter(job=job).order_by("row_no", "pk"))
    named = [e for e in errors if e.column]
    assert [(e.row_no, e.column) for e in named] == [(4, column)]
    assert reason in named[0].reason
    assert {e.row_no for e in errors} == {3, 4} and all(e.order_no == "B1" for e in errors)
    assert (job.orders_created, job.orders_failed) == (2, 1)


def test_ord02_missing_order_number_is_reported_on_its_row(imp):
    job = imp.upload(taobao_csv([tb_row("G1"), tb_row("")]))
    error = ImportRowError.objects.get(job=job)
    assert (error.row_no, error.column, error.reason) == (3, "订单编号", "订单号为空")


def test_ord02_an_order_split_across_the_file_is_refused_with_the_first_row(imp):
    job = imp.upload(taobao_csv([tb_row("X1"), tb_row("X2"), tb_row("X1", code="2000000000022")]))
    assert set(Order.objects.values_list("platform_order_no", flat=True)) == {"X1", "X2"}
    error = ImportRowError.objects.get(job=job)
    assert error.row_no == 4 and "须相邻" in error.reason and "第 2 行" in error.reason


def test_ord02_missing_required_column_fails_the_job_before_anything(imp):
    """The header is checked by the job (in the background), which fails with the columns missing."""
    job = imp.upload(taobao_csv([{"订单编号": "1"}], header=["订单编号", "买家会员名"]))
    assert job.state == JobState.FAILED and "商品编码" in job.failure and "购买数量" in job.failure
    assert not Order.objects.exists() and job.rows_done == 0


def test_ord02_wrong_file_kind_and_empty_file_are_refused(imp):
    with pytest.raises(BusinessError) as refused:
        imp.upload(b"x", name="orders.pdf")
    assert refused.value.field == "file" and ".xlsx" in refused.value.message
    with pytest.raises(BusinessError) as empty:
        imp.upload(b"", name="orders.csv")
    assert "空" in empty.value.message
    broken = imp.upload(b"not a workbook", name="orders.xlsx", fmt="jd")  # opened by the job only
    assert broken.state == JobState.FAILED and "Excel" in broken.failure


def test_ord02_crash_resume_commits_each_chunk_once(imp, monkeypatch):
    """A job killed after its first chunk resumes at the next order: no duplicates, nothing lost."""
    monkeypatch.setattr(engine, "CHUNK", 3)
    rows = []
    for n in range(10):
        rows.append(tb_row(f"C{n:02d}"))
        if n % 2:
            rows.append(tb_row(f"C{n:02d}", code="2000000000022"))
    from ecomops.orderimport import actions

    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                              fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=__import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                                 "big.csv", taobao_csv(rows)))
    with pytest.raises(RuntimeError):
        engine.run(job, crash_after_chunks=1)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.checkpoint_row > 0 and "可以继续导入" in job.failure
    committed = Order.objects.count()
    assert committed == 3
    job = actions.resume(job, user=imp.importer, background=False)
    assert job.state == JobState.DONE and job.attempts == 2
    assert Order.objects.count() == 10 and OrderLine.objects.count() == 15
    assert ImportedOrder.objects.count() == 10 and job.orders_created == 10 and job.rows_done == 15


def test_ord02_rows_are_checked_for_scope_and_rights(imp):
    with pytest.raises(BusinessError) as refused:
        imp.upload("taobao_utf8.csv", user=imp.importer_b)
    assert refused.value.field == "store"
    with pytest.raises(NotAllowed):
        imp.upload("taobao_utf8.csv", user=imp.org.member_a)


def test_ord02_line_amounts_default_from_price_and_paid_amount_is_kept(imp):
    imp.upload(taobao_csv([tb_row("M1", qty="3", price="19.90", **{"实付金额": "50.00", "买家应付邮费": "6.00"})]))
    order = Order.objects.get(platform_order_no="M1")
    assert order.goods_amount == Decimal("59.70") and order.shipping_fee == Decimal("6.00")
    assert order.paid_amount == Decimal("50.00") and order.discount_amount == Decimal("15.70")
