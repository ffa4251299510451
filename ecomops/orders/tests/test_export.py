"""LAW-04 / CRM-03: the order list exported as .xlsx — the user's own orders under the list's filters,
receivers masked; plain receivers only for a user holding the personal-data right who asks, every such
order logged as a personal-data read."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ecomops.audit.models import PersonalDataAccess

from .test_review import _http


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_law04_export_is_masked_scoped_and_follows_the_filters(od, org):
    rows = _sheet(_http(od.clerk).get("/orders/export.xlsx"))
    assert rows[0][:3] == ["平台订单号", "店铺", "状态"]
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {"TB1001", "JD2001"}  # client B's order is not there
    a1 = next(row for row in rows if row[0] == "TB1001")
    assert "13812345678" not in a1 and "138******78" in a1 and "张三丰" not in a1 and "张*丰" in a1
    assert a1[16] == "TEA-001-250×1"
    filtered = _sheet(_http(od.clerk).get("/orders/export.xlsx", {"store": org.store_a2.pk}))
    assert [row[0] for row in filtered[1:]] == ["JD2001"]
    assert not PersonalDataAccess.objects.exists()


def test_crm03_unmasked_export_needs_the_right_and_logs_every_order(od, org):
    assert _http(od.clerk).get("/orders/export.xlsx", {"reveal": "1"}).status_code == 403
    rows = _sheet(_http(od.store_clerk).get("/orders/export.xlsx", {"reveal": "1"}))
    assert [row[0] for row in rows[1:]] == ["TB1001"]  # store-only grant: store A1 alone
    assert "13812345678" in rows[1] and "张三丰" in rows[1]
    logged = PersonalDataAccess.objects.get()
    assert logged.user == od.store_clerk and logged.object_id == str(od.a1.pk) and logged.purpose == "order export"
    assert "13812345678" not in logged.fields


def test_law04_export_cells_never_run_as_formulas(od, org):
    """A buyer's nickname ``=cmd|' /C calc'!A0`` (and a receiver whose masked name starts with ``=``) is
    text in the workbook, never a live formula; the amount stays a number."""
    import zipfile

    from ecomops.orders.models import Order

    hostile = "=cmd|' /C calc'!A0"
    order = Order.objects.get(pk=od.a1.pk)
    order.buyer_nick, order.receiver_name, order.merchant_note = hostile, "=HYPERLINK(1)", "@SUM(1)"
    order.save(update_fields=["buyer_nick", "receiver_name", "merchant_note"])
    response = _http(od.clerk).get("/orders/export.xlsx")
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows())
    row = next(r for r in rows if r[0].value == "TB1001")
    assert row[3].data_type == "s" and row[3].value == "'" + hostile
    assert row[4].data_type == "s" and row[4].value.startswith("'=")  # the masked name, still neutralised
    assert row[12].data_type == "n"  # 实付金额 is a number
