"""Issue 13, ORD-02 / LAW-04: no import ever ends in a traceback, and none writes half an order.

Whatever an uploaded file holds (random cells, random encodings, files cut short, binary junk, a
damaged .xlsx, a header and nothing else, a cell of more than a megabyte), the import ends as a
finished job with the refused rows and their reasons, or as a failed job with a Chinese message
saying why the file cannot be read. And what it wrote is whole: every imported order has all its lines
and its keys, payments match the paid orders one for one.

Hypothesis draws the files; the example counts are modest so the module runs in well under a minute.
Every example runs in a transaction rolled back afterwards, so the examples do not see each other.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportedOrder, ImportJob, ImportRowError
from ecomops.orderimport.reader import clean
from ecomops.orders.enums import PaymentState
from ecomops.orders.models import Order, OrderLine, Payment, Refund

from .conftest import FIXTURES, tb_row
from .fixtures.make_fixtures import TAOBAO

pytestmark = pytest.mark.django_db

SETTINGS = settings(max_examples=120, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HEADER = [*TAOBAO, "支付单号", "订单关闭原因", "退款金额"]
CJK = re.compile(r"[\u4e00-\u9fff]")
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "big5", "shift_jis", "cp1252"]
TRICKY = ["", " ", "0", "-1", "1.005", "1e30", "1e999999999", "-0", "NaN", "sNaN", "inf", "-Infinity", "１２",
          "1,000.50", "¥12.00", "9999999999999.99", "99999999999", "2147483648", "2026-02-30 10:00:00", "0001-01-01",
          "9999-12-31 23:59:59", "2026/3/2 9:15", "2026-03-02T09:15:00Z", '="123"', "'13800000000", "交易关闭",
          "交易成功", "等待买家付款", "卖家已发货，等待买家确认", "\x00", "a\x00b", "\n", '"', '""', ",", "\t",
          "🍵" * 3, "名" * 301, "P-1", "2000000000022", "TX-1", "313.00"]
cells = st.one_of(st.sampled_from(TRICKY), st.sampled_from(TRICKY), st.text(max_size=12),
                  st.decimals(min_value=-10, max_value=10**12, places=3, allow_nan=False).map(str))
# The columns where a wrong value does most harm, each with the values most likely to hurt it.
NUMBERS = ["inf", "1e30", "-1", "0", "2147483648", "1.5", "NaN", "１２", "99999999999"]
MONEY = ["1e30", "99999999999", "12345678901.00", "1.005", "-1", "inf", "NaN", "1,000.50", "¥12.00"]
TIMES = ["9999-12-31 23:59:59", "0001-01-01", "2026-02-30 10:00:00", "昨天", "2026-03-02T09:15:00Z", "3000-01-01"]
NASTY = {"购买数量": NUMBERS, "价格": MONEY, "实付金额": MONEY, "买家应付邮费": MONEY, "退款金额": MONEY,
         "订单创建时间": TIMES, "订单付款时间": TIMES, "订单状态": ["交易关闭", "交易成功", "火星", ""],
         "订单编号": ["", "R0", "R1", "\x00", "名" * 70], "支付单号": ["TX-1", "", "x" * 65],
         "买家留言": ["\x00", "名" * 1001], "收货地址": ["上海市 上海市 浦东新区 " + "名" * 300, "\x00"]}
nasty = st.sampled_from(sorted(NASTY)).flatmap(
    lambda h: st.tuples(st.just(HEADER.index(h)), st.sampled_from(NASTY[h])))
mutations = st.one_of(nasty, nasty, nasty, st.tuples(st.integers(0, len(HEADER)), cells))


@st.composite
def taobao_files(draw):
    """A Taobao export of 1–5 orders of 1–3 lines (some sharing a transaction number, some closed with a
    refund), then cells replaced at random, written in a random encoding, maybe cut short."""
    rows = []
    for n in range(draw(st.integers(1, 5))):
        extra = {"支付单号": draw(st.sampled_from(["", "TX-1", "TX-1", f"TX-{n}"]))}
        if draw(st.booleans()):
            extra.update({"订单状态": "交易关闭", "订单关闭原因": "买家不想买了", "退款金额": "100.00"})
        for code in draw(st.lists(st.sampled_from(["P-1", "2000000000022", "NEW-1"]), min_size=1, max_size=3)):
            row = tb_row(f"R{n}", code=code, **extra)
            rows.append([row.get(h, "") for h in HEADER])
    for _ in range(draw(st.integers(0, 8))):  # 0: the file as the platform wrote it
        if rows:
            row = draw(st.integers(0, len(rows) - 1))
            column, cell = draw(mutations)  # column one past the end: a row longer than the header
            if column < len(HEADER):
                rows[row][column] = cell
            else:
                rows[row].append(cell)
    if draw(st.integers(0, 9)) == 0:
        rows = rows[: draw(st.integers(0, len(rows)))]  # the header only, sometimes
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    content = out.getvalue().encode(encoding, errors="replace")
    exact = content.decode(encoding, errors="replace") == out.getvalue()
    cut = None
    if draw(st.booleans()):
        cut = draw(st.integers(1, max(1, len(content) - 1)))
        content = content[:cut]
    return content, rows if exact and cut is None and encoding in ("utf-8", "utf-8-sig", "gb18030") else None


def junk_files():
    """Files that are no export at all: binary junk, damaged or cut workbooks, a cell over a megabyte."""
    workbook = (FIXTURES / "jd.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 60  # past the member's local header: inside its compressed rows
    return st.one_of(
        st.tuples(st.integers(start, start + sheet.compress_size - 70), st.binary(min_size=1, max_size=16)).map(
            lambda t: (workbook[: t[0]] + t[1] + workbook[t[0] + len(t[1]):], "jd.xlsx")),
        st.binary(min_size=1, max_size=3000).map(lambda b: (b, "orders.csv")),
        st.binary(min_size=1, max_size=3000).map(lambda b: (b, "orders.xlsx")),
        st.integers(1, len(workbook) - 1).map(lambda n: (workbook[:n], "jd.xlsx")),
        st.tuples(st.integers(30, len(workbook) - 1), st.binary(min_size=1, max_size=64)).map(
            lambda t: (workbook[: t[0]] + t[1] + workbook[t[0] + len(t[1]):], "jd.xlsx")),
        st.sampled_from([
            ((",".join(HEADER) + "\r\n").encode(), "header_only.csv"),
            (b"\xef\xbb\xbf", "bom_only.csv"),
            (b"\n\n\n", "blank.csv"),
            ((",".join(HEADER) + "\n" + "R1," + "x" * ((1 << 20) + 10) + "\n").encode(), "huge_cell.csv"),
            ("订单编号,商品编码\n1,2\n".encode("utf-16"), "utf16.csv"),
            (b"PK\x03\x04" + b"\x00" * 200, "fake.xlsx"),
        ]),
    )


def import_and_check(imp, content: bytes, name: str, fmt: str = "taobao") -> ImportJob:
    """Import ``content`` (it must not raise), then check the job ended properly and what it wrote."""
    job = imp.upload(content, fmt, name=name)
    job.refresh_from_db()
    assert job.state in (JobState.DONE, JobState.FAILED), job.state
    if job.state == JobState.FAILED:
        assert CJK.search(job.failure), job.failure  # a message a person can read, never a bare exception
        assert "Error" not in job.failure and "Traceback" not in job.failure, job.failure
    assert all(e.reason for e in ImportRowError.objects.filter(job=job))
    whole_orders(imp)
    return job


def whole_orders(imp) -> None:
    """Never half an order: every order has its lines numbered 1…n and its import key; amounts add up;
    each paid order has exactly one payment, nothing else has one; refunds within what was paid."""
    store = imp.org.store_a1
    orders = Order.objects.filter(store=store)
    keys = set(ImportedOrder.objects.filter(store=store).values_list("platform_order_no", "order_id"))
    assert keys == set(orders.values_list("platform_order_no", "pk"))
    for order in orders.annotate(n=Count("lines"), goods=Sum("lines__amount")):
        assert order.n >= 1
        assert list(order.lines.order_by("line_no").values_list("line_no", flat=True)) == list(range(1, order.n + 1))
        assert order.goods_amount == order.goods
    paid = orders.filter(paid_at__isnull=False, paid_amount__gt=0)
    payments = Payment.objects.filter(store=store)
    assert payments.filter(order__isnull=True).count() == 0
    assert sorted(payments.values_list("order_id", flat=True)) == sorted(paid.values_list("pk", flat=True))
    assert all(p.amount == p.order.paid_amount and p.status == PaymentState.SUCCESS
               for p in payments.select_related("order"))
    for order_id, refunded in Refund.objects.values("order_id").annotate(t=Sum("amount")).values_list("order_id", "t"):
        assert refunded <= Order.objects.get(pk=order_id).paid_amount
    assert OrderLine.objects.filter(order__store=store).count() == sum(orders.annotate(n=Count("lines"))
                                                                       .values_list("n", flat=True))


def expected_lines(rows: list[list]) -> dict[str, int]:
    """The lines each order of the file has: its first run of adjacent rows (a later run is refused)."""
    runs: list[tuple[str, int]] = []
    for row in rows:
        if not any(clean(c) for c in row):
            continue
        number = clean(row[0]) if row else ""
        if runs and number and runs[-1][0] == number:
            runs[-1] = (number, runs[-1][1] + 1)
        else:
            runs.append((number, 1))
    first: dict[str, int] = {}
    for number, size in runs:
        first.setdefault(number, size)
    return first


def _file(rows: list[dict], encoding: str = "utf-8") -> tuple[bytes, list[list]]:
    table = [[row.get(h, "") for h in HEADER] for row in rows]
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *table])
    return out.getvalue().encode(encoding), table


@SETTINGS
@given(case=taobao_files())
@example(case=_file([tb_row("R0", qty="inf")]))  # OverflowError before issue 13
@example(case=_file([tb_row("R0", **{"订单付款时间": "9999-12-31 23:59:59"})]))  # the confirm deadline overflowed
@example(case=_file([tb_row("R0", qty="1e30")]))  # too large for the quantity column
@example(case=_file([tb_row("R0", price="99999999999")]))  # too large for the amount columns (PostgreSQL)
@example(case=_file([tb_row("R0", **{"买家留言": "a\x00b"})]))  # NUL: PostgreSQL refuses it in text
@example(case=_file([tb_row("R0", **{"支付单号": "TX-1"}), tb_row("R1", **{"支付单号": "TX-1"})]))  # a cart
def test_ord02_random_cells_encodings_and_cuts_never_raise_nor_write_half_an_order(imp, case):
    """ORD-02 property: any cell anywhere, any encoding, cut anywhere: no exception, a finished job, whole
    orders only; where the file is intact, every imported order has exactly the lines of its rows."""
    content, rows = case
    with transaction.atomic():
        job = import_and_check(imp, content, "orders.csv")
        if rows is not None and job.state == JobState.DONE:
            want = expected_lines(rows)
            have = Counter(OrderLine.objects.filter(order__store=imp.org.store_a1)
                           .values_list("order__platform_order_no", flat=True))
            for number, lines in have.items():
                assert want.get(number) == lines, (number, lines, want)
            refused = set(ImportRowError.objects.filter(job=job).values_list("order_no", flat=True))
            assert set(want) - {""} <= set(have) | refused  # every order is in, or refused with a reason
            again = import_and_check(imp, content, "orders.csv")
            assert (again.orders_created, again.orders_updated) == (0, 0)  # idempotent, whatever the file
        transaction.set_rollback(True)


@SETTINGS
@given(case=junk_files())
def test_ord02_junk_damaged_and_cut_files_end_with_a_chinese_message(imp, case):
    """LAW-04 / ORD-02: a file that is no export (binary junk, a damaged or cut .xlsx, a cell over a
    megabyte, UTF-16, a header only) never raises: a failed job with a Chinese reason, or a finished
    one with its rows refused."""
    content, name = case
    fmt = "jd" if name == "jd.xlsx" else "taobao"
    with transaction.atomic():
        import_and_check(imp, content, name, fmt)
        transaction.set_rollback(True)


def test_ord02_the_fixed_shapes_of_unreadable_files(imp):
    """The messages of the common cases, by name (the property above proves none raises)."""
    workbook = (FIXTURES / "jd.xlsx").read_bytes()
    cut = imp.upload(workbook[: len(workbook) // 2], "jd", name="jd.xlsx")
    assert cut.state == JobState.FAILED and "Excel" in cut.failure
    header = imp.upload((",".join(HEADER) + "\n").encode(), name="h.csv")
    assert (header.state, header.orders_created, header.rows_failed) == (JobState.DONE, 0, 0)
    huge = imp.upload((",".join(HEADER) + "\nR1," + "x" * ((1 << 20) + 10) + "\n").encode(), name="big.csv")
    assert huge.state == JobState.FAILED and "单元格" in huge.failure
    nul = imp.upload(f"{','.join(HEADER)}\n".encode() + ",".join(
        tb_row("N\x001", **{"买家留言": "a\x00b"}).get(h, "") for h in HEADER).encode() + b"\n", name="nul.csv")
    assert nul.state == JobState.DONE and Order.objects.get(platform_order_no="N1").buyer_message == "ab"
    big = imp.upload(f"{','.join(HEADER)}\n".encode() + ",".join(
        tb_row("B1", qty="99999999999", price="1e999999999").get(h, "") for h in HEADER).encode() + b"\n",
                     name="big.csv")
    assert big.state == JobState.DONE and big.orders_failed == 1
    assert {e.column for e in ImportRowError.objects.filter(job=big)} >= {"购买数量", "价格"}
    assert Decimal("0") == sum((o.paid_amount for o in Order.objects.filter(platform_order_no="B1")), Decimal("0"))
