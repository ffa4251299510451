"""Every change of targets, KPIs and pay goes through here (PER-01…14).

Each function is one business act: it checks the permission, validates its input (a BusinessError
naming the field, nothing written), runs in one transaction and leaves the audit history behind it
(django-simple-history for inputs, ``RunEvent`` for the pay run's steps). Views, the API, the CLI and
the demo call these.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core import validate
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.org.models import Department, Staff
from ecomops.policy import registry

from . import compute, events
from .enums import PLAN_METRICS, RUN_FLOW, GroupKind, Metric, PayRole, RunEventKind, RunState, TargetScope
from .models import (
    ActivityFund,
    CountedOrder,
    CountedRefund,
    HarmCase,
    KpiActual,
    OverCompletionBonus,
    PayAdjustment,
    PayGroup,
    PayLine,
    PayProfile,
    PayrollRun,
    PaySlip,
    RampUpMonth,
    Target,
)
from .periods import label, local_midnight, month_end, next_month, parse_month, previous_month, target_deadline

TARGET_DUE_PREFIX = "payroll.targets."
MAX_AMOUNT = Decimal("999999999999.99")


def require(user, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise NotAllowed(_("您没有执行此操作的权限"))


def _open_month(month: date, *, field: str = "month") -> None:
    """Inputs of a month can change while its run is a draft (or not made yet)."""
    run = PayrollRun.objects.filter(month=month).first()
    if run is not None and run.state != RunState.DRAFT:
        raise Conflict(_("%(month)s 的薪资当前为“%(state)s”，不能再修改当月的目标、实际值和奖惩") % {
            "month": label(month), "state": run.get_state_display()}, field=field)


@contextmanager
def _policy_of(month: date, *, field: str = "month"):
    """A month before the pay policy took effect (no version in force) is refused naming ``field``,
    instead of failing deep inside the computation."""
    try:
        yield
    except registry.PolicyMissing:
        raise BusinessError(_("%(month)s 没有生效的薪酬政策版本，不能办理") % {"month": label(month)},
                            field=field, code="no_policy") from None


# --- groups and profiles ----------------------------------------------------------------------------


@transaction.atomic
def save_pay_group(*, user, department: Department, kind: str) -> PayGroup:
    require(user, "payroll.change_paygroup")
    if department is None or not department.is_group:
        raise BusinessError(_("只有小组可以设为考核小组"), field="department")
    if kind not in GroupKind.values:
        raise BusinessError(_("小组类型不正确"), field="kind")
    group = PayGroup.objects.filter(department=department).first() or PayGroup(department=department)
    if group.pk is not None and group.kind == kind:
        return group  # nothing changes: no history row (a repeated request is idempotent)
    group.kind = kind
    save_audited(group, user=user, reason=_("设置考核小组"))
    return group


@transaction.atomic
def save_pay_profile(*, user, staff: Staff, role: str, base_salary=None, is_active: bool = True) -> PayProfile:
    """PER-01 / ORG-05: put a person on the PER payroll. A personal base salary must lie inside the band
    of their job level; a member must belong to a pay group."""
    require(user, "payroll.change_payprofile")
    if role not in PayRole.values:
        raise BusinessError(_("薪酬角色不正确"), field="role")
    if base_salary not in (None, ""):
        base_salary = validate.money(base_salary, field="base_salary", label=_("个人基本工资"), maximum=MAX_AMOUNT)
        level = staff.job_level
        if level is not None and not level.salary_min <= base_salary <= level.salary_max:
            raise BusinessError(_("个人基本工资须在职级 %(level)s 的底薪区间 %(low)s–%(high)s 内（ORG-05）") % {
                "level": level.code, "low": level.salary_min, "high": level.salary_max}, field="base_salary")
    else:
        base_salary = None
    if role == PayRole.MEMBER and not PayGroup.objects.filter(department_id=staff.department_id).exists():
        raise BusinessError(_("组员所在部门“%(dept)s”不是考核小组") % {"dept": staff.department.name}, field="role")
    profile = PayProfile.objects.filter(staff=staff).first() or PayProfile(staff=staff)
    if profile.pk is not None and (profile.role, profile.base_salary, profile.is_active) == (
            role, base_salary, is_active):
        return profile  # nothing changes: no history row
    profile.role, profile.base_salary, profile.is_active = role, base_salary, is_active
    save_audited(profile, user=user, reason=_("设置薪酬档案"))
    return profile


# --- targets (PER-06) -------------------------------------------------------------------------------


def deadline_for(month: date) -> date:
    """PER-06: the day before which the month's targets are due (in the previous month)."""
    before = previous_month(month)
    day = registry.value(compute.TARGET_DEADLINE_DAY, on=before)
    return target_deadline(month, day)


def _subject(scope: str, department: Department | None, staff: Staff | None, *, metric: str) -> None:
    if scope not in TargetScope.values:
        raise BusinessError(_("范围不正确"), field="scope")
    if metric not in Metric.values:
        raise BusinessError(_("指标不正确"), field="metric")
    if scope == TargetScope.PERSON:
        if staff is None:
            raise BusinessError(_("个人目标须选择员工"), field="staff")
        if metric == Metric.SALES:
            raise BusinessError(_("销售额目标只能按部门或小组制定（提成按小组与部门计算）"), field="metric")
        return
    if department is None:
        raise BusinessError(_("请选择部门或小组"), field="department")
    if scope == TargetScope.GROUP and not department.is_group:
        raise BusinessError(_("“%(dept)s”不是小组") % {"dept": department.name}, field="department")
    if scope == TargetScope.DEPARTMENT and department.is_group:
        raise BusinessError(_("“%(dept)s”是小组，请选择“小组”范围") % {"dept": department.name}, field="department")


@transaction.atomic
def set_target(*, user, month, scope: str, metric: str, plan, department: Department | None = None,
               staff: Staff | None = None, note: str = "", now: datetime | None = None) -> Target:
    """PER-06: set (or change) the plan of one metric for one scope and month. Set on or after the
    deadline, the target is flagged late (and stays flagged)."""
    month = parse_month(month)
    _subject(scope, department, staff, metric=metric)
    plan = validate.money(plan, field="plan", label=_("计划值"), minimum=Decimal("0.01"), maximum=MAX_AMOUNT)
    note = validate.text(note, field="note", label=_("备注"), max_length=200, required=False)
    _open_month(month)
    now = now or timezone.now()
    subject = {"staff": staff} if scope == TargetScope.PERSON else {"department": department, "staff": None}
    # of=self: a subject with staff=None joins the staff table outside, which PostgreSQL cannot lock.
    existing = (Target.objects.select_for_update(of=("self",))
                .filter(month=month, metric=metric, **subject).first())
    require(user, "payroll.change_target" if existing else "payroll.add_target")
    if existing is not None and existing.scope != scope:
        raise BusinessError(_("该目标已按其他范围制定"), field="scope")
    if existing is not None and existing.plan == plan and existing.note == note:
        return existing
    with _policy_of(month):
        deadline = deadline_for(month)
    target = existing or Target(month=month, scope=scope, metric=metric, department=department,
                                staff=staff if scope == TargetScope.PERSON else None)
    target.plan, target.note, target.deadline = plan, note, deadline
    target.set_at, target.set_by = now, user
    target.late = target.late or timezone.localtime(now).date() >= deadline
    save_audited(target, user=user, reason=_("修改目标") if existing else _("制定目标"))
    _complete_target_dues(month, user=user, at=now)
    return target


def targets_missing(month: date, department: Department) -> list[Department]:
    """PER-06: the department and each pay group under it need a sales target for the month."""
    inside = department.descendant_ids()
    units = [department] + [g.department for g in PayGroup.objects.filter(department_id__in=inside)
                            .select_related("department").order_by("department__code")]
    have = set(Target.objects.filter(month=month, metric=Metric.SALES, department__in=units)
               .values_list("department_id", flat=True))
    return [u for u in units if u.pk not in have]


def _supervisors():
    return PayProfile.objects.filter(role=PayRole.SUPERVISOR, is_active=True, staff__left_on__isnull=True) \
        .select_related("staff", "staff__department", "staff__user")


def _complete_target_dues(month: date, *, user, at: datetime) -> None:
    for profile in _supervisors():
        department = profile.staff.department
        if not targets_missing(month, department):
            dues.complete_due(kind=TARGET_DUE_PREFIX + label(month), source=department, user=user, at=at)


def raise_target_dues(month, *, now: datetime | None = None) -> int:
    """PER-06: a due item for each supervisor to set the month's targets before the deadline; done as
    soon as the department and its groups have their sales targets. Idempotent."""
    month = parse_month(month)
    now = now or timezone.now()
    deadline = deadline_for(month)
    raised = 0
    for profile in _supervisors():
        department = profile.staff.department
        item = dues.raise_due(
            kind=TARGET_DUE_PREFIX + label(month), owner=profile.staff.user, source=department, clause="PER-06",
            title=_("制定 %(month)s 的月度目标（%(dept)s，%(deadline)s 前）") % {
                "month": label(month), "dept": department.name, "deadline": deadline},
            due_at=local_midnight(deadline), link=reverse("payroll:targets") + f"?month={label(month)}")
        raised += 1
        if not targets_missing(month, department) and item.done_at is None:
            dues.complete_due(kind=item.kind, source=department, at=now)
    return raised


# --- KPI actuals (PER-14) ---------------------------------------------------------------------------


@transaction.atomic
def record_kpi(*, user, month, scope: str, metric: str, value, evidence: str, department: Department | None = None,
               staff: Staff | None = None, evidence_file=None, now: datetime | None = None) -> KpiActual:
    """Enter (or correct) the actual of a plan metric, with its evidence. Sales are computed from the
    orders (PER-07) and cannot be entered."""
    month = parse_month(month)
    if metric == Metric.SALES:
        raise BusinessError(_("销售额由订单自动计算，不能手工录入"), field="metric")
    if metric not in PLAN_METRICS:
        raise BusinessError(_("指标不正确"), field="metric")
    _subject(scope, department, staff, metric=metric)
    value = validate.money(value, field="value", label=_("实际值"), maximum=MAX_AMOUNT)
    evidence = validate.text(evidence, field="evidence", label=_("依据"), max_length=500, required=True)
    _open_month(month)
    subject = {"staff": staff} if scope == TargetScope.PERSON else {"department": department, "staff": None}
    existing = (KpiActual.objects.select_for_update(of=("self",))
                .filter(month=month, metric=metric, **subject).first())
    require(user, "payroll.change_kpiactual" if existing else "payroll.add_kpiactual")
    entry = existing or KpiActual(month=month, scope=scope, metric=metric, department=department,
                                  staff=staff if scope == TargetScope.PERSON else None)
    if existing is not None and existing.scope != scope:
        raise BusinessError(_("该实际值已按其他范围录入"), field="scope")
    if existing is not None and existing.value == value and existing.evidence == evidence and evidence_file is None:
        return existing  # the same actual again: nothing to correct, no history row
    entry.value, entry.evidence = value, evidence
    if evidence_file is not None:
        from ecomops.core.uploads import random_name

        entry.evidence_file = random_name(evidence_file)  # served only through core.uploads
    entry.entered_by, entry.entered_at = user, now or timezone.now()
    save_audited(entry, user=user, reason=_("更正实际值") if existing else _("录入实际值"))
    return entry


# --- bonuses, ramp-up, harm cases -------------------------------------------------------------------


@transaction.atomic
def set_over_completion_bonus(*, user, month, staff: Staff, amount, reason: str) -> OverCompletionBonus:
    """PER-03: the manager picks the amount inside the policy range; refused outside it, when the plan
    completion is not above 100%, or without effective sales. Nobody sets their own."""
    require(user, "payroll.add_overcompletionbonus")
    month = parse_month(month)
    amount = validate.money(amount, field="amount", label=_("奖励金额"), minimum=Decimal("0.01"), maximum=MAX_AMOUNT)
    reason = validate.text(reason, field="reason", label=_("说明"), max_length=300, required=True)
    if staff.user_id == getattr(user, "pk", None):
        raise NotAllowed(_("超额完成奖励由经理确定，不能给自己设置"))
    profile = PayProfile.objects.filter(staff=staff, is_active=True).first()
    if profile is None:
        raise BusinessError(_("该员工没有薪酬档案"), field="staff")
    _open_month(month)
    key = compute.BONUS_SUPERVISOR if profile.role == PayRole.SUPERVISOR else compute.BONUS_MEMBER
    with _policy_of(month):
        low, high = registry.value(key, on=month_end(month))
        data = compute.MonthData(month)
        profile = next((p for p in data.profiles if p.staff_id == staff.pk), None)
        if profile is None:
            raise BusinessError(_("该员工当月不在职"), field="staff")
        plan = data.person_plan(profile)
        net = compute.live_sales(month, []).net
    problem = compute.bonus_problem(amount, low, high, plan.value, net)
    if problem:
        field = "amount" if amount < low or amount > high else "staff"
        raise BusinessError(_("不能设置超额完成奖励：%(why)s（PER-03）") % {"why": problem}, field=field)
    bonus = OverCompletionBonus.objects.select_for_update(of=("self",)).filter(month=month, staff=staff).first() \
        or OverCompletionBonus(month=month, staff=staff)
    if bonus.pk is not None and bonus.amount == amount and bonus.reason == reason:
        return bonus  # the same bonus again: no history row
    bonus.amount, bonus.reason, bonus.entered_by, bonus.entered_at = amount, reason, user, timezone.now()
    save_audited(bonus, user=user, reason=_("确定超额完成奖励"))
    return bonus


@transaction.atomic
def grant_ramp_up(*, user, month, department: Department, reason: str) -> RampUpMonth:
    """PER-05: full performance pay for the month in this department (before the shop runs fully)."""
    require(user, "payroll.add_rampupmonth")
    month = parse_month(month)
    reason = validate.text(reason, field="reason", label=_("原因"), max_length=300, required=True)
    _open_month(month)
    if RampUpMonth.objects.filter(month=month, department=department).exists():
        raise Conflict(_("该部门当月已批准全额绩效"), field="department")
    grant = RampUpMonth(month=month, department=department, reason=reason, granted_by=user,
                        granted_at=timezone.now())
    save_audited(grant, user=user, reason=_("批准开业期全额绩效"))
    return grant


@transaction.atomic
def record_harm_case(*, user, staff: Staff, occurred_on: date, recorded_on: date, description: str,
                     evidence: str) -> HarmCase:
    """PER-10: a fraud/harm case; the commission not yet paid is forfeited from then on."""
    require(user, "payroll.add_harmcase")
    description = validate.text(description, field="description", label=_("事实经过"), max_length=2000, required=True)
    evidence = validate.text(evidence, field="evidence", label=_("证据"), max_length=500, required=True)
    if recorded_on > timezone.localdate():
        raise BusinessError(_("认定日期不能晚于今天"), field="recorded_on")
    if occurred_on > recorded_on:
        raise BusinessError(_("发生日期不能晚于认定日期"), field="occurred_on")
    _open_month(recorded_on.replace(day=1), field="recorded_on")
    case = HarmCase(staff=staff, occurred_on=occurred_on, recorded_on=recorded_on, description=description,
                    evidence=evidence, recorded_by=user)
    save_audited(case, user=user, reason=_("登记损害公司行为"))
    return case


@transaction.atomic
def add_adjustment(*, user, line: PayLine, month, amount, reason: str) -> PayAdjustment:
    """PER-14: correct a line of a locked month in a later month; the locked month stays as it was."""
    require(user, "payroll.add_payadjustment")
    month = parse_month(month)
    amount = validate.money(amount, field="amount", label=_("调整金额"), allow_negative=True, maximum=MAX_AMOUNT)
    if amount == 0:
        raise BusinessError(_("调整金额不能为 0"), field="amount")
    reason = validate.text(reason, field="reason", label=_("更正原因"), max_length=500, required=True)
    run = line.slip.run
    if run.state != RunState.LOCKED:
        raise BusinessError(_("只能更正已锁定月份的工资行；未锁定的月份请直接重新计算"), field="line")
    if month <= run.month:
        raise BusinessError(_("调整须计入 %(month)s 之后的月份") % {"month": label(run.month)}, field="month")
    _open_month(month)
    adjustment = PayAdjustment(month=month, staff=line.slip.staff, corrects=line, amount=amount, reason=reason,
                               entered_by=user, entered_at=timezone.now())
    save_audited(adjustment, user=user, reason=_("登记薪资调整"))
    return adjustment


# --- the pay run (PER-14) ---------------------------------------------------------------------------


def _insert_select(model, queryset, columns: dict, run_id: int) -> list[int]:
    """INSERT INTO model (run_id, …) SELECT run_id, … FROM (queryset): one statement, set-based. Returns
    the [first, last] id range the statement wrote (empty when it wrote nothing)."""
    values = queryset.order_by().values(**{f"c_{name}": F(source) if isinstance(source, str) else source
                                           for name, source in columns.items()})
    sql, params = values.query.sql_with_params()
    table = model._meta.db_table
    targets = ", ".join(['"run_id"', *(f'"{model._meta.get_field(n).column}"' for n in columns)])
    picks = ", ".join(f'U."c_{name}"' for name in columns)
    before = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ({targets}) SELECT %s, {picks} FROM ({sql}) U',  # noqa: S608
                       [run_id, *params])
        written = cursor.rowcount
    if not written:
        return []
    # Ids only grow: every row this statement wrote lies above ``before`` and at most the largest id now.
    # (Rows of another run computed at the same time may lie in between; readers also filter on the run.)
    return [before + 1, model.objects.order_by("-pk").values_list("pk", flat=True).first()]


def _write_counted(run: PayrollRun) -> None:
    """PER-07 evidence: the run's list of counted orders and refunds, replaced in two INSERT … SELECT."""
    # Django's private fast delete, chosen on purpose (no per-row signals over a million rows; PER-07 bench).
    run.counted_order_rows()._raw_delete(CountedOrder.objects.db)  # noqa: SLF001
    run.counted_refund_rows()._raw_delete(CountedRefund.objects.db)  # noqa: SLF001
    run.counted_orders_ids = _insert_select(
        CountedOrder, compute.counted_orders(run.month),
        {"order": "pk", "store": "store_id", "amount_fen": compute.in_fen("paid_amount"), "paid_at": "paid_at"},
        run.pk)
    run.counted_refunds_ids = _insert_select(
        CountedRefund, compute.counted_refunds(run.month),
        {"refund": "pk", "order": "order_id", "store": "order__store_id", "amount_fen": compute.in_fen("amount"),
         "order_paid_at": "order__paid_at"}, run.pk)


def _run_for_update(month: date, user) -> tuple[PayrollRun, bool]:
    run = PayrollRun.objects.select_for_update().filter(month=month).first()
    if run is not None:
        return run, False
    try:
        with transaction.atomic():
            run = PayrollRun(month=month, policy_on=month_end(month), computed_at=timezone.now(), computed_by=user)
            save_audited(run, user=user, reason=_("计算月度薪资"))
            return run, True
    except IntegrityError:
        return PayrollRun.objects.select_for_update().get(month=month), False


@dataclass
class RunResult:
    run: PayrollRun
    created: bool
    changed: bool


@transaction.atomic
def compute_run(month, *, user, now: datetime | None = None) -> RunResult:
    """Create or recompute the month's draft. The same inputs give the same figures (compared by the
    fingerprint of every line); a run past draft is refused, a locked run never changes."""
    require(user, "payroll.add_payrollrun")
    month = parse_month(month)
    if month > timezone.localdate().replace(day=1):
        raise BusinessError(_("不能计算未来月份的薪资"), field="month")
    run, created = _run_for_update(month, user)
    if run.state != RunState.DRAFT:
        raise Conflict(_("%(month)s 的薪资当前为“%(state)s”，不能重新计算；之后的更正请作为调整计入以后的月份") % {
            "month": label(month), "state": run.get_state_display()}, field="month")
    before = {"total": str(run.total), "fingerprint": run.fingerprint}
    with _policy_of(month):
        data = compute.MonthData(month)
        policy = compute.PolicySet(month_end(month))
        _write_counted(run)
        sales = compute.run_sales(run, compute.departure_cutoffs(data, policy))
        result = compute.compute_month(month, sales=sales, policy=policy, data=data)
    PayLine.objects.filter(slip__run=run).delete()
    PaySlip.objects.filter(run=run).delete()
    ActivityFund.objects.filter(run=run).delete()
    slips = PaySlip.objects.bulk_create([
        PaySlip(run=run, staff=s.staff, role=s.role, department=s.department, name=s.staff.name,
                employee_no=s.staff.employee_no, total=s.total) for s in result.slips])
    PayLine.objects.bulk_create([
        PayLine(slip=slip, seq=n, kind=line.kind, amount=line.amount, explanation=line.explanation,
                clause=line.clause, policy=line.policy, data=line.data, corrects_id=line.corrects_id)
        for slip, s in zip(slips, result.slips, strict=True) for n, line in enumerate(s.lines, start=1)])
    ActivityFund.objects.bulk_create([
        ActivityFund(run=run, department=f.department, sales=f.sales, plan=f.plan, completion=f.completion,
                     rate=f.rate, amount=f.amount, explanation=f.explanation, policy=f.policy)
        for f in result.funds])
    run.policy_on = policy.on
    run.computed_at, run.computed_by = now or timezone.now(), user
    run.slip_count, run.total = len(slips), result.total
    run.orders_count, run.orders_amount = sales.orders, sales.orders_amount
    run.refunds_count, run.refunds_amount = sales.refunds, sales.refunds_amount
    run.net_sales = sales.net
    fingerprint = result.fingerprint()
    changed = fingerprint != run.fingerprint
    run.fingerprint = fingerprint
    save_audited(run, user=user, reason=_("计算月度薪资") if created else _("重新计算月度薪资"))
    events.run_computed(
        run, created=created, user=user, at=run.computed_at,
        note=_("结果未变") if not created and not changed else "",
        data={"before": before, "after": {"total": str(run.total), "fingerprint": fingerprint},
              "orders": sales.orders, "refunds": sales.refunds, "net_sales": str(sales.net)})
    return RunResult(run, created, changed)


STEP = {
    RunState.CHECKED: ("payroll.check_payrollrun", RunEventKind.CHECKED, "checked"),
    RunState.APPROVED: ("payroll.approve_payrollrun", RunEventKind.APPROVED, "approved"),
    RunState.LOCKED: ("payroll.lock_payrollrun", RunEventKind.LOCKED, "locked"),
}


def _check_step(run: PayrollRun, to: str) -> None:
    if to not in RUN_FLOW.get(run.state, ()):
        raise Conflict(_("“%(state)s”的薪资不能转为“%(to)s”") % {
            "state": run.get_state_display(), "to": RunState(to).label if to in RunState.values else to},
            field="state")


@transaction.atomic
def set_run_state(run: PayrollRun, to: str, *, user, note: str = "", now: datetime | None = None) -> PayrollRun:
    """PER-14: draft → checked (supervisor) → approved (finance, not the checker) → locked; a checked or
    approved run may be sent back to draft with a reason. ``RUN_FLOW`` refuses every other step."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    note_text = validate.text(note, field="note", label=_("说明"), max_length=500, required=to == RunState.DRAFT)
    _check_step(run, to)
    now = now or timezone.now()
    if to == RunState.DRAFT:
        if not (user.has_perm("payroll.check_payrollrun") or user.has_perm("payroll.approve_payrollrun")):
            raise NotAllowed(_("您没有执行此操作的权限"))
        changes = {"checked_at": None, "checked_by": None, "approved_at": None, "approved_by": None}
        kind = RunEventKind.RETURNED
    else:
        perm, kind, prefix = STEP[to]
        require(user, perm)
        if to == RunState.APPROVED and run.checked_by_id == user.pk:
            raise NotAllowed(_("复核人与审批人不能是同一人"))
        changes = {f"{prefix}_at": now, f"{prefix}_by": user}
    # The history row says the step (e.g. "主管复核"); the event row keeps the user's note.
    def write(run, *, before, after, user, note):
        events.run_stepped(run, kind=kind, user=user, before=before, after=after, at=now, note=note_text,
                           data={"from": before, "to": after, "total": str(run.total), "fingerprint": run.fingerprint})

    transition(run, to, flow=RUN_FLOW, user=user, reason=RunEventKind(kind).label, check=_check_step,
               changes=changes, event=write)
    return run


def check_run(run, *, user, note: str = "") -> PayrollRun:
    return set_run_state(run, RunState.CHECKED, user=user, note=note)


def approve_run(run, *, user, note: str = "") -> PayrollRun:
    return set_run_state(run, RunState.APPROVED, user=user, note=note)


def lock_run(run, *, user, note: str = "") -> PayrollRun:
    return set_run_state(run, RunState.LOCKED, user=user, note=note)


def return_run(run, *, user, note: str) -> PayrollRun:
    return set_run_state(run, RunState.DRAFT, user=user, note=note)


def next_open_month(month: date) -> date:
    return next_month(month)
