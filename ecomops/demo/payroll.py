"""The demo company's pay (PER-01…14): its two groups, the e-commerce supervisor and six group members on
the payroll, targets and KPI actuals for the last complete month (the month the demo has attendance and
orders for) and for the current one, a PER-03 bonus, and last month's run computed, checked by the
supervisor, approved and locked by finance. Next month's targets are due: the supervisor has the item.

Built through ``payroll.actions`` like everything else in the demo, and deterministic: the sales
targets are set from the month's imported sales (so the groups land in different PER-08 tiers), the
plan metrics are fixed numbers.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from ecomops.org.models import Department, Staff
from ecomops.payroll import actions, compute
from ecomops.payroll.enums import GroupKind, Metric, PayRole, TargetScope
from ecomops.payroll.models import PayrollRun
from ecomops.payroll.periods import next_month, previous_month

SUPERVISOR = "zhuguan"
FINANCE = "fengshufen"
GROUPS = {"ecom.promotion": GroupKind.PROMOTION, "ecom.sales_cs": GroupKind.CUSTOMER_SERVICE}
MEMBERS = ("lijunjie", "zhangxiaowen", "liuzihan", "yangsiqi", "zhaomengting", "huangjiaxin")
# Sales completion each unit is planned to reach: the department 105%, promotion 95%, customer service 112.4%.
SALES_COMPLETION = {"ecom": Decimal("1.05"), "ecom.promotion": Decimal("0.95"), "ecom.sales_cs": Decimal("1.124")}
# (username, metric, plan, actual): promoters' promotion volume, customer service's responses.
PERSON_PLANS = [
    ("lijunjie", Metric.PROMOTION_VOLUME, "300", "336"),
    ("zhangxiaowen", Metric.PROMOTION_VOLUME, "300", "255"),
    ("liuzihan", Metric.PROMOTION_VOLUME, "200", "58"),
    ("yangsiqi", Metric.RESPONSES, "1200", "1350"),
    ("zhaomengting", Metric.RESPONSES, "1200", "1044"),
    ("huangjiaxin", Metric.RESPONSES, "1000", "870"),
]
# The department plan of the supervisor (PER-04): promotion volume and responses are the sums of the
# people's entries; franchise sign-ups are entered for the department.
DEPARTMENT_PLANS = [(Metric.PROMOTION_VOLUME, "800", None), (Metric.RESPONSES, "3400", None),
                    (Metric.FRANCHISE_SIGNUPS, "6", "4")]
GROUP_PLANS = [("ecom.promotion", Metric.PROMOTION_VOLUME, "800"), ("ecom.sales_cs", Metric.RESPONSES, "3400")]


def _hundreds(amount: Decimal) -> Decimal:
    return max((amount / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 100, Decimal("100.00"))


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _targets(month: date, *, admin, supervisor, departments, staff, sales: Decimal, late_one: bool) -> int:
    """The month's targets, set on the 25th of the month before (one late, on the deadline day)."""
    on_time = _at(previous_month(month).replace(day=25))
    made = 0
    for code, completion in SALES_COMPLETION.items():
        department = departments[code]
        scope = TargetScope.GROUP if department.is_group else TargetScope.DEPARTMENT
        actions.set_target(user=supervisor, month=month, scope=scope, metric=Metric.SALES, department=department,
                           plan=_hundreds(sales / completion), now=on_time)
        made += 1
    for code, metric, plan in GROUP_PLANS:
        when = _at(actions.deadline_for(month), 9) if late_one and code == "ecom.sales_cs" else on_time
        actions.set_target(user=supervisor, month=month, scope=TargetScope.GROUP, metric=metric, plan=plan,
                           department=departments[code], now=when)
        made += 1
    for metric, plan, _actual in DEPARTMENT_PLANS:
        actions.set_target(user=supervisor, month=month, scope=TargetScope.DEPARTMENT, metric=metric, plan=plan,
                           department=departments["ecom"], now=on_time)
        made += 1
    for username, metric, plan, _actual in PERSON_PLANS:
        actions.set_target(user=supervisor, month=month, scope=TargetScope.PERSON, metric=metric, plan=plan,
                           staff=staff[username], now=on_time)
        made += 1
    return made


def _actuals(month: date, *, supervisor, departments, staff) -> int:
    made = 0
    for username, metric, _plan, actual in PERSON_PLANS:
        actions.record_kpi(user=supervisor, month=month, scope=TargetScope.PERSON, metric=metric, value=actual,
                           staff=staff[username], evidence="推广/客服后台月度报表（演示）")
        made += 1
    for metric, _plan, actual in DEPARTMENT_PLANS:
        if actual is not None:
            actions.record_kpi(user=supervisor, month=month, scope=TargetScope.DEPARTMENT, metric=metric,
                               value=actual, department=departments["ecom"], evidence="加盟签约合同（演示）")
            made += 1
    return made


def build_payroll(*, admin, staff_by_username: dict[str, Staff], today: date) -> dict[str, int]:
    departments = {d.code: d for d in Department.objects.filter(code__in=["ecom", *GROUPS])}
    for code, kind in GROUPS.items():
        actions.save_pay_group(user=admin, department=departments[code], kind=kind)
    actions.save_pay_profile(user=admin, staff=staff_by_username[SUPERVISOR], role=PayRole.SUPERVISOR)
    for username in MEMBERS:
        actions.save_pay_profile(user=admin, staff=staff_by_username[username], role=PayRole.MEMBER)
    supervisor = staff_by_username[SUPERVISOR].user
    finance = staff_by_username[FINANCE].user
    this_month = today.replace(day=1)
    last_month = previous_month(this_month)
    targets = 0
    for month, late_one in ((last_month, True), (this_month, False)):
        sales = compute.live_sales(last_month, []).net  # this month's targets planned from last month's sales
        targets += _targets(month, admin=admin, supervisor=supervisor, departments=departments,
                            staff=staff_by_username, sales=sales, late_one=late_one)
    actuals = _actuals(last_month, supervisor=supervisor, departments=departments, staff=staff_by_username)
    actions.set_over_completion_bonus(user=supervisor, month=last_month, staff=staff_by_username["yangsiqi"],
                                      amount="80", reason="回复量超额 12.5%，客户好评多（演示）")
    result = actions.compute_run(last_month, user=supervisor)
    run = actions.check_run(result.run, user=supervisor, note="已核对目标与实际值")
    run = actions.approve_run(run, user=finance, note="与银行代发清单一致")
    actions.lock_run(run, user=finance)
    dues = actions.raise_target_dues(next_month(this_month), now=timezone.now())
    return {"pay_targets": targets, "kpi_actuals": actuals, "pay_runs": PayrollRun.objects.count(),
            "pay_due_items": dues}


__all__ = ["build_payroll"]
