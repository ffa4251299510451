"""API of the supplier library (CAT-06): suppliers, contacts, quality agreements, ratings, sampling
checks and recall cases.

Thin: reads through scoped querysets (DAT-02: a supplier of another client is a 404; the company's
shared suppliers are for its staff only, a 404 for a client's own users), writes through
``suppliers.actions``. Contact phones are masked unless the caller may read them (LAW-04). Scores and
money travel as decimals, never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import Code, Day, Email, Flag, Id, Phone, RefId, Search, Text
from ecomops.audit.masking import personal_value
from ecomops.catalog.models import SKU, Style
from ecomops.core.errors import BusinessError
from ecomops.org.models import Client, Store
from ecomops.org.scoping import get_visible_or_404

from . import actions
from .enums import AgreementState, RecallState, SamplingResult, SupplierState
from .models import QualityAgreement, RecallCase, SamplingCheck, Supplier, SupplierContact, SupplierRating
from .queries import search_suppliers, visible_or_404

router = Router()

Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="0–100，最多两位小数")]
Period = Text(20, min_length=4, pattern=r"^\d{4}(-([Qq][1-4]|[Hh][12]|0[1-9]|1[0-2]))?$")
CreditCode = Text(18, pattern=r"^$|^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$")


def _lookup(queryset, pk: int | None, *, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


def _supplier(request, supplier_id: int) -> Supplier:
    return visible_or_404(Supplier.objects.select_related("client"), request.auth, pk=supplier_id)


# --- suppliers ---------------------------------------------------------------------------------


class RatingOut(Schema):
    id: int
    supplier_id: int
    period: str
    score: Decimal
    quality_score: Decimal | None
    delivery_score: Decimal | None
    service_score: Decimal | None
    note: str
    rated_by: str = Field(validation_alias="rated_by.username")
    rated_at: datetime


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    credit_code: str
    address: str
    status: SupplierState
    client: Ref | None = Field(description="空表示本公司共用供应商")
    note: str
    current_score: Decimal | None = Field(None, description="最近一次评级的综合得分")
    current_period: str | None = None

    @staticmethod
    def resolve_current_score(obj) -> Decimal | None:
        score = getattr(obj, "current_score", None)
        return None if score is None else Decimal(str(score)).quantize(Decimal("0.01"))


class SupplierFilters(PageQuery):
    q: Search | None = Field(None, description="按编码、名称或统一社会信用代码搜索")
    status: SupplierState | None = None
    client_id: Id | None = None
    shared: Flag | None = Field(None, description="只列出本公司共用供应商")
    min_score: Score | None = Field(None, description="当前评级不低于")


class SupplierIn(InputSchema):
    client_id: RefId | None = Field(None, description="空表示本公司共用供应商（仅本公司员工）")
    code: Code(40)
    name: Text(100, min_length=1)
    credit_code: CreditCode = ""
    address: Text(200) = ""
    status: SupplierState = SupplierState.ACTIVE
    note: Text(2000, multiline=True) = ""


class SupplierPatch(PatchSchema):
    code: Code(40) | None = None
    name: Text(100, min_length=1) | None = None
    credit_code: CreditCode | None = None
    address: Text(200) | None = None
    status: SupplierState | None = None
    note: Text(2000, multiline=True) | None = None


def _supplier_out(user, pk: int) -> Supplier:
    return search_suppliers(user).get(pk=pk)


@router.get("/suppliers", response=Page[SupplierOut], tags=["suppliers"], summary="供应商列表（仅限授权范围）")
def list_suppliers(request, filters: Query[SupplierFilters]):
    require_perm(request.auth, "suppliers.view_supplier")
    queryset = search_suppliers(request.auth, q=filters.q or "", status=filters.status or "",
                                shared=bool(filters.shared), min_score=filters.min_score)
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    return paginate(queryset, filters)


@router.post("/suppliers", response={201: SupplierOut}, tags=["suppliers"], summary="登记供应商")
def create_supplier(request, payload: SupplierIn):
    data = payload.model_dump()
    client_id = data.pop("client_id")
    client = _lookup(Client.objects.visible_to(request.auth), client_id, field="client_id", message=_("委托方不存在"))
    with fields_renamed({"client": "client_id"}):
        supplier = actions.create_supplier(user=request.auth, client=client, **data)
    return Status(201, _supplier_out(request.auth, supplier.pk))


@router.get("/suppliers/{supplier_id}", response=SupplierOut, tags=["suppliers"], summary="供应商详情")
def get_supplier(request, supplier_id: Path[Id]):
    require_perm(request.auth, "suppliers.view_supplier")
    return _supplier_out(request.auth, _supplier(request, supplier_id).pk)


@router.patch("/suppliers/{supplier_id}", response=SupplierOut, tags=["suppliers"], summary="修改供应商")
def update_supplier(request, supplier_id: Path[Id], payload: SupplierPatch):
    require_perm(request.auth, "suppliers.view_supplier")
    supplier = _supplier(request, supplier_id)
    changes = payload.changes()
    if changes:
        actions.update_supplier(supplier, user=request.auth, **changes)
    return _supplier_out(request.auth, supplier.pk)


# --- contacts ----------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    supplier_id: int
    name: str
    role: str
    phone: str = Field(description="无查看权限时为掩码（LAW-04）")
    email: str
    is_active: bool


class ContactIn(InputSchema):
    name: Text(40, min_length=1)
    role: Text(40) = ""
    phone: Phone = ""
    email: Email = ""
    is_active: Flag = True


def _contact_out(request, contact: SupplierContact) -> dict:
    return {
        "id": contact.pk, "supplier_id": contact.supplier_id, "name": contact.name, "role": contact.role,
        "phone": personal_value(request.auth, contact, "phone", perm=actions.PHONE_PERM, request=request,
                                purpose="API"),
        "email": contact.email, "is_active": contact.is_active,
    }


@router.get("/suppliers/{supplier_id}/contacts", response=Page[ContactOut], tags=["suppliers"],
            summary="供应商联系人（电话按权限掩码）")
def list_contacts(request, supplier_id: Path[Id], filters: Query[PageQuery]):
    require_perm(request.auth, "suppliers.view_suppliercontact")
    supplier = _supplier(request, supplier_id)
    queryset = supplier.contacts.order_by("-is_active", "name", "pk")
    return paginate(queryset, filters, lambda contact: _contact_out(request, contact))


@router.post("/suppliers/{supplier_id}/contacts", response={201: ContactOut}, tags=["suppliers"],
             summary="添加供应商联系人")
def create_contact(request, supplier_id: Path[Id], payload: ContactIn):
    supplier = _supplier(request, supplier_id)
    contact = actions.add_contact(supplier, user=request.auth, **payload.model_dump())
    return Status(201, _contact_out(request, contact))


# --- quality agreements ------------------------------------------------------------------------


class AgreementOut(Schema):
    id: int
    supplier_id: int
    number: str
    signed_on: date
    valid_from: date
    valid_to: date
    status: AgreementState = Field(description="按今天计算：未生效、有效或已过期")
    sampling_interval_days: int | None
    terms: str
    has_file: bool


class QualityAgreementIn(InputSchema):
    number: Text(60) = ""
    signed_on: Day
    valid_from: Day
    valid_to: Day
    terms: Text(20000, min_length=1, multiline=True)
    sampling_interval_days: Annotated[int, Field(ge=1, le=3650)] | None = None


def _agreement_out(agreement: QualityAgreement, today: date) -> dict:
    return {
        "id": agreement.pk, "supplier_id": agreement.supplier_id, "number": agreement.number,
        "signed_on": agreement.signed_on, "valid_from": agreement.valid_from, "valid_to": agreement.valid_to,
        "status": agreement.status_on(today), "sampling_interval_days": agreement.sampling_interval_days,
        "terms": agreement.terms, "has_file": bool(agreement.file),
    }


@router.get("/suppliers/{supplier_id}/agreements", response=Page[AgreementOut], tags=["suppliers"],
            summary="质量协议")
def list_agreements(request, supplier_id: Path[Id], filters: Query[PageQuery]):
    from django.utils import timezone

    require_perm(request.auth, "suppliers.view_qualityagreement")
    supplier = _supplier(request, supplier_id)
    today = timezone.localdate()
    return paginate(supplier.agreements.order_by("-valid_to", "-pk"), filters, lambda a: _agreement_out(a, today))


@router.post("/suppliers/{supplier_id}/agreements", response={201: AgreementOut}, tags=["suppliers"],
             summary="登记质量协议（扫描件请在页面上传）")
def create_agreement(request, supplier_id: Path[Id], payload: QualityAgreementIn):
    from django.utils import timezone

    supplier = _supplier(request, supplier_id)
    agreement = actions.add_agreement(supplier, user=request.auth, **payload.model_dump())
    return Status(201, _agreement_out(agreement, timezone.localdate()))


# --- ratings -----------------------------------------------------------------------------------


class RatingIn(InputSchema):
    period: Period
    score: Score
    quality_score: Score | None = None
    delivery_score: Score | None = None
    service_score: Score | None = None
    note: Text(500) = ""


@router.get("/suppliers/{supplier_id}/ratings", response=Page[RatingOut], tags=["suppliers"],
            summary="评级历史（最新在前；第一条为当前评级）")
def list_ratings(request, supplier_id: Path[Id], filters: Query[PageQuery]):
    require_perm(request.auth, "suppliers.view_supplierrating")
    supplier = _supplier(request, supplier_id)
    return paginate(supplier.ratings.select_related("rated_by").order_by("-rated_at", "-pk"), filters)


@router.post("/suppliers/{supplier_id}/ratings", response={201: RatingOut}, tags=["suppliers"],
             summary="新增评级（历史评级不可修改）")
def create_rating(request, supplier_id: Path[Id], payload: RatingIn):
    supplier = _supplier(request, supplier_id)
    rating = actions.rate_supplier(supplier, user=request.auth, **payload.model_dump())
    return Status(201, SupplierRating.objects.select_related("rated_by").get(pk=rating.pk))


# --- sampling checks ---------------------------------------------------------------------------


class SupplierStyleRef(Schema):
    id: int
    style_no: str
    name: str


class SamplingOut(Schema):
    id: int
    client_id: int
    supplier_id: int
    style: SupplierStyleRef
    sku_id: int | None
    store_id: int | None
    sampled_on: date
    sample_size: int
    result: SamplingResult
    findings: str
    inspector: str
    has_report: bool
    recall_case_id: int | None = Field(description="不合格时自动立的下架召回单")


class SamplingFilters(PageQuery):
    supplier_id: Id | None = None
    style_id: Id | None = None
    result: SamplingResult | None = None


class SamplingIn(InputSchema):
    supplier_id: RefId
    style_id: RefId
    sku_id: RefId | None = None
    store_id: RefId | None = None
    sampled_on: Day
    sample_size: Annotated[int, Field(ge=1, le=1_000_000)]
    result: SamplingResult
    inspector: Text(100, min_length=1)
    findings: Text(5000, multiline=True) = ""


def _sampling_out(check: SamplingCheck) -> dict:
    case = RecallCase.objects.filter(sampling_check=check).values_list("pk", flat=True).first()
    return {
        "id": check.pk, "client_id": check.client_id, "supplier_id": check.supplier_id,
        "style": {"id": check.style_id, "style_no": check.style.style_no, "name": check.style.name},
        "sku_id": check.sku_id, "store_id": check.store_id, "sampled_on": check.sampled_on,
        "sample_size": check.sample_size, "result": check.result, "findings": check.findings,
        "inspector": check.inspector, "has_report": bool(check.report), "recall_case_id": case,
    }


@router.get("/sampling-checks", response=Page[SamplingOut], tags=["suppliers"], summary="抽检记录（CAT-06）")
def list_sampling(request, filters: Query[SamplingFilters]):
    require_perm(request.auth, "suppliers.view_samplingcheck")
    queryset = SamplingCheck.objects.visible_to(request.auth).select_related("style").order_by("-sampled_on", "-pk")
    if filters.supplier_id is not None:
        queryset = queryset.filter(supplier_id=filters.supplier_id)
    if filters.style_id is not None:
        queryset = queryset.filter(style_id=filters.style_id)
    if filters.result is not None:
        queryset = queryset.filter(result=filters.result)
    return paginate(queryset, filters, _sampling_out)


@router.post("/sampling-checks", response={201: SamplingOut}, tags=["suppliers"],
             summary="登记抽检；不合格自动立下架召回单并生成待办（CAT-06）")
def create_sampling(request, payload: SamplingIn):
    user = request.auth
    data = payload.model_dump()
    supplier = _lookup(Supplier.objects.visible_to(user), data.pop("supplier_id"), field="supplier_id",
                       message=_("供应商不存在"))
    style = _lookup(Style.objects.visible_to(user), data.pop("style_id"), field="style_id", message=_("款式不存在"))
    sku = _lookup(SKU.objects.visible_to(user), data.pop("sku_id"), field="sku_id", message=_("SKU 不存在"))
    store = _lookup(Store.objects.visible_to(user), data.pop("store_id"), field="store_id", message=_("店铺不存在"))
    names = {"supplier": "supplier_id", "style": "style_id", "sku": "sku_id", "store": "store_id"}
    with fields_renamed(names):
        check = actions.record_sampling(user=user, supplier=supplier, style=style, sku=sku, store=store, **data)
    return Status(201, _sampling_out(check))


# --- recall cases ------------------------------------------------------------------------------


class RecallEventOut(Schema):
    from_state: str
    to_state: RecallState
    note: str
    by: str = Field(validation_alias="actor.username")  # the API keeps its field name (a contract)
    at: datetime


class AffectedOrderOut(Schema):
    id: int
    store_id: int | None
    order_ref: str
    sku_id: int | None
    quantity: int
    status: str
    note: str


class RecallOut(Schema):
    id: int
    number: str
    client_id: int
    supplier_id: int
    sampling_check_id: int | None
    state: RecallState
    reason: str
    opened_at: datetime
    closed_at: datetime | None
    styles: list[SupplierStyleRef]
    events: list[RecallEventOut]
    affected_orders: list[AffectedOrderOut] = Field(description="涉及订单，由订单模块登记")


class RecallFilters(PageQuery):
    state: RecallState | None = None
    supplier_id: Id | None = None


class RecallMoveIn(InputSchema):
    to_state: RecallState
    note: Text(500) = ""


def _recall_out(case: RecallCase) -> dict:
    return {
        "id": case.pk, "number": case.number, "client_id": case.client_id, "supplier_id": case.supplier_id,
        "sampling_check_id": case.sampling_check_id, "state": case.state, "reason": case.reason,
        "opened_at": case.opened_at, "closed_at": case.closed_at,
        "styles": list(case.styles.order_by("style_no", "pk")),
        "events": list(case.events.select_related("actor").order_by("at", "pk")),
        "affected_orders": list(case.affected_orders.order_by("pk")),
    }


@router.get("/recall-cases", response=Page[RecallOut], tags=["suppliers"], summary="下架召回单（CAT-06）")
def list_recalls(request, filters: Query[RecallFilters]):
    require_perm(request.auth, "suppliers.view_recallcase")
    queryset = RecallCase.objects.visible_to(request.auth).order_by("-opened_at", "-pk")
    if filters.state is not None:
        queryset = queryset.filter(state=filters.state)
    if filters.supplier_id is not None:
        queryset = queryset.filter(supplier_id=filters.supplier_id)
    return paginate(queryset, filters, _recall_out)


@router.get("/recall-cases/{case_id}", response=RecallOut, tags=["suppliers"], summary="下架召回单详情")
def get_recall(request, case_id: Path[Id]):
    require_perm(request.auth, "suppliers.view_recallcase")
    return _recall_out(get_visible_or_404(RecallCase, request.auth, pk=case_id))


@router.post("/recall-cases/{case_id}/transition", response=RecallOut, tags=["suppliers"],
             summary="推进召回单：已立案 → 已下架 → 召回中 → 已结案；跳步返回 409")
def move_recall(request, case_id: Path[Id], payload: RecallMoveIn):
    require_perm(request.auth, "suppliers.view_recallcase")
    case = get_visible_or_404(RecallCase, request.auth, pk=case_id)
    case = actions.move_recall(case, user=request.auth, to_state=payload.to_state, note=payload.note)
    return _recall_out(case)
