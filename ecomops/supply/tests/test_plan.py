"""WMS-14: the daily replenishment plan from the ledger's sales, its approval and its purchase orders."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions as inv
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.tests.conftest import make_sku
from ecomops.inventory.verify import differences
from ecomops.suppliers.models import StyleSupplier
from ecomops.supply.enums import PlanState, POState, ReplenishmentRule
from ecomops.supply.models import PurchaseOrder, ReplenishmentPlan
from ecomops.supply.plans import PLAN_APPROVAL_DUE, approve_plan, build_plan, reject_plan
from ecomops.supply.sales import daily_sales

from .conftest import supplier_lot


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def sell(stock, sku, quantity, day, lot, kind=DocKind.ORDER, number="SO1"):
    return post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=quantity, from_bin=stock.a1)],
                      doc=DocRef(kind, f"{number}-{day}", number), user=stock.keeper, at=_at(day))


@pytest.fixture
def today():
    return timezone.localdate()


def test_daily_sales_average_the_last_seven_days_of_outbound_movements(stock, supplier, today):
    """WMS-14: daily sales = last 7 days' order/outbound movements ÷ 7; other movements, the plan day
    and days before the window do not count; a reversed sale does not count."""
    lot = supplier_lot(stock, supplier, quantity=500)
    sell(stock, stock.sku, 70, today - timedelta(days=1), lot)
    sell(stock, stock.sku, 7, today - timedelta(days=7), lot, kind=DocKind.OUTBOUND, number="CK1")
    sell(stock, stock.sku, 100, today - timedelta(days=8), lot)  # before the window
    sell(stock, stock.sku, 100, today, lot, number="SO2")  # the plan's own day
    scrapped = sell(stock, stock.sku, 50, today - timedelta(days=2), lot, kind=DocKind.SCRAP, number="BF1")
    assert scrapped
    reversed_sale = sell(stock, stock.sku, 14, today - timedelta(days=3), lot, number="SO3")
    inv.reverse_document(user=stock.keeper, doc=DocRef(DocKind.ORDER, reversed_sale[0].doc_id, "SO3"), reason="错单")
    assert daily_sales([stock.sku.pk], stock.wh, today) == {stock.sku.pk: 11}
    assert differences() == []


def test_daily_sales_leave_out_non_sale_outbound_and_take_off_returns(stock, supplier, today):
    """WMS-14 with FUL-04 / AFS-02: an outbound document for internal use or a return to the supplier is
    not demand; goods booked back in (customer returns, or posted back into a bin against an order)
    reduce the sales of the day they came back; more returns than sales count as zero, never negative."""
    from ecomops.inventory.enums import OutboundReason

    lot = supplier_lot(stock, supplier, quantity=500)
    other = stock.sku2
    sell(stock, stock.sku, 70, today - timedelta(days=1), lot)
    for reason, quantity in ((OutboundReason.INTERNAL_USE, 30), (OutboundReason.SALE, 7)):
        document = inv.create_document(user=stock.keeper, kind=DocKind.OUTBOUND, warehouse=stock.wh,
                                       client=stock.org.client_a, reason=reason, reference="REF-1")
        post_moves([Move(sku_id=stock.sku.pk, lot_id=lot.pk, quantity=quantity, from_bin=stock.a1)],
                   doc=DocRef.of(DocKind.OUTBOUND, document), user=stock.keeper, at=_at(today - timedelta(days=2)))
    post_moves([Move(sku_id=stock.sku.pk, lot_id=lot.pk, quantity=6, to_bin=stock.a1)],
               doc=DocRef(DocKind.CUSTOMER_RETURN, "TH1", "TH1"), user=stock.keeper, at=_at(today - timedelta(days=3)))
    post_moves([Move(sku_id=stock.sku.pk, lot_id=lot.pk, quantity=1, to_bin=stock.a1)],
               doc=DocRef(DocKind.ORDER, "SO9", "SO9"), user=stock.keeper, at=_at(today - timedelta(days=3)))
    other_lot = supplier_lot(stock, supplier, quantity=50, sku=other)
    post_moves([Move(sku_id=other.pk, lot_id=other_lot.pk, quantity=5, to_bin=stock.a1)],
               doc=DocRef(DocKind.CUSTOMER_RETURN, "TH2", "TH2"), user=stock.keeper, at=_at(today - timedelta(days=1)))
    # 70 + 7 (the sale outbound) − 6 returned − 1 posted back against an order = 70 → 10 a day
    assert daily_sales([stock.sku.pk, other.pk], stock.wh, today) == {stock.sku.pk: 10}
    assert differences() == []


def test_plan_orders_hero_goods_below_two_days_and_keeps_its_reasons(stock, supplier, approver, today):
    """WMS-14: a hero SKU covering less than 2 days gets 7 days of sales; a non-hero SKU covering less
    than 5 days gets 15 days; every line keeps its Chinese explanation and the policy versions."""
    hero = make_sku(stock.org.client_a, "TEA9", hero=True)
    lot = supplier_lot(stock, supplier, sku=hero, quantity=300)
    other_lot = supplier_lot(stock, supplier, sku=stock.sku, quantity=300)
    sell(stock, hero, 70, today - timedelta(days=1), lot)
    sell(stock, stock.sku, 280, today - timedelta(days=2), other_lot, number="SO2")  # 40 a day, 20 left
    sell(stock, hero, 215, today - timedelta(days=1), lot, number="SO4")  # 285 in the week → 40.71/day
    StyleSupplier.objects.create(style=hero.style, supplier=supplier, is_primary=True)
    plan = build_plan(warehouse=stock.wh, client=stock.org.client_a, on=today)
    assert plan.state == PlanState.PENDING
    lines = {line.sku_id: line for line in plan.lines.all()}
    assert lines[hero.pk].rule == ReplenishmentRule.HERO and lines[hero.pk].quantity == 285  # 40.71 × 7 ↑
    assert lines[hero.pk].order_days == 7 and lines[hero.pk].trigger_days == 2
    assert "低于 2 天" in lines[hero.pk].explanation
    assert lines[stock.sku.pk].rule == ReplenishmentRule.OTHER and lines[stock.sku.pk].quantity == 600
    assert lines[stock.sku.pk].supplier_id is None  # listed as needing a supplier
    assert "WMS-14.hero_order_days" in plan.policy["citations"]
    assert "WMS-14" in plan.policy["citations"]["WMS-14.hero_order_days"]
    assert DueItem.objects.filter(kind=PLAN_APPROVAL_DUE, owner=approver, clause="WMS-14").exists()
    # run again the same day: the same plan
    assert build_plan(warehouse=stock.wh, client=stock.org.client_a, on=today).pk == plan.pk


def test_approved_plan_becomes_one_purchase_order_per_supplier(stock, supplier, approver, today, django_user_model):
    """WMS-14: approval (GM office / purchasing) turns the lines into purchase orders, one per client ×
    supplier × warehouse; lines without a supplier get none; approving twice is refused."""
    from ecomops.suppliers.models import Supplier

    second = Supplier.objects.create(code="SUP2", name="绍兴面料厂", client=None, created_by=stock.admin)
    other = make_sku(stock.org.client_a, "COAT1")
    third = make_sku(stock.org.client_a, "SCARF1")
    for sku in (stock.sku, other, third):
        lot = supplier_lot(stock, supplier, sku=sku, quantity=20)
        sell(stock, sku, 14, today - timedelta(days=1), lot, number=f"S-{sku.pk}")
    StyleSupplier.objects.create(style=stock.sku.style, supplier=supplier, is_primary=True)
    StyleSupplier.objects.create(style=other.style, supplier=second)
    plan = build_plan(warehouse=stock.wh, client=stock.org.client_a, on=today)
    assert plan.lines.count() == 3
    nobody = django_user_model.objects.create_user("plain")
    with pytest.raises(NotAllowed):
        approve_plan(plan, user=nobody)
    orders = approve_plan(plan, user=approver, note="同意")
    assert len(orders) == 2
    assert {o.supplier_id for o in orders} == {supplier.pk, second.pk}
    assert all(o.state == POState.DRAFT and o.source == plan.number and o.warehouse == stock.wh for o in orders)
    assert plan.lines.filter(purchase_order__isnull=True).get().sku_id == third.pk
    with pytest.raises(Conflict):
        approve_plan(plan, user=approver)
    with pytest.raises(Conflict):
        reject_plan(plan, user=approver, note="晚了")
    assert not DueItem.objects.open().filter(kind=PLAN_APPROVAL_DUE).exists()


def test_reject_needs_a_reason_and_client_b_plans_are_out_of_reach(stock, supplier, supplier_b, approver, today):
    """WMS-14: rejection names its reason; a client-A approver cannot decide client B's plan."""
    lot = supplier_lot(stock, supplier_b, sku=stock.sku_b, quantity=10)
    sell(stock, stock.sku_b, 7, today - timedelta(days=1), lot)
    plan_b = build_plan(warehouse=stock.wh, client=stock.org.client_b, on=today)
    assert plan_b is not None
    with pytest.raises(NotAllowed):
        approve_plan(plan_b, user=approver)
    with pytest.raises(BusinessError) as error:
        reject_plan(plan_b, user=stock.org.admin, note=" ")
    assert error.value.field == "note"
    assert reject_plan(plan_b, user=stock.org.admin, note="库存够用").state == PlanState.REJECTED


def test_no_plan_when_nothing_needs_ordering(stock, supplier, today):
    lot = supplier_lot(stock, supplier, quantity=500)
    sell(stock, stock.sku, 7, today - timedelta(days=1), lot)
    assert build_plan(warehouse=stock.wh, client=stock.org.client_a, on=today) is None


def test_replenishment_plan_command(stock, supplier, today, capsys):
    """WMS-14: `ecomops replenishment-plan --warehouse HZ --date …` builds the day's plans."""
    lot = supplier_lot(stock, supplier, quantity=10)
    sell(stock, stock.sku, 7, today - timedelta(days=1), lot)
    call_command("replenishment-plan", "--warehouse", "HZ", "--date", today.isoformat())
    assert ReplenishmentPlan.objects.filter(warehouse=stock.wh, plan_date=today).count() == 1
    assert "BH" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("replenishment-plan", "--warehouse", "NOPE")
    with pytest.raises(CommandError):
        call_command("replenishment-plan", "--warehouse", "HZ", "--date", "2026-13-01")
    assert PurchaseOrder.objects.count() == 0
