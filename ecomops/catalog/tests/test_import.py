"""CAT-04 product import and export: real .xlsx and CSV files; every bad row is reported with its row
number, column and reason, and then nothing at all is written; a re-import updates instead of
duplicating, and importing the same file again changes nothing, not even the history."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ecomops.catalog import actions
from ecomops.catalog.enums import BarcodeSource, ReturnClass, StyleState
from ecomops.catalog.importing import COLUMNS, write_errors, write_template
from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.catalog.queries import export_rows, write_export
from ecomops.catalog.sheets import read_table
from ecomops.core.errors import BusinessError
from ecomops.org.models import ClientGrant

from .conftest import HEADERS, csv_bytes, row, table_of, xlsx_bytes

HISTORY = (Style.history, SKU.history, PlatformSKU.history)


def history_count() -> int:
    return sum(h.count() for h in HISTORY)


def snapshot():
    return (
        sorted(Style.objects.values_list("client__code", "style_no", "name", "brand_id", "category_id", "unit_cost",
                                         "price", "is_hero", "return_class")),
        sorted(SKU.objects.values_list("client__code", "style__style_no", "colour", "size", "sku_code", "barcode",
                                       "unit_cost", "price")),
        sorted(PlatformSKU.objects.values_list("store__code", "sku__sku_code", "platform_sku_code")),
    )


def import_rows(cat, rows, *, user=None, client=None, **kwargs):
    return actions.import_products(user=user or cat.user_a, client=client or cat.client_a, table=table_of(rows),
                                   **kwargs)


def rejected(cat, rows, **kwargs):
    before, history = snapshot(), history_count()
    with pytest.raises(actions.ImportRejected) as refused:
        import_rows(cat, rows, **kwargs)
    assert snapshot() == before and history_count() == history, "a rejected import wrote something"
    return [(e.row, e.column, e.message) for e in refused.value.errors]


TEA = dict(style_no="LJ-01", name="西湖龙井 明前特级", brand="山岚", category="tea", unit_cost="180", price="598",
           is_hero="是", return_class="经买家确认不支持七天无理由退货")


def dress_rows():
    return [
        row(style_no="Q100", name="棉麻衬衫", category="womens", colour="白色", size=size, unit_cost="45",
            price=price, platform_sku_code=f"TB-Q100-{size}", store_code="A1")
        for size, price in (("S", "129"), ("M", "129"), ("L", "139"))
    ] + [row(**TEA, barcode="6901234567892", platform_sku_code="TB-LJ01", store_code="A1"),
         row(**TEA, barcode="6901234567892", platform_sku_code="JD-LJ01", store_code="A2")]


def test_import_creates_styles_skus_and_platform_codes(cat):
    result = import_rows(cat, dress_rows())
    assert (result.styles_created, result.skus_created, result.platform_codes_added) == (2, 4, 5)
    shirt = Style.objects.get(client=cat.client_a, style_no="Q100")
    assert (shirt.category, shirt.price, shirt.status) == (cat.womens, Decimal("129.00"), StyleState.ACTIVE)
    large = shirt.skus.get(size="L")
    assert large.sku_code == "Q100-C01-L" and large.price == Decimal("139.00")
    assert large.effective_price == Decimal("139.00") and shirt.skus.get(size="M").price is None
    assert large.barcode_source == BarcodeSource.INTERNAL_EAN13
    tea = Style.objects.get(style_no="LJ-01")
    assert tea.is_hero and tea.return_class == ReturnClass.EXCLUDED_WITH_CONFIRMATION and tea.brand == cat.brand_a
    (tea_sku,) = tea.skus.all()
    assert (tea_sku.barcode, tea_sku.barcode_source) == ("6901234567892", BarcodeSource.EXTERNAL)
    assert sorted(tea_sku.platform_codes.values_list("store__code", "platform_sku_code")) == [
        ("A1", "TB-LJ01"), ("A2", "JD-LJ01")]
    # The audit trail has every bulk-written row, with who wrote it.
    assert SKU.history.filter(style_id=shirt.pk, history_type="+", history_user=cat.user_a).count() == 3


def test_reimporting_the_same_file_changes_nothing_not_even_history(cat):
    import_rows(cat, dress_rows())
    before, history = snapshot(), history_count()
    result = import_rows(cat, dress_rows())
    assert not result.changed
    assert (result.styles_unchanged, result.skus_unchanged) == (2, 4)
    assert snapshot() == before and history_count() == history


def test_reimport_updates_instead_of_duplicating(cat):
    import_rows(cat, dress_rows())
    rows = dress_rows()
    rows[0][1] = rows[1][1] = rows[2][1] = "棉麻衬衫（新）"
    result = import_rows(cat, rows)
    assert (result.styles_updated, result.styles_created, result.skus_created) == (1, 0, 0)
    assert Style.objects.filter(style_no="Q100").get().name == "棉麻衬衫（新）"
    assert Style.history.filter(style_no="Q100", history_type="~").count() == 1


def test_price_of_a_whole_style_changes_the_style_not_each_sku(cat):
    import_rows(cat, dress_rows())
    rows = [r for r in dress_rows() if r[0] == "Q100"]
    for r in rows:
        r[9] = "119"
    import_rows(cat, rows)
    shirt = Style.objects.get(style_no="Q100")
    assert shirt.price == Decimal("119.00")
    assert all(s.price is None for s in shirt.skus.all())
    history = Style.history.filter(id=shirt.pk).order_by("history_date", "history_id").last()
    assert (history.price, history.history_user, history.history_type) == (Decimal("119.00"), cat.user_a, "~")


def test_a_partial_file_does_not_move_the_price_of_skus_it_leaves_out(cat):
    import_rows(cat, dress_rows())
    only_large = [r for r in dress_rows() if r[5] == "L"]
    only_large[0][9] = "149"
    import_rows(cat, only_large)
    shirt = Style.objects.get(style_no="Q100")
    assert shirt.price == Decimal("129.00")
    assert {s.size: s.effective_price for s in shirt.skus.all()} == {
        "S": Decimal("129.00"), "M": Decimal("129.00"), "L": Decimal("149.00")}


def test_cat_07_import_without_the_price_right_cannot_change_prices(cat):
    import_rows(cat, dress_rows())
    # user_b: a product editor without catalog.change_style_price, now working on client A too.
    ClientGrant.objects.create(user=cat.user_b, client=cat.client_a)
    editor = type(cat.user_b).objects.get(pk=cat.user_b.pk)
    rows = dress_rows()
    rows[2][9] = "99"
    errors = rejected(cat, rows, user=editor)
    assert errors == [(4, "销售价", "您没有修改成本价或销售价的权限")]


def test_platform_codes_listed_for_a_sku_and_store_replace_the_old_ones(cat):
    import_rows(cat, dress_rows())
    rows = dress_rows()
    rows[3][12] = "TB-LJ01-NEW"
    result = import_rows(cat, rows)
    assert (result.platform_codes_added, result.platform_codes_removed) == (1, 1)
    tea_sku = SKU.objects.get(style__style_no="LJ-01")
    assert sorted(tea_sku.platform_codes.values_list("platform_sku_code", flat=True)) == ["JD-LJ01", "TB-LJ01-NEW"]
    assert PlatformSKU.history.filter(platform_sku_code="TB-LJ01", history_type="-").count() == 1


def test_dry_run_checks_and_counts_but_writes_nothing(cat):
    before, history = snapshot(), history_count()
    result = import_rows(cat, dress_rows(), dry_run=True)
    assert result.dry_run and (result.styles_created, result.skus_created) == (2, 4)
    assert snapshot() == before and history_count() == history


# --- bad rows: every error reported, nothing written --------------------------------------------


def test_bad_rows_are_all_reported_with_row_and_column_and_nothing_is_written(cat):
    rows = [
        row(style_no="G1", name="好商品", colour="红", size="S", sku_code="G1-R-S", unit_cost="10", price="20"),
        row(style_no="G1", name="好商品", colour="红", size="M", sku_code="G1-R-S", unit_cost="10", price="20"),
        row(style_no="G2", name="条码错", barcode="6901234567891", unit_cost="10", price="20"),
        row(style_no="G3", name="类目错", category="不存在的类目", unit_cost="10", price="20"),
        row(style_no="G4", name="负价格", unit_cost="10", price="-5"),
        row(style_no="", name="缺款号", unit_cost="10", price="20"),
        row(style_no="G6", name="小数", unit_cost="10.001", price="20"),
    ]
    errors = rejected(cat, rows)
    assert errors == [
        (3, "SKU编码", "SKU编码 G1-R-S 与第 2 行重复"),
        (4, "条码", "EAN-13 条码 6901234567891 的校验位错误（应为 2），请核对"),
        (5, "类目", "类目“不存在的类目”不存在"),
        (6, "销售价", "不能为负数"),
        (7, "款号", "必填"),
        (8, "成本价", "最多两位小数（精确到分）"),
    ]


def test_a_good_file_with_one_bad_row_imports_nothing(cat):
    rows = dress_rows() + [row(style_no="BAD", name="坏行", unit_cost="1", price="2", barcode="4006381333932")]
    errors = rejected(cat, rows)
    assert [(r, c) for r, c, _ in errors] == [(7, "条码")]
    assert not Style.objects.filter(style_no="Q100").exists()


def test_rows_of_one_style_must_agree_on_style_fields(cat):
    rows = [row(style_no="S1", name="甲", colour="红", unit_cost="1", price="2"),
            row(style_no="S1", name="乙", colour="蓝", unit_cost="1", price="2")]
    assert rejected(cat, rows) == [(3, "商品名称", "同一款号 S1 在第 2 行为“甲”，本行不一致")]


def test_the_same_colour_and_size_twice_is_a_duplicate(cat):
    rows = [row(style_no="S1", name="甲", colour="红", size="M", unit_cost="1", price="2"),
            row(style_no="S1", name="甲", colour="红", size="M", unit_cost="1", price="2")]
    ((number, column, message),) = rejected(cat, rows)
    assert (number, column) == (3, "款号") and "第 2 行重复" in message


def test_the_same_barcode_on_two_skus_is_refused(cat):
    rows = [row(style_no="S1", name="甲", colour="红", barcode="6901234567892", unit_cost="1", price="2"),
            row(style_no="S1", name="甲", colour="蓝", barcode="6901234567892", unit_cost="1", price="2")]
    assert rejected(cat, rows) == [(3, "条码", "条码 6901234567892 与第 2 行重复")]


def test_a_barcode_already_used_by_another_sku_is_refused(cat, style_a):
    taken = style_a.skus.first()
    rows = [row(style_no="S1", name="甲", barcode=taken.barcode, unit_cost="1", price="2")]
    assert rejected(cat, rows) == [(2, "条码", f"条码 {taken.barcode} 已用于 SKU {taken.sku_code}")]


def test_a_sku_code_cannot_move_to_another_style(cat, style_a):
    rows = [row(style_no="OTHER", name="甲", sku_code="D001-RED-M", unit_cost="1", price="2")]
    assert rejected(cat, rows) == [(2, "SKU编码", "SKU编码 D001-RED-M 已属于款号 D001，不能改到其他款号")]


def test_unknown_brand_and_store_of_another_client_are_refused(cat):
    rows = [row(style_no="S1", name="甲", brand="无此品牌", unit_cost="1", price="2"),
            row(style_no="S2", name="乙", unit_cost="1", price="2", platform_sku_code="X1", store_code="B1"),
            row(style_no="S3", name="丙", unit_cost="1", price="2", platform_sku_code="X2", store_code="NOPE")]
    errors = rejected(cat, rows, user=cat.admin)
    assert [(r, c) for r, c, _ in errors] == [(2, "品牌"), (3, "店铺编码"), (4, "店铺编码")]
    assert "不属于委托方" in errors[1][2] and "不存在" in errors[2][2]
    # For a user who does not see client B, its store reads like one that does not exist (DAT-02).
    errors = rejected(cat, rows[1:2])
    assert errors == [(2, "店铺编码", "店铺“B1”不存在")]


def test_a_platform_code_used_by_another_sku_of_the_store_is_refused(cat, style_a):
    actions.set_platform_codes(style_a.skus.first(), cat.store_a1, ["TAKEN"], user=cat.user_a)
    rows = [row(style_no="S1", name="甲", unit_cost="1", price="2", platform_sku_code="TAKEN", store_code="A1")]
    ((number, column, message),) = rejected(cat, rows)
    assert (number, column) == (2, "平台SKU编码") and "TAKEN" in message


def test_platform_code_without_store_and_bad_choices_are_refused(cat):
    rows = [row(style_no="S1", name="甲", unit_cost="1", price="2", platform_sku_code="X1"),
            row(style_no="S2", name="乙", unit_cost="1", price="2", is_hero="也许"),
            row(style_no="S3", name="丙", unit_cost="1", price="2", return_class="随便")]
    assert [(r, c) for r, c, _ in rejected(cat, rows)] == [(2, "店铺编码"), (3, "主推款"), (4, "退货类别")]


def test_a_file_without_a_required_column_is_refused_before_any_row(cat):
    headers = [h for h in HEADERS if h != "销售价"]
    table = read_table(xlsx_bytes([["S1", "甲"]], headers=headers))
    with pytest.raises(actions.ImportRejected) as refused:
        actions.import_products(user=cat.user_a, client=cat.client_a, table=table)
    (error,) = refused.value.errors
    assert (error.row, error.column) == (None, "销售价") and "缺少必填列" in error.message


def test_dat_02_importing_into_a_client_outside_the_scope_writes_nothing(cat):
    before, history = snapshot(), history_count()
    with pytest.raises(BusinessError) as refused:
        import_rows(cat, dress_rows(), user=cat.user_b, client=cat.client_a)
    assert refused.value.code == "not_found" and refused.value.field == "client"
    assert snapshot() == before and history_count() == history


def test_dat_02_a_file_cannot_reach_another_clients_skus(cat, style_a):
    # Client B uses the same SKU code: it is B's own, separate SKU.
    rows = [row(style_no="D001", name="乙的裙子", sku_code="D001-RED-M", unit_cost="1", price="2")]
    result = actions.import_products(user=cat.user_b, client=cat.client_b, table=table_of(rows))
    assert result.skus_created == 1
    assert SKU.objects.get(client=cat.client_a, sku_code="D001-RED-M").style == style_a


def test_columns_left_out_of_the_file_are_left_as_they_are(cat):
    import_rows(cat, dress_rows())
    keep = ["款号", "商品名称", "颜色", "尺码", "成本价", "销售价"]
    index = [HEADERS.index(h) for h in keep]
    rows = [[r[i] for i in index] for r in dress_rows() if r[0] == "Q100"]
    result = actions.import_products(user=cat.user_a, client=cat.client_a, table=table_of(rows, headers=keep))
    assert not result.changed
    assert Style.objects.get(style_no="Q100").category == cat.womens


# --- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_bom_or_gb18030_reads_the_same(cat, encoding):
    data = csv_bytes(dress_rows(), encoding=encoding)
    table = read_table(data, filename="products.csv")
    assert table.headers == HEADERS
    result = actions.import_products(user=cat.user_a, client=cat.client_a, table=table)
    assert result.skus_created == 4
    assert Style.objects.get(style_no="LJ-01").name == "西湖龙井 明前特级"


def test_excel_numbers_come_back_as_the_codes_people_typed(cat):
    from ecomops.catalog.sheets import write_xlsx

    rows = [["2024001", "数字款号", "", "", "", 160, "", 6901234567892, 12.5, 99, "否", "", "", ""]]
    out = io.BytesIO()
    write_xlsx([("商品", HEADERS, [[2024001, *r[1:]] for r in rows], {})], out)
    actions.import_products(user=cat.user_a, client=cat.client_a, table=read_table(out.getvalue()))
    sku = SKU.objects.get(style__style_no="2024001")
    assert (sku.size, sku.barcode, sku.effective_cost, sku.effective_price) == (
        "160", "6901234567892", Decimal("12.50"), Decimal("99.00"))


def test_old_xls_and_unreadable_files_are_refused_with_a_message(cat):
    with pytest.raises(BusinessError) as refused:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, filename="old.xls")
    assert ".xlsx" in refused.value.message
    with pytest.raises(BusinessError):
        read_table(b"PK\x03\x04 not really a zip", filename="broken.xlsx")
    with pytest.raises(BusinessError):
        read_table(b"", filename="empty.csv")


def test_template_has_the_chinese_headers_and_an_explanation_sheet():
    out = io.BytesIO()
    write_template(out)
    workbook = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert workbook.sheetnames == ["商品", "填写说明"]
    header = next(workbook["商品"].iter_rows(values_only=True))
    assert list(header) == ["款号", "商品名称", "品牌", "类目", "颜色", "尺码", "SKU编码", "条码", "成本价", "销售价",
                            "主推款", "退货类别", "平台SKU编码", "店铺编码"]
    assert [c.header for c in COLUMNS] == list(header)


def test_errors_download_lists_row_column_and_reason(cat):
    with pytest.raises(actions.ImportRejected) as refused:
        import_rows(cat, [row(style_no="G4", name="负价格", unit_cost="10", price="-5")])
    out = io.BytesIO()
    write_errors(refused.value.errors, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    assert list(sheet.iter_rows(values_only=True)) == [("行号", "列", "错误原因", "单元格内容"),
                                                        (2, "销售价", "不能为负数", "-5")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_is_a_round_trip_that_changes_nothing(cat, style_a, fmt):
    import_rows(cat, dress_rows())
    red_l = style_a.skus.get(sku_code="D001-RED-L")
    actions.change_price(red_l, user=cat.user_a, price="429.00")
    actions.set_platform_codes(red_l, cat.store_a1, ["=SUM(1)", "TB-9"], user=cat.user_a)
    actions.update_style(style_a, user=cat.user_a, name="-新款- 真丝连衣裙")
    out = io.BytesIO() if fmt == "xlsx" else io.StringIO()
    write_export(cat.user_a, cat.client_a, out, fmt=fmt)
    data = out.getvalue() if fmt == "xlsx" else out.getvalue().encode("utf-8")
    table = read_table(data, filename=f"export.{fmt}")
    assert len(table.rows) == 6 + 1 + 4 + 1  # dress SKUs (+1 for a second code), shirt SKUs, tea in two stores
    before, history = snapshot(), history_count()
    result = actions.import_products(user=cat.user_a, client=cat.client_a, table=table)
    assert not result.changed, result
    assert snapshot() == before and history_count() == history


def test_export_shows_only_codes_of_stores_the_user_sees(cat, style_a):
    sku = style_a.skus.first()
    actions.set_platform_codes(sku, cat.store_a1, ["TB-1"], user=cat.user_a)
    actions.set_platform_codes(sku, cat.store_a2, ["JD-1"], user=cat.user_a)
    viewer = cat.user_a1  # store A1 only: reads the client's catalogue (CAT-04), the codes of A1 only
    rows = list(export_rows(viewer, cat.client_a))
    assert {r[12] for r in rows if r[6] == sku.sku_code} == {"TB-1"}
    assert list(export_rows(viewer, cat.client_b)) == []
    ClientGrant.objects.create(user=cat.user_b, client=cat.client_a)
    rows = list(export_rows(type(cat.user_b).objects.get(pk=cat.user_b.pk), cat.client_a))
    assert {r[12] for r in rows if r[6] == sku.sku_code} == {"TB-1", "JD-1"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_and_error_report_never_carry_a_live_formula(cat, style_a, fmt):
    """Text starting with = + - @ is written with the apostrophe that keeps it text (.xlsx and CSV alike),
    prices stay numbers, and the file still comes back unchanged on import."""
    import csv as csv_module
    import zipfile

    hostile = "=cmd|' /C calc'!A0"
    import_rows(cat, dress_rows())
    actions.update_style(style_a, user=cat.user_a, name=hostile)
    out = io.BytesIO() if fmt == "xlsx" else io.StringIO()
    write_export(cat.user_a, cat.client_a, out, fmt=fmt)
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
            assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
        rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
        names = {r[1].value for r in rows[1:]}
        assert "'" + hostile in names and all(r[1].data_type == "s" for r in rows[1:])
        data = out.getvalue()
    else:
        rows = list(csv_module.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
        assert "'" + hostile in {r[1] for r in rows[1:]}
        assert all(not cell.startswith(("=", "+", "@")) for r in rows for cell in r)
        data = out.getvalue().encode("utf-8")
    table = read_table(data, filename=f"export.{fmt}")
    assert hostile in {cells[1] for _n, cells in table.rows}  # the apostrophe is taken off again
    with pytest.raises(actions.ImportRejected) as refused:
        import_rows(cat, [row(style_no="G5", name="x", unit_cost="10", price="@SUM(1)")])
    report = io.BytesIO()
    write_errors(refused.value.errors, report)
    cells = [c.value for r in load_workbook(io.BytesIO(report.getvalue())).worksheets[0].iter_rows() for c in r]
    assert "'@SUM(1)" in cells and "@SUM(1)" not in cells
