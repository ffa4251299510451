"""ORD-02 with ORD-04 / WMS-10: what a platform status in an export does to an order that already holds
stock. The import changes orders only through the public actions of ``orders.actions``, so a platform
closing an order (交易关闭, 已取消, 未发货退款成功, Canceled …) cancels it like a clerk would: its
reserved units go back, a paid order's money is due back (ORD-07) and the confirmation due item is
dropped (ORD-09). Shipped or completed on the platform never ships an order here without its stock;
importing the same export again changes nothing.

The exports are the real-shaped samples of ``fixtures/`` with the first order's status changed."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecomops.audit.models import DueItem
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import Reservation, StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orderimport import actions as import_actions
from ecomops.orderimport.models import ImportFormat, ImportRowError
from ecomops.orders import actions as order_actions
from ecomops.orders.enums import AllocationState, OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent, Payment
from ecomops.orders.shipments import shipment_differences
from ecomops.orders.tests.conftest import make_user

from .conftest import FIXTURES, taobao_csv, tb_row

S = OrderState

# file, format, encoding (text files), the first order's number, its paid status text, the closing text
CLOSING = [
    ("taobao_utf8.csv", "taobao_merged", "utf-8", "3958000000000001", "买家已付款，等待卖家发货", "交易关闭"),
    ("taobao_gb18030.csv", "taobao_merged", "gb18030", "3958000000000001", "买家已付款，等待卖家发货", "交易关闭"),
    ("tmall_utf8_bom.csv", "tmall_merged", "utf-8-sig", "3958000000000001", "买家已付款，等待卖家发货", "交易关闭"),
    ("pinduoduo.csv", "pinduoduo", "utf-8", "260302-000000001", "待发货", "未发货，退款成功"),
    ("amazon.txt", "amazon", "utf-8", "112-0000001-0000001", "Unshipped", "Canceled"),
    ("jd.xlsx", "jd", "", "JD2026030201", "等待出库", "已取消"),
    ("douyin.xlsx", "douyin", "", "6920000000000001", "备货中", "已关闭"),
]


def restated(name: str, encoding: str, number: str, before: str, after: str) -> bytes:
    """The sample export with the status of order ``number`` changed from ``before`` to ``after``."""
    path = FIXTURES / name
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(path)
        sheet = book.active
        for row in sheet.iter_rows(min_row=2):
            if str(row[0].value) == number:
                for cell in row:
                    if cell.value == before:
                        cell.value = after
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    delimiter = "\t" if name.endswith(".txt") else ","
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))
    for row in rows[1:]:
        if number in row[0]:
            row[:] = [after if cell == before else cell for cell in row]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def stocked(imp, org):
    """Warehouse HZ routed for store A1 with 10 units of each of the client's two teas (ORD-04), and a
    refund agent for client A (the owner of refund due items, ORD-07)."""
    from ecomops.inventory import actions as stock_actions
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.orders.models import StoreWarehouse

    hz = stock_actions.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    bin_ = stock_actions.create_bin(hz, user=org.admin, code="A-01")
    StoreWarehouse.objects.create(store=org.store_a1, warehouse=hz, priority=1)
    for sku in (imp.sku, imp.sku2):
        doc = DocRef(kind=DocKind.OPENING, id=f"O{sku.pk}", number="OPEN")
        lot = stock_actions.open_lot(client=sku.client, source=doc)
        post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=10, to_bin=bin_)], doc=doc, user=org.admin)
    imp.hz = hz
    imp.after_sales = make_user("afs_a", "orders.view_order", "orders.add_refund", client=org.client_a,
                                position="after_sales")
    return imp


def upload(imp, content: bytes, name: str, fmt: str, capture):
    """Upload an export as the importer; the automatic review it starts runs after the commit (ORD-03)."""
    with capture(execute=True):
        return import_actions.upload(user=imp.importer, store=imp.org.store_a1,
                                     fmt=ImportFormat.objects.get(code=fmt),
                                     upload=SimpleUploadedFile(name, content), background=False,
                                     confirm_platform=True)  # every platform's sample into a Taobao store


def snapshot() -> tuple:
    return (OrderEvent.objects.count(), Order.history.count(), Payment.objects.count(), DueItem.objects.count(),
            StockMove.objects.count(), Reservation.objects.count(),
            sorted(Reservation.objects.values_list("pk", "state", "quantity")),
            sorted(StockBalance.objects.values_list("pk", "on_hand", "reserved")))


@pytest.mark.parametrize(("name", "fmt", "encoding", "number", "paid", "closed"), CLOSING)
def test_ord02_wms10_platform_closing_a_reserved_order_cancels_it_and_gives_the_stock_back(
        stocked, django_capture_on_commit_callbacks, name, fmt, encoding, number, paid, closed):
    imp = stocked
    first = upload(imp, (FIXTURES / name).read_bytes(), name, fmt, django_capture_on_commit_callbacks)
    assert first.orders_created == 3, first.failure
    order = Order.objects.get(store=imp.org.store_a1, platform_order_no=number)
    assert order.state == S.REVIEWED and order.allocation_state == AllocationState.ALLOCATED  # reserved
    free = (reservations.available(imp.sku.pk, imp.hz.pk), reservations.available(imp.sku2.pk, imp.hz.pk))
    assert free[0] <= 8 and free[1] == 9  # its 2 + 1 units (another order of the file may hold one more)
    order_actions.flag_late_confirmations()  # ORD-09: paid long ago and not confirmed: a due item is open
    assert DueItem.objects.open().filter(kind=order_actions.CONFIRM_DUE_KIND, source_id=str(order.pk)).exists()

    job = upload(imp, restated(name, encoding, number, paid, closed), name, fmt, django_capture_on_commit_callbacks)
    assert (job.orders_updated, job.orders_unchanged, job.rows_failed) == (1, 2, 0)
    order.refresh_from_db()
    assert order.state == S.CANCELLED and order.allocation_state == AllocationState.NONE and order.warehouse is None
    assert order.cancel_reason and order.cancelled_at
    assert not Reservation.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(order.pk),
                                          state=ReservationState.ACTIVE).exists()
    assert (reservations.available(imp.sku.pk, imp.hz.pk), reservations.available(imp.sku2.pk, imp.hz.pk)) == (
        free[0] + 2, 10)
    assert not StockMove.objects.filter(doc_kind=DocKind.ORDER).exists()  # nothing left the warehouse
    cancelled = order.events.get(kind=OrderEventKind.CANCELLED)
    assert cancelled.actor == imp.importer and cancelled.data.get("source") == "platform"
    # ORD-07: the platform refunded the buyer; the refund is due in our books, owned by after-sales.
    due = DueItem.objects.get(kind=order_actions.REFUND_DUE_KIND)
    assert due.owner == imp.after_sales and number in due.title
    # ORD-09: nobody has to confirm a closed order any more.
    assert not DueItem.objects.open().filter(kind=order_actions.CONFIRM_DUE_KIND, source_id=str(order.pk)).exists()
    assert not differences() and not shipment_differences()

    # The same export again: nothing changes, not even a second due item.
    before = snapshot()
    again = upload(imp, restated(name, encoding, number, paid, closed), name, fmt, django_capture_on_commit_callbacks)
    assert (again.orders_updated, again.orders_unchanged, again.rows_failed) == (0, 3, 0)
    assert snapshot() == before


def test_ord02_platform_closing_an_order_in_review_before_stock_cancels_it_without_a_refund(stocked,
                                                                                           django_capture_on_commit_callbacks):
    """An unpaid order closed on the platform: cancelled, nothing to give back, no refund due."""
    imp = stocked
    unpaid = {"订单状态": "等待买家付款", "订单付款时间": ""}
    upload(imp, taobao_csv([tb_row("U1", **unpaid)]), "o.csv", "taobao_merged", django_capture_on_commit_callbacks)
    upload(imp, taobao_csv([tb_row("U1", status="交易关闭", **{"订单付款时间": ""})]), "o.csv", "taobao_merged",
           django_capture_on_commit_callbacks)
    order = Order.objects.get(platform_order_no="U1")
    assert order.state == S.CANCELLED and not DueItem.objects.filter(kind=order_actions.REFUND_DUE_KIND).exists()


def test_ord02_platform_shipped_or_completed_never_ships_here_without_the_stock(stocked,
                                                                               django_capture_on_commit_callbacks):
    """The platform says shipped (or completed) while the goods are still reserved here: the row is
    reported, the order stays as it is with its reservation (the warehouse ships it through the ship
    action, WMS-10); once shipped here, the platform's "completed" completes it without touching stock."""
    imp = stocked
    upload(imp, taobao_csv([tb_row("S1", qty="2")]), "o.csv", "taobao_merged", django_capture_on_commit_callbacks)
    order = Order.objects.get(platform_order_no="S1")
    assert order.allocation_state == AllocationState.ALLOCATED
    for status in ("卖家已发货，等待买家确认", "交易成功"):
        job = upload(imp, taobao_csv([tb_row("S1", qty="2", status=status)]), "o.csv", "taobao_merged",
                     django_capture_on_commit_callbacks)
        assert job.orders_failed == 1 and "尚未发货" in ImportRowError.objects.get(job=job).reason
        order.refresh_from_db()
        assert order.state == S.REVIEWED and order.allocation_state == AllocationState.ALLOCATED
        assert reservations.available(imp.sku.pk, imp.hz.pk) == 8 and not StockMove.objects.filter(
            doc_kind=DocKind.ORDER).exists()

    clerk = make_user("shipper", "orders.review_order", "orders.ship_order", client=imp.org.client_a)
    order = order_actions.release_to_shipping(order, user=clerk)
    order_actions.ship_order(order, user=clerk, courier="sf_express", tracking_no="SF100")
    before = snapshot()
    job = upload(imp, taobao_csv([tb_row("S1", qty="2", status="交易成功")]), "o.csv", "taobao_merged",
                 django_capture_on_commit_callbacks)
    assert job.orders_updated == 1 and job.rows_failed == 0
    order.refresh_from_db()
    assert order.state == S.COMPLETED and order.allocation_state == AllocationState.CONSUMED
    assert snapshot()[4:] == before[4:]  # stock untouched
    assert not differences() and not shipment_differences()
    # A platform that closes an order after it left here: that is after-sales, refused by name.
    job = upload(imp, taobao_csv([tb_row("S1", qty="2", status="交易关闭")]), "o.csv", "taobao_merged",
                 django_capture_on_commit_callbacks)
    assert job.orders_failed == 1 and "S1" in ImportRowError.objects.get(job=job).reason
    assert Order.objects.get(pk=order.pk).state == S.COMPLETED


def test_ord02_a_platform_refund_before_shipping_of_a_held_order_gives_its_stock_back(
        stocked, django_capture_on_commit_callbacks):
    """Pinduoduo's 未发货，退款成功 for an order a clerk put on hold after it was reserved: cancelled,
    nothing left reserved."""
    imp = stocked
    content = (FIXTURES / "pinduoduo.csv").read_bytes()
    upload(imp, content, "p.csv", "pinduoduo", django_capture_on_commit_callbacks)
    order = Order.objects.get(platform_order_no="260302-000000001")
    clerk = make_user("holder", "orders.hold_order", client=imp.org.client_a)
    order_actions.hold(order, user=clerk, reason="买家申请退款")
    closed = restated("pinduoduo.csv", "utf-8", "260302-000000001", "待发货", "未发货，退款成功")
    upload(imp, closed, "p.csv", "pinduoduo", django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.state == S.CANCELLED and order.allocation_state == AllocationState.NONE
    assert reservations.available(imp.sku.pk, imp.hz.pk) == 10 and not differences()


def test_ord02_the_import_changes_orders_only_through_public_order_actions():
    """Every state change from another module goes through the owning module's public action: the
    import engine and the import actions use no private name of ``orders.actions`` (nor of review)."""
    root = Path(__file__).resolve().parents[1]
    for name in ("engine.py", "actions.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                          and isinstance(node.value, ast.Name) and node.value.id in ("order_actions", "review")
                          and node.attr.startswith("_")})
        assert private == [], f"{name} uses {private}"


def test_ord02_platform_acts_need_the_import_right_and_the_store(stocked, org):
    """The platform's word is acted on for a user who may import the store's exports (DAT-02), never
    for someone without that right nor for another client's store."""
    from ecomops.core.errors import BusinessError, NotAllowed
    from ecomops.orders.tests.conftest import new_order

    imp = stocked
    clerk = make_user("maker", "orders.add_order", client=org.client_a)
    order = new_order(clerk, org.store_a1, "PX1", amount=str(Decimal("10.00")),
                      lines=[order_actions.LineInput(quantity=1, unit_price=Decimal("10.00"),
                                                     platform_sku_code="P-1")])
    with pytest.raises(NotAllowed):
        order_actions.cancel(order, user=clerk, reason="平台已关闭", source="platform")
    with pytest.raises(BusinessError) as hidden:
        order_actions.cancel(order, user=imp.importer_b, reason="平台已关闭", source="platform")
    assert hidden.value.code == "not_found"
    with pytest.raises(BusinessError) as bad:
        order_actions.cancel(order, user=imp.importer, reason="平台已关闭", source="fax")
    assert bad.value.field == "source"
    order_actions.cancel(order, user=imp.importer, reason="平台已关闭", source="platform")
    assert Order.objects.get(pk=order.pk).state == S.CANCELLED


def test_ord07_an_order_arriving_closed_after_payment_has_its_refund_due(stocked, django_capture_on_commit_callbacks):
    """A new order the platform closed after payment (e.g. refunded before shipping): its payment is
    recorded, so the refund is due in our books, like any cancelled paid order's; once, however often
    the export comes in."""
    imp = stocked
    closed = taobao_csv([tb_row("R1", status="交易关闭"), tb_row("R2", status="交易关闭", **{"订单付款时间": ""})])
    upload(imp, closed, "o.csv", "taobao_merged", django_capture_on_commit_callbacks)
    paid, unpaid = Order.objects.get(platform_order_no="R1"), Order.objects.get(platform_order_no="R2")
    assert paid.state == unpaid.state == S.CANCELLED and paid.payments.count() == 1
    due = DueItem.objects.get(kind=order_actions.REFUND_DUE_KIND)
    assert due.owner == imp.after_sales and due.source_id == str(paid.pk) and "R1" in due.title
    before = snapshot()
    upload(imp, closed, "o.csv", "taobao_merged", django_capture_on_commit_callbacks)
    assert snapshot() == before
