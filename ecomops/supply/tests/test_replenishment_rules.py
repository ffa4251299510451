"""WMS-14 arithmetic as pure functions: boundaries are strict ("below 2 days", "more than 100 a day")."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomops.supply.enums import ReplenishmentRule
from ecomops.supply.replenishment import Policy, average_daily_sales, cover_days, decide, order_quantity

POLICY = Policy(window_days=7, hero_trigger_days=2, hero_order_days=7, hero_fast_units_per_day=100,
                hero_fast_order_days=3, other_trigger_days=5, other_order_days=15)

units_sold = st.integers(min_value=0, max_value=20_000)
sales = units_sold.map(lambda units: average_daily_sales(units, 7))
stock_levels = st.integers(min_value=-5, max_value=100_000)


def test_exactly_two_days_of_cover_is_not_below_two_for_the_hero_group():
    """WMS-14: 20 available at 10 a day is exactly 2 days: no reorder; 19 is below: order 7 days."""
    assert not decide(available=20, daily_sales=Decimal(10), is_hero=True, policy=POLICY).reorder
    below = decide(available=19, daily_sales=Decimal(10), is_hero=True, policy=POLICY)
    assert below.reorder and below.rule == ReplenishmentRule.HERO and below.quantity == 70
    assert "主推组" in below.explanation and "WMS-14" in below.explanation and "7 天" in below.explanation


def test_exactly_100_units_a_day_is_not_more_than_100():
    """WMS-14: a hero SKU at exactly 100 a day orders 7 days; above 100 orders 3 days instead."""
    at_limit = decide(available=0, daily_sales=Decimal(100), is_hero=True, policy=POLICY)
    assert at_limit.rule == ReplenishmentRule.HERO and at_limit.quantity == 700
    above = decide(available=0, daily_sales=Decimal(701) / 7, is_hero=True, policy=POLICY)
    assert above.rule == ReplenishmentRule.HERO_FAST and above.quantity == 301  # 100.14 × 3 rounded up
    assert "超过 100 件" in above.explanation


def test_other_products_reorder_fifteen_days_below_five_days_of_cover():
    """WMS-14: others below 5 days → 15 days of sales; exactly 5 days → nothing."""
    assert not decide(available=50, daily_sales=Decimal(10), is_hero=False, policy=POLICY).reorder
    line = decide(available=49, daily_sales=Decimal(10), is_hero=False, policy=POLICY)
    assert line.rule == ReplenishmentRule.OTHER and line.quantity == 150 and "非主推组" in line.explanation


def test_nothing_sold_means_unlimited_cover_and_no_reorder():
    """WMS-14: cover = available ÷ daily sales; without sales there is nothing to cover."""
    assert cover_days(0, Decimal(0)) is None
    assert not decide(available=0, daily_sales=Decimal(0), is_hero=True, policy=POLICY).reorder


def test_average_needs_a_window():
    with pytest.raises(ValueError):
        average_daily_sales(10, 0)


@given(available=stock_levels, daily=sales, hero=st.booleans())
def test_reorder_exactly_when_cover_is_below_the_trigger(available, daily, hero):
    """WMS-14 property: reorder ⇔ cover < trigger (strict), for every stock level and sales rate."""
    decision = decide(available=available, daily_sales=daily, is_hero=hero, policy=POLICY)
    trigger = POLICY.hero_trigger_days if hero else POLICY.other_trigger_days
    if daily == 0:
        assert not decision.reorder
    else:
        assert decision.reorder == (Decimal(max(available, 0)) / daily < trigger)


@given(available=st.integers(min_value=0, max_value=100), units=units_sold, hero=st.booleans())
def test_order_size_follows_the_branch(available, units, hero):
    """WMS-14 property: hero → 7 days, hero above 100/day → 3 days, others → 15 days of the exact
    average (units ÷ 7), rounded up to whole units."""
    daily = average_daily_sales(units, 7)
    decision = decide(available=available, daily_sales=daily, is_hero=hero, policy=POLICY)
    if not decision.reorder:
        return
    if hero and units > 700:
        days, rule = 3, ReplenishmentRule.HERO_FAST
    elif hero:
        days, rule = 7, ReplenishmentRule.HERO
    else:
        days, rule = 15, ReplenishmentRule.OTHER
    assert decision.rule == rule and decision.order_days == days
    assert decision.quantity == math.ceil(Fraction(units, 7) * days) >= 1
    assert decision.quantity == order_quantity(daily, days)


@given(units=st.integers(min_value=0, max_value=10**6), window=st.integers(min_value=1, max_value=90))
def test_average_times_window_gives_back_the_units(units, window):
    """WMS-14 decision: daily sales = units of the window ÷ its days (exact, no rounding drift)."""
    avg = average_daily_sales(units, window)
    assert abs(avg * window - units) < Decimal("0.000001")
