"""API of targets, pay runs and slips (PER-06, PER-14).

Thin: reads through ``payroll.queries`` (a slip the caller may not see is a 404: own slip, the
supervisor's department, finance all; client users see nothing of pay), writes through
``payroll.actions``. Money travels as decimals, never floats; months as "YYYY-MM".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Id, RefId, Text
from ecomops.core.errors import BusinessError
from ecomops.org.models import Department, Staff

from . import actions, queries
from .enums import LineKind, Metric, PayRole, RunState, TargetScope
from .models import PayrollRun, PaySlip
from .periods import label, parse_month

router = Router(tags=["payroll"])

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Text(7, min_length=7, pattern=MONTH_PATTERN)
Plan = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2,
                                description="计划值（销售额以元计），最多两位小数")]


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
            "net_sales": figures.net_sales, "all_stores": figures.all_stores, "fingerprint": run.fingerprint}


def _slip_out(slip: PaySlip) -> dict:
    return {"id": slip.pk, "month": label(slip.run.month), "run_state": slip.run.state, "staff_id": slip.staff_id,
            "employee_no": slip.employee_no, "name": slip.name, "role": slip.role, "department": slip.department.name,
            "total": slip.total}


def _run(month: str) -> PayrollRun:
    try:
        parsed = parse_month(month)
    except BusinessError:
        raise Http404 from None
    run = PayrollRun.objects.filter(month=parsed).first()
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
    return [_run_out(run, request.auth) for run in PayrollRun.objects.order_by("-month")[:240]]


@router.post("/payroll/runs", response={200: PayrollRunOut, 201: PayrollRunOut},
             summary="计算或重新计算当月草稿（同样的输入得到同样的结果；已复核的不能重算）")
def payroll_compute_run(request, payload: PayrollComputeIn):
    require_internal(request.auth)
    result = actions.compute_run(payload.month, user=request.auth)
    return Status(201 if result.created else 200, _run_out(result.run, request.auth))


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
