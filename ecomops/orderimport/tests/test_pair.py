"""ORD-02, LAW-04: Taobao's and Tmall's two files (订单报表 + 宝贝报表) import as one job, from the CLI,
the API and the page (two files or one .zip), twice without a change; which file is which comes from
its header; one file alone, orders without lines and lines without orders are refused with the file,
row and column; the second file is encrypted and purged like the first."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.core import crypto
from ecomops.core.errors import BusinessError
from ecomops.orderimport import actions, engine, files, reader
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportFormat, ImportJob, ImportRowError
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, OrderEvent, OrderLine, Payment

from .conftest import FIXTURES, tb_item, tb_order, tb_pair
from .conftest import http_client as _http

TB = FIXTURES / "taobao_pair"
TB_ORDERS = TB / "ExportOrderList202603021530.csv"
TB_ITEMS = TB / "ExportOrderDetailList202603021530.csv"
TM = FIXTURES / "tmall_pair"
CART = FIXTURES / "taobao_cart"
def _pair(imp, orders: bytes, items: bytes, *, fmt="taobao", names=("ExportOrderList.csv",
                                                                     "ExportOrderDetailList.csv")):
    return actions.upload(user=imp.importer, store=imp.org.store_a1, fmt=ImportFormat.objects.get(code=fmt),
                          upload=SimpleUploadedFile(names[0], orders), second=SimpleUploadedFile(names[1], items),
                          background=False)


def _files(folder: Path) -> tuple[Path, Path]:
    orders = next(folder.glob("ExportOrderList*.csv"))
    return orders, next(folder.glob("ExportOrderDetailList*.csv"))


def _snapshot():
    return (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count(), Payment.objects.count(),
            Order.history.count(), sorted(Order.objects.values_list("platform_order_no", "state", "paid_amount")))


def _assert_taobao_sample(prefix="39580000000001"):
    """What the sample pair says, as orders: the multi-item order's lines carry their own titles (the
    line file's 标题, never the order file's 宝贝标题) and attributes; closed and received orders too."""
    multi = Order.objects.get(platform_order_no=f"{prefix}01")
    lines = list(multi.lines.order_by("line_no"))
    got = [(line.platform_sku_code, line.title, line.quantity, line.unit_price, line.attributes) for line in lines]
    assert got == [
        ("P-1", "西湖龙井 250g 罐装 明前特级", 2, Decimal("100.00"), "颜色分类：罐装;净含量：250g"),
        ("2000000000022", "碧螺春 100g 袋装", 1, Decimal("30.00"), "净含量：100g")]
    # paid (reviewed at once when the import ran in the background, ORD-03)
    assert multi.state in (OrderState.PAID, OrderState.AWAITING_REVIEW, OrderState.REVIEWED)
    assert multi.paid_amount == Decimal("230.00")
    assert (multi.province, multi.city, multi.district) == ("浙江省", "杭州市", "西湖区")
    assert multi.receiver_phone == "13812345678" and multi.buyer_nick == "茶友小王"
    assert Payment.objects.get(order=multi).transaction_no == "2026030222001100000000000101"
    shipping = Order.objects.get(platform_order_no=f"{prefix}02")
    assert (shipping.shipping_fee, shipping.paid_amount, shipping.buyer_message) == (Decimal("6.00"),
                                                                                    Decimal("106.00"), "请用顺丰发货")
    closed = Order.objects.get(platform_order_no=f"{prefix}03")
    assert closed.state == OrderState.CANCELLED and closed.paid_at is not None
    received = Order.objects.get(platform_order_no=f"{prefix}04")
    assert received.state == OrderState.COMPLETED and received.lines.count() == 2
    assert received.merchant_note == "老客户"


# --- the CLI ---------------------------------------------------------------------------------------


def test_ord02_cli_imports_a_taobao_pair_as_one_job_and_again_changes_nothing(imp, capsys):
    call_command("import-orders", str(TB_ORDERS), str(TB_ITEMS), "--store", "A1", "--user", "importer_a")
    out = capsys.readouterr().out
    job = ImportJob.objects.get()
    assert job.state == JobState.DONE and job.format.code == "taobao"  # the store's platform: the pair format
    assert (job.orders_created, job.rows_failed, job.orders_held) == (4, 0, 0), list(job.errors.values())
    assert job.rows_total == 4 + 6 and job.rows_done == 10 and job.encoding == "gb18030"
    assert "新增 4" in out
    _assert_taobao_sample()
    before = _snapshot()
    # The files in the other order: told apart by their headers, not by their order.
    call_command("import-orders", str(TB_ITEMS), str(TB_ORDERS), "--store", "A1", "--user", "importer_a")
    again = ImportJob.objects.order_by("-pk").first()
    assert (again.orders_created, again.orders_updated, again.orders_unchanged) == (0, 0, 4)
    assert _snapshot() == before


def test_ord02_cli_one_file_of_a_pair_says_which_file_is_missing(imp):
    with pytest.raises(CommandError, match="缺少宝贝报表"):
        call_command("import-orders", str(TB_ORDERS), "--store", "A1", "--user", "importer_a")
    with pytest.raises(CommandError, match="缺少订单报表"):
        call_command("import-orders", str(TB_ITEMS), "--store", "A1", "--user", "importer_a")
    with pytest.raises(CommandError):
        call_command("import-orders", str(TB_ORDERS), str(TB_ITEMS), str(TB_ITEMS), "--store", "A1")
    assert not Order.objects.exists()


def test_ord02_a_single_file_format_takes_no_second_file(imp):
    with pytest.raises(CommandError, match="只需要一个文件"):
        call_command("import-orders", str(TB_ORDERS), str(TB_ITEMS), "--store", "A1", "--format", "jd",
                     "--user", "importer_a", "--confirm-platform")


# --- the API and the page ----------------------------------------------------------------------------


def test_ord02_api_uploads_a_pair_as_one_job(imp, immediate, django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    orders, items = _files(TM)
    for attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = http.post("/api/v1/order-imports", {
                "store_id": imp.org.store_a1.pk, "format_code": "tmall", "confirm_platform": "true",
                "file": SimpleUploadedFile(items.name, items.read_bytes()),
                "second_file": SimpleUploadedFile(orders.name, orders.read_bytes())})
        assert response.status_code == 201, response.content
        assert response.json()["second_name"] == orders.name
        got = http.get(f"/api/v1/order-imports/{response.json()['id']}").json()
        assert got["state"] == "done", got["failure"]
        counts = (got["orders_created"], got["orders_unchanged"], got["rows_failed"])
        assert counts == ((4, 0, 0) if attempt == 0 else (0, 4, 0))
    _assert_taobao_sample(prefix="41270000000002")  # Tmall: its items listed apart from their orders' order
    formats = {f["code"]: f for f in http.get("/api/v1/order-import-formats").json()}
    assert formats["taobao"]["line_columns"]["title"] == ["标题"] and not formats["jd"]["line_columns"]


def test_ord02_page_uploads_a_pair_with_two_file_inputs(imp, immediate, django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    page = http.get(reverse("orderimport:imports")).content.decode()
    assert 'name="second_file"' in page
    orders, items = _files(TB)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("orderimport:upload"), {
            "store": imp.org.store_a1.pk, "file": SimpleUploadedFile(orders.name, orders.read_bytes()),
            "second_file": SimpleUploadedFile(items.name, items.read_bytes())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("orderimport:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.orders_created == 4, job.failure
    detail = http.get(response.url).content.decode()
    assert orders.name in detail and items.name in detail and "100%" in detail
    _assert_taobao_sample()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 2, 15, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def test_ord02_page_takes_one_zip_holding_both_files(imp, immediate, django_capture_on_commit_callbacks):
    orders, items = _files(TB)
    content = _zip({f"淘宝订单/{items.name}": items.read_bytes(), f"淘宝订单/{orders.name}": orders.read_bytes(),
                    "__MACOSX/._x.csv": b"junk"})
    http = _http(imp.importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("orderimport:upload"), {
            "store": imp.org.store_a1.pk, "file": SimpleUploadedFile("taobao-2026-03.zip", content)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = ImportJob.objects.get()
    assert job.file_kind == "zip" and job.state == JobState.DONE and job.orders_created == 4, job.failure
    stored = default_storage.open(job.file.name).read()
    assert stored.startswith(crypto.FILE_MAGIC) and b"PK\x03\x04" not in stored[:200]  # LAW-04: encrypted
    _assert_taobao_sample()
    # Again through the API: nothing changes.
    with django_capture_on_commit_callbacks(execute=True):
        again = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk,
                                                    "file": SimpleUploadedFile("again.zip", content)})
    assert again.status_code == 201 and ImportJob.objects.get(pk=again.json()["id"]).orders_unchanged == 4


def test_ord02_a_zip_is_checked_before_anything_is_inflated(imp, settings):
    """A .zip declaring a huge inflated size, or not holding exactly the two tables, is refused on upload."""
    http = _http(imp.importer)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ExportOrderList.csv", b"0" * (3 << 20))
        archive.writestr("ExportOrderDetailList.csv", b"1")
    response = http.post(reverse("orderimport:upload"), {"store": imp.org.store_a1.pk,
                                                         "file": SimpleUploadedFile("b.zip", bomb.getvalue())})
    assert response.status_code == 400 and "压缩比" in response.content.decode()
    one = _zip({"ExportOrderList.csv": TB_ORDERS.read_bytes(), "readme.pdf": b"%PDF"})
    response = http.post(reverse("orderimport:upload"), {"store": imp.org.store_a1.pk,
                                                         "file": SimpleUploadedFile("one.zip", one)})
    assert response.status_code == 400 and "1 个表格文件" in response.content.decode()
    response = http.post(reverse("orderimport:upload"), {"store": imp.org.store_a1.pk,
                                                         "file": SimpleUploadedFile("x.zip", b"not a zip")})
    assert response.status_code == 400 and "不是有效的 .zip" in response.content.decode()
    assert not ImportJob.objects.exists()
    with pytest.raises(BusinessError, match="只需要一个文件"):
        actions.create_job(user=imp.importer, store=imp.org.store_a1, fmt=ImportFormat.objects.get(code="jd"),
                           upload=SimpleUploadedFile("a.zip", one), confirm_platform=True)


# --- what is refused, naming file, row and column -----------------------------------------------------


def test_ord02_one_file_alone_is_refused_saying_which_is_missing(imp):
    orders, items = tb_pair([tb_order("M1")], [tb_item("M1")])
    fmt = ImportFormat.objects.get(code="taobao")
    for content, name, missing in ((orders, "ExportOrderList1.csv", "缺少宝贝报表"),
                                   (items, "ExportOrderDetailList1.csv", "缺少订单报表")):
        job = actions.upload(user=imp.importer, store=imp.org.store_a1, fmt=fmt,
                             upload=SimpleUploadedFile(name, content), background=False)
        assert job.state == JobState.FAILED and missing in job.failure and name in job.failure
    # Two order files (or two item files): the other one is missing.
    job = _pair(imp, orders, orders)
    assert job.state == JobState.FAILED and job.failure.startswith("缺少宝贝报表")
    job = _pair(imp, items, items)
    assert job.state == JobState.FAILED and job.failure.startswith("缺少订单报表")
    assert not Order.objects.exists()


def test_ord02_orders_and_lines_that_do_not_match_are_refused_with_file_row_and_column(imp):
    orders, items = tb_pair(
        [tb_order("G1"), tb_order("NOLINES"), tb_order("G2"), tb_order("G1", paid="1.00")],
        [tb_item("G1"), tb_item("STRAY"), tb_item("G2", qty="两件"), tb_item("STRAY", code="X"), tb_item("G2")])
    job = _pair(imp, orders, items, names=("orders.csv", "items.csv"))
    assert job.state == JobState.DONE
    assert list(Order.objects.values_list("platform_order_no", flat=True)) == ["G1"]
    errors = sorted(ImportRowError.objects.filter(job=job).values_list("file", "row_no", "column", "order_no",
                                                                        "reason"))
    where = [e[:4] for e in errors]
    assert ("orders.csv", 3, "订单编号", "NOLINES") in where  # in the order file, no lines
    assert ("orders.csv", 5, "订单编号", "G1") in where  # twice in the order file
    assert ("items.csv", 3, "订单编号", "STRAY") in where and ("items.csv", 5, "订单编号", "STRAY") in where
    assert ("items.csv", 4, "购买数量", "G2") in where  # a bad cell of the line file: its own file and row
    reasons = {e[1:2] + (e[0],): e[4] for e in errors}
    assert "宝贝报表" in reasons[(3, "orders.csv")] and "重复" in reasons[(5, "orders.csv")]
    assert "不在订单报表" in reasons[(3, "items.csv")] and "不是正整数" in reasons[(4, "items.csv")]
    assert job.orders_failed == 4 and job.orders_created == 1
    # A bad cell of the order file names the order file.
    orders, items = tb_pair([tb_order("H1", status="神秘状态")], [tb_item("H1"), tb_item("H1", code="2000000000022")])
    job = _pair(imp, orders, items, names=("orders.csv", "items.csv"))
    where = set(ImportRowError.objects.filter(job=job).values_list("file", "row_no", "column"))
    assert ("orders.csv", 2, "订单状态") in where and not any(row[2] == "订单状态" for row in where if row[1] != 2)
    assert {row[0] for row in where if row[2] == "订单状态"} == {"orders.csv"}
    assert job.rows_failed == len({(f, r) for f, r, _c in where})  # each row of either file counted once


def test_ord02_the_error_report_of_a_pair_names_the_file(imp):
    orders, items = tb_pair([tb_order("R1"), tb_order("R2")], [tb_item("R1"), tb_item("R2", price="1.001")])
    job = _pair(imp, orders, items, names=("ExportOrderList9.csv", "ExportOrderDetailList9.csv"))
    response = _http(imp.importer).get(reverse("orderimport:job_errors", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("文件", "行号", "列", "平台订单号", "原因")
    assert rows[1][:4] == ("ExportOrderDetailList9.csv", 3, "价格", "R2")
    page = _http(imp.importer).get(reverse("orderimport:job_detail", args=[job.pk])).content.decode()
    assert "ExportOrderDetailList9.csv" in page.split('data-testid="error-table"')[1]
    api = _http(imp.importer).get(f"/api/v1/order-imports/{job.pk}/errors").json()
    assert api["items"][0]["file"] == "ExportOrderDetailList9.csv"


def test_ord02_an_xlsx_pair_imports_like_csv(imp):
    from openpyxl import Workbook

    def xlsx(path: Path) -> bytes:
        book = Workbook()
        sheet = book.active
        for line in path.read_bytes().decode("gb18030").splitlines():
            sheet.append([reader.clean(cell) for cell in line.split(",")])  # an .xlsx keeps text as text
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    job = _pair(imp, xlsx(TB_ORDERS), xlsx(TB_ITEMS), names=("订单报表.xlsx", "宝贝报表.xlsx"))
    assert job.state == JobState.DONE and (job.orders_created, job.rows_failed) == (4, 0), job.failure
    _assert_taobao_sample()


# --- chunks, resume, crash-safety of the join -----------------------------------------------------------


def test_ord02_a_pair_is_chunked_and_resumes_without_duplicates(imp, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 2)
    numbers = [f"C{n:03d}" for n in range(9)]
    # The line file lists its items in another order than the order file (joined by the index).
    orders, items = tb_pair([tb_order(n) for n in numbers],
                            [tb_item(n, code=c) for n in reversed(numbers) for c in ("P-1", "2000000000022")])
    job = actions.create_job(user=imp.importer, store=imp.org.store_a1, fmt=ImportFormat.objects.get(code="taobao"),
                             upload=SimpleUploadedFile("o.csv", orders), second=SimpleUploadedFile("i.csv", items))
    with pytest.raises(RuntimeError):
        engine.run(job, crash_after_chunks=2)
    job.refresh_from_db()
    assert Order.objects.count() == 4 and job.checkpoint_row == 5 and job.rows_total == 9 + 18
    job = actions.resume(job, user=imp.importer, background=False)
    assert job.state == JobState.DONE and job.orders_created == 9 and job.percent == 100
    assert sorted(Order.objects.values_list("platform_order_no", flat=True)) == numbers
    assert OrderLine.objects.count() == 18 and Payment.objects.count() == 9


# --- LAW-04: the second file ---------------------------------------------------------------------------


def test_law04_the_second_file_is_encrypted_and_purged_with_the_first(imp):
    from datetime import timedelta

    from django.utils import timezone

    orders, items = _files(TB)
    job = _pair(imp, orders.read_bytes(), items.read_bytes(), names=(orders.name, items.name))
    assert job.second_file and job.second_name == items.name
    for name in (job.file.name, job.second_file.name):
        stored = default_storage.open(name).read()
        assert stored.startswith(crypto.FILE_MAGIC)
        for plain in ("碧螺春", "13812345678", "3958000000000101"):
            assert plain.encode("gb18030") not in stored and plain.encode() not in stored
    with files.open_plain(job, "second_file") as handle:
        assert "碧螺春".encode("gb18030") in handle.read()
    names = (job.file.name, job.second_file.name)
    done = actions.purge_files(now=timezone.now() + timedelta(days=400))
    job.refresh_from_db()
    assert done["purged"] == 1 and not job.file and not job.second_file and job.file_purged_at is not None
    assert not any(default_storage.exists(name) for name in names)


# --- the format as data --------------------------------------------------------------------------------


def test_ord02_pair_formats_are_data_and_checked_when_saved(imp):
    taobao = ImportFormat.objects.get(code="taobao")
    assert taobao.is_pair and taobao.name == "淘宝 订单报表+宝贝报表" and ImportFormat.objects.get(code="tmall").is_pair
    assert not any(f.is_pair for f in ImportFormat.objects.filter(code__in=["jd", "pinduoduo", "douyin", "amazon"]))
    admin = imp.org.admin
    with pytest.raises(BusinessError, match="不属于商品行"):
        actions.save_format(user=admin, fmt=taobao, line_columns={**taobao.line_columns, "status": ["订单状态"]})
    with pytest.raises(BusinessError, match="缺少必需字段"):
        actions.save_format(user=admin, fmt=taobao, line_columns={"order_no": ["订单编号"], "sku_code": ["商家编码"]})
    taobao = ImportFormat.objects.get(code="taobao")
    saved = actions.save_format(user=admin, fmt=taobao, line_columns={**taobao.line_columns, "title": ["宝贝名称"]})
    assert saved.line_columns["title"] == ["宝贝名称"]


def test_ord02_pay01_a_cart_checkout_pair_imports(imp):
    """Three orders paid in one Alipay transaction (one 支付单号) each get a payment record."""
    orders, items = _files(CART)
    job = _pair(imp, orders.read_bytes(), items.read_bytes())
    assert job.state == JobState.DONE and job.orders_created == 3 and job.rows_failed == 0
    assert Payment.objects.filter(transaction_no="2026030322001100000000000777").count() == 3


def test_ord02_zip_member_names_written_by_chinese_windows_read_back():
    """Windows' zip tool writes GBK names without the UTF-8 flag; the job page shows them readable."""
    from ecomops.orderimport.pair import _member_name

    info = zipfile.ZipInfo("淘宝/宝贝报表.csv".encode("gbk").decode("cp437"))
    info.flag_bits = 0
    assert _member_name(info) == "宝贝报表.csv"
    assert _member_name(zipfile.ZipInfo("a/ExportOrderList.csv")) == "ExportOrderList.csv"


def test_ord02_a_blank_cell_falls_back_to_the_formats_next_alias_on_that_row(imp):
    """Taobao's 宝贝报表 has both 商家编码 and 外部系统编号, and sellers fill either; the 订单报表 has
    联系手机 and 联系电话. A blank cell of the first alias is read from the next alias present on the same
    row, so an item without a 商家编码 still matches its SKU by the 外部系统编号 (ORD-02)."""
    orders, items = tb_pair(
        [tb_order("F1"), tb_order("F2", **{"联系手机": "", "联系电话": "'0571-88886666"}), tb_order("F3")],
        [tb_item("F1", code="", **{"外部系统编号": "TEA-002-100"}), tb_item("F2"),
         tb_item("F3", code="", **{"外部系统编号": ""})])
    job = _pair(imp, orders, items)
    assert job.orders_created == 2 and job.orders_failed == 1
    line = OrderLine.objects.get(order__platform_order_no="F1")
    assert line.sku_id == imp.sku2.pk and line.platform_sku_code == "TEA-002-100"
    assert Order.objects.get(platform_order_no="F2").receiver_phone == "0571-88886666"
    error = ImportRowError.objects.get(job=job, order_no="F3", column="商家编码")
    assert error.reason == "商品编码为空" and error.file == "ExportOrderDetailList.csv"
