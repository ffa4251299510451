"""Properties of the pay arithmetic over generated months (PER-01…14):
- a slip's total is always the sum of its lines, and the run's total the sum of its slips;
- recomputing a draft gives exactly the same lines (and fingerprint);
- a group's commission is split into shares that add up to the group's amount exactly (PER-08), no two
  shares more than a fen apart, the larger ones to the earliest-hired;
- every amount is a whole number of fen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomops.payroll import actions, compute
from ecomops.payroll.enums import LineKind, Metric
from ecomops.payroll.models import PayLine, PaySlip

from .conftest import MONTH

pytestmark = pytest.mark.django_db

DB_SETTINGS = settings(max_examples=25, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2, allow_nan=False,
                    allow_infinity=False)
month_input = st.fixed_dictionaries({
    "orders": st.lists(st.tuples(money, st.integers(1, 31), st.integers(0, 40)), max_size=8),
    "refunds": st.lists(st.tuples(st.integers(0, 7), st.integers(1, 100)), max_size=3),
    "plans": st.tuples(money, money, money),
    "kpi": st.lists(st.tuples(st.integers(0, 4), money, money), max_size=4),
    "attendance": st.lists(st.integers(0, 5), max_size=6),
    "bonus": st.booleans(),
})


def _build(world, case) -> None:
    orders = []
    for amount, day, paid_after in case["orders"]:
        paid_day = day + paid_after
        orders.append(world.order(str(amount), day=day, paid_day=paid_day if paid_day <= 31 else None,
                                  paid=paid_day <= 31))
    for index, percent in case["refunds"]:
        if index < len(orders):
            part = (orders[index].paid_amount * percent / 100).quantize(Decimal("0.01"))
            if part > 0:
                world.refund(orders[index], str(part))
    for department, plan in zip((world.ecom, world.promotion, world.cs_group), case["plans"], strict=True):
        world.sales_target(department, str(plan))
    people = world.everyone[1:]
    for index, plan, actual in case["kpi"]:
        world.plan(Metric.PROMOTION_VOLUME, str(plan), str(actual), staff=people[index])
    for index in case["attendance"]:
        person = world.everyone[index]
        if not person.attendance.exists():
            world.full_attendance(person)


@DB_SETTINGS
@given(case=month_input)
def test_slip_total_is_the_sum_of_its_lines_and_recompute_is_stable(world, case):
    with transaction.atomic():
        _build(world, case)
        first = actions.compute_run(MONTH, user=world.admin)
        lines = list(PayLine.objects.filter(slip__run=first.run).order_by("slip__employee_no", "seq")
                     .values_list("slip__employee_no", "kind", "amount", "explanation"))
        for slip in PaySlip.objects.filter(run=first.run):
            assert slip.total == sum((x.amount for x in slip.lines.all()), Decimal("0"))
        assert first.run.total == sum((s.total for s in PaySlip.objects.filter(run=first.run)), Decimal("0"))
        assert all(amount == amount.quantize(Decimal("0.01")) for _n, _k, amount, _e in lines)
        again = actions.compute_run(MONTH, user=world.admin)
        assert again.changed is False and again.run.fingerprint == first.run.fingerprint
        assert list(PayLine.objects.filter(slip__run=again.run).order_by("slip__employee_no", "seq")
                    .values_list("slip__employee_no", "kind", "amount", "explanation")) == lines
        transaction.set_rollback(True)


@settings(max_examples=2000, deadline=None)
@given(total=st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=2,
                         allow_nan=False, allow_infinity=False),
       n=st.integers(1, 60))
def test_split_evenly_adds_up_exactly(total, n):
    """PER-08: three shares of 1,500.50 are 500.17 + 500.17 + 500.16, never 3 × 500.17 = 1,500.51."""
    shares = compute.split_evenly(total, n)
    assert len(shares) == n
    assert sum(shares, Decimal("0")) == total
    assert all(x == x.quantize(Decimal("0.01")) for x in shares)
    assert max(shares) - min(shares) <= Decimal("0.01")
    # The fen left over go to the first sharers (the earliest-hired): the shares never grow down the list.
    assert [abs(x) for x in shares] == sorted((abs(x) for x in shares), reverse=True)


def test_split_evenly_hand_worked():
    assert compute.split_evenly(Decimal("1500.50"), 3) == [Decimal("500.17"), Decimal("500.17"), Decimal("500.16")]
    assert compute.split_evenly(Decimal("0.02"), 3) == [Decimal("0.01"), Decimal("0.01"), Decimal("0.00")]
    assert compute.split_evenly(Decimal("-0.05"), 2) == [Decimal("-0.03"), Decimal("-0.02")]
    with pytest.raises(ValueError):
        compute.split_evenly(Decimal("1"), 0)


@DB_SETTINGS
@given(sales=money, plan=money)
def test_a_groups_shares_add_up_to_its_amount(world, sales, plan):
    with transaction.atomic():
        world.order(str(sales))
        world.sales_target(world.cs_group, str(plan))
        world.sales_target(world.promotion, str(plan))
        result = compute.compute_month(MONTH)
        table = compute.PolicySet(compute.month_end(MONTH)).value(compute.COMMISSION_RATES)
        for group, column in ((world.cs, "customer_service"), (world.promoters, "promotion")):
            whole = compute.fen(sales * table.rate(sales / plan, column))
            by_person = {s.staff.pk: next(x for x in s.lines if x.kind == LineKind.COMMISSION).amount
                         for s in result.slips if s.staff in group}
            shares = [by_person[person.pk] for person in group]  # the world's order: by employee number
            assert sum(shares) == whole
            assert max(shares) - min(shares) <= Decimal("0.01")
            assert shares == sorted(shares, reverse=True)
        transaction.set_rollback(True)
