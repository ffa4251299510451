"""DAT-01 speed: the dashboard's summary tables. They are built from the orders by the same functions
as the live figures, read for the closed days, refreshed for what changed, and checked against the
orders by ``dashboard-verify`` (which a tampered or untracked change fails)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from ecomops.dashboard import jobs, summaries
from ecomops.dashboard.figures import UNSHIPPED_STATES, build_dashboard
from ecomops.dashboard.models import DailySkuSales, DailyStoreFigures, SummaryDay, SummaryState
from ecomops.dashboard.shapes import Period
from ecomops.orders.enums import OrderState, RefundSource
from ecomops.orders.models import Order, Refund
from ecomops.org.scoping import ALL_SCOPE, scope_for

from .conftest import NOW, at, order

D = Decimal
LATER = NOW + timedelta(days=2)  # 12 March 20:00: the 10th and the 11th are closed too
PERIODS = [Period.of("day", date(2026, 3, 10)), Period.of("week", date(2026, 3, 10)),
           Period.of("month", date(2026, 3, 10)), Period("custom", date(2026, 3, 2), date(2026, 3, 11))]


def settle():
    """As if the last refresh ran two hours ago and the orders and refunds were saved before it: changes
    made since are the only ones within ``CHANGE_MARGIN`` (one hour) of it."""
    long_ago = timezone.now() - timedelta(hours=4)
    Order.objects.update(updated_at=long_ago)
    Refund.objects.update(recorded_at=long_ago)
    SummaryState.objects.update(last_started_at=timezone.now() - timedelta(hours=2))


def figures(board):
    return [(k.key, k.value, k.previous) for k in board.kpis], [(c.key, c.rows) for c in board.charts]


def same_as_live(scope, now):
    for period in PERIODS:
        assert figures(build_dashboard(scope, period, now=now)) == figures(build_dashboard(scope, period, now=now,
                                                                                          live=True)), period


@pytest.mark.django_db
def test_refresh_builds_each_closed_day_once_and_reads_equal_live(shop, org):
    first = summaries.refresh(now=LATER)
    # From 1 March (o8 paid) to the 11th, today (the 12th) left to the live figures.
    assert (first.days, first.first, first.last) == (11, date(2026, 3, 1), date(2026, 3, 11))
    assert SummaryDay.objects.count() == 11
    row = DailyStoreFigures.objects.get(day=date(2026, 3, 10), store=org.store_a1)
    # o1 100.10 + o3 20.00 paid; o1 shipped; refunds 20.00 (o3) + 10.00 (o2, paid the 9th) on the 10th.
    assert (row.sales, row.orders, row.shipped, row.refunds) == (D("100.10") + D("20.00"), 2, 1, D("30.00"))
    assert DailySkuSales.objects.get(day=date(2026, 3, 10), sku=shop.sku_x, store=org.store_a1).units == 2
    board = build_dashboard(ALL_SCOPE, PERIODS[0], now=LATER)
    assert board.summarised_days == 2  # the 10th and the 9th, its previous day
    same_as_live(ALL_SCOPE, LATER)
    same_as_live(scope_for(org.member_a), LATER)  # a client user's scope filters the summary rows too
    # Within the margin of the last refresh every saved order's days are looked at again (a long import
    # commits late); once the changes are older than that, nothing changed, nothing is rebuilt.
    assert summaries.refresh(now=LATER + timedelta(minutes=10)).days == 4  # o8's 1st, the 9th, 10th, 11th
    settle()
    assert summaries.refresh(now=LATER + timedelta(minutes=20)).days == 0
    assert summaries.differences() == []


@pytest.mark.django_db
def test_summary_rows_are_what_the_dashboard_reads(shop, org):
    summaries.refresh(now=LATER)
    DailyStoreFigures.objects.filter(day=date(2026, 3, 10), store=org.store_b1).update(sales=D("1.00"))
    board = build_dashboard(ALL_SCOPE, PERIODS[0], now=LATER)
    assert board.kpi("sales").value == D("151.43")  # 1150.43 with B1's 1000.00 read as 1.00
    assert build_dashboard(ALL_SCOPE, PERIODS[0], now=LATER, live=True).kpi("sales").value == D("1150.43")
    # Before the 10th was closed (NOW is 20:00 of the 10th) it is computed from the orders.
    assert build_dashboard(ALL_SCOPE, PERIODS[0], now=NOW).kpi("sales").value == D("1150.43")


@pytest.mark.django_db
def test_changes_after_a_refresh_rebuild_their_days(shop, org):
    summaries.refresh(now=LATER)
    settle()
    # An order of the 5th imported late, a refund of the 3rd entered late, a shipment dated the 8th.
    order(org.store_a2, "A2-LATE", paid_at=at(5, 15), amount="66.60", lines=[(shop.sku_y, 3, "66.60")])
    Refund.objects.create(order=shop.o8, amount=D("2.00"), source=RefundSource.PLATFORM, reason="差价",
                          refunded_at=at(3, 9), recorded_by=org.admin)
    shop.o5.state, shop.o5.shipped_at = OrderState.SHIPPED, at(8, 16)
    shop.o5.save()
    result = summaries.refresh(now=LATER + timedelta(minutes=10))
    assert {result.first, result.last} == {date(2026, 3, 3), date(2026, 3, 10)}
    # Days 3 (refund), 5 (late order), 8 (shipment) and 10 (o5's payment day: the order was saved).
    assert result.days == 4
    assert summaries.differences() == []
    same_as_live(ALL_SCOPE, LATER)
    assert DailyStoreFigures.objects.get(day=date(2026, 3, 5), store=org.store_a2).sales == D("66.60")


@pytest.mark.django_db
def test_after_midnight_yesterday_is_summarised(shop):
    summaries.refresh(now=NOW)
    assert not SummaryDay.objects.filter(day=date(2026, 3, 10)).exists()
    settle()
    result = summaries.refresh(now=at(11, 0, 5))
    assert (result.days, result.first) == (1, date(2026, 3, 10))


@pytest.mark.django_db
def test_verify_finds_untracked_and_tampered_rows_and_the_job_repairs_them(shop, org):
    summaries.refresh(now=LATER)
    # A payment day moved by a bulk update (no updated_at) and a summary row edited by hand.
    Order.objects.filter(pk=shop.o8.pk).update(paid_at=at(2))
    DailySkuSales.objects.filter(day=date(2026, 3, 10), sku=shop.sku_b).update(units=11)
    found = summaries.differences()
    assert {(d.day, d.sku_id) for d in found} == {(date(2026, 3, 1), None), (date(2026, 3, 2), None),
                                                 (date(2026, 3, 10), shop.sku_b.pk)}
    assert str(found[0]) == f"2026-03-01 store {org.store_a2.pk}: summary sales=7.00 orders=1 shipped=0 " \
        "refunds=0.00, orders give nothing"
    assert str(found[-1]) == f"2026-03-10 store {org.store_b1.pk} sku {shop.sku_b.pk}: summary units=11 " \
        "amount=1000.00, orders give units=10 amount=1000.00"
    with pytest.raises(CommandError, match="3 difference"):
        call_command("dashboard-verify")
    with pytest.raises(RuntimeError, match="3 处差异，已重建 3 天"):
        jobs.verify_summaries(LATER)
    assert summaries.differences() == []
    call_command("dashboard-verify")  # no error now
    assert jobs.verify_summaries(LATER) == "DAT-01：看板汇总与订单相符"
    same_as_live(ALL_SCOPE, LATER)


@pytest.mark.django_db
def test_rebuild_command_and_job(shop, capsys):
    call_command("dashboard-rebuild")
    assert "rebuilt" in capsys.readouterr().out
    assert SummaryDay.objects.exists()
    settle()
    assert "已是最新" in jobs.refresh_summaries(timezone.now())
    call_command("dashboard-rebuild", "--all")
    assert "rebuilt" in capsys.readouterr().out
    assert summaries.differences() == []


@pytest.mark.django_db
def test_full_rebuild_drops_days_outside_the_history(shop):
    summaries.refresh(now=LATER)
    SummaryDay.objects.create(day=date(2025, 1, 1), built_at=LATER)
    summaries.refresh(now=LATER, full=True)
    assert SummaryDay.objects.order_by("day").first().day == date(2026, 3, 1)


@pytest.mark.django_db
def test_empty_database_builds_nothing():
    assert summaries.refresh().days == 0
    assert summaries.differences() == []


@pytest.mark.django_db
def test_queue_counts_use_their_partial_indexes(shop):
    """The partial indexes' conditions must be what the dashboard's queries say, or no database uses
    them (a 1,000,000-order count then scans the table)."""
    from django.db.models import Q

    queries = {
        "dashboard_order_unshipped_idx": Order.objects.filter(state__in=UNSHIPPED_STATES, paid_at__isnull=False),
        "dashboard_order_exception_idx": Order.objects.filter(Q(state=OrderState.ON_HOLD) | ~Q(exception_reason="")),
    }
    for index, query in queries.items():
        sql, params = query.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) q", params)  # noqa: S608 - the ORM's SQL
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql}) q", params)  # noqa: S608
            plan = " ".join(str(row) for row in cursor.fetchall())
        # SQLite may rather look the few states up in the state index: a search all the same, no scan.
        assert index in plan or (connection.vendor == "sqlite" and "SEARCH" in plan), plan
