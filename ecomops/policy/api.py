"""API of the policy registry (POL-01, POL-02) and the regulation versions (ORG-06).

- Parameters are read by key with the value in force today and their whole history; "the value in
  force on date D" is ``GET /policies/{key}/value?on=D``.
- A change is ``POST /policies/{key}/versions`` with the value in the stored form (the form GET
  returns: percentages as fractions such as ``"0.1"``, durations as ``{"amount": 7, "unit": "days"}``,
  tier tables as ``{"columns", "rows"}``), the effective date and a reason; it goes through
  ``actions.change_value``, which checks the permission, the value and the date.
- Regulations: staff read the published versions and acknowledge them (承诺书).
Company rules are internal: a client's own user (ClientMember) is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import DecimalException
from typing import Any

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, document_nulls
from ecomops.apiutil.types import Day, Id, Search, Text
from ecomops.core.errors import BusinessError

from . import actions
from .kinds import ParameterKind, display
from .models import Acknowledgement, PolicyParameter, PolicyVersion, RegulationVersion
from .registry import version_in_force

router = Router()

VIEW_PERM = "policy.view_policyparameter"
REGULATION_VIEW_PERM = "policy.view_regulationversion"
KEY_PATTERN = r"^[A-Za-z0-9_.\-]+$"
PolicyKey = Path[Text(80, min_length=1, pattern=KEY_PATTERN)]


class PolicyVersionOut(Schema):
    number: int
    value: Any = Field(description="存储形式的取值（百分比为小数，如 0.1 表示 10%）")
    display: str = Field(description="给人看的取值")
    effective_from: date
    reason: str
    regulation: str | None = Field(None, description="所属制度版本号")
    created_by: str | None = Field(None, description="变更人登录账号")
    created_at: datetime


class PolicyOut(Schema):
    key: str
    clause: str
    group: str
    kind: ParameterKind
    name: str
    name_en: str
    description: str
    description_en: str
    unit: str
    owner: str = Field(description="负责部门编码")
    is_decision: bool
    current: PolicyVersionOut | None = Field(description="今天生效的版本")


class PolicyDetailOut(PolicyOut):
    options: dict[str, Any]
    versions: list[PolicyVersionOut] = Field(description="全部版本，按生效日期从新到旧")


class PolicyFilters(PageQuery):
    group: Text(6, pattern=r"^[A-Za-z]*$") | None = Field(None, description="条款组，如 DAT")
    clause: Text(12, pattern=r"^[A-Za-z0-9\-]*$") | None = Field(None, description="条款号，如 DAT-02")
    q: Search | None = Field(None, description="按参数键或名称搜索")


class PolicyValueOut(Schema):
    key: str
    on: date
    value: Any
    display: str
    version: int
    effective_from: date
    citation: str = Field(description="计算结果引用此取值时记录的出处")


class OnDate(Schema):
    model_config = ConfigDict(json_schema_extra=document_nulls)

    on: Day | None = Field(None, description="日期（YYYY-MM-DD），默认今天")


class PolicyChangeIn(InputSchema):
    value: Any = Field(description="新取值，存储形式（同 GET 返回的 value）")
    effective_from: Day = Field(description="生效日期，不能早于今天")
    reason: Text(500, min_length=1, multiline=True)


def version_out(parameter: PolicyParameter, version: PolicyVersion | None) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "value": version.value,
        "display": display(parameter.kind, version.value, parameter.options),
        "effective_from": version.effective_from,
        "reason": version.reason,
        "regulation": version.regulation.code if version.regulation_id else None,
        "created_by": version.created_by.get_username() if version.created_by_id else None,
        "created_at": version.created_at,
    }


def _versions():
    return PolicyVersion.objects.select_related("regulation", "created_by").order_by("-effective_from", "-number")


def policy_out(parameter: PolicyParameter, current: PolicyVersion | None, **extra) -> dict:
    return {
        "key": parameter.key,
        "clause": parameter.clause,
        "group": parameter.group,
        "kind": parameter.kind,
        "name": parameter.name,
        "name_en": parameter.name_en,
        "description": parameter.description,
        "description_en": parameter.description_en,
        "unit": parameter.unit,
        "owner": parameter.owner.code if parameter.owner_id else parameter.owner_code,
        "is_decision": parameter.is_decision,
        "current": version_out(parameter, current),
        **extra,
    }


def _in_force(versions, on: date) -> PolicyVersion | None:
    """The version in force on ``on`` among ``versions`` ordered newest first (as ``_versions``)."""
    return next((v for v in versions if v.effective_from <= on), None)


@router.get("/policies", response=Page[PolicyOut], tags=["policies"], summary="政策参数列表")
def list_policies(request, filters: Query[PolicyFilters]):
    require_perm(request.auth, VIEW_PERM, internal=True)
    today = timezone.localdate()
    queryset = PolicyParameter.objects.select_related("owner").prefetch_related(
        Prefetch("versions", queryset=_versions().filter(effective_from__lte=today), to_attr="past_versions")
    ).order_by("group", "sort_order", "key", "pk")
    if filters.group:
        queryset = queryset.filter(group__iexact=filters.group)
    if filters.clause:
        queryset = queryset.filter(clause__iexact=filters.clause)
    if filters.q:
        queryset = queryset.filter(Q(key__icontains=filters.q) | Q(name__icontains=filters.q)
                                   | Q(name_en__icontains=filters.q))
    return paginate(queryset, filters, lambda p: policy_out(p, _in_force(p.past_versions, today)))


def _parameter(key: str) -> PolicyParameter:
    return get_object_or_404(PolicyParameter.objects.select_related("owner"), key=key)


@router.get("/policies/{key}", response=PolicyDetailOut, tags=["policies"], summary="政策参数详情与版本历史")
def get_policy(request, key: PolicyKey):
    require_perm(request.auth, VIEW_PERM, internal=True)
    parameter = _parameter(key)
    versions = list(_versions().filter(parameter=parameter))
    current = _in_force(versions, timezone.localdate())
    return policy_out(parameter, current, options=parameter.options or {},
                      versions=[version_out(parameter, v) for v in versions])


@router.get("/policies/{key}/value", response=PolicyValueOut, tags=["policies"], summary="某日生效的取值")
def get_policy_value(request, key: PolicyKey, query: Query[OnDate]):
    require_perm(request.auth, VIEW_PERM, internal=True)
    parameter = _parameter(key)
    on = query.on or timezone.localdate()
    version = version_in_force(parameter, on)
    if version is None:
        raise BusinessError(_("%(date)s 没有生效的取值") % {"date": on.isoformat()}, field="on", code="not_found")
    return {
        "key": parameter.key,
        "on": on,
        "value": version.value,
        "display": display(parameter.kind, version.value, parameter.options),
        "version": version.number,
        "effective_from": version.effective_from,
        "citation": f"{parameter.clause}，{version.label}",
    }


@router.post("/policies/{key}/versions", response={201: PolicyVersionOut}, tags=["policies"],
             summary="新建版本（自生效日期起取代旧值）")
def create_policy_version(request, key: PolicyKey, payload: PolicyChangeIn):
    require_perm(request.auth, VIEW_PERM, internal=True)
    parameter = _parameter(key)
    try:
        version = actions.change_value(
            parameter, payload.value, effective_from=payload.effective_from, reason=payload.reason,
            user=request.auth, human=False,
        )
    except (DecimalException, OverflowError):
        # A number so large that decimal arithmetic gives up is a bad value, not a server error.
        raise BusinessError(_("取值超出可处理的范围"), field="value") from None
    return Status(201, version_out(parameter, _versions().get(pk=version.pk)))


# --- Regulations (ORG-06) --------------------------------------------------------------------

class RegulationOut(Schema):
    id: int
    code: str
    title: str
    title_en: str
    effective_from: date
    published_at: datetime | None
    in_force: bool = Field(description="是否为今天生效的制度版本")
    acknowledged_at: datetime | None = Field(description="我签署承诺书的时间；未签署为 null")


class RegulationDetailOut(RegulationOut):
    announcement: str


class RegulationFilters(PageQuery):
    q: Search | None = Field(None, description="按版本号或标题搜索")


class AcknowledgementOut(Schema):
    regulation_id: int
    acknowledged_at: datetime


def _regulations(user):
    queryset = RegulationVersion.objects.all()
    if not user.has_perm(actions.REGULATION_PERM):
        queryset = queryset.filter(published_at__isnull=False)  # drafts are for the editors only
    return queryset


def _regulation_out(regulation: RegulationVersion, in_force_id: int | None, signed: dict, **extra) -> dict:
    return {
        "id": regulation.pk,
        "code": regulation.code,
        "title": regulation.title,
        "title_en": regulation.title_en,
        "effective_from": regulation.effective_from,
        "published_at": regulation.published_at,
        "in_force": regulation.pk == in_force_id,
        "acknowledged_at": signed.get(regulation.pk),
        **extra,
    }


def _signed_by(user) -> dict[int, datetime]:
    return dict(Acknowledgement.objects.filter(staff__user=user).values_list("regulation_id", "acknowledged_at"))


def _in_force_id() -> int | None:
    current = actions.regulation_in_force(timezone.localdate())
    return current.pk if current else None


@router.get("/regulations", response=Page[RegulationOut], tags=["regulations"], summary="制度版本列表")
def list_regulations(request, filters: Query[RegulationFilters]):
    require_perm(request.auth, REGULATION_VIEW_PERM, internal=True)
    queryset = _regulations(request.auth).order_by("-effective_from", "-pk")
    if filters.q:
        queryset = queryset.filter(Q(code__icontains=filters.q) | Q(title__icontains=filters.q))
    in_force, signed = _in_force_id(), _signed_by(request.auth)
    return paginate(queryset, filters, lambda r: _regulation_out(r, in_force, signed))


@router.get("/regulations/{regulation_id}", response=RegulationDetailOut, tags=["regulations"],
            summary="制度版本详情")
def get_regulation(request, regulation_id: Path[Id]):
    require_perm(request.auth, REGULATION_VIEW_PERM, internal=True)
    regulation = get_object_or_404(_regulations(request.auth), pk=regulation_id)
    return _regulation_out(regulation, _in_force_id(), _signed_by(request.auth),
                           announcement=regulation.announcement)


@router.post("/regulations/{regulation_id}/acknowledge", response=AcknowledgementOut, tags=["regulations"],
             summary="签署制度承诺书")
def acknowledge_regulation(request, regulation_id: Path[Id]):
    require_perm(request.auth, REGULATION_VIEW_PERM, internal=True)
    regulation = get_object_or_404(_regulations(request.auth), pk=regulation_id)
    ack = actions.acknowledge(regulation, user=request.auth, ip_address=getattr(request, "client_ip", None))
    return {"regulation_id": regulation.pk, "acknowledged_at": ack.acknowledged_at}
