"""Pages of targets, KPIs and pay (PER-01…14): targets with plan, actual and the late flag; KPI actuals
with evidence; bonuses, ramp-up months and harm cases; the month's run with its state buttons, sales
base and activity fund; slips with every line, its explanation and policy versions, as PDF; the month
as .xlsx; the what-if sandbox.

Thin: scope (a slip the user may not see is a 404), render, call ``payroll.actions``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.policy import registry

from . import actions, compute, queries, whatif
from .enums import RUN_FLOW, LineKind, Metric, RunState, TargetScope
from .forms import (
    AdjustmentForm,
    BonusForm,
    ComputeForm,
    HarmCaseForm,
    KpiForm,
    NoteForm,
    PayGroupForm,
    PayProfileForm,
    RampUpForm,
    TargetForm,
)
from .models import (
    ActivityFund,
    HarmCase,
    OverCompletionBonus,
    PayAdjustment,
    PayGroup,
    PayProfile,
    PayrollRun,
    PaySlip,
    RampUpMonth,
)
from .periods import label, parse_month, previous_month

VIEW_TARGETS = "payroll.view_target"
VIEW_RUNS = "payroll.view_payrollrun"


def _month(request, key: str = "month") -> date:
    """The month asked for; a malformed month, or one before the pay policy took effect (nothing can be
    computed or set for it), gives last month."""
    from .periods import month_end

    try:
        month = parse_month(request.GET.get(key) or request.POST.get(key) or "")
        registry.resolve(compute.BASE_MEMBER, month_end(month))
        return month
    except (BusinessError, registry.PolicyMissing):
        return previous_month(timezone.localdate().replace(day=1))


def _months_around(month: date) -> dict:
    return {"month": month, "month_label": label(month), "previous": label(previous_month(month)),
            "next": label(actions.next_open_month(month))}


@internal_page()
def index(request):
    """The module's entry: the runs for those who work on them, else the targets, else one's own slips."""
    if request.user.has_perm(VIEW_RUNS):
        return redirect("payroll:runs")
    if request.user.has_perm(VIEW_TARGETS):
        return redirect("payroll:targets")
    return redirect("payroll:my_slips")


# --- targets and KPIs -------------------------------------------------------------------------------


@internal_page(VIEW_TARGETS)
def targets(request):
    month = _month(request)
    form = TargetForm(request.POST or None, initial={"month": label(month)})
    if request.method == "POST":
        if not request.user.has_perm("payroll.add_target"):
            raise PermissionDenied
        if form.is_valid():
            c = form.cleaned_data
            target = submit(form, actions.set_target, user=request.user, month=c["month"], scope=c["scope"],
                            metric=c["metric"], plan=c["plan"], department=c["department"], staff=c["staff"],
                            note=c["note"])
            if target is not None:
                messages.success(request, _("已保存目标：%(t)s") % {"t": target})
                if target.late:
                    messages.warning(request, _("该目标在截止日 %(d)s 当天或之后制定，已标记为逾期（PER-06）") % {
                        "d": target.deadline})
                return redirect(f"{reverse('payroll:targets')}?month={label(target.month)}")
    rows = list(queries.visible_targets(request.user).filter(month=month))
    data = compute.MonthData(month)
    net = None
    if any(t.metric == Metric.SALES for t in rows):
        run = PayrollRun.objects.filter(month=month).first()
        # A run past draft keeps its figures; otherwise the orders as they are now (PER-07).
        net = run.net_sales if run is not None and run.state != RunState.DRAFT else compute.live_sales(month, []).net
    for t in rows:
        t.actual = net if t.metric == Metric.SALES else data.actual(t)
        t.completion = t.actual / t.plan
    try:
        deadline = actions.deadline_for(month)
    except registry.PolicyMissing:  # the policy's first month: no deadline was in force before it
        deadline = None
    return render(request, "payroll/targets.html", {
        **_months_around(month), "rows": rows, "form": form, "deadline": deadline,
        "can_edit": request.user.has_perm("payroll.add_target")})


@internal_page(VIEW_TARGETS)
def kpis(request):
    month = _month(request)
    form = KpiForm(request.POST or None, request.FILES or None, initial={"month": label(month)})
    if request.method == "POST":
        if not request.user.has_perm("payroll.add_kpiactual"):
            raise PermissionDenied
        if form.is_valid():
            c = form.cleaned_data
            entry = submit(form, actions.record_kpi, user=request.user, month=c["month"], scope=c["scope"],
                           metric=c["metric"], value=c["value"], evidence=c["evidence"], department=c["department"],
                           staff=c["staff"], evidence_file=c.get("evidence_file"))
            if entry is not None:
                messages.success(request, _("已录入实际值：%(e)s") % {"e": entry})
                return redirect(f"{reverse('payroll:kpis')}?month={label(entry.month)}")
    entries = queries.visible_kpis(request.user).filter(month=month)
    return render(request, "payroll/kpis.html", {
        **_months_around(month), "entries": entries, "form": form,
        "can_edit": request.user.has_perm("payroll.add_kpiactual")})


@internal_page(VIEW_TARGETS)
def extras(request):
    """PER-03 bonuses, PER-05 ramp-up months and PER-10 harm cases of a month."""
    month = _month(request)
    forms = {"bonus": BonusForm(prefix="bonus", initial={"month": label(month)}),
             "ramp": RampUpForm(prefix="ramp", initial={"month": label(month)}),
             "harm": HarmCaseForm(prefix="harm")}
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "bonus":
            form = forms["bonus"] = BonusForm(request.POST, prefix="bonus")
            if form.is_valid():
                c = form.cleaned_data
                if submit(form, actions.set_over_completion_bonus, user=request.user, month=c["month"],
                          staff=c["staff"], amount=c["amount"], reason=c["reason"]) is not None:
                    messages.success(request, _("已确定超额完成奖励"))
                    return redirect(f"{reverse('payroll:extras')}?month={c['month']}")
        elif which == "ramp":
            form = forms["ramp"] = RampUpForm(request.POST, prefix="ramp")
            if form.is_valid():
                c = form.cleaned_data
                if submit(form, actions.grant_ramp_up, user=request.user, month=c["month"],
                          department=c["department"], reason=c["reason"]) is not None:
                    messages.success(request, _("已批准开业期全额绩效"))
                    return redirect(f"{reverse('payroll:extras')}?month={c['month']}")
        elif which == "harm":
            form = forms["harm"] = HarmCaseForm(request.POST, prefix="harm")
            if form.is_valid():
                c = form.cleaned_data
                if submit(form, actions.record_harm_case, user=request.user, staff=c["staff"],
                          occurred_on=c["occurred_on"], recorded_on=c["recorded_on"],
                          description=c["description"], evidence=c["evidence"]) is not None:
                    messages.success(request, _("已登记损害公司行为"))
                    return redirect(f"{reverse('payroll:extras')}?month={label(month)}")
        else:
            raise Http404
    sees_all = queries.sees_all(request.user)
    return render(request, "payroll/extras.html", {
        **_months_around(month), "forms": forms,
        "bonuses": OverCompletionBonus.objects.filter(month=month).select_related("staff", "entered_by"),
        "ramps": RampUpMonth.objects.filter(month=month).select_related("department", "granted_by"),
        "harm_cases": HarmCase.objects.select_related("staff", "recorded_by") if sees_all else [],
        "adjustments": PayAdjustment.objects.filter(month=month).select_related(
            "staff", "corrects", "corrects__slip__run") if sees_all else [],
        "perms": {p: request.user.has_perm(f"payroll.{p}") for p in (
            "add_overcompletionbonus", "add_rampupmonth", "add_harmcase")}})


@internal_page("payroll.view_payprofile")
def profiles(request):
    """PER-01 / ORG-05: who is on the PER payroll (supervisor or group member, personal base salary) and
    the kind of each group (its PER-08 column)."""
    group_form = PayGroupForm(prefix="group")
    profile_form = PayProfileForm(prefix="profile")
    if request.method == "POST":
        if request.POST.get("form") == "group":
            group_form = PayGroupForm(request.POST, prefix="group")
            if group_form.is_valid() and submit(group_form, actions.save_pay_group, user=request.user,
                                                **group_form.cleaned_data) is not None:
                messages.success(request, _("已保存考核小组"))
                return redirect("payroll:profiles")
        else:
            profile_form = PayProfileForm(request.POST, prefix="profile")
            if profile_form.is_valid() and submit(profile_form, actions.save_pay_profile, user=request.user,
                                                  **profile_form.cleaned_data) is not None:
                messages.success(request, _("已保存薪酬档案"))
                return redirect("payroll:profiles")
    return render(request, "payroll/profiles.html", {
        "groups": PayGroup.objects.select_related("department"),
        "profiles": PayProfile.objects.select_related("staff", "staff__department", "staff__job_level"),
        "group_form": group_form, "profile_form": profile_form,
        "can_edit": request.user.has_perm("payroll.change_payprofile")})


# --- runs --------------------------------------------------------------------------------------------


@internal_page(VIEW_RUNS)
def runs(request):
    form = ComputeForm(request.POST or None, initial={"month": label(_month(request))})
    if request.method == "POST":
        if form.is_valid():
            result = submit(form, actions.compute_run, form.cleaned_data["month"], user=request.user)
            if result is not None:
                messages.success(request, _("已计算 %(month)s 的薪资草稿") % {"month": label(result.run.month)}
                                 if result.created else _("已重新计算：%(what)s") % {
                                     "what": _("结果有变化") if result.changed else _("结果与上次相同")})
                return redirect("payroll:run", month=label(result.run.month))
    runs = list(queries.runs_for(request.user))
    for run in runs:
        run.figures = queries.run_figures(request.user, run)  # DAT-02: the user's stores only
    can_compute = request.user.has_perm("payroll.add_payrollrun")
    month = form.cleaned_data["month"] if form.is_bound and form.is_valid() else _month(request)
    return render(request, "payroll/runs.html", {
        "runs": runs, "form": form, "sees_all": queries.sees_all(request.user),
        "can_compute": can_compute,
        # PER-13: the working days without attendance, before the month is computed
        "missing_month": month, "missing": queries.missing_attendance(month) if can_compute else []})


def _run(month_text: str) -> PayrollRun:
    try:
        month = parse_month(month_text)
    except BusinessError:
        raise Http404 from None
    run = PayrollRun.objects.filter(month=month).select_related(
        "computed_by", "checked_by", "approved_by", "locked_by").first()
    if run is None:
        raise Http404
    return run


STATE_BUTTONS = {
    RunState.CHECKED: ("payroll.check_payrollrun", "check"),
    RunState.APPROVED: ("payroll.approve_payrollrun", "approve"),
    RunState.LOCKED: ("payroll.lock_payrollrun", "lock"),
}


@internal_page(VIEW_RUNS)
def run_detail(request, month: str):
    run = _run(month)
    slips = queries.visible_slips(request.user).filter(run=run).order_by("employee_no")
    figures = queries.run_figures(request.user, run)  # DAT-02: the user's stores only, unless they see all
    show_missing = queries.sees_missing_attendance(request.user)
    buttons = []
    for to in RUN_FLOW[run.state]:
        if to == RunState.DRAFT:
            allowed = request.user.has_perm("payroll.check_payrollrun") or request.user.has_perm(
                "payroll.approve_payrollrun")
            buttons.append({"to": to, "label": _("退回草稿"), "allowed": allowed, "testid": "return"})
        else:
            perm, testid = STATE_BUTTONS[to]
            buttons.append({"to": to, "label": RunState(to).label, "allowed": request.user.has_perm(perm),
                            "testid": testid})
    return render(request, "payroll/run.html", {
        "run": run, "slips": slips, "buttons": buttons, "note_form": NoteForm(),
        "stores": queries.sales_by_store(request.user, run),
        "figures": figures,
        # PER-09 funds are computed on every store's sales: shown only to a user who sees every client.
        "funds": ActivityFund.objects.filter(run=run).select_related("department") if figures.all_stores else [],
        "events": run.events.select_related("actor").order_by("at", "pk"),
        "can_compute": request.user.has_perm("payroll.add_payrollrun") and run.state == RunState.DRAFT,
        "sees_all": queries.sees_all(request.user),
        # PER-13: the working days without attendance, before and after computing
        "show_missing": show_missing, "missing": queries.missing_attendance(run.month) if show_missing else []})


@require_POST
@internal_page(VIEW_RUNS)
def run_state(request, month: str):
    run = _run(month)
    to = request.POST.get("to", "")
    run_action(request, actions.set_run_state, run, to, user=request.user, note=request.POST.get("note", ""),
               flash_forbidden=True, done=lambda result: _("%(month)s 的薪资已转为“%(state)s”") % {
                   "month": label(run.month), "state": RunState(to).label})
    return redirect("payroll:run", month=label(run.month))


@require_POST
@internal_page(VIEW_RUNS)
def run_compute(request, month: str):
    run = _run(month)
    run_action(request, actions.compute_run, run.month, user=request.user, flash_forbidden=True,
               done=lambda result: _("已重新计算：%(what)s") % {
                   "what": _("结果有变化") if result.changed else _("结果与上次相同")})
    return redirect("payroll:run", month=label(run.month))


@internal_page(VIEW_RUNS)
def run_orders(request, month: str):
    """PER-07: the orders and refunds the run counted, in the stores the user may see."""
    run = _run(month)
    if not queries.visible_slips(request.user).filter(run=run).exists():
        raise Http404
    which = "refunds" if request.GET.get("show") == "refunds" else "orders"
    if which == "orders":
        rows = queries.visible_counted_orders(request.user, run).order_by("order_id")
    else:
        rows = queries.visible_counted_refunds(request.user, run).order_by("refund_id")
    page = Paginator(rows.values(), 100).get_page(request.GET.get("page"))
    items = list(page.object_list)
    from ecomops.orders.models import Order

    numbers = dict(Order.objects.filter(pk__in=[r["order_id"] for r in items]).values_list("pk", "platform_order_no"))
    for row in items:
        row["amount"] = Decimal(row["amount_fen"]).scaleb(-2)
        row["order_no"] = numbers.get(row["order_id"], "")
    page.object_list = items
    return render(request, "payroll/run_orders.html", {"run": run, "page_obj": page, "which": which,
                                                       "stores": queries.sales_by_store(request.user, run)})


@internal_page(VIEW_RUNS)
def run_export(request, month: str):
    from .documents import month_workbook

    run = _run(month)
    slips = queries.visible_slips(request.user).filter(run=run)
    response = HttpResponse(month_workbook(run, slips, request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="payroll-{label(run.month)}.xlsx"'
    return response


# --- slips -------------------------------------------------------------------------------------------


def _slip(request, pk: int) -> PaySlip:
    slip = queries.visible_slips(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404
    return slip


@internal_page()
def my_slips(request):
    slips = queries.visible_slips(request.user).filter(staff__user=request.user).order_by("-run__month")
    return render(request, "payroll/my_slips.html", {"slips": slips})


@internal_page()
def slip_detail(request, pk: int):
    slip = _slip(request, pk)
    form = None
    if slip.run.state == RunState.LOCKED and request.user.has_perm("payroll.add_payadjustment"):
        form = AdjustmentForm(request.POST or None, initial={"month": label(actions.next_open_month(slip.run.month))})
        if request.method == "POST" and form.is_valid():
            c = form.cleaned_data
            line = slip.lines.filter(seq=c["line"]).first()
            if line is None:
                form.add_error("line", _("没有这一行"))
            elif submit(form, actions.add_adjustment, user=request.user, line=line, month=c["month"],
                        amount=c["amount"], reason=c["reason"]) is not None:
                messages.success(request, _("已登记调整，将计入 %(month)s 的工资单") % {"month": c["month"]})
                return redirect("payroll:slip", pk=slip.pk)
    elif request.method == "POST":
        raise PermissionDenied
    lines = list(slip.lines.select_related("corrects", "corrects__slip__run").order_by("seq"))
    versions = sorted({p["label"] for line in lines for p in line.policy})
    return render(request, "payroll/slip.html", {
        "slip": slip, "run": slip.run, "lines": lines, "versions": versions, "form": form,
        "corrections": PayAdjustment.objects.filter(corrects__slip=slip).select_related("corrects"),
        "kinds": LineKind})


@internal_page()
def slip_pdf(request, pk: int):
    from .documents import slip_pdf as render_pdf

    slip = _slip(request, pk)
    response = HttpResponse(render_pdf(slip), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="payslip-{label(slip.run.month)}-{slip.employee_no}.pdf"'
    return response


# --- what-if -----------------------------------------------------------------------------------------


@internal_page(("payroll.view_payrollrun", "payroll.view_all_payslips"))
def what_if(request):
    month = _month(request)
    box = whatif.sandbox(month, request.POST if request.method == "POST" else None)
    comparison = None
    if request.method == "POST" and not box.errors:
        comparison = whatif.compare(month, box.overrides)
    return render(request, "payroll/what_if.html", {
        **_months_around(month), "box": box, "comparison": comparison, "kinds": LineKind,
        "scopes": TargetScope})
