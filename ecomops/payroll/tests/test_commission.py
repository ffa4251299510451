"""PER-07, PER-08, PER-10, PER-11, PER-12: the commission base, the tier of every boundary for all three
groups, sharing within a group, rounding, departures and forfeiture."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecomops.orders.enums import OrderState, RefundSource
from ecomops.payroll import actions, compute
from ecomops.payroll.enums import LineKind
from ecomops.payroll.models import CountedOrder, CountedRefund, HarmCase

from .conftest import MONTH, at, line

# Sales completion → (customer-service shares of 3, promotion shares of 2, supervisor) with the target
# 10,000.00: the PER-08 table as written — 30% earns nothing, 50% is in the first paid tier, 100–120%
# keeps the 100% rates, 120% itself is the top tier. Worked by hand: each group's amount is rounded
# half-up to the fen once, then split into shares that add up to it exactly, the fen left over going to
# the earliest-hired (all were hired the same day here, so the lowest employee number: cs1, then cs2).
TIERS = [
    ("29.99", "2999.00", (("0.00", "0.00", "0.00"), ("0.00", "0.00"), "0.00")),
    ("30", "3000.00", (("0.00", "0.00", "0.00"), ("0.00", "0.00"), "0.00")),
    # 3001 × 0.5% = 15.005 → 15.01 = 5.01 + 5.00 + 5.00; 3001 × 1% = 30.01 = 15.01 + 15.00
    ("30.01", "3001.00", (("5.01", "5.00", "5.00"), ("15.01", "15.00"), "60.02")),
    ("50", "5000.00", (("8.34", "8.33", "8.33"), ("25.00", "25.00"), "100.00")),  # 25.00 ÷ 3
    # 5001 × 1.5% = 75.015 → 75.02 = 37.51 × 2
    ("50.01", "5001.00", (("16.67", "16.67", "16.67"), ("37.51", "37.51"), "150.03")),
    ("80", "8000.00", (("26.67", "26.67", "26.66"), ("60.00", "60.00"), "240.00")),  # 80.00 ÷ 3
    ("100", "10000.00", (("50.00", "50.00", "50.00"), ("100.00", "100.00"), "400.00")),
    ("110", "11000.00", (("55.00", "55.00", "55.00"), ("110.00", "110.00"), "440.00")),
    # 11999 × 1.5% = 179.985 → 179.99 = 60.00 + 60.00 + 59.99
    ("119.99", "11999.00", (("60.00", "60.00", "59.99"), ("119.99", "119.99"), "479.96")),
    ("120", "12000.00", (("80.00", "80.00", "80.00"), ("150.00", "150.00"), "600.00")),
    ("150", "15000.00", (("100.00", "100.00", "100.00"), ("187.50", "187.50"), "750.00")),
]
RATES = {  # completion → (customer service, promotion, supervisor) rate
    "29.99": ("0", "0", "0"), "30": ("0", "0", "0"), "30.01": ("0.005", "0.01", "0.02"),
    "50": ("0.005", "0.01", "0.02"), "50.01": ("0.01", "0.015", "0.03"), "80": ("0.01", "0.015", "0.03"),
    "100": ("0.015", "0.02", "0.04"), "110": ("0.015", "0.02", "0.04"), "119.99": ("0.015", "0.02", "0.04"),
    "120": ("0.02", "0.025", "0.05"), "150": ("0.02", "0.025", "0.05"),
}


@pytest.mark.parametrize(("completion", "sales", "expected"), TIERS, ids=[t[0] for t in TIERS])
def test_per08_commission_tier_boundaries_for_all_three_groups(world, completion, sales, expected):
    world.all_sales_targets("10000.00")
    world.order(sales)
    result = compute.compute_month(MONTH)
    cs_shares, promotion_shares, supervisor = expected
    cs_rate, promotion_rate, supervisor_rate = (Decimal(x) for x in RATES[completion])
    for person, share in zip(world.cs, cs_shares, strict=True):
        got = line(result, person, LineKind.COMMISSION)
        assert got.amount == Decimal(share)
        assert Decimal(got.data["rate"]) == cs_rate
        assert f"销售完成率 {Decimal(completion):.2f}% → 客服组提成比例" in got.explanation
    for person, share in zip(world.promoters, promotion_shares, strict=True):
        got = line(result, person, LineKind.COMMISSION)
        assert got.amount == Decimal(share)
        assert Decimal(got.data["rate"]) == promotion_rate
    # PER-08: the shares add up to the group's amount, rounded once.
    assert sum(Decimal(x) for x in cs_shares) == compute.fen(Decimal(sales) * cs_rate)
    assert sum(Decimal(x) for x in promotion_shares) == compute.fen(Decimal(sales) * promotion_rate)
    supervisor = Decimal(supervisor)
    got = line(result, world.supervisor, LineKind.COMMISSION)
    assert got.amount == supervisor
    assert Decimal(got.data["rate"]) == supervisor_rate
    assert "PER-08.commission_rates v1" in got.explanation
    assert got.policy and got.policy[0]["label"].startswith("PER-08.commission_rates v1")


def test_per08_explanation_reads_like_the_regulation(world):
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    text = line(compute.compute_month(MONTH), world.cs[0], LineKind.COMMISSION).explanation
    assert text.startswith("销售完成率 112.40% → 客服组提成比例 1.5%（PER-08，政策版本 PER-08.commission_rates v1")
    assert "÷ 3 人" in text


def test_per08_group_without_its_own_target_uses_the_departments_by_default(world):
    """PER-08.group_target_fallback (default "department"): only the department target is set; the
    groups are measured by it, and the line says whose target it was."""
    world.sales_target(world.ecom, "10000.00")
    world.order("10000.00")
    result = compute.compute_month(MONTH)
    got = line(result, world.cs[0], LineKind.COMMISSION)
    assert got.amount == Decimal("50.00")  # 100% → 1.5% × 10,000 = 150.00 ÷ 3
    assert got.explanation.startswith("“销售客服组”当月未设定自己的销售目标，"
                                      "沿用上级部门“电子商务部”的销售目标（政策版本 PER-08.group_target_fallback v1")
    assert got.data["target_borrowed"] is True and got.data["target_department"] == world.ecom.pk
    assert "PER-08.group_target_fallback" in " ".join(c["label"] for c in got.policy)
    assert line(result, world.promoters[0], LineKind.COMMISSION).amount == Decimal("100.00")  # 2% × 10,000 ÷ 2
    own = line(result, world.supervisor, LineKind.COMMISSION)
    assert own.amount == Decimal("400.00") and own.data["target_borrowed"] is False
    assert "沿用" not in own.explanation


def test_per08_a_group_with_its_own_target_is_measured_by_it(world):
    world.sales_target(world.ecom, "10000.00")
    world.sales_target(world.cs_group, "20000.00")
    world.order("10000.00")
    result = compute.compute_month(MONTH)
    got = line(result, world.cs[0], LineKind.COMMISSION)
    assert got.data["target_borrowed"] is False
    assert got.amount == Decimal("16.67")  # 50% → 0.5% × 10,000 = 50.00 = 16.67 + 16.67 + 16.66
    assert line(result, world.cs[2], LineKind.COMMISSION).amount == Decimal("16.66")


def test_per08_without_fallback_a_group_without_target_earns_no_commission(world):
    world.sales_target(world.ecom, "10000.00")
    world.order("10000.00")
    policy = compute.PolicySet(compute.month_end(MONTH), {compute.GROUP_TARGET_FALLBACK: "none"})
    result = compute.compute_month(MONTH, policy=policy)
    got = line(result, world.cs[0], LineKind.COMMISSION)
    assert got.amount == Decimal("0.00")
    assert got.explanation.startswith("“销售客服组”当月未设定销售目标，不沿用上级部门目标 → 无提成（PER-08")
    assert line(result, world.supervisor, LineKind.COMMISSION).amount == Decimal("400.00")


def test_per08_no_target_anywhere_earns_no_commission(world):
    world.order("10000.00")
    result = compute.compute_month(MONTH)
    got = line(result, world.cs[0], LineKind.COMMISSION)
    assert got.amount == Decimal("0.00")
    assert "当月未设定销售目标，上级部门也未设定 → 无提成" in got.explanation


def test_per08_share_counts_members_employed_in_the_month_only(world, org):
    from ecomops.payroll.enums import PayRole

    world.person("gone", world.cs_group, PayRole.MEMBER, hired_on=date(2024, 1, 1), left_on=date(2026, 2, 20))
    world.person("later", world.cs_group, PayRole.MEMBER, hired_on=date(2026, 4, 1))
    world.all_sales_targets("10000.00")
    world.order("10000.00")
    result = compute.compute_month(MONTH)
    assert {s.staff.name for s in result.slips} == {"sup", "pro1", "pro2", "cs1", "cs2", "cs3"}
    assert line(result, world.cs[0], LineKind.COMMISSION).amount == Decimal("50.00")  # 150 ÷ 3


def test_per07_base_is_the_months_orders_minus_its_refunds(world):
    world.all_sales_targets("10000.00")
    counted = world.order("6000.00", day=3)
    other_store = world.order("5000.00", day=31, store=world.org.store_b1)  # every store counts
    world.order("900.00", day=5, state=OrderState.CANCELLED)  # cancelled: not a sale
    world.order("700.00", day=28, month=date(2026, 2, 1))  # placed in February
    world.order("800.00", day=1, month=date(2026, 4, 1))  # placed in April
    unpaid = world.order("300.00", day=30, paid=False)  # placed (下单金额) though not paid yet
    after_sales = world.refund(counted, "1000.00", day=15)
    world.refund(counted, "50.00", day=16, source=RefundSource.DUPLICATE_PAYMENT)  # never a sale
    cancelled_here = world.order("400.00", day=6, state=OrderState.CANCELLED)
    world.refund(cancelled_here, "400.00", day=7, source=RefundSource.CANCELLATION)  # its sale never counted
    february = world.order("200.00", day=27, month=date(2026, 2, 1))
    february_refund = world.refund(february, "200.00", day=2)  # refunded in March: counts in March
    world.refund(counted, "10.00", day=1, month=date(2026, 4, 1))  # refunded in April
    result = actions.compute_run(MONTH, user=world.admin, now=at(31, 23))
    run = result.run
    assert run.orders_count == 3 and run.orders_amount == Decimal("11300.00")  # 6000 + 5000 + 300
    assert run.refunds_count == 2 and run.refunds_amount == Decimal("1200.00")  # after-sales 1000 + Feb order 200
    assert run.net_sales == Decimal("10100.00")
    assert set(run.counted_order_rows().values_list("order_id", flat=True)) == {
        counted.pk, other_store.pk, unpaid.pk}
    assert set(run.counted_refund_rows().values_list("refund_id", flat=True)) == {
        after_sales.pk, february_refund.pk}


def test_per07_counted_lists_are_kept_for_audit(world):
    world.all_sales_targets("10000.00")
    a = world.order("6000.00", day=3)
    b = world.order("5000.00", day=31)
    r = world.refund(a, "100.00")
    run = actions.compute_run(MONTH, user=world.admin).run
    assert sorted((c.order_id, c.amount) for c in run.counted_order_rows()) == [
        (a.pk, Decimal("6000.00")), (b.pk, Decimal("5000.00"))]
    assert [(c.refund_id, c.order_id, c.amount) for c in run.counted_refund_rows()] == [
        (r.pk, a.pk, Decimal("100.00"))]
    assert CountedOrder.objects.count() == 2  # nothing else, nothing twice
    actions.compute_run(MONTH, user=world.admin)
    run.refresh_from_db()
    assert CountedOrder.objects.count() == 2 and CountedRefund.objects.count() == 1  # replaced on recompute
    assert sorted(c.order_id for c in run.counted_order_rows()) == [a.pk, b.pk]
    assert run.net_sales == Decimal("10900.00")


def test_per07_sum_is_exact_to_the_fen_over_many_orders(world):
    """SQLite keeps decimals as floating point: the sums are taken in integer fen."""
    from ecomops.orders.models import Order

    world.all_sales_targets("10000.00")
    Order.objects.bulk_create([
        Order(store=world.store, platform_order_no=f"F{n:05d}", state=OrderState.COMPLETED,
              paid_amount=Decimal("0.10"), goods_amount=Decimal("0.10"), placed_at=at(2), paid_at=at(2))
        for n in range(3333)])
    assert compute.live_sales(MONTH, []).net == Decimal("333.30")


def _leaver(world, *, hired_on, left_on):
    from ecomops.payroll.enums import PayRole

    return world.person("leaver", world.cs_group, PayRole.MEMBER, hired_on=hired_on, left_on=left_on)


def test_per11_leaving_in_the_first_year_earns_only_on_payments_by_the_leaving_date(world):
    leaver = _leaver(world, hired_on=date(2025, 6, 1), left_on=date(2026, 3, 15))
    world.all_sales_targets("10000.00")
    world.order("4000.00", day=10, paid_day=15)  # paid on the leaving date: counts
    world.order("4000.00", day=14, paid_day=16)  # paid the day after: does not
    world.order("2000.00", day=16, paid_day=16)
    result = compute.compute_month(MONTH)
    # The group completes 100% (rate 1.5%), 4 members share; the leaver's base is 4,000.00.
    assert line(result, world.cs[0], LineKind.COMMISSION).amount == Decimal("37.50")  # 10000 × 1.5% ÷ 4
    got = line(result, leaver, LineKind.COMMISSION)
    assert got.amount == Decimal("15.00")  # 4000 × 1.5% ÷ 4
    assert "PER-11" in got.explanation and got.data["cutoff"] == "2026-03-15"
    # The slip says the leaving day itself counts, as computed (a payment on the 15th was counted).
    assert "只计截至离职日（含当日）到账的货款" in got.explanation


def test_per12_after_a_full_year_payments_within_15_days_after_leaving_still_count(world):
    leaver = _leaver(world, hired_on=date(2025, 3, 1), left_on=date(2026, 3, 10))
    world.all_sales_targets("10000.00")
    world.order("4000.00", day=9, paid_day=9)
    world.order("3000.00", day=25, paid_day=25)  # leaving + 15 days = 25th: counts
    world.order("3000.00", day=26, paid_day=26)  # day 16 after leaving: does not
    got = line(compute.compute_month(MONTH), leaver, LineKind.COMMISSION)
    assert got.data["cutoff"] == "2026-03-25"
    assert got.amount == Decimal("26.25")  # 7000 × 1.5% ÷ 4
    assert "PER-12" in got.explanation
    assert "离职后 15 天内（截至 2026-03-25，含当日）到账的货款计提成" in got.explanation


def test_per12_does_not_apply_after_harmful_conduct_and_per10_forfeits(world):
    leaver = _leaver(world, hired_on=date(2025, 3, 1), left_on=date(2026, 3, 10))
    HarmCase.objects.create(staff=leaver, occurred_on=date(2026, 3, 1), recorded_on=date(2026, 3, 9),
                            description="私下截留客户货款", evidence="对账单", recorded_by=world.admin)
    world.all_sales_targets("10000.00")
    world.order("4000.00", day=9, paid_day=9)
    world.order("6000.00", day=20, paid_day=20)
    result = compute.compute_month(MONTH)
    commission = line(result, leaver, LineKind.COMMISSION)
    assert commission.data["cutoff"] == "2026-03-10"  # no grace after harm
    assert commission.amount == Decimal("15.00")  # 4000 × 1.5% ÷ 4
    forfeit = line(result, leaver, LineKind.FORFEITURE)
    assert forfeit.amount == Decimal("-15.00") and "PER-10" in forfeit.explanation
    slip = next(s for s in result.slips if s.staff == leaver)
    assert sum(x.amount for x in slip.lines if x.kind in (LineKind.COMMISSION, LineKind.FORFEITURE)) == 0


def test_per10_case_recorded_before_the_month_does_not_touch_later_earnings(world):
    person = world.cs[0]
    HarmCase.objects.create(staff=person, occurred_on=date(2026, 1, 5), recorded_on=date(2026, 1, 20),
                            description="虚假交易", evidence="平台通报", recorded_by=world.admin)
    world.all_sales_targets("10000.00")
    world.order("10000.00")
    result = compute.compute_month(MONTH)
    assert line(result, person, LineKind.COMMISSION).amount == Decimal("50.00")
    assert [x for x in result.slips if x.staff == person][0].lines[-1].kind != LineKind.FORFEITURE
