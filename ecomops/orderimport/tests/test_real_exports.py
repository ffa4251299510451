"""ORD-02 / LAW-04 with the platforms' real export shapes (issue 13): JD's own 30-column export (货号,
商品ID, 应付金额 + 余额支付), Douyin's rows per 子订单, Pinduoduo's older header, the values sellers
really see (``="…"``, a leading apostrophe, placeholders, spaced and full-width headers, thousands
separators, dates with ``/`` and without seconds), merchant codes as sellers write them, a format of
another platform than the store's, and the format page's sample check."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecomops.catalog.models import PlatformSKU
from ecomops.core.errors import BusinessError
from ecomops.orderimport import actions, seed
from ecomops.orderimport.engine import SHANGHAI
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportFormat, ImportJob
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, Payment
from ecomops.orders.tests.conftest import make_user

from .conftest import FIXTURES
from .conftest import http_client as _http
from .fixtures.make_fixtures import JD_REAL

D = Decimal


@pytest.fixture
def jd(imp):
    """Store A2 is client A's JD store; JD's SKU id 100012345678 is registered as its platform SKU code."""
    PlatformSKU.objects.create(store=imp.org.store_a2, sku=imp.sku2, platform_sku_code="100012345678")
    return imp


def jd_csv(rows: list[dict], *, header=None, encoding="gb18030") -> bytes:
    header = header or JD_REAL
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h.strip().replace("\u3000", "").lstrip("\ufeff"), "") for h in header])
    return out.getvalue().encode(encoding)


def jd_row(number="JD1", **extra) -> dict:
    row = {"订单号": number, "商品ID": "100012345678", "商品名称": "碧螺春", "订购数量": "1", "京东价": "30.00",
           "订单金额": "30.00", "应付金额": "30.00", "余额支付": "0.00", "订单状态": "等待出库", "客户姓名": "王小二",
           "客户地址": "浙江 杭州市 西湖区 文三路 100 号", "联系电话": "13812345678", "运费金额": "0.00",
           "下单时间": "2026-03-02 09:15:00", "付款确认时间": "2026-03-02 09:16:00", "货号": "TEA-002-100"}
    row.update(extra)
    return row


# --- JD's own export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["jd_real.xlsx", "jd_real_gb18030.csv"])
def test_ord02_jd_real_export_imports_with_huohao_and_jd_sku_id(jd, name):
    """JD's 30 columns: 货号 is the seller's code, 商品ID JD's SKU id (kept on the line, matched among the
    store's platform SKU codes); paid = 应付金额 + 余额支付, goods = 订单金额; an unknown 货号 on a paid
    order waits in the exception queue with its reason; a second import changes nothing."""
    job = jd.upload(name, "jd", store=jd.org.store_a2, confirm_platform=False)
    assert job.state == JobState.DONE, job.failure
    assert (job.orders_created, job.rows_failed, job.orders_held) == (4, 0, 1)
    order = Order.objects.get(store=jd.org.store_a2, platform_order_no="300100200301")
    lines = list(order.lines.order_by("line_no"))
    assert [(line.sku, line.quantity, line.platform_sku_code, line.platform_sku_id) for line in lines] == [
        (jd.sku, 2, "TEA-001-250", "100087654321"), (jd.sku2, 1, "", "100012345678")]
    assert (order.goods_amount, order.paid_amount, order.discount_amount) == (D("230.00"), D("220.00"), D("10.00"))
    assert order.state == OrderState.PAID and order.placed_at == datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI)
    assert (order.buyer_message, order.merchant_note) == ("", "")  # "-" and "无" are placeholders
    assert (order.province, order.city, order.district) == ("上海市", "上海市", "浦东新区")
    assert order.receiver_address == "世纪大道100号中环国际广场2209" and order.receiver_phone == "13812345678"
    balance = Order.objects.get(store=jd.org.store_a2, platform_order_no="300100200302")
    assert balance.paid_amount == D("1234.50") and balance.lines.get().sku == jd.sku  # "tea-001-250 "
    assert Payment.objects.get(order=balance).amount == D("1234.50")
    assert (balance.province, balance.city, balance.district) == ("北京市", "北京市", "朝阳区")
    held = Order.objects.get(store=jd.org.store_a2, platform_order_no="300100200303")
    assert held.state == OrderState.ON_HOLD and held.held_from == OrderState.PAID
    assert "NO-SUCH-CODE" in held.exception_reason
    closed = Order.objects.get(store=jd.org.store_a2, platform_order_no="300100200304")
    assert closed.state == OrderState.CANCELLED and (closed.province, closed.city, closed.district) == (
        "内蒙古自治区", "呼和浩特市", "新城区")
    again = jd.upload(name, "jd", store=jd.org.store_a2)
    assert (again.orders_created, again.orders_updated, again.orders_unchanged) == (0, 0, 4)


def test_ord02_unknown_merchant_code_on_a_paid_order_shows_in_the_exception_queue(jd):
    """End to end: the paid order with a 货号 nobody knows is listed on the exception page with the code."""
    jd.upload("jd_real_gb18030.csv", "jd", store=jd.org.store_a2)
    page = _http(jd.importer).get(reverse("orderimport:exceptions")).content.decode()
    assert "300100200303" in page and "NO-SUCH-CODE" in page and "未匹配到SKU" in page
    assert "300100200301" not in page


def test_ord02_jd_amounts_sum_balance_and_online_payment(jd):
    """A JD order paid wholly from the account balance (应付金额 0) is paid, not free."""
    job = jd.upload(jd_csv([jd_row("JDB", **{"应付金额": "0.00", "余额支付": "30.00"})]), "jd", store=jd.org.store_a2)
    assert job.orders_created == 1, job.failure
    order = Order.objects.get(platform_order_no="JDB")
    assert order.paid_amount == D("30.00") and Payment.objects.get(order=order).amount == D("30.00")


# --- Douyin: one row per 子订单 ------------------------------------------------------------------------


def test_ord02_douyin_sub_orders_are_summed_as_the_format_says(imp):
    """Two 子订单 at 121.00 each: the order paid 242.00 (ImportFormat.aggregate paid_amount = sum)."""
    assert ImportFormat.objects.get(code="douyin").aggregate["paid_amount"] == "sum"
    job = imp.upload("douyin_real.csv", "douyin")
    assert job.state == JobState.DONE and (job.orders_created, job.rows_failed) == (2, 0), job.failure
    order = Order.objects.get(platform_order_no="6930000000000001")
    assert order.paid_amount == D("242.00") and Payment.objects.get(order=order).amount == D("242.00")
    assert order.lines.count() == 2 and order.goods_amount == D("242.00") and order.discount_amount == D("0.00")
    assert (order.merchant_note, order.buyer_message) == ("", "")  # "-", "无"
    other = Order.objects.get(platform_order_no="6930000000000002")
    assert other.paid_amount == D("60.00") and other.receiver_phone == "13900001111"  # "¥60.00", "'139…"
    assert (other.merchant_note, other.buyer_message) == ("", "")  # "N/A", "null"
    assert other.province == "广西壮族自治区"


def test_ord02_aggregate_first_takes_the_first_row(imp):
    """The same file with the format set to "first" takes one row's amount: the setting is data."""
    fmt = ImportFormat.objects.get(code="douyin")
    actions.save_format(user=imp.org.admin, fmt=fmt, aggregate={"paid_amount": "first"})
    imp.upload("douyin_real.csv", "douyin")
    assert Order.objects.get(platform_order_no="6930000000000001").paid_amount == D("121.00")


def test_ord02_aggregate_setting_is_checked(imp):
    fmt = ImportFormat.objects.get(code="douyin")
    with pytest.raises(BusinessError) as refused:
        actions.save_format(user=imp.org.admin, fmt=fmt, aggregate={"paid_amount": "max"})
    assert refused.value.field == "aggregate"
    with pytest.raises(BusinessError):
        actions.save_format(user=imp.org.admin, fmt=fmt, aggregate={"title": "sum"})


# --- Pinduoduo's older header ------------------------------------------------------------------------------


def test_ord02_pinduoduo_old_header_falls_back_to_pay_time_and_maps_goods_and_discount(imp):
    job = imp.upload("pinduoduo_old.csv", "pinduoduo")
    assert job.state == JobState.DONE and (job.orders_created, job.rows_failed) == (2, 0), job.failure
    order = Order.objects.get(platform_order_no="260302-100000001")
    assert order.placed_at == order.paid_at == datetime(2026, 3, 2, 9, 16, tzinfo=SHANGHAI)
    assert (order.goods_amount, order.discount_amount, order.paid_amount) == (D("1299.00"), D("20.00"),
                                                                              D("1274.00"))
    line = order.lines.get()
    assert (line.sku, line.amount, line.unit_price) == (imp.sku, D("1299.00"), D("1299.00"))
    assert order.merchant_note == "" and (order.province, order.city, order.district) == ("重庆市", "重庆市", "渝中区")
    two = Order.objects.get(platform_order_no="260302-100000002").lines.get()
    assert (two.sku, two.quantity, two.unit_price, two.amount) == (imp.sku2, 2, D("30.00"), D("60.00"))


# --- real values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("placeholder", ["-", "--", "—", "无", "null", "NULL", "N/A", "n/a", "#N/A", '="-"', "'-"])
def test_ord02_placeholders_are_empty_never_a_note(jd, placeholder):
    job = jd.upload(jd_csv([jd_row("JDP", **{"商家备注": placeholder, "订单备注": placeholder})]), "jd",
                    store=jd.org.store_a2)
    assert job.orders_created == 1, job.failure
    order = Order.objects.get(platform_order_no="JDP")
    assert (order.merchant_note, order.buyer_message) == ("", "")


def test_ord02_real_values_wrappers_spaces_separators_and_dates(jd):
    """="…" around codes, a leading ' on the phone, a BOM, trailing and full-width spaces in headers,
    ¥ and thousands separators, dates with / and without seconds."""
    header = ["\ufeff订单号 ", "商品ID\u3000", "商品名称", "订购数量", "京东价 ", "订单金额", "应付金额", "余额支付",
              "订单状态", "客户姓名", "客户地址", "联系电话 ", "下单时间\u3000", "付款确认时间", "货号", "运费金额"]
    row = jd_row("JDV", **{"订单号": '="JDV"', "商品ID": '="100012345678"', "联系电话": "'13812345678",
                           "京东价": "¥1,234.50", "订单金额": "￥1,234.50", "应付金额": "1,234.50", "余额支付": "-",
                           "下单时间": "2026/3/2 9:15", "付款确认时间": "2026/03/02 09:16", "货号": '="TEA-002-100"',
                           "运费金额": "0"})
    job = jd.upload(jd_csv([row], header=header, encoding="utf-8"), "jd", store=jd.org.store_a2)
    assert job.state == JobState.DONE and job.orders_created == 1 and job.rows_failed == 0, job.failure
    order = Order.objects.get(platform_order_no="JDV")
    assert order.paid_amount == order.goods_amount == D("1234.50") and order.receiver_phone == "13812345678"
    assert order.placed_at == datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI)
    assert order.paid_at == datetime(2026, 3, 2, 9, 16, tzinfo=SHANGHAI)
    line = order.lines.get()
    assert (line.sku, line.platform_sku_id, line.platform_sku_code, line.unit_price) == (
        jd.sku2, "100012345678", "TEA-002-100", D("1234.50"))


@pytest.mark.parametrize("code", ["TEA-001-250", " tea-001-250 ", '="TEA-001-250"', "Tea-001-250", "TEA－001－250",
                                  "p-1", "P-1", "2000000000015", " 2000000000015"])
def test_ord02_merchant_codes_match_as_sellers_write_them(jd, code):
    """Platform SKU code, barcode, then the client's SKU code; case, spaces and Excel's wrappers aside."""
    PlatformSKU.objects.create(store=jd.org.store_a2, sku=jd.sku, platform_sku_code="P-1")
    job = jd.upload(jd_csv([jd_row("JDM", **{"商品ID": "", "货号": code})]), "jd", store=jd.org.store_a2)
    assert job.orders_created == 1 and job.orders_held == 0, job.failure
    assert Order.objects.get(platform_order_no="JDM").lines.get().sku == jd.sku


def test_ord02_a_code_two_skus_share_tolerantly_matches_neither(jd):
    """"tea-x" and "TEA-X" are two SKUs' codes: "Tea-X" is ambiguous and the order is held, not guessed."""
    from ecomops.catalog.models import SKU

    SKU.objects.create(client=jd.org.client_a, style=jd.sku.style, sku_code="tea-x", size="1",
                       barcode="2000000000039", barcode_source="external")
    SKU.objects.create(client=jd.org.client_a, style=jd.sku.style, sku_code="TEA-X", size="2",
                       barcode="2000000000046", barcode_source="external")
    job = jd.upload(jd_csv([jd_row("JDA", **{"商品ID": "", "货号": "Tea-X"})]), "jd", store=jd.org.store_a2)
    assert job.orders_held == 1


# --- a format of another platform ----------------------------------------------------------------------------


def test_ord02_other_platform_format_needs_confirmation_in_actions_cli_api_and_page(imp, tmp_path):
    """A Douyin export into store A1 (Taobao) is refused unless confirmed, naming both platforms."""
    with pytest.raises(BusinessError) as refused:
        imp.upload("douyin_real.csv", "douyin", confirm_platform=False)
    assert refused.value.field == "confirm_platform" and "抖音" in refused.value.message
    assert "淘宝" in refused.value.message and not ImportJob.objects.exists()

    with pytest.raises(CommandError) as cli:
        call_command("import-orders", str(FIXTURES / "douyin_real.csv"), "--store", "A1", "--format", "douyin",
                     "--user", "importer_a")
    assert "抖音" in str(cli.value) and "淘宝" in str(cli.value) and "--confirm-platform" in str(cli.value)
    assert not Order.objects.exists()
    call_command("import-orders", str(FIXTURES / "douyin_real.csv"), "--store", "A1", "--format", "douyin",
                 "--user", "importer_a", "--confirm-platform")
    assert Order.objects.count() == 2

    http = _http(imp.importer)
    content = (FIXTURES / "pinduoduo_old.csv").read_bytes()
    api = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk, "format_code": "pinduoduo",
                                              "file": SimpleUploadedFile("p.csv", content)})
    assert api.status_code == 400 and api.json()["error"]["field"] == "confirm_platform"
    assert "拼多多" in api.json()["error"]["message"]
    ok = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk, "format_code": "pinduoduo",
                                             "confirm_platform": "true", "file": SimpleUploadedFile("p.csv", content)})
    assert ok.status_code == 201, ok.content

    form = {"store": imp.org.store_a1.pk, "format": ImportFormat.objects.get(code="jd").pk}
    page = http.post(reverse("orderimport:upload"),
                     {**form, "file": SimpleUploadedFile("j.csv", (FIXTURES / "jd_real_gb18030.csv").read_bytes())})
    body = page.content.decode()
    assert page.status_code == 400 and 'data-testid="platform-warning"' in body and "京东" in body
    assert 'name="confirm_platform"' in body
    confirmed = http.post(reverse("orderimport:upload"), {
        **form, "confirm_platform": "on",
        "file": SimpleUploadedFile("j.csv", (FIXTURES / "jd_real_gb18030.csv").read_bytes())})
    assert confirmed.status_code == 302


def test_ord02_same_platform_needs_no_confirmation(jd):
    job = jd.upload("jd_real.xlsx", "jd", store=jd.org.store_a2, confirm_platform=False)
    assert job.state == JobState.DONE


# --- the format page's sample check ------------------------------------------------------------------------


@pytest.fixture
def admin_of_formats(org):
    return make_user("formats_a", "orderimport.view_importformat", "orderimport.change_importformat")


def test_ord02_format_sample_shows_which_header_went_where_and_stores_nothing(imp, admin_of_formats, settings):
    fmt = ImportFormat.objects.get(code="pinduoduo")
    http = _http(admin_of_formats)
    url = reverse("orderimport:format_sample", args=[fmt.pk])
    assert http.get(url).status_code == 200
    listing = http.get(reverse("orderimport:formats")).content.decode()
    assert url in listing
    response = http.post(url, {"file": SimpleUploadedFile("pdd.csv", (FIXTURES / "pinduoduo_old.csv").read_bytes())})
    body = response.content.decode()
    assert response.status_code == 200
    mapped = body.split('data-testid="sample-mapped"')[1].split("</table>")[0]
    assert "商品总价(元)" in mapped and "支付时间" in mapped and "商家编码-SKU维度" in mapped
    left_out = body.split('data-testid="sample-left-out"')[1].split("</ul>")[0]
    for header in ("平台优惠折扣(元)", "商家实收金额(元)", "商品规格", "快递单号"):
        assert header in left_out
    assert "商品总价(元)" not in left_out
    assert "13812345678" not in body and "王小二" not in body  # LAW-04: examples masked
    assert not ImportJob.objects.exists() and not Order.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_ord02_format_sample_names_missing_required_columns(imp, admin_of_formats):
    fmt = ImportFormat.objects.get(code="amazon")
    response = _http(admin_of_formats).post(reverse("orderimport:format_sample", args=[fmt.pk]), {
        "file": SimpleUploadedFile("jd.csv", (FIXTURES / "jd_real_gb18030.csv").read_bytes())})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="sample-missing-required"' in body
    assert "amazon-order-id" in body


def test_ord02_format_sample_permissions_and_api(imp, admin_of_formats, org):
    fmt = ImportFormat.objects.get(code="douyin")
    url = reverse("orderimport:format_sample", args=[fmt.pk])
    sample = (FIXTURES / "douyin_real.csv").read_bytes()
    assert _http(imp.importer).post(url, {"file": SimpleUploadedFile("d.csv", sample)}).status_code == 403
    assert _http(org.member_a).post(url, {"file": SimpleUploadedFile("d.csv", sample)}).status_code == 404
    bad = _http(admin_of_formats).post(url, {"file": SimpleUploadedFile("d.pdf", b"%PDF")})
    assert bad.status_code == 400 and ".xlsx" in bad.content.decode()
    api = _http(admin_of_formats).post(f"/api/v1/order-import-formats/{fmt.pk}/sample",
                                       {"file": SimpleUploadedFile("d.csv", sample)})
    assert api.status_code == 200, api.content
    answer = api.json()
    assert {"商品规格", "商品ID", "优惠总金额", "支付方式", "售后状态", "取消原因"} <= set(answer["left_out"])
    assert "运费" not in answer["left_out"]
    assert {m["field"]: m["header"] for m in answer["mapped"]}["paid_amount"] == "订单应付金额"
    assert _http(imp.importer).post(f"/api/v1/order-import-formats/{fmt.pk}/sample",
                                    {"file": SimpleUploadedFile("d.csv", sample)}).status_code == 403
    assert _http(admin_of_formats).post("/api/v1/order-import-formats/987654/sample",
                                        {"file": SimpleUploadedFile("d.csv", sample)}).status_code == 404
    assert not ImportJob.objects.exists()


# --- the seed brings unedited formats up to date --------------------------------------------------------------


def test_ord02_reseeding_updates_unedited_formats_and_leaves_edited_ones(imp):
    douyin, jd_fmt = ImportFormat.objects.get(code="douyin"), ImportFormat.objects.get(code="jd")
    for fmt in (douyin, jd_fmt):
        assert fmt.seed_hash == seed.content_hash(seed.format_values(fmt))  # as seeded
    # As an earlier seed wrote them: no aggregate, the old JD columns.
    ImportFormat.objects.filter(pk=douyin.pk).update(aggregate={})
    douyin.refresh_from_db()
    ImportFormat.objects.filter(pk=douyin.pk).update(seed_hash=seed.content_hash(seed.format_values(douyin)))
    # JD: an administrator added an alias since.
    ImportFormat.objects.filter(pk=jd_fmt.pk).update(
        columns={**jd_fmt.columns, "title": ["商品名称", "品名"]})
    assert seed.seed_formats() == 1
    douyin.refresh_from_db()
    jd_fmt.refresh_from_db()
    assert douyin.aggregate == {"paid_amount": "sum", "shipping_fee": "first"}
    assert jd_fmt.columns["title"] == ["商品名称", "品名"]  # the edit stays
    assert seed.seed_formats() == 0  # nothing left to update


@pytest.mark.parametrize("text", ["2026-03-02 09:15", "2026/03/02 09:15", "2026/3/2 9:15", "2026-03-02 09:15:00.0",
                                  "2026/03/02 09:15:00.0", "2026年03月02日 09:15", "2026.03.02 09:15",
                                  "2026-03-02T09:15:00", "２０２６-03-02 09:15", "2026-03-02  09:15:00"])
def test_ord02_dates_as_platforms_write_them(text):
    from ecomops.orderimport.engine import parse_datetime

    assert parse_datetime(text) == datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "amount"), [("1,234.50", "1234.50"), ("¥1,234.50", "1234.50"),
                                              ("￥ 1,234.50", "1234.50"), ("1234.5元", "1234.50"),
                                              ("１２３.００", "123.00"), ("0", "0.00")])
def test_ord02_amounts_as_platforms_write_them(text, amount):
    from ecomops.orderimport.engine import _money

    assert _money(text) == D(amount)


def test_ord02_headers_match_aliases_whatever_their_spaces_width_or_case(imp):
    from ecomops.orderimport.engine import map_header

    jd_map = map_header(["\ufeff订单号\u3000", "商品id", " 货号 ", "订购 数量", "下单时间"],
                        ImportFormat.objects.get(code="jd"))
    assert {name: cols[0] for name, cols in jd_map.columns.items()} == {
        "order_no": 0, "platform_sku_id": 1, "sku_code": 2, "quantity": 3, "placed_at": 4}
    pdd_map = map_header(["订单号", "商家编码-SKU维度", "商品数量（件）", "支付时间", "商品总价（元）"],
                         ImportFormat.objects.get(code="pinduoduo"))
    assert pdd_map.columns["quantity"] == [2] and pdd_map.columns["goods_amount"] == [4]
    assert pdd_map.columns["placed_at"] == pdd_map.columns["paid_at"] == [3]  # the older header's fallback
