"""API of store onboarding (STO-01, STO-02), store profile changes (STO-03) and the qualification
archive (STO-04). Thin: reads through scoped querysets (a record out of scope is a 404), writes through
``stores.actions``. Files (document scans, certificates, logos) are uploaded on the pages."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import Code, Day, Flag, Id, RefId, Search, SortOrder, Text
from ecomops.core.errors import BusinessError
from ecomops.org.models import Client, Platform, Store
from ecomops.org.scoping import get_visible_or_404

from . import actions, queries
from .enums import (
    ApplicationEventKind,
    ApplicationState,
    ChangeState,
    DocumentReview,
    HolderKind,
    QualificationKind,
    QualificationState,
    SpecialGoods,
)
from .models import ApplicationDocument, PlatformDocumentType, ProfileChangeRequest, Qualification, StoreApplication

router = Router(tags=["stores"])


# --- STO-01: platform document types ---------------------------------------------------------

class DocumentTypeOut(Schema):
    id: int
    platform: Ref
    code: str
    name: str
    name_en: str
    description: str
    is_required: bool
    sort_order: int
    is_active: bool


class DocumentTypeFilters(PageQuery):
    platform_id: Id | None = None
    platform: Code(30) | None = Field(None, description="平台编码，如 tmall")
    is_active: bool | None = None


@router.get("/platform-document-types", response=Page[DocumentTypeOut], tags=["stores"],
            summary="平台入驻所需资料类型")
def list_document_types(request, filters: Query[DocumentTypeFilters]):
    require_perm(request.auth, "stores.view_platformdocumenttype", internal=True)
    queryset = PlatformDocumentType.objects.select_related("platform").order_by(
        "platform__sort_order", "platform__code", "sort_order", "code", "pk")
    if filters.platform_id is not None:
        queryset = queryset.filter(platform_id=filters.platform_id)
    if filters.platform is not None:
        queryset = queryset.filter(platform__code=filters.platform)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return paginate(queryset, filters)


class DocumentTypeIn(InputSchema):
    platform_id: RefId
    code: Code(40)
    name: Text(60, min_length=1)
    name_en: Text(80) = ""
    description: Text(300) = ""
    is_required: Flag = True
    sort_order: SortOrder = 0
    is_active: Flag = True


class DocumentTypePatch(PatchSchema):
    code: Code(40) | None = None
    name: Text(60, min_length=1) | None = None
    name_en: Text(80) | None = None
    description: Text(300) | None = None
    is_required: Flag | None = None
    sort_order: SortOrder | None = None
    is_active: Flag | None = None


@router.post("/platform-document-types", response={201: DocumentTypeOut}, tags=["stores"],
             summary="新增平台入驻资料类型（STO-01）")
def create_document_type(request, payload: DocumentTypeIn):
    require_internal(request.auth)
    data = payload.model_dump()
    platform = Platform.objects.filter(pk=data.pop("platform_id")).first()
    if platform is None:
        raise BusinessError(_("平台不存在"), field="platform_id", code="not_found")
    created = actions.create_document_type(user=request.auth, platform=platform, **data)
    return Status(201, PlatformDocumentType.objects.select_related("platform").get(pk=created.pk))


@router.patch("/platform-document-types/{document_type_id}", response=DocumentTypeOut, tags=["stores"],
              summary="修改平台入驻资料类型；已有申请的资料清单不变")
def update_document_type(request, document_type_id: Path[Id], payload: DocumentTypePatch):
    require_perm(request.auth, "stores.view_platformdocumenttype", internal=True)
    document_type = get_object_or_404(PlatformDocumentType, pk=document_type_id)
    actions.update_document_type(document_type, user=request.auth, **payload.changes())
    return PlatformDocumentType.objects.select_related("platform").get(pk=document_type.pk)


# --- STO-02: store applications --------------------------------------------------------------

class UserRef(Schema):
    id: int
    username: str


def _user(user) -> dict | None:
    return {"id": user.pk, "username": user.get_username()} if user else None


class DocumentOut(Schema):
    id: int
    document_type_id: int
    code: str
    name: str
    is_required: bool
    has_file: bool
    original_name: str
    uploaded_at: datetime | None
    review: DocumentReview
    is_complete: bool
    is_authentic: bool
    is_valid: bool
    reviewed_by: UserRef | None
    reviewed_at: datetime | None
    review_comment: str


class EventOut(Schema):
    kind: ApplicationEventKind
    from_status: str
    to_status: str
    actor: UserRef
    at: datetime
    note: str


class ApplicationOut(Schema):
    id: int
    store: Ref
    client: Ref
    platform: Ref
    status: ApplicationState
    created_by: UserRef
    created_at: datetime
    submitted_at: datetime | None
    decided_by: UserRef | None
    decided_at: datetime | None
    decision_comment: str
    agreement_signed_on: date | None
    activated_at: datetime | None
    documents: list[DocumentOut]
    events: list[EventOut]


def application_out(application: StoreApplication) -> dict:
    store = application.store
    return {
        "id": application.pk, "store": store, "client": store.client, "platform": store.platform,
        "status": application.status, "created_by": _user(application.created_by),
        "created_at": application.created_at, "submitted_at": application.submitted_at,
        "decided_by": _user(application.decided_by), "decided_at": application.decided_at,
        "decision_comment": application.decision_comment, "agreement_signed_on": application.agreement_signed_on,
        "activated_at": application.activated_at,
        "documents": [
            {"id": d.pk, "document_type_id": d.document_type_id, "code": d.document_type.code, "name": d.name,
             "is_required": d.is_required, "has_file": bool(d.file), "original_name": d.original_name,
             "uploaded_at": d.uploaded_at, "review": d.review, "is_complete": d.is_complete,
             "is_authentic": d.is_authentic, "is_valid": d.is_valid, "reviewed_by": _user(d.reviewed_by),
             "reviewed_at": d.reviewed_at, "review_comment": d.review_comment}
            for d in application.documents.select_related("document_type", "reviewed_by").order_by("sort_order", "pk")
        ],
        "events": [
            {"kind": e.kind, "from_status": e.from_state, "to_status": e.to_state, "actor": _user(e.actor),
             "at": e.at, "note": e.note}
            for e in application.events.select_related("actor").order_by("at", "pk")
        ],
    }


class ApplicationSummary(Schema):
    id: int
    store: Ref
    status: ApplicationState
    submitted_at: datetime | None
    agreement_signed_on: date | None


class ApplicationFilters(PageQuery):
    status: ApplicationState | None = None
    store_id: Id | None = None


class ApplicationIn(InputSchema):
    store_id: RefId
    note: Text(500) = ""


class CommentIn(InputSchema):
    comment: Text(1000, multiline=True) = ""


class ReturnIn(InputSchema):
    comment: Text(1000, min_length=1, multiline=True)


class ReviewIn(InputSchema):
    complete: Flag
    authentic: Flag
    valid: Flag
    comment: Text(500) = ""


class AgreementIn(InputSchema):
    signed_on: Day
    activate: Flag = Field(True, description="同时开通店铺（店铺状态改为运营中）")


def _applications(user):
    return StoreApplication.objects.visible_to(user).select_related(
        "store", "store__client", "store__platform", "created_by", "decided_by")


def _application(request, application_id: int) -> StoreApplication:
    require_perm(request.auth, "stores.view_storeapplication", internal=True)
    return get_visible_or_404(_applications(request.auth), request.auth, pk=application_id)


@router.get("/store-applications", response=Page[ApplicationSummary], summary="店铺入驻申请列表（仅限授权范围）")
def list_applications(request, filters: Query[ApplicationFilters]):
    require_perm(request.auth, "stores.view_storeapplication", internal=True)
    queryset = _applications(request.auth).order_by("-created_at", "-pk")
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.store_id is not None:
        queryset = queryset.filter(store_id=filters.store_id)
    return paginate(queryset, filters)


@router.get("/store-applications/{application_id}", response=ApplicationOut, summary="入驻申请详情（资料清单与记录）")
def get_application(request, application_id: Path[Id]):
    return application_out(_application(request, application_id))


@router.post("/store-applications", response={201: ApplicationOut}, summary="新建入驻申请（按平台生成资料清单）")
def create_application(request, payload: ApplicationIn):
    store = Store.objects.visible_to(request.auth).filter(pk=payload.store_id).first()
    if store is None:
        raise BusinessError(_("店铺不存在"), field="store_id", code="not_found")
    with fields_renamed({"store": "store_id"}):
        application = actions.create_application(user=request.auth, store=store, note=payload.note)
    return Status(201, application_out(_applications(request.auth).get(pk=application.pk)))


def _step(request, application_id: int, action, **kwargs) -> dict:
    application = _application(request, application_id)
    action(application, user=request.auth, **kwargs)
    return application_out(_applications(request.auth).get(pk=application.pk))


@router.post("/store-applications/{application_id}/submit", response=ApplicationOut, summary="提交审核")
def submit_application(request, application_id: Path[Id], payload: CommentIn):
    return _step(request, application_id, actions.submit_application, note=payload.comment)


@router.post("/store-applications/{application_id}/start-review", response=ApplicationOut, summary="开始审核")
def start_review(request, application_id: Path[Id]):
    return _step(request, application_id, actions.start_review)


@router.post("/store-applications/{application_id}/documents/{document_id}/review", response=ApplicationOut,
             summary="审核一项资料（完整、真实、有效）")
def review_document(request, application_id: Path[Id], document_id: Path[Id], payload: ReviewIn):
    application = _application(request, application_id)
    document = get_object_or_404(ApplicationDocument, pk=document_id, application=application)
    actions.review_document(document, user=request.auth, **payload.model_dump())
    return application_out(_applications(request.auth).get(pk=application.pk))


@router.post("/store-applications/{application_id}/approve", response=ApplicationOut, summary="审核通过")
def approve_application(request, application_id: Path[Id], payload: CommentIn):
    return _step(request, application_id, actions.approve_application, comment=payload.comment)


@router.post("/store-applications/{application_id}/return", response=ApplicationOut, summary="退回修改")
def return_application(request, application_id: Path[Id], payload: ReturnIn):
    return _step(request, application_id, actions.return_application, comment=payload.comment)


@router.post("/store-applications/{application_id}/agreement", response=ApplicationOut,
             summary="登记平台协议签署日期并开通店铺")
def record_agreement(request, application_id: Path[Id], payload: AgreementIn):
    return _step(request, application_id, actions.record_agreement, signed_on=payload.signed_on,
                 activate=payload.activate)


# --- STO-04: qualifications ------------------------------------------------------------------

class QualificationOut(Schema):
    id: int
    holder_kind: HolderKind
    holder: str = Field(description="持有方名称")
    client_id: int | None
    store_id: int | None
    kind: QualificationKind
    title: str
    number: str
    issuer: str
    scope: str
    valid_from: date | None
    valid_to: date | None = Field(description="为空表示长期有效")
    status: QualificationState = Field(description="按今天和 STO-04 提醒期计算")
    has_file: bool
    special_goods: list[SpecialGoods]
    replaces_id: int | None
    note: str


def qualification_out(q: Qualification) -> dict:
    return {
        "id": q.pk, "holder_kind": q.holder_kind, "holder": q.holder_display, "client_id": q.client_id,
        "store_id": q.store_id, "kind": q.kind, "title": q.title, "number": q.number, "issuer": q.issuer,
        "scope": q.scope, "valid_from": q.valid_from, "valid_to": q.valid_to, "status": q.status,
        "has_file": bool(q.file), "special_goods": q.special_goods, "replaces_id": q.replaces_id, "note": q.note,
    }


class QualificationFilters(PageQuery):
    status: QualificationState | None = Field(None, description="expiring = STO-04 提醒期内到期")
    kind: QualificationKind | None = None
    holder_kind: HolderKind | None = None
    client_id: Id | None = None
    store_id: Id | None = None
    q: Search | None = Field(None, description="按编号、名称、持有方或发证机关搜索")


class QualificationIn(InputSchema):
    holder_kind: HolderKind
    holder_name: Text(100) = ""
    client_id: RefId | None = None
    store_id: RefId | None = None
    kind: QualificationKind
    title: Text(100) = ""
    number: Text(60, min_length=1)
    issuer: Text(100) = ""
    scope: Text(2000, multiline=True) = ""
    valid_from: Day | None = None
    valid_to: Day | None = None
    special_goods: list[SpecialGoods] = Field(default_factory=list, max_length=5)
    note: Text(500) = ""
    replaces_id: RefId | None = Field(None, description="换证：被替换的旧证")


class QualificationPatch(PatchSchema):
    NULLABLE = frozenset({"client_id", "store_id", "valid_from", "valid_to"})

    holder_kind: HolderKind | None = None
    holder_name: Text(100) | None = None
    client_id: RefId | None = None
    store_id: RefId | None = None
    kind: QualificationKind | None = None
    title: Text(100) | None = None
    number: Text(60, min_length=1) | None = None
    issuer: Text(100) | None = None
    scope: Text(2000, multiline=True) | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    special_goods: list[SpecialGoods] | None = Field(None, max_length=5)
    note: Text(500) | None = None


QUALIFICATION_NAMES = {"client": "client_id", "store": "store_id", "replaces": "replaces_id"}


def _qualification_fields(data: dict, user) -> dict:
    if "client_id" in data:
        pk = data.pop("client_id")
        data["client"] = None
        if pk is not None:
            data["client"] = Client.objects.visible_to(user).filter(pk=pk).first()
            if data["client"] is None:
                raise BusinessError(_("委托方不存在"), field="client_id", code="not_found")
    if "store_id" in data:
        pk = data.pop("store_id")
        data["store"] = None
        if pk is not None:
            data["store"] = Store.objects.visible_to(user).filter(pk=pk).first()
            if data["store"] is None:
                raise BusinessError(_("店铺不存在"), field="store_id", code="not_found")
    return data


def _with_status(q: Qualification) -> dict:
    return qualification_out(queries.annotate_status([q])[0])


@router.get("/qualifications", response=Page[QualificationOut], summary="资质档案（仅限授权范围）")
def list_qualifications(request, filters: Query[QualificationFilters]):
    require_perm(request.auth, "stores.view_qualification")
    queryset = Qualification.objects.visible_to(request.auth).select_related("client", "store").order_by(
        "valid_to", "pk")
    if filters.status is not None:
        queryset = queries.with_status(queryset, filters.status)
    for name in ("kind", "holder_kind", "client_id", "store_id"):
        if getattr(filters, name) is not None:
            queryset = queryset.filter(**{name: getattr(filters, name)})
    if filters.q:
        queryset = queryset.filter(Q(number__icontains=filters.q) | Q(title__icontains=filters.q)
                                   | Q(holder_name__icontains=filters.q) | Q(issuer__icontains=filters.q))
    today = timezone.localdate()
    until = queries.reminder_until(today)

    def serialize(q):
        q.status = q.status_on(today, until)
        return qualification_out(q)

    return paginate(queryset, filters, serialize)


def _qualification(request, qualification_id: int) -> Qualification:
    require_perm(request.auth, "stores.view_qualification")
    return get_object_or_404(Qualification.objects.visible_to(request.auth).select_related("client", "store"),
                             pk=qualification_id)


@router.get("/qualifications/{qualification_id}", response=QualificationOut, summary="资质详情")
def get_qualification(request, qualification_id: Path[Id]):
    return _with_status(_qualification(request, qualification_id))


@router.post("/qualifications", response={201: QualificationOut}, summary="登记资质（扫描件在页面上传）")
def create_qualification(request, payload: QualificationIn):
    data = _qualification_fields(payload.model_dump(), request.auth)
    replaces_id = data.pop("replaces_id")
    replaces = None
    if replaces_id is not None:
        replaces = Qualification.objects.visible_to(request.auth).filter(pk=replaces_id).first()
        if replaces is None:
            raise BusinessError(_("被替换的资质不存在"), field="replaces_id", code="not_found")
    with fields_renamed(QUALIFICATION_NAMES):
        q = actions.create_qualification(user=request.auth, replaces=replaces, **data)
    return Status(201, _with_status(q))


@router.patch("/qualifications/{qualification_id}", response=QualificationOut, summary="修改资质")
def update_qualification(request, qualification_id: Path[Id], payload: QualificationPatch):
    q = _qualification(request, qualification_id)
    data = _qualification_fields(payload.changes(), request.auth)
    with fields_renamed(QUALIFICATION_NAMES):
        q = actions.update_qualification(q, user=request.auth, **data)
    return _with_status(q)


class MaySellOut(Schema):
    store_id: int
    special_goods: SpecialGoods
    on: date
    allowed: bool
    reason: str


class MaySellQuery(Schema):
    special_goods: SpecialGoods = Field(description="特殊商品类型")
    on: Day | None = Field(None, description="日期，默认今天")


@router.get("/stores/{store_id}/may-sell", response=MaySellOut, summary="店铺能否销售某类特殊商品（STO-04）")
def may_sell(request, store_id: Path[Id], query: Query[MaySellQuery]):
    require_perm(request.auth, "org.view_store")
    store = get_visible_or_404(Store, request.auth, pk=store_id)
    on = query.on or timezone.localdate()
    allowed, reason = queries.may_sell(store, query.special_goods, on=on)
    return {"store_id": store.pk, "special_goods": query.special_goods, "on": on, "allowed": allowed,
            "reason": reason}


# --- STO-03: profile change requests ---------------------------------------------------------

class ChangeOut(Schema):
    id: int
    store: Ref
    status: ChangeState
    proposed: dict[str, str]
    previous: dict[str, str]
    has_logo: bool
    reason: str
    requested_by: UserRef
    requested_at: datetime
    decided_by: UserRef | None
    decided_at: datetime | None
    decision_comment: str


def change_out(change: ProfileChangeRequest) -> dict:
    return {
        "id": change.pk, "store": change.store, "status": change.status, "proposed": change.proposed,
        "previous": change.previous or {}, "has_logo": bool(change.logo), "reason": change.reason,
        "requested_by": _user(change.requested_by), "requested_at": change.requested_at,
        "decided_by": _user(change.decided_by), "decided_at": change.decided_at,
        "decision_comment": change.decision_comment,
    }


class ChangeIn(InputSchema):
    name: Text(100, min_length=1) | None = None
    main_category: Text(60) | None = None
    introduction: Text(2000, multiline=True) | None = None
    contact_name: Text(40) | None = None
    contact_phone: Text(20, pattern=r"^[0-9+\- ()]*$") | None = None
    contact_email: Text(254) | None = None
    reason: Text(500) = ""


class ChangeFilters(PageQuery):
    status: ChangeState | None = None
    store_id: Id | None = None


def _changes(user):
    return ProfileChangeRequest.objects.visible_to(user).select_related("store", "requested_by", "decided_by")


@router.get("/store-profile-changes", response=Page[ChangeOut], summary="店铺资料变更申请列表")
def list_changes(request, filters: Query[ChangeFilters]):
    require_perm(request.auth, "stores.view_profilechangerequest", internal=True)
    queryset = _changes(request.auth).order_by("-requested_at", "-pk")
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.store_id is not None:
        queryset = queryset.filter(store_id=filters.store_id)
    return paginate(queryset, filters, change_out)


@router.post("/stores/{store_id}/profile-changes", response={201: ChangeOut}, summary="申请变更店铺资料")
def create_change(request, store_id: Path[Id], payload: ChangeIn):
    require_internal(request.auth)
    store = get_visible_or_404(Store, request.auth, pk=store_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    proposed = {k: v for k, v in data.items() if v is not None}
    change = actions.request_profile_change(user=request.auth, store=store, proposed=proposed, reason=reason)
    return Status(201, change_out(_changes(request.auth).get(pk=change.pk)))


def _decide(request, change_id: int, action, comment: str) -> dict:
    require_perm(request.auth, "stores.view_profilechangerequest", internal=True)
    change = get_visible_or_404(_changes(request.auth), request.auth, pk=change_id)
    action(change, user=request.auth, comment=comment)
    return change_out(_changes(request.auth).get(pk=change.pk))


@router.post("/store-profile-changes/{change_id}/approve", response=ChangeOut, summary="批准资料变更（立即生效）")
def approve_change(request, change_id: Path[Id], payload: CommentIn):
    return _decide(request, change_id, actions.approve_profile_change, payload.comment)


@router.post("/store-profile-changes/{change_id}/reject", response=ChangeOut, summary="驳回资料变更")
def reject_change(request, change_id: Path[Id], payload: ReturnIn):
    return _decide(request, change_id, actions.reject_profile_change, payload.comment)
