"""PER-01…05, PER-09, PER-13, ORG-05, POL-01: base salary, performance pay, over-completion bonus,
the supervisor's fine, full attendance, the activity fund and the policy versions a line cites."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Department, JobLevel
from ecomops.payroll import actions, compute
from ecomops.payroll.enums import GroupKind, LineKind, Metric, PayRole
from ecomops.payroll.models import OverCompletionBonus, PayGroup, PayProfile, RampUpMonth
from ecomops.payroll.periods import month_end
from ecomops.policy.models import PolicyParameter, PolicyVersion

from .conftest import MONTH, line, lines_of


def test_per01_base_salary_defaults_by_role(world):
    result = compute.compute_month(MONTH)
    assert line(result, world.supervisor, LineKind.BASE).amount == Decimal("3500.00")
    assert line(result, world.cs[0], LineKind.BASE).amount == Decimal("2023.00")
    assert "PER-01.base_salary_member v1" in line(result, world.cs[0], LineKind.BASE).explanation


def test_per01_partial_month_base_is_not_prorated_by_default_and_the_slip_says_so(world):
    joiner = world.person("joiner", world.cs_group, PayRole.MEMBER, hired_on=date(2026, 3, 15))
    got = line(compute.compute_month(MONTH), joiner, LineKind.BASE)
    assert got.amount == Decimal("2023.00")
    assert "当月在职 03-15 至 03-31，共 17 天，基本工资不按天折算（PER-01，政策版本 PER-01.base_proration v1" in (
        got.explanation)
    assert {c["label"].split(" ")[0] for c in got.policy} == {"PER-01.base_salary_member", "PER-01.base_proration"}
    full_month = line(compute.compute_month(MONTH), world.cs[0], LineKind.BASE)
    assert "折算" not in full_month.explanation and len(full_month.policy) == 1


@pytest.mark.parametrize(("hired_on", "left_on", "expected", "days"), [
    (date(2026, 3, 15), None, "1109.39", 17),  # 2023 × 17 / 31 = 34391 / 31 = 1109.3870…
    (date(2024, 1, 1), date(2026, 3, 10), "652.58", 10),  # 2023 × 10 / 31 = 652.5806…
    (date(2026, 3, 31), None, "65.26", 1),  # 2023 / 31 = 65.258…
])
def test_per01_base_prorated_by_calendar_days_when_the_policy_says_so(world, hired_on, left_on, expected, days):
    person = world.person("part", world.cs_group, PayRole.MEMBER, hired_on=hired_on, left_on=left_on)
    policy = compute.PolicySet(compute.month_end(MONTH), {compute.BASE_PRORATION: "calendar_days"})
    result = compute.compute_month(MONTH, policy=policy)
    got = line(result, person, LineKind.BASE)
    assert got.amount == Decimal(expected)
    assert f"¥2,023.00 × {days} / 31 天 = ¥{Decimal(expected):,}（按日历天数折算，PER-01" in got.explanation
    assert got.data["days"] == days and got.data["prorated"] == "calendar_days"
    assert line(result, world.cs[0], LineKind.BASE).amount == Decimal("2023.00")  # a whole month is whole


@pytest.mark.parametrize(("month", "hired_on", "expected", "worked", "total"), [
    (MONTH, date(2026, 3, 16), "1103.45", 12, 22),  # 2023 × 12 / 22 = 1103.4545…
    # October 2026: 10-01…10-07 National Day (rest), Sunday 09-28 and Saturday 10-10 make-up working
    # days (10-10 in the month): 22 weekdays − 5 holiday weekdays + 1 = 18 working days; joining on
    # Thursday 10-08 leaves 10-08, 10-09, 10-10 and the 15 weekdays from 10-12: 18 of 18, paid in full.
    (date(2026, 10, 1), date(2026, 10, 8), "2023.00", 18, 18),
])
def test_per01_base_prorated_by_working_days_follows_the_calendar(world, month, hired_on, expected, worked, total):
    person = world.person("part", world.cs_group, PayRole.MEMBER, hired_on=hired_on)
    policy = compute.PolicySet(compute.month_end(month), {compute.BASE_PRORATION: "working_days"})
    got = line(compute.compute_month(month, policy=policy), person, LineKind.BASE)
    assert (got.data["working_days"], got.data["month_working_days"]) == (worked, total)
    assert got.amount == Decimal(expected)
    assert "按工作日折算，依工作日历，PER-01" in got.explanation


def test_org05_personal_base_salary_must_lie_in_the_job_level_band(world):
    level = JobLevel.objects.create(ladder="professional", code="P2", name="专员", rank=2,
                                    salary_min=Decimal("4500.00"), salary_max=Decimal("6000.00"))
    person = world.cs[0]
    person.job_level = level
    person.save()
    with pytest.raises(BusinessError) as error:
        actions.save_pay_profile(user=world.admin, staff=person, role=PayRole.MEMBER, base_salary="4499.99")
    assert error.value.field == "base_salary"
    assert PayProfile.objects.get(staff=person).base_salary is None  # nothing written
    actions.save_pay_profile(user=world.admin, staff=person, role=PayRole.MEMBER, base_salary="4800.00")
    got = line(compute.compute_month(MONTH), person, LineKind.BASE)
    assert got.amount == Decimal("4800.00") and "P2" in got.explanation


def test_a_member_must_belong_to_a_pay_group(world):
    with pytest.raises(BusinessError) as error:
        actions.save_pay_profile(user=world.admin, staff=world.supervisor, role=PayRole.MEMBER)
    assert error.value.field == "role"


@pytest.mark.parametrize(("actual", "expected"), [
    ("29.99", "0.00"), ("30", "150.00"), ("30.01", "150.05"), ("50", "250.00"), ("99.99", "499.95"),
    ("100", "500.00"), ("150", "500.00"),
])
def test_per02_performance_pay_is_zero_below_30_percent_then_completion_times_500_capped(world, actual, expected):
    person = world.promoters[0]
    world.plan(Metric.PROMOTION_VOLUME, "100", actual, staff=person)
    got = line(compute.compute_month(MONTH), person, LineKind.PERFORMANCE)
    assert got.amount == Decimal(expected)
    assert got.clause == "PER-02"
    assert {p["label"].split(" ")[0] for p in got.policy} == {
        "PER-02.performance_pay", "PER-02.completion_threshold", "PER-02.completion_cap"}


def test_per02_completion_over_several_metrics_is_their_mean_and_falls_back_to_the_group(world):
    person = world.cs[1]
    world.plan(Metric.RESPONSES, "1000", "900", department=world.cs_group)
    world.plan(Metric.SERVICE_PLAN, "10", "5", department=world.cs_group)
    got = line(compute.compute_month(MONTH), person, LineKind.PERFORMANCE)
    assert got.amount == Decimal("350.00")  # (90% + 50%) / 2 = 70% × 500
    assert "小组计划" in got.explanation and "平均完成率 70.00%" in got.explanation


def test_group_actual_defaults_to_the_sum_of_its_peoples_entries(world):
    world.plan(Metric.PROMOTION_VOLUME, "100", department=world.promotion)
    for person, value in zip(world.promoters, ("20", "25"), strict=True):
        actions.record_kpi(user=world.admin, month=MONTH, scope="person", metric=Metric.PROMOTION_VOLUME,
                           value=value, evidence="推广日报", staff=person)
    got = line(compute.compute_month(MONTH), world.promoters[0], LineKind.PERFORMANCE)
    assert got.amount == Decimal("225.00")  # 45 / 100 × 500


def test_per04_supervisor_performance_follows_the_department_plan(world):
    world.plan(Metric.PROMOTION_VOLUME, "100", "80", department=world.ecom)
    world.plan(Metric.RESPONSES, "100", "40", department=world.ecom)
    world.plan(Metric.FRANCHISE_SIGNUPS, "10", "3", department=world.ecom)
    got = line(compute.compute_month(MONTH), world.supervisor, LineKind.PERFORMANCE)
    assert got.amount == Decimal("250.00")  # (80 + 40 + 30) / 3 = 50%
    assert got.clause == "PER-04"


def test_per04_supervisor_gets_nothing_below_30_percent_of_the_department_plan(world):
    world.plan(Metric.PROMOTION_VOLUME, "100", "29.99", department=world.ecom)
    assert line(compute.compute_month(MONTH), world.supervisor, LineKind.PERFORMANCE).amount == Decimal("0.00")


def test_per05_ramp_up_month_grants_full_performance_pay(world):
    actions.grant_ramp_up(user=world.admin, month=MONTH, department=world.ecom, reason="新店开业首月")
    world.plan(Metric.PROMOTION_VOLUME, "100", "10", staff=world.promoters[0])
    result = compute.compute_month(MONTH)
    for person in world.everyone:
        got = line(result, person, LineKind.PERFORMANCE)
        assert got.amount == Decimal("500.00") and got.clause == "PER-05"
    april = compute.compute_month(date(2026, 4, 1))
    assert line(april, world.cs[0], LineKind.PERFORMANCE).amount == Decimal("0.00")  # one month only


@pytest.mark.parametrize(("completion", "fined"), [("29.99", True), ("30", False), ("50", False)])
def test_per04_supervisor_fined_50_when_promoters_complete_under_30_percent(world, completion, fined):
    world.plan(Metric.PROMOTION_VOLUME, "100", completion, department=world.promotion)
    fines = lines_of(compute.compute_month(MONTH), world.supervisor, LineKind.FINE)
    if fined:
        assert [f.amount for f in fines] == [Decimal("-50.00")]
        assert "PER-04" in fines[0].explanation
    else:
        assert fines == []


def test_per04_fine_is_once_a_month_even_with_two_weak_promotion_groups(world):
    second = Department.objects.create(code="ecom.promotion2", name="推广二组", parent=world.ecom, is_group=True)
    PayGroup.objects.create(department=second, kind=GroupKind.PROMOTION)
    world.plan(Metric.PROMOTION_VOLUME, "100", "10", department=world.promotion)
    world.plan(Metric.PROMOTION_VOLUME, "100", "20", department=second)
    fines = lines_of(compute.compute_month(MONTH), world.supervisor, LineKind.FINE)
    assert [f.amount for f in fines] == [Decimal("-50.00")]
    assert "推广二组 20.00%" in fines[0].explanation


def _over_plan(world, person, completion="101"):
    world.plan(Metric.PROMOTION_VOLUME, "100", completion, staff=person)
    world.order("100.00")


@pytest.mark.parametrize(("amount", "ok"), [("49.99", False), ("50", True), ("100", True), ("100.01", False)])
def test_per03_member_bonus_must_lie_in_50_to_100(world, amount, ok):
    person = world.promoters[0]
    _over_plan(world, person)
    if ok:
        actions.set_over_completion_bonus(user=world.supervisor.user, month=MONTH, staff=person, amount=amount,
                                          reason="超额完成推广量")
        assert line(compute.compute_month(MONTH), person, LineKind.OVER_BONUS).amount == Decimal(amount)
    else:
        with pytest.raises(BusinessError) as error:
            actions.set_over_completion_bonus(user=world.supervisor.user, month=MONTH, staff=person, amount=amount,
                                              reason="超额完成推广量")
        assert error.value.field == "amount"
        assert not OverCompletionBonus.objects.exists()


@pytest.mark.parametrize(("amount", "ok"), [("99.99", False), ("100", True), ("150", True), ("150.01", False)])
def test_per03_supervisor_bonus_must_lie_in_100_to_150(world, amount, ok):
    world.plan(Metric.PROMOTION_VOLUME, "100", "120", department=world.ecom)
    world.order("100.00")
    kwargs = {"user": world.admin, "month": MONTH, "staff": world.supervisor, "amount": amount, "reason": "部门超额"}
    if ok:
        actions.set_over_completion_bonus(**kwargs)
    else:
        with pytest.raises(BusinessError):
            actions.set_over_completion_bonus(**kwargs)
    assert OverCompletionBonus.objects.exists() is ok


@pytest.mark.parametrize("completion", ["100", "99"])
def test_per03_bonus_refused_when_completion_is_not_above_100_percent(world, completion):
    person = world.promoters[0]
    _over_plan(world, person, completion)
    with pytest.raises(BusinessError) as error:
        actions.set_over_completion_bonus(user=world.supervisor.user, month=MONTH, staff=person, amount="60",
                                          reason="超额")
    assert "未超过 100%" in error.value.message
    assert not OverCompletionBonus.objects.exists()


def test_per03_bonus_needs_effective_sales_and_a_manager_other_than_oneself(world):
    person = world.promoters[0]
    world.plan(Metric.PROMOTION_VOLUME, "100", "150", staff=person)
    with pytest.raises(BusinessError) as error:
        actions.set_over_completion_bonus(user=world.supervisor.user, month=MONTH, staff=person, amount="60",
                                          reason="超额")
    assert "有效销售" in error.value.message
    world.order("100.00")
    boss = get_user_model().objects.get(pk=world.supervisor.user.pk)
    with pytest.raises(NotAllowed):
        actions.set_over_completion_bonus(user=boss, month=MONTH, staff=world.supervisor, amount="120", reason="x")


def test_per03_bonus_is_checked_again_when_the_month_is_computed(world):
    person = world.promoters[0]
    target = world.plan(Metric.PROMOTION_VOLUME, "100", "150", staff=person)
    world.order("100.00")
    actions.set_over_completion_bonus(user=world.supervisor.user, month=MONTH, staff=person, amount="80", reason="超额")
    actions.record_kpi(user=world.admin, month=MONTH, scope="person", metric=target.metric, value="90",
                       evidence="更正：重复计数", staff=person)
    got = line(compute.compute_month(MONTH), person, LineKind.OVER_BONUS)
    assert got.amount == Decimal("0.00") and "不予发放" in got.explanation


def test_per13_full_attendance_earns_50(world):
    world.full_attendance(world.cs[0])
    got = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    # PER-13 against the working-day calendar: March 2026 has 22 working days (was "31 天", every day).
    assert got.amount == Decimal("50.00") and "22 个工作日考勤齐全" in got.explanation


@pytest.mark.parametrize(("kind", "why"), [
    (AttendanceKind.LATE, "迟到 1 次"), (AttendanceKind.EARLY_LEAVE, "早退 1 次"),
    (AttendanceKind.LATE_AND_EARLY, "迟到 1 次、早退 1 次"), (AttendanceKind.LEAVE, "请假 1 天"),
    (AttendanceKind.SICK_LEAVE, "请假 1 天"), (AttendanceKind.ABSENT, "旷工 1 天"),
])
def test_per13_no_bonus_after_late_arrival_early_leave_leave_or_absence(world, kind, why):
    world.full_attendance(world.cs[0], bad={10: kind})  # Tuesday 10 March
    got = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    assert got.amount == Decimal("0.00") and why in got.explanation


def test_per13_missing_records_and_partial_months_earn_no_bonus(world):
    from ecomops.org.models import Attendance

    world.full_attendance(world.cs[0])
    Attendance.objects.filter(staff=world.cs[0], date=date(2026, 3, 31)).delete()
    world.cs[1].hired_on = date(2026, 3, 2)
    world.cs[1].save()
    world.full_attendance(world.cs[1])
    result = compute.compute_month(MONTH)
    # the missing working day is named (was "缺少 1 天考勤记录")
    assert "缺少 03-31 共 1 个工作日的考勤记录" in line(result, world.cs[0], LineKind.ATTENDANCE).explanation
    assert "未全月在职" in line(result, world.cs[1], LineKind.ATTENDANCE).explanation


def test_per13_rest_days_need_no_record(world):
    """Only the calendar's working days need a record: weekends without one are fine."""
    from ecomops.org.models import Attendance

    world.full_attendance(world.cs[0])
    Attendance.objects.filter(staff=world.cs[0], date__week_day__in=[1, 7]).delete()  # Sundays, Saturdays
    got = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    assert got.amount == Decimal("50.00") and "22 个工作日考勤齐全" in got.explanation


def test_per13_statutory_holidays_need_no_record_and_make_up_saturdays_do(world):
    """October 2026: 1–7 October are the National Day holiday, Saturday the 10th is worked (chinese-calendar)."""
    from ecomops.org.calendar import load_statutory_year, working_days
    from ecomops.org.models import Attendance

    october = date(2026, 10, 1)
    load_statutory_year(2026)
    days = working_days(october, month_end(october))
    assert date(2026, 10, 1) not in days and date(2026, 10, 10) in days
    for person in world.cs[:2]:
        for day in days:
            Attendance.objects.create(staff=person, date=day, kind=AttendanceKind.PRESENT)
    Attendance.objects.filter(staff=world.cs[1], date=date(2026, 10, 10)).delete()
    result = compute.compute_month(october)
    full = line(result, world.cs[0], LineKind.ATTENDANCE)
    assert full.amount == Decimal("50.00") and f"{len(days)} 个工作日考勤齐全" in full.explanation
    short = line(result, world.cs[1], LineKind.ATTENDANCE)
    assert short.amount == Decimal("0.00") and "缺少 10-10 共 1 个工作日的考勤记录" in short.explanation


def test_per13_many_missing_days_are_listed_up_to_five(world):
    got = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    assert got.amount == Decimal("0.00")
    assert "缺少 03-02、03-03、03-04、03-05、03-06 等 22 个工作日的考勤记录" in got.explanation


def test_per13_a_manual_calendar_day_counts(world):
    """A company's own working Saturday needs a record; its own day off does not."""
    from ecomops.org import actions as org_actions
    from ecomops.org.models import Attendance

    world.full_attendance(world.cs[0])
    org_actions.set_calendar_day(user=world.admin, day=date(2026, 3, 9), is_working=False, name="公司团建")
    Attendance.objects.filter(staff=world.cs[0], date=date(2026, 3, 9)).delete()
    assert line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE).amount == Decimal("50.00")
    org_actions.set_calendar_day(user=world.admin, day=date(2026, 3, 14), is_working=True, name="盘点加班")
    Attendance.objects.filter(staff=world.cs[0], date=date(2026, 3, 14)).delete()  # was a REST record
    got = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    assert got.amount == Decimal("0.00") and "缺少 03-14 共 1 个工作日" in got.explanation


@pytest.mark.parametrize(("sales", "rate", "amount"), [
    ("4999.00", "0", "0.00"), ("5000.00", "0.003", "15.00"), ("8000.00", "0.003", "24.00"),
    ("8001.00", "0.005", "40.01"), ("10000.00", "0.005", "50.00"), ("10001.00", "0.01", "100.01"),
])
def test_per09_activity_fund_is_reported_per_department(world, sales, rate, amount):
    world.sales_target(world.ecom, "10000.00")
    world.order(sales)
    result = compute.compute_month(MONTH)
    [fund] = result.funds
    assert fund.department == world.ecom and fund.rate == Decimal(rate) and fund.amount == Decimal(amount)
    assert all(x.kind != "fund" for s in result.slips for x in s.lines)  # a report, not a pay line


def test_pol01_a_new_policy_version_in_force_for_the_month_is_used_and_cited(world):
    world.all_sales_targets("10000.00")
    world.order("10000.00")
    parameter = PolicyParameter.objects.get(key="PER-13.full_attendance_bonus")
    PolicyVersion.objects.create(parameter=parameter, number=2, value="80.00", effective_from=date(2026, 3, 1),
                                 reason="上调全勤奖")
    world.full_attendance(world.cs[0])
    march = line(compute.compute_month(MONTH), world.cs[0], LineKind.ATTENDANCE)
    assert march.amount == Decimal("80.00") and "PER-13.full_attendance_bonus v2" in march.explanation
    world.full_attendance(world.cs[0], month=date(2026, 2, 1))
    february = line(compute.compute_month(date(2026, 2, 1)), world.cs[0], LineKind.ATTENDANCE)
    assert february.amount == Decimal("50.00") and "v1" in february.explanation


def test_what_if_overrides_change_the_figures_without_touching_the_policy(world):
    from ecomops.policy.kinds import normalise, to_python

    world.all_sales_targets("10000.00")
    world.order("10000.00")
    parameter = PolicyParameter.objects.get(key="PER-08.commission_rates")
    stored = normalise(parameter.kind, {"columns": parameter.options["columns"], "rows": [
        {"lower": "0", "lower_inclusive": True, "upper": None,
         "values": {"customer_service": "0.03", "promotion": "0.03", "supervisor": "0.06"}}]}, parameter.options)
    sandbox = compute.PolicySet(date(2026, 3, 31), {"PER-08.commission_rates": to_python(
        parameter.kind, stored, parameter.options)})
    what_if = compute.compute_month(MONTH, policy=sandbox)
    real = compute.compute_month(MONTH)
    assert line(what_if, world.cs[0], LineKind.COMMISSION).amount == Decimal("100.00")  # 10000 × 3% ÷ 3
    assert "沙盒" in line(what_if, world.cs[0], LineKind.COMMISSION).explanation
    assert line(real, world.cs[0], LineKind.COMMISSION).amount == Decimal("50.00")
    assert parameter.versions.count() == 1
    assert RampUpMonth.objects.count() == 0
