"""API of targets, pay runs and slips (PER-06, PER-14).

Thin: reads through ``payroll.queries`` (a slip the caller may not see is a 404: own slip, the
supervisor's department, finance all; client users see nothing of pay), writes through
``payroll.actions``. Money travels as decimals, never floats; months as "YYYY-MM".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import Day, Flag, Id, RefId, Text
from ecomops.core.errors import BusinessError
from ecomops.org.models import Department, Staff

from . import actions, queries
from .enums import GroupKind, LineKind, Metric, PayRole, RunState, TargetScope
from .models import (
    ActivityFund,
    HarmCase,
    KpiActual,
    OverCompletionBonus,
    PayGroup,
    PayProfile,
    PayrollRun,
    PaySlip,
    RampUpMonth,
)
from .periods import label, parse_month

router = Router(tags=["payroll"])

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Text(7, min_length=7, pattern=MONTH_PATTERN)
Plan = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2,
                                description="计划值（销售额以元计），最多两位小数")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="金额（元），最多两位小数")]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="实际值，最多两位小数")]

VIEW_TARGETS = "payroll.view_target"
VIEW_PROFILES = "payroll.view_payprofile"


class PayrollTargetOut(Schema):
    id: int
    month: str
    scope: TargetScope
    department_id: int | None
    staff_id: int | None
    subject: str
    metric: Metric
    plan: Decimal
    note: str
    deadline: date
    late: bool = Field(description="PER-06：在截止日当天或之后制定/修改")
    set_at: datetime
    set_by: str


class PayrollTargetFilters(PageQuery):
    month: Month | None = Field(None, description="YYYY-MM")
    metric: Metric | None = None


class PayrollTargetIn(InputSchema):
    month: Month
    scope: TargetScope
    metric: Metric
    plan: Plan
    department_id: RefId | None = None
    staff_id: RefId | None = None
    note: Text(200) = ""
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"department_id", "staff_id"})


class PayrollFundOut(Schema):
    department: Ref
    sales: Decimal
    plan: Decimal | None = Field(description="部门销售目标；未制定为 null")
    completion: Decimal | None = Field(description="完成率（销售额 ÷ 销售目标）；无目标为 null")
    rate: Decimal = Field(description="提取比例")
    amount: Decimal = Field(description="活动经费（元）")
    explanation: str
    policy_versions: list[str]


class PayrollRunOut(Schema):
    month: str
    state: RunState
    policy_on: date
    computed_at: datetime
    checked_at: datetime | None
    approved_at: datetime | None
    locked_at: datetime | None
    slip_count: int
    total: Decimal | None = Field(description="应发合计；只有可查看全部工资单的用户才看到")
    orders_count: int
    orders_amount: Decimal
    refunds_count: int
    refunds_amount: Decimal
    net_sales: Decimal = Field(description="PER-07 提成基数（all_stores 为 false 时只是调用者可见店铺的净销售）")
    all_stores: bool = Field(description="true：订单、退款与净销售为全部店铺（调用者可见全部委托方）；"
                                         "false：只含调用者可见的店铺")
    fingerprint: str
    funds: list[PayrollFundOut] | None = Field(
        description="PER-09 部门活动经费（按全部店铺的销售计算）；调用者不可见全部委托方时为 null")


class PayrollComputeIn(InputSchema):
    month: Month


class PayrollTransitionIn(InputSchema):
    to: RunState
    note: Text(500) = ""


class PayrollLineOut(Schema):
    seq: int
    kind: LineKind
    amount: Decimal
    explanation: str
    clause: str
    policy_versions: list[str]
    corrects_id: int | None


class PayrollSlipOut(Schema):
    id: int
    month: str
    run_state: RunState
    staff_id: int
    employee_no: str
    name: str
    role: PayRole
    department: str
    total: Decimal


class PayrollSlipDetailOut(PayrollSlipOut):
    lines: list[PayrollLineOut]


def _target_out(target) -> dict:
    return {"id": target.pk, "month": label(target.month), "scope": target.scope, "department_id": target.department_id,
            "staff_id": target.staff_id, "subject": target.subject_name, "metric": target.metric, "plan": target.plan,
            "note": target.note, "deadline": target.deadline, "late": target.late, "set_at": target.set_at,
            "set_by": target.set_by.get_username()}


def _run_out(run: PayrollRun, user) -> dict:
    figures = queries.run_figures(user, run)  # DAT-02: the caller's stores only, unless they see every client
    return {"month": label(run.month), "state": run.state, "policy_on": run.policy_on, "computed_at": run.computed_at,
            "checked_at": run.checked_at, "approved_at": run.approved_at, "locked_at": run.locked_at,
            "slip_count": run.slip_count, "total": run.total if queries.sees_all(user) else None,
            "orders_count": figures.orders_count, "orders_amount": figures.orders_amount,
            "refunds_count": figures.refunds_count, "refunds_amount": figures.refunds_amount,
            "net_sales": figures.net_sales, "all_stores": figures.all_stores, "fingerprint": run.fingerprint,
            # PER-09 funds are computed on every store's sales: only for a caller who sees every client (DAT-02),
            # as on the run page and in its .xlsx.
            "funds": _funds_out(run) if figures.all_stores else None}


def _funds_out(run: PayrollRun) -> list[dict]:
    funds = sorted(run.activity_funds.all(), key=lambda f: (f.department.code, f.pk))
    return [{"department": f.department, "sales": f.sales, "plan": f.plan, "completion": f.completion,
             "rate": f.rate, "amount": f.amount, "explanation": f.explanation,
             "policy_versions": [p["label"] for p in f.policy]} for f in funds]


def _runs():
    return PayrollRun.objects.prefetch_related(
        Prefetch("activity_funds", queryset=ActivityFund.objects.select_related("department")))


def _slip_out(slip: PaySlip) -> dict:
    return {"id": slip.pk, "month": label(slip.run.month), "run_state": slip.run.state, "staff_id": slip.staff_id,
            "employee_no": slip.employee_no, "name": slip.name, "role": slip.role, "department": slip.department.name,
            "total": slip.total}


def _run(month: str) -> PayrollRun:
    try:
        parsed = parse_month(month)
    except BusinessError:
        raise Http404 from None
    run = _runs().filter(month=parsed).first()
    if run is None:
        raise Http404
    return run


@router.get("/payroll/targets", response=Page[PayrollTargetOut], summary="月度目标（PER-06，按可见范围）")
def payroll_list_targets(request, filters: Query[PayrollTargetFilters]):
    require_perm(request.auth, "payroll.view_target", internal=True)
    targets = queries.visible_targets(request.auth)
    if filters.month:
        targets = targets.filter(month=parse_month(filters.month))
    if filters.metric:
        targets = targets.filter(metric=filters.metric)
    return paginate(targets.order_by("-month", "pk"), filters, _target_out)


@router.post("/payroll/targets", response=PayrollTargetOut, summary="制定或修改目标（截止日后标记逾期，PER-06）")
def payroll_set_target(request, payload: PayrollTargetIn):
    require_internal(request.auth)
    department = staff = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise BusinessError(_("部门不存在"), field="department_id", code="not_found")
    if payload.staff_id is not None:
        staff = Staff.objects.filter(pk=payload.staff_id).first()
        if staff is None:
            raise BusinessError(_("员工不存在"), field="staff_id", code="not_found")
    target = actions.set_target(user=request.auth, month=payload.month, scope=payload.scope, metric=payload.metric,
                                plan=payload.plan, department=department, staff=staff, note=payload.note)
    return _target_out(target)


@router.get("/payroll/runs", response=list[PayrollRunOut], summary="月度薪资列表（PER-14）")
def payroll_list_runs(request):
    require_perm(request.auth, "payroll.view_payrollrun", internal=True)
    return [_run_out(run, request.auth) for run in _runs().order_by("-month")[:240]]


@router.post("/payroll/runs", response={200: PayrollRunOut, 201: PayrollRunOut},
             summary="计算或重新计算当月草稿（同样的输入得到同样的结果；已复核的不能重算）")
def payroll_compute_run(request, payload: PayrollComputeIn):
    require_internal(request.auth)
    result = actions.compute_run(payload.month, user=request.auth)
    return Status(201 if result.created else 200, _run_out(_runs().get(pk=result.run.pk), request.auth))


@router.get("/payroll/runs/{month}", response=PayrollRunOut, summary="某月的薪资")
def payroll_get_run(request, month: Path[Month]):
    require_perm(request.auth, "payroll.view_payrollrun", internal=True)
    return _run_out(_run(month), request.auth)


@router.post("/payroll/runs/{month}/transitions", response=PayrollRunOut,
             summary="复核、审批、锁定或退回草稿（PER-14）")
def payroll_transition_run(request, month: Path[Month], payload: PayrollTransitionIn):
    require_perm(request.auth, "payroll.view_payrollrun", internal=True)
    run = actions.set_run_state(_run(month), payload.to, user=request.auth, note=payload.note)
    return _run_out(run, request.auth)


@router.get("/payroll/runs/{month}/slips", response=list[PayrollSlipOut],
            summary="某月的工资单（本人、主管本部门、财务全部）")
def payroll_list_slips(request, month: Path[Month]):
    require_internal(request.auth)
    run = _run(month)
    return [_slip_out(s) for s in queries.visible_slips(request.auth).filter(run=run).order_by("employee_no")]


@router.get("/payroll/my-slips", response=list[PayrollSlipOut], summary="我的工资单")
def payroll_my_slips(request):
    require_internal(request.auth)
    slips = queries.visible_slips(request.auth).filter(staff__user=request.auth).order_by("-run__month")
    return [_slip_out(s) for s in slips]


@router.get("/payroll/slips/{slip_id}", response=PayrollSlipDetailOut, summary="工资单明细（每行的计算说明与政策版本）")
def payroll_get_slip(request, slip_id: Path[Id]):
    require_internal(request.auth)
    slip = queries.visible_slips(request.auth).filter(pk=slip_id).first()
    if slip is None:
        raise Http404
    out = _slip_out(slip)
    out["lines"] = [{"seq": x.seq, "kind": x.kind, "amount": x.amount, "explanation": x.explanation,
                     "clause": x.clause, "policy_versions": [p["label"] for p in x.policy],
                     "corrects_id": x.corrects_id} for x in slip.lines.order_by("seq")]
    return out


# --- the inputs of pay: groups and profiles (PER-01, ORG-05) -----------------------------------------

def _lookup(queryset, pk: int | None, *, field: str, message: str):
    """The record ``pk`` names in a request body (among those the page offers), or a 400 naming ``field``."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


def _month_filter(queryset, month: str | None):
    return queryset.filter(month=parse_month(month)) if month else queryset


class PayGroupOut(Schema):
    id: int
    department: Ref
    kind: GroupKind


class PayGroupIn(InputSchema):
    department_id: RefId = Field(description="org 中标记为小组（is_group）的部门")
    kind: GroupKind


class PayGroupPatch(PatchSchema):
    kind: GroupKind | None = None


class PayProfileOut(Schema):
    id: int
    staff_id: int
    employee_no: str
    name: str
    department: Ref
    role: PayRole
    base_salary: Decimal | None = Field(description="个人基本工资；null 按政策参数（PER-01）的默认基本工资")
    is_active: bool


class PayProfileIn(InputSchema):
    staff_id: RefId = Field(description="在职员工")
    role: PayRole
    base_salary: Amount | None = None
    is_active: Flag = True
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"base_salary"})


class PayProfilePatch(PatchSchema):
    NULLABLE = frozenset({"base_salary"})

    role: PayRole | None = None
    base_salary: Amount | None = None
    is_active: Flag | None = None


def _group_out(group: PayGroup) -> dict:
    return {"id": group.pk, "department": group.department, "kind": group.kind}


def _profile_out(profile: PayProfile) -> dict:
    staff = profile.staff
    return {"id": profile.pk, "staff_id": staff.pk, "employee_no": staff.employee_no, "name": staff.name,
            "department": staff.department, "role": profile.role, "base_salary": profile.base_salary,
            "is_active": profile.is_active}


def _groups():
    return PayGroup.objects.select_related("department")


def _profiles():
    return PayProfile.objects.select_related("staff", "staff__department")


@router.get("/payroll/groups", response=Page[PayGroupOut], summary="考核小组（PER-08 的小组类型）")
def payroll_list_groups(request, filters: Query[PageQuery]):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    return paginate(_groups().order_by("department__sort_order", "department__code", "pk"), filters, _group_out)


@router.post("/payroll/groups", response={200: PayGroupOut, 201: PayGroupOut},
             summary="设置考核小组（该小组已设置则修改类型）")
def payroll_save_group(request, payload: PayGroupIn):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    department = _lookup(Department.objects.filter(is_active=True), payload.department_id, field="department_id",
                         message=_("部门不存在"))
    existed = PayGroup.objects.filter(department=department).exists()
    with fields_renamed({"department": "department_id"}):
        group = actions.save_pay_group(user=request.auth, department=department, kind=payload.kind)
    return Status(200 if existed else 201, _group_out(_groups().get(pk=group.pk)))


@router.patch("/payroll/groups/{group_id}", response=PayGroupOut, summary="修改考核小组的类型")
def payroll_update_group(request, group_id: Path[Id], payload: PayGroupPatch):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    group = _groups().filter(pk=group_id).first()
    if group is None:
        raise Http404
    changes = payload.changes()
    if changes:
        group = actions.save_pay_group(user=request.auth, department=group.department,
                                       kind=changes.get("kind", group.kind))
    return _group_out(_groups().get(pk=group.pk))


@router.get("/payroll/profiles", response=Page[PayProfileOut], summary="薪酬档案（PER-01：主管、组员与个人基本工资）")
def payroll_list_profiles(request, filters: Query[PageQuery]):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    return paginate(_profiles().order_by("staff__employee_no", "pk"), filters, _profile_out)


@router.post("/payroll/profiles", response={200: PayProfileOut, 201: PayProfileOut},
             summary="设置薪酬档案（该员工已有档案则修改；个人基本工资须在职级底薪区间内，ORG-05）")
def payroll_save_profile(request, payload: PayProfileIn):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    staff = _lookup(Staff.objects.filter(left_on__isnull=True).select_related("department", "job_level"),
                    payload.staff_id, field="staff_id", message=_("员工不存在或已离职"))
    existed = PayProfile.objects.filter(staff=staff).exists()
    with fields_renamed({"staff": "staff_id"}):
        profile = actions.save_pay_profile(user=request.auth, staff=staff, role=payload.role,
                                           base_salary=payload.base_salary, is_active=payload.is_active)
    return Status(200 if existed else 201, _profile_out(_profiles().get(pk=profile.pk)))


@router.patch("/payroll/profiles/{profile_id}", response=PayProfileOut, summary="修改薪酬档案")
def payroll_update_profile(request, profile_id: Path[Id], payload: PayProfilePatch):
    require_perm(request.auth, VIEW_PROFILES, internal=True)
    profile = _profiles().select_related("staff__job_level").filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    changes = payload.changes()
    if changes:
        profile = actions.save_pay_profile(
            user=request.auth, staff=profile.staff, role=changes.get("role", profile.role),
            base_salary=changes.get("base_salary", profile.base_salary),
            is_active=changes.get("is_active", profile.is_active))
    return _profile_out(_profiles().get(pk=profile.pk))


# --- KPI actuals (PER-14) ----------------------------------------------------------------------------

class PayrollKpiOut(Schema):
    id: int
    month: str
    scope: TargetScope
    metric: Metric
    department_id: int | None
    staff_id: int | None
    subject: str
    value: Decimal
    evidence: str
    has_evidence_file: bool = Field(description="是否附有依据附件（附件在页面上查看）")
    entered_at: datetime
    entered_by: str


class PayrollKpiFilters(PageQuery):
    month: Month | None = Field(None, description="YYYY-MM")
    metric: Metric | None = None
    department_id: Id | None = Field(None, description="此部门/小组的实际值")
    staff_id: Id | None = Field(None, description="此员工的个人实际值")


class PayrollKpiIn(InputSchema):
    month: Month
    scope: TargetScope
    metric: Metric = Field(description="计划指标；销售额由订单计算，不能录入")
    value: Quantity
    evidence: Text(500, min_length=1) = Field(description="依据（必填）：后台报表、截图编号、签约合同号等")
    department_id: RefId | None = None
    staff_id: RefId | None = None
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"department_id", "staff_id"})


def _kpi_out(entry: KpiActual) -> dict:
    return {"id": entry.pk, "month": label(entry.month), "scope": entry.scope, "metric": entry.metric,
            "department_id": entry.department_id, "staff_id": entry.staff_id,
            "subject": entry.staff.name if entry.staff_id else entry.department.name, "value": entry.value,
            "evidence": entry.evidence, "has_evidence_file": bool(entry.evidence_file),
            "entered_at": entry.entered_at, "entered_by": entry.entered_by.get_username()}


def _departments():
    """The departments the pay pages offer (active ones)."""
    return Department.objects.filter(is_active=True)


def _payroll_staff():
    """The people the pay pages offer: those with a pay profile."""
    return Staff.objects.filter(pay_profile__isnull=False).select_related("department")


SUBJECT_FIELDS = {"department": "department_id", "staff": "staff_id"}


@router.get("/payroll/kpis", response=Page[PayrollKpiOut], summary="KPI 实际值（按可见范围，同目标）")
def payroll_list_kpis(request, filters: Query[PayrollKpiFilters]):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    entries = _month_filter(queries.visible_kpis(request.auth), filters.month)
    if filters.metric:
        entries = entries.filter(metric=filters.metric)
    if filters.department_id is not None:
        entries = entries.filter(department_id=filters.department_id)
    if filters.staff_id is not None:
        entries = entries.filter(staff_id=filters.staff_id)
    return paginate(entries.order_by("-month", "scope", "metric", "pk"), filters, _kpi_out)


@router.post("/payroll/kpis", response={200: PayrollKpiOut, 201: PayrollKpiOut},
             summary="录入或更正计划指标的实际值（须有依据；已录入则更正）")
def payroll_record_kpi(request, payload: PayrollKpiIn):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    actions.require(request.auth, "payroll.add_kpiactual")  # as the page: entering needs the add permission
    department = _lookup(_departments(), payload.department_id, field="department_id", message=_("部门不存在"))
    staff = _lookup(_payroll_staff(), payload.staff_id, field="staff_id", message=_("员工不存在或没有薪酬档案"))
    month = parse_month(payload.month)
    subject = {"staff": staff} if payload.scope == TargetScope.PERSON else {"department": department, "staff": None}
    existed = KpiActual.objects.filter(month=month, metric=payload.metric, **subject).exists()
    with fields_renamed(SUBJECT_FIELDS):
        entry = actions.record_kpi(user=request.auth, month=month, scope=payload.scope, metric=payload.metric,
                                   value=payload.value, evidence=payload.evidence, department=department, staff=staff)
    entry = KpiActual.objects.select_related("department", "staff", "entered_by").get(pk=entry.pk)
    return Status(200 if existed else 201, _kpi_out(entry))


# --- bonuses (PER-03), ramp-up months (PER-05), harm cases (PER-10) ---------------------------------

class PayrollBonusOut(Schema):
    id: int
    month: str
    staff_id: int
    employee_no: str
    name: str
    amount: Decimal
    reason: str
    entered_at: datetime
    entered_by: str


class PayrollMonthFilters(PageQuery):
    month: Month | None = Field(None, description="YYYY-MM")


class PayrollBonusIn(InputSchema):
    month: Month
    staff_id: RefId
    amount: Amount = Field(description="奖励金额（元），须在政策区间内（PER-03）")
    reason: Text(300, min_length=1)


class PayrollRampUpOut(Schema):
    id: int
    month: str
    department: Ref
    reason: str
    granted_at: datetime
    granted_by: str


class PayrollRampUpIn(InputSchema):
    month: Month
    department_id: RefId
    reason: Text(300, min_length=1)


class PayrollHarmCaseOut(Schema):
    id: int
    staff_id: int
    employee_no: str
    name: str
    occurred_on: date
    recorded_on: date
    description: str
    evidence: str
    recorded_at: datetime
    recorded_by: str


class PayrollHarmCaseIn(InputSchema):
    staff_id: RefId
    occurred_on: Day
    recorded_on: Day = Field(description="认定日期；不能晚于今天，当月薪资须仍为草稿")
    description: Text(2000, min_length=1, multiline=True)
    evidence: Text(500, min_length=1)


def _bonus_out(bonus: OverCompletionBonus) -> dict:
    return {"id": bonus.pk, "month": label(bonus.month), "staff_id": bonus.staff_id,
            "employee_no": bonus.staff.employee_no, "name": bonus.staff.name, "amount": bonus.amount,
            "reason": bonus.reason, "entered_at": bonus.entered_at, "entered_by": bonus.entered_by.get_username()}


def _ramp_out(grant: RampUpMonth) -> dict:
    return {"id": grant.pk, "month": label(grant.month), "department": grant.department, "reason": grant.reason,
            "granted_at": grant.granted_at, "granted_by": grant.granted_by.get_username()}


def _harm_out(case: HarmCase) -> dict:
    return {"id": case.pk, "staff_id": case.staff_id, "employee_no": case.staff.employee_no, "name": case.staff.name,
            "occurred_on": case.occurred_on, "recorded_on": case.recorded_on, "description": case.description,
            "evidence": case.evidence, "recorded_at": case.recorded_at,
            "recorded_by": case.recorded_by.get_username()}


def _bonuses():
    return OverCompletionBonus.objects.select_related("staff", "entered_by")


@router.get("/payroll/bonuses", response=Page[PayrollBonusOut], summary="超额完成奖励（PER-03）")
def payroll_list_bonuses(request, filters: Query[PayrollMonthFilters]):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    bonuses = _month_filter(_bonuses(), filters.month)
    return paginate(bonuses.order_by("-month", "staff__employee_no", "pk"), filters, _bonus_out)


@router.post("/payroll/bonuses", response={200: PayrollBonusOut, 201: PayrollBonusOut},
             summary="确定超额完成奖励（政策区间内；同月同人已有则修改；不能给自己设置）")
def payroll_set_bonus(request, payload: PayrollBonusIn):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    staff = _lookup(_payroll_staff(), payload.staff_id, field="staff_id", message=_("员工不存在或没有薪酬档案"))
    month = parse_month(payload.month)
    existed = OverCompletionBonus.objects.filter(month=month, staff=staff).exists()
    with fields_renamed({"staff": "staff_id"}):
        bonus = actions.set_over_completion_bonus(user=request.auth, month=month, staff=staff, amount=payload.amount,
                                                  reason=payload.reason)
    return Status(200 if existed else 201, _bonus_out(_bonuses().get(pk=bonus.pk)))


def _ramps():
    return RampUpMonth.objects.select_related("department", "granted_by")


@router.get("/payroll/ramp-ups", response=Page[PayrollRampUpOut], summary="开业期全额绩效（PER-05）")
def payroll_list_ramp_ups(request, filters: Query[PayrollMonthFilters]):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    grants = _month_filter(_ramps(), filters.month)
    return paginate(grants.order_by("-month", "department__code", "pk"), filters, _ramp_out)


@router.post("/payroll/ramp-ups", response={201: PayrollRampUpOut},
             summary="批准某部门当月的开业期全额绩效（PER-05；每部门每月一次）")
def payroll_grant_ramp_up(request, payload: PayrollRampUpIn):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    department = _lookup(_departments(), payload.department_id, field="department_id", message=_("部门不存在"))
    with fields_renamed({"department": "department_id"}):
        grant = actions.grant_ramp_up(user=request.auth, month=payload.month, department=department,
                                      reason=payload.reason)
    return Status(201, _ramp_out(_ramps().get(pk=grant.pk)))


@router.get("/payroll/harm-cases", response=Page[PayrollHarmCaseOut],
            summary="损害公司行为记录（PER-10；只有可查看全部工资单的用户看到记录）")
def payroll_list_harm_cases(request, filters: Query[PageQuery]):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    cases = HarmCase.objects.select_related("staff", "recorded_by")
    if not queries.sees_all(request.auth):
        cases = cases.none()  # as on the page: the cases are shown only to those who see every slip
    return paginate(cases.order_by("-recorded_on", "-pk"), filters, _harm_out)


@router.post("/payroll/harm-cases", response={201: PayrollHarmCaseOut},
             summary="登记损害公司行为（PER-10：此后未发放的提成不再发放）")
def payroll_record_harm_case(request, payload: PayrollHarmCaseIn):
    require_perm(request.auth, VIEW_TARGETS, internal=True)
    staff = _lookup(_payroll_staff(), payload.staff_id, field="staff_id", message=_("员工不存在或没有薪酬档案"))
    with fields_renamed({"staff": "staff_id"}):
        case = actions.record_harm_case(user=request.auth, staff=staff, occurred_on=payload.occurred_on,
                                        recorded_on=payload.recorded_on, description=payload.description,
                                        evidence=payload.evidence)
    return Status(201, _harm_out(HarmCase.objects.select_related("staff", "recorded_by").get(pk=case.pk)))


class AttendanceGapOut(Schema):
    staff_id: int
    employee_no: str
    name: str
    department_id: int
    days: list[date] = Field(description="在职期间缺少考勤记录的工作日（依工作日历）")
    text: str


@router.get("/payroll/runs/{month}/attendance-gaps", response=list[AttendanceGapOut],
            summary="计算前核对：当月哪些员工的哪些工作日还没有考勤记录（PER-13）")
def payroll_attendance_gaps(request, month: Path[Month]):
    if not queries.sees_missing_attendance(request.auth):
        require_internal(request.auth)
        require_perm(request.auth, "org.view_attendance")
    return [AttendanceGapOut(staff_id=gap.staff.pk, employee_no=gap.staff.employee_no, name=gap.staff.name,
                             department_id=gap.staff.department_id, days=gap.days, text=gap.text)
            for gap in queries.missing_attendance(parse_month(month))]
