"""Pages of the policy registry (POL-01, POL-02) and of regulation versions with their signed
commitments (ORG-06). Reading is open to the positions that need it; every change goes through
``policy.actions`` and so into the audit trail (DAT-02)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.org.enums import StaffState
from ecomops.org.models import Staff

from . import actions
from .forms import ChangeValueForm, RegulationForm, ValueOnDateForm
from .kinds import ParameterKind, display, fmt_decimal, fmt_percent, to_python
from .models import Acknowledgement, PolicyParameter, PolicyVersion, RegulationVersion
from .registry import version_in_force

VIEW_PERM = "policy.view_policyparameter"
PER_PAGE = 50

# The clause groups of clauses.md, as their chapters are called.
GROUP_NAMES = {
    "ORG": gettext_lazy("组织与人员"),
    "POL": gettext_lazy("制度与政策"),
    "STO": gettext_lazy("平台与店铺"),
    "CAT": gettext_lazy("商品与供应商"),
    "ORD": gettext_lazy("订单"),
    "WMS": gettext_lazy("仓储"),
    "FUL": gettext_lazy("拣货、验货与打包"),
    "LOG": gettext_lazy("物流"),
    "AFS": gettext_lazy("售后、投诉与纠纷"),
    "MKT": gettext_lazy("营销、内容与直播"),
    "CRM": gettext_lazy("客户"),
    "PAY": gettext_lazy("支付与结算"),
    "PER": gettext_lazy("目标、绩效与提成"),
    "AGY": gettext_lazy("代运营与委托方"),
    "CMP": gettext_lazy("合规、违规与处罚"),
    "LAW": gettext_lazy("法律法规"),
    "DAT": gettext_lazy("数据与安全"),
}


# A number with its unit, as people say it in each language (the unit is data in parameters.toml).
UNIT_FORMATS = {
    "个": gettext_lazy("%(n)s 个"),
    "个月": gettext_lazy("%(n)s 个月"),
    "件": gettext_lazy("%(n)s 件"),
    "件/天": gettext_lazy("%(n)s 件/天"),
    "/天": gettext_lazy("%(n)s /天"),
    "位": gettext_lazy("%(n)s 位"),
    "单": gettext_lazy("%(n)s 单"),
    "天": gettext_lazy("%(n)s 天"),
    "年": gettext_lazy("%(n)s 年"),
    "日": gettext_lazy("%(n)s 日"),
    "次": gettext_lazy("%(n)s 次"),
    "箱": gettext_lazy("%(n)s 箱"),
    "元": gettext_lazy("%(n)s 元"),
    "元/月": gettext_lazy("%(n)s 元/月"),
}


def with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    template = UNIT_FORMATS.get(unit)
    return str(template) % {"n": text} if template is not None else f"{text} {unit}"


def _localized_names(items: list[dict]) -> dict[str, str]:
    return {item["key"]: loc(item, "name") or item["key"] for item in items}


# --- Showing values --------------------------------------------------------------------------


@dataclass
class Shown:
    """A stored value ready for a page: one line of text, or a table for tier tables."""

    text: str
    columns: list[dict] | None = None
    rows: list[dict] | None = None
    items: list[str] | None = None

    @property
    def is_table(self) -> bool:
        return self.rows is not None


def show_value(parameter: PolicyParameter, stored: Any) -> Shown:
    if stored is None:
        return Shown("—")
    if parameter.kind == ParameterKind.TIER_TABLE:
        table = to_python(parameter.kind, stored, parameter.options)
        percent_values = table.value_kind == "percentage"
        rows = [
            {
                "label": tier.label(percent=table.bound_kind == "percentage"),
                "values": [
                    fmt_percent(tier.values[c["key"]])
                    if percent_values
                    else fmt_decimal(tier.values[c["key"]])
                    for c in table.columns
                ],
            }
            for tier in table.tiers
        ]
        return Shown(display(parameter.kind, stored, parameter.options), columns=table.columns, rows=rows)
    if parameter.kind == ParameterKind.TERM_LIST:
        return Shown(display(parameter.kind, stored, parameter.options), items=list(stored))
    options = parameter.options or {}
    if parameter.kind == ParameterKind.WEIGHTS:
        names = _localized_names(options.get("columns", []))
        return Shown(" / ".join(f"{names.get(k, k)} {fmt_percent(Decimal(v))}" for k, v in stored.items()))
    if parameter.kind == ParameterKind.CHOICE:
        return Shown(_localized_names(options.get("choices", [])).get(stored, str(stored)))
    text = display(parameter.kind, stored, options)
    if parameter.kind in (ParameterKind.INTEGER, ParameterKind.DECIMAL):
        text = with_unit(text, parameter.unit)
    return Shown(text)


def versions_in_force(parameters, on) -> dict[int, PolicyVersion]:
    """The version of each parameter in force on ``on``, in one query."""
    found: dict[int, PolicyVersion] = {}
    rows = PolicyVersion.objects.filter(parameter__in=parameters, effective_from__lte=on).order_by(
        "parameter_id", "-effective_from", "-number"
    )
    for version in rows:
        found.setdefault(version.parameter_id, version)
    return found


def group_name(code: str) -> str:
    return str(GROUP_NAMES.get(code, code))


# --- Parameters ------------------------------------------------------------------------------


@internal_page(VIEW_PERM)
def parameter_list(request):
    q = (request.GET.get("q") or "").strip()[:100]
    group = (request.GET.get("group") or "").strip().upper()[:6]
    decisions_only = request.GET.get("decision") == "1"
    parameters = PolicyParameter.objects.select_related("owner").order_by("group", "sort_order", "key")
    if q:
        parameters = parameters.filter(
            Q(key__icontains=q)
            | Q(name__icontains=q)
            | Q(name_en__icontains=q)
            | Q(clause__icontains=q)
            | Q(description__icontains=q)
        )
    if decisions_only:
        parameters = parameters.filter(is_decision=True)
    counts = dict(parameters.order_by().values("group").annotate(n=Count("pk")).values_list("group", "n"))
    groups = [{"code": code, "name": group_name(code), "count": counts[code]} for code in sorted(counts)]
    if group:
        parameters = parameters.filter(group=group)
    page_obj = Paginator(parameters, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    in_force = versions_in_force(list(page_obj.object_list), today)
    pending = set(
        PolicyVersion.objects.filter(
            parameter__in=list(page_obj.object_list), effective_from__gt=today
        ).values_list("parameter_id", flat=True)
    )
    for parameter in page_obj.object_list:
        version = in_force.get(parameter.pk)
        parameter.current = version
        parameter.shown = show_value(parameter, version.value if version else None)
        parameter.has_pending = parameter.pk in pending
    return render(
        request,
        "policy/parameter_list.html",
        {
            "page_obj": page_obj,
            "parameters": page_obj.object_list,
            "groups": groups,
            "group": group,
            "group_label": group_name(group) if group else "",
            "q": q,
            "decisions_only": decisions_only,
            "total": sum(counts.values()),
            "today": today,
        },
    )


def _status_of_versions(parameter: PolicyParameter, versions: list[PolicyVersion], today):
    """Label each version: in force today, pending, superseded before it took effect, or past."""
    current = version_in_force(parameter, today)
    latest_per_day: dict = {}
    for version in versions:
        top = latest_per_day.get(version.effective_from)
        if top is None or version.number > top.number:
            latest_per_day[version.effective_from] = version
    for version in versions:
        if current is not None and version.pk == current.pk:
            version.status = "current"
        elif latest_per_day[version.effective_from].pk != version.pk:
            version.status = "corrected"
        elif version.effective_from > today:
            version.status = "pending"
        else:
            version.status = "past"
        version.shown = show_value(parameter, version.value)
    return current


@internal_page(VIEW_PERM)
def parameter_detail(request, key: str):
    parameter = get_object_or_404(PolicyParameter.objects.select_related("owner"), key=key)
    today = timezone.localdate()
    versions = list(
        parameter.versions.select_related("created_by", "regulation").order_by("-effective_from", "-number")
    )
    current = _status_of_versions(parameter, versions, today)
    return render(
        request,
        "policy/parameter_detail.html",
        {
            "parameter": parameter,
            "group_label": group_name(parameter.group),
            "versions": versions,
            "current": current,
            "current_shown": show_value(parameter, current.value if current else None),
            "can_change": request.user.has_perm(actions.CHANGE_PERM),
            "today": today,
            "on_form": ValueOnDateForm(initial={"on": today}),
        },
    )


@internal_page(VIEW_PERM)
def parameter_value_on(request, key: str):
    """The value in force on a chosen date (POL-01): the partial behind the lookup on the detail page."""
    parameter = get_object_or_404(PolicyParameter, key=key)
    form = ValueOnDateForm(request.GET)
    context: dict[str, Any] = {"parameter": parameter, "on_form": form}
    if form.is_valid():
        day = form.cleaned_data["on"]
        version = version_in_force(parameter, day)
        context.update(
            {
                "on": day,
                "on_version": version,
                "on_shown": show_value(parameter, version.value if version else None),
            }
        )
    template = "policy/parameter_detail.html#value-on-date" if request.htmx else "policy/value_on_date.html"
    return render(request, template, context)


@internal_page((VIEW_PERM, actions.CHANGE_PERM))
def parameter_change(request, key: str):
    parameter = get_object_or_404(PolicyParameter.objects.select_related("owner"), key=key)
    today = timezone.localdate()
    current = version_in_force(parameter, today)
    pending = list(parameter.versions.filter(effective_from__gt=today).order_by("effective_from", "number"))
    form = ChangeValueForm(request.POST or None, parameter=parameter, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = submit(
            form,
            actions.change_value,
            parameter,
            data["value"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            user=request.user,
        )
        if version is not None:
            messages.success(
                request,
                _("已创建 %(key)s 的第 %(n)d 版，自 %(day)s 起生效")
                % {
                    "key": parameter.key,
                    "n": version.number,
                    "day": version.effective_from.isoformat(),
                },
            )
            return redirect("policy:parameter_detail", key=parameter.key)
    return render(
        request,
        "policy/parameter_change.html",
        {
            "parameter": parameter,
            "group_label": group_name(parameter.group),
            "form": form,
            "current": current,
            "current_shown": show_value(parameter, current.value if current else None),
            "pending": [(v, show_value(parameter, v.value)) for v in pending],
            "tier_columns": form.grid.columns if form.grid else [],
            "tier_rows": form.tier_rows(),
            "is_tier_table": form.grid is not None,
            "tier_bound_percent": form.grid.bound_percent if form.grid else False,
            "tier_value_percent": form.grid.value_percent if form.grid else False,
        },
    )


# --- Regulations and commitments (ORG-06) ------------------------------------------------------


def _can_manage_regulations(user) -> bool:
    return user.has_perm("policy.add_regulationversion") or user.has_perm(actions.REGULATION_PERM)


def _can_see_signatures(user) -> bool:
    return user.has_perm("policy.view_regulationversion") and user.has_perm("org.view_staff")


def _visible_regulations(user):
    regulations = RegulationVersion.objects.all()
    if not _can_manage_regulations(user):
        regulations = regulations.filter(published_at__isnull=False)
    return regulations


@internal_page()
def regulation_list(request):
    today = timezone.localdate()
    regulations = list(
        _visible_regulations(request.user).select_related("published_by").order_by("-effective_from", "-pk")
    )
    in_force = actions.regulation_in_force(today)
    staff = Staff.objects.filter(user=request.user).first()
    signed = set(staff.acknowledgements.values_list("regulation_id", flat=True)) if staff else set()
    active_staff = Staff.objects.filter(status=StaffState.ACTIVE).count()
    signatures = dict(
        Acknowledgement.objects.filter(staff__status=StaffState.ACTIVE)
        .values("regulation")
        .annotate(n=Count("pk"))
        .values_list("regulation", "n")
    )
    for regulation in regulations:
        if regulation.published_at is None:
            regulation.state = "draft"
        elif in_force is not None and regulation.pk == in_force.pk:
            regulation.state = "current"
        elif regulation.effective_from > today:
            regulation.state = "upcoming"
        else:
            regulation.state = "past"
        regulation.signed_by_me = regulation.pk in signed
        regulation.signed_count = signatures.get(regulation.pk, 0)
    return render(
        request,
        "policy/regulation_list.html",
        {
            "current_and_upcoming": [r for r in regulations if r.state in ("current", "upcoming")],
            "drafts": [r for r in regulations if r.state == "draft"],
            "past": [r for r in regulations if r.state == "past"],
            "is_staff_member": staff is not None,
            "can_create": request.user.has_perm("policy.add_regulationversion"),
            "can_see_signatures": _can_see_signatures(request.user),
            "active_staff": active_staff,
        },
    )


def _regulation_or_404(user, pk: int) -> RegulationVersion:
    return get_object_or_404(_visible_regulations(user).select_related("published_by"), pk=pk)


def _ack_context(request, regulation: RegulationVersion) -> dict:
    staff = Staff.objects.filter(user=request.user).first()
    ack = Acknowledgement.objects.filter(regulation=regulation, staff=staff).first() if staff else None
    return {"regulation": regulation, "staff_member": staff, "ack": ack}


@internal_page()
def regulation_detail(request, pk: int):
    regulation = _regulation_or_404(request.user, pk)
    today = timezone.localdate()
    in_force = actions.regulation_in_force(today)
    context = _ack_context(request, regulation)
    context.update(
        {
            "is_current": in_force is not None and in_force.pk == regulation.pk,
            "is_upcoming": regulation.is_published and regulation.effective_from > today,
            "can_publish": regulation.published_at is None and request.user.has_perm(actions.REGULATION_PERM),
            "deadline": actions.acknowledgement_deadline(regulation),
            "policy_versions": regulation.policy_versions.select_related("parameter").order_by(
                "parameter__key"
            ),
        }
    )
    context.update(_signatures_context(request, regulation))
    return render(request, "policy/regulation_detail.html", context)


def _signatures_context(request, regulation: RegulationVersion) -> dict:
    """Who has not signed this version yet (ORG-06), for those who follow it up."""
    if not (_can_see_signatures(request.user) and regulation.is_published):
        return {"can_see_signatures": False}
    missing = actions.not_acknowledged(regulation)
    page_obj = Paginator(missing, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "can_see_signatures": True,
        "page_obj": page_obj,
        "missing": page_obj.object_list,
        "missing_count": page_obj.paginator.count,
        "signed_count": regulation.acknowledgements.filter(staff__status=StaffState.ACTIVE).count(),
    }


@require_POST
@internal_page()
def regulation_acknowledge(request, pk: int):
    """The signed commitment (承诺书, ORG-06): completes the person's due item (DAT-04)."""
    regulation = _regulation_or_404(request.user, pk)
    try:
        actions.acknowledge(regulation, user=request.user, ip_address=getattr(request, "client_ip", None))
    except BusinessError as error:
        if request.htmx:
            context = _ack_context(request, regulation)
            context["ack_error"] = error.message
            return render(request, "policy/regulation_detail.html#ack", context)
        messages.error(request, error.message)
        return redirect("policy:regulation_detail", pk=regulation.pk)
    if request.htmx:
        context = _ack_context(request, regulation)
        context.update(_signatures_context(request, regulation))
        return render(request, "policy/_ack_response.html", context)
    messages.success(request, _("已签署 %(code)s 的承诺书") % {"code": regulation.code})
    return redirect("policy:regulation_detail", pk=regulation.pk)


@internal_page("policy.add_regulationversion")
def regulation_create(request):
    form = RegulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        regulation = submit(
            form,
            actions.create_regulation,
            code=data["code"],
            title=data["title"],
            title_en=data["title_en"],
            announcement=data["announcement"],
            effective_from=data["effective_from"],
            user=request.user,
        )
        if regulation is not None:
            messages.success(
                request, _("已保存草稿 %(code)s；发布后员工才会收到签署待办") % {"code": regulation.code}
            )
            return redirect("policy:regulation_detail", pk=regulation.pk)
    return render(request, "policy/regulation_form.html", {"form": form})


@require_POST
@internal_page(actions.REGULATION_PERM)
def regulation_publish(request, pk: int):
    regulation = get_object_or_404(RegulationVersion, pk=pk)
    run_action(request, actions.publish_regulation, regulation, user=request.user,
               done=lambda raised: _("已发布 %(code)s，已向 %(n)d 名在职员工发出签署待办")
               % {"code": regulation.code, "n": raised})
    return redirect("policy:regulation_detail", pk=regulation.pk)
