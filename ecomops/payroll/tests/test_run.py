"""PER-14 and PER-06: the pay run's workflow (draft → checked → approved → locked), stable recompute,
locking, adjustments in a later month, the audit trail, and the target deadline with its due item."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.payroll import actions
from ecomops.payroll.enums import LineKind, Metric, RunEventKind, RunState, TargetScope
from ecomops.payroll.models import PayLine, PayrollRun, PaySlip, Target

from .conftest import MONTH, SH, at

APRIL = date(2026, 4, 1)


@pytest.fixture
def month(world):
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    world.plan(Metric.PROMOTION_VOLUME, "100", "80", department=world.promotion)
    world.plan(Metric.RESPONSES, "1000", "800", department=world.cs_group)
    for person in world.everyone:
        world.full_attendance(person)
    return world


def _lines(run):
    return list(PayLine.objects.filter(slip__run=run).order_by("slip__employee_no", "seq")
                .values_list("slip__employee_no", "kind", "amount", "explanation", "clause"))


def test_per14_a_run_has_a_slip_per_person_whose_total_is_the_sum_of_its_lines(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    assert run.state == RunState.DRAFT and run.slip_count == 6
    for slip in PaySlip.objects.filter(run=run):
        assert slip.total == sum(x.amount for x in slip.lines.all())
    assert run.total == sum(s.total for s in PaySlip.objects.filter(run=run))
    cs = PaySlip.objects.get(run=run, staff=month.cs[0])
    assert [x.kind for x in cs.lines.order_by("seq")] == [
        LineKind.BASE, LineKind.PERFORMANCE, LineKind.COMMISSION, LineKind.ATTENDANCE]
    assert cs.total == Decimal("2023.00") + Decimal("400.00") + Decimal("56.20") + Decimal("50.00")
    commission = cs.lines.get(kind=LineKind.COMMISSION)
    assert commission.policy[0]["id"] is not None and "PER-08" in commission.clause


def test_per14_recomputing_a_draft_gives_the_same_figures(month):
    first = actions.compute_run(MONTH, user=month.admin)
    before = _lines(first.run)
    again = actions.compute_run(MONTH, user=month.admin)
    assert again.created is False and again.changed is False
    assert _lines(again.run) == before
    assert again.run.fingerprint == first.run.fingerprint
    assert list(again.run.events.values_list("kind", flat=True)) == [RunEventKind.COMPUTED, RunEventKind.RECOMPUTED]


def test_per14_a_draft_follows_its_inputs(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    month.order("1000.00")
    result = actions.compute_run(MONTH, user=month.admin)
    assert result.changed is True and result.run.net_sales == run.net_sales + Decimal("1000.00")


def test_per14_workflow_checked_by_supervisor_approved_by_finance_then_locked(month):
    run = actions.compute_run(MONTH, user=month.supervisor.user).run
    with pytest.raises(Conflict):
        actions.approve_run(run, user=month.finance_user)  # not checked yet
    run = actions.check_run(run, user=month.supervisor.user)
    assert run.state == RunState.CHECKED and run.checked_by == month.supervisor.user
    with pytest.raises(Conflict):
        actions.check_run(run, user=month.finance_user)  # no such step from "checked" for anybody
    with pytest.raises(NotAllowed):
        actions.approve_run(run, user=month.cs[0].user)  # finance approves
    run = actions.approve_run(run, user=month.finance_user)
    run = actions.lock_run(run, user=month.finance_user)
    assert run.state == RunState.LOCKED and run.locked_at is not None
    kinds = list(run.events.values_list("kind", flat=True))
    assert kinds == [RunEventKind.COMPUTED, RunEventKind.CHECKED, RunEventKind.APPROVED, RunEventKind.LOCKED]
    assert run.history.count() == 5  # created, computed, checked, approved, locked (audit)


def test_per14_steps_out_of_order_are_refused(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    with pytest.raises(Conflict):
        actions.lock_run(run, user=month.admin)
    with pytest.raises(Conflict):
        actions.set_run_state(run, "nonsense", user=month.admin)
    assert PayrollRun.objects.get(pk=run.pk).state == RunState.DRAFT


def test_per14_the_checker_cannot_also_approve(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    actions.check_run(run, user=month.admin)
    with pytest.raises(NotAllowed):
        actions.approve_run(run, user=month.admin)


def test_per14_a_returned_run_needs_a_reason_and_can_be_recomputed(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    actions.check_run(run, user=month.supervisor.user)
    with pytest.raises(Conflict):
        actions.compute_run(MONTH, user=month.admin)
    with pytest.raises(BusinessError) as error:
        actions.return_run(run, user=month.finance_user, note="")
    assert error.value.field == "note"
    run = actions.return_run(run, user=month.finance_user, note="客服组实际值待更正")
    assert run.state == RunState.DRAFT and run.checked_by is None
    actions.compute_run(MONTH, user=month.admin)


def _locked(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    actions.check_run(run, user=month.supervisor.user)
    actions.approve_run(run, user=month.finance_user)
    return actions.lock_run(run, user=month.finance_user)


def test_per14_a_locked_month_never_changes(month):
    run = _locked(month)
    before = _lines(run)
    with pytest.raises(Conflict):
        actions.compute_run(MONTH, user=month.admin)
    with pytest.raises(Conflict) as error:
        month.sales_target(month.ecom, "1.00")
    assert error.value.field == "month"
    with pytest.raises(Conflict):
        actions.record_kpi(user=month.admin, month=MONTH, scope="group", metric=Metric.RESPONSES, value="1",
                           evidence="x", department=month.cs_group)
    with pytest.raises(Conflict):
        actions.set_run_state(run, RunState.DRAFT, user=month.admin, note="想改")
    month.order("5000.00")  # a late order changes nothing either
    assert _lines(run) == before and PayrollRun.objects.get(pk=run.pk).state == RunState.LOCKED


def test_per14_corrections_are_adjustment_lines_of_a_later_month_naming_what_they_correct(month):
    run = _locked(month)
    wrong = PayLine.objects.get(slip__run=run, slip__staff=month.cs[0], kind=LineKind.COMMISSION)
    with pytest.raises(BusinessError) as error:
        actions.add_adjustment(user=month.finance_user, line=wrong, month=MONTH, amount="10.00", reason="漏计订单")
    assert error.value.field == "month"
    with pytest.raises(BusinessError):
        actions.add_adjustment(user=month.finance_user, line=wrong, month=APRIL, amount="0", reason="x")
    actions.add_adjustment(user=month.finance_user, line=wrong, month=APRIL, amount="12.34", reason="漏计一笔订单")
    april = actions.compute_run(APRIL, user=month.admin).run
    adjustment = PayLine.objects.get(slip__run=april, slip__staff=month.cs[0], kind=LineKind.ADJUSTMENT)
    assert adjustment.amount == Decimal("12.34") and adjustment.corrects == wrong
    assert "更正 2026-03 工资单第 3 行“提成”（原金额 ¥56.20）：漏计一笔订单" == adjustment.explanation
    assert PayLine.objects.get(pk=wrong.pk).amount == Decimal("56.20")  # the locked line is as it was


def test_adjusting_a_draft_line_is_refused(month):
    run = actions.compute_run(MONTH, user=month.admin).run
    line = PayLine.objects.filter(slip__run=run).first()
    with pytest.raises(BusinessError) as error:
        actions.add_adjustment(user=month.finance_user, line=line, month=APRIL, amount="1", reason="x")
    assert error.value.field == "line"


def test_computing_needs_the_permission_and_a_past_or_current_month(month):
    with pytest.raises(NotAllowed):
        actions.compute_run(MONTH, user=month.cs[0].user)
    with pytest.raises(BusinessError) as error:
        actions.compute_run("2099-01", user=month.admin)
    assert error.value.field == "month"
    with pytest.raises(BusinessError) as error:
        actions.compute_run("2026-13", user=month.admin)
    assert error.value.field == "month"
    assert not PayrollRun.objects.exists()


# --- PER-06: target deadline -----------------------------------------------------------------------


def _set(world, when: datetime, month=MONTH, plan="1000.00"):
    return actions.set_target(user=world.admin, month=month, scope=TargetScope.DEPARTMENT, metric=Metric.SALES,
                              plan=plan, department=world.ecom, now=when)


@pytest.mark.parametrize(("month", "when", "late"), [
    (date(2026, 5, 1), datetime(2026, 4, 29, 23, 59, tzinfo=SH), False),  # before the 30th of April
    (date(2026, 5, 1), datetime(2026, 4, 30, 0, 0, tzinfo=SH), True),
    (MONTH, datetime(2026, 2, 27, 18, 0, tzinfo=SH), False),  # February: its last day (28th) is the day
    (MONTH, datetime(2026, 2, 28, 9, 0, tzinfo=SH), True),
    (date(2028, 3, 1), datetime(2028, 2, 28, 9, 0, tzinfo=SH), False),  # leap year: 29 February
    (date(2028, 3, 1), datetime(2028, 2, 29, 9, 0, tzinfo=SH), True),
    (date(2026, 8, 1), datetime(2026, 7, 30, 9, 0, tzinfo=SH), True),
])
def test_per06_targets_are_due_before_the_30th_of_the_month_before(world, month, when, late):
    target = _set(world, when, month)
    assert target.late is late


def test_per06_a_target_changed_after_the_deadline_is_flagged_late(world):
    target = _set(world, datetime(2026, 2, 20, tzinfo=SH))
    assert target.late is False
    target = _set(world, datetime(2026, 3, 5, tzinfo=SH), plan="900.00")
    assert target.late is True and target.plan == Decimal("900.00")
    assert target.history.count() == 2


def test_per06_supervisor_gets_a_due_item_done_when_the_sales_targets_are_set(world):
    assert actions.raise_target_dues(MONTH, now=at(1, month=date(2026, 2, 1))) == 1
    item = DueItem.objects.get(owner=world.supervisor.user)
    assert item.clause == "PER-06" and item.due_at == datetime(2026, 2, 28, tzinfo=SH) and item.done_at is None
    world.sales_target(world.ecom, "10000.00")
    world.sales_target(world.promotion, "10000.00")
    assert DueItem.objects.get(pk=item.pk).done_at is None  # the customer-service group is still missing
    world.sales_target(world.cs_group, "10000.00")
    assert DueItem.objects.get(pk=item.pk).done_at is not None
    assert actions.raise_target_dues(MONTH) == 1 and DueItem.objects.count() == 1  # idempotent


def test_target_input_errors_name_the_field_and_write_nothing(world):
    cases = [
        ({"scope": TargetScope.PERSON, "metric": Metric.SALES, "staff": world.cs[0]}, "metric"),
        ({"scope": TargetScope.GROUP, "metric": Metric.SALES, "department": world.ecom}, "department"),
        ({"scope": TargetScope.DEPARTMENT, "metric": Metric.SALES, "department": world.cs_group}, "department"),
        ({"scope": TargetScope.DEPARTMENT, "metric": "x", "department": world.ecom}, "metric"),
        ({"scope": TargetScope.DEPARTMENT, "metric": Metric.SALES, "department": world.ecom, "plan": "0"}, "plan"),
        ({"scope": TargetScope.DEPARTMENT, "metric": Metric.SALES, "department": world.ecom, "plan": "1.001"},
         "plan"),
        ({"scope": TargetScope.DEPARTMENT, "metric": Metric.SALES, "department": world.ecom, "month": "3/2026"},
         "month"),
    ]
    for kwargs, field in cases:
        kwargs = {"month": MONTH, "plan": "100", **kwargs}
        with pytest.raises(BusinessError) as error:
            actions.set_target(user=world.admin, **kwargs)
        assert error.value.field == field, kwargs
    assert not Target.objects.exists()
    with pytest.raises(BusinessError) as error:
        actions.record_kpi(user=world.admin, month=MONTH, scope="group", metric=Metric.SALES, value="1",
                           evidence="x", department=world.cs_group)
    assert error.value.field == "metric"
    with pytest.raises(BusinessError) as error:
        actions.record_kpi(user=world.admin, month=MONTH, scope="group", metric=Metric.RESPONSES, value="1",
                           evidence=" ", department=world.cs_group)
    assert error.value.field == "evidence"


def test_per09_a_tiny_sales_target_still_stores_the_huge_completion(world):
    """Found by the property test on PostgreSQL: a target of 0.01 against real sales is a completion of
    millions, which the activity fund's completion column must hold (SQLite never checks precision)."""
    from ecomops.payroll.models import ActivityFund

    world.all_sales_targets("0.01")
    world.order("99999.99")
    result = actions.compute_run(MONTH, user=world.admin)
    completions = [fund.completion for fund in ActivityFund.objects.filter(run=result.run)]
    assert completions and max(completions) >= Decimal("1000000")
