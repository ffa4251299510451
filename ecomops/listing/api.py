"""API of admission review (CAT-01) and listings (CAT-02, CAT-03, LAW-02).

Thin: reads through scoped querysets (DAT-02: a review or listing of a client or store the user may not
see is a 404, for reading and changing alike), writes through ``listing.actions``. Every answer carries
the record's events, and a listing its compliance hits of the latest submission.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema
from ecomops.apiutil.types import Flag, Id, RefId, Search, Text
from ecomops.catalog.models import Style
from ecomops.core.errors import BusinessError
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404
from ecomops.stores.models import Qualification
from ecomops.suppliers.models import SamplingCheck

from . import actions
from .enums import AdmissionState, CheckItem, ItemResult, ListingState
from .models import (
    DESCRIPTION_MAX,
    IMAGE_MAX,
    IMAGES_MAX,
    SELLING_POINT_MAX,
    SELLING_POINTS_MAX,
    TITLE_MAX,
    AdmissionReview,
    Listing,
)

router = Router()

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, description="金额（元），最多两位小数")]
Note = Text(2000, multiline=True)


class ListingEventOut(Schema):
    kind: str
    # The API keeps its field names (a contract); the rows use the event base's names.
    from_status: str = Field(validation_alias="from_state")
    to_status: str = Field(validation_alias="to_state")
    actor: str = Field(validation_alias="actor.username")
    at: datetime
    note: str


class ItemOut(Schema):
    code: CheckItem
    result: ItemResult
    note: str
    evidence_id: int | None
    sampling_check_id: int | None = Field(description="引用的抽检记录（CAT-06）")
    sampling_reference: str
    checked_by: str | None = Field(None, validation_alias="checked_by.username")
    checked_at: datetime | None


class StyleRef(Schema):
    id: int
    style_no: str
    name: str
    client_id: int


class AdmissionOut(Schema):
    id: int
    style: StyleRef
    status: AdmissionState
    opened_by: str
    opened_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reasons: str
    items: list[ItemOut]
    events: list[ListingEventOut]


def _admission_out(review: AdmissionReview) -> dict:
    review = AdmissionReview.objects.select_related("style", "opened_by", "decided_by").get(pk=review.pk)
    return {
        **{f: getattr(review, f) for f in ("id", "style", "status", "opened_at", "decided_at", "reasons")},
        "opened_by": review.opened_by.username,
        "decided_by": review.decided_by.username if review.decided_by else None,
        "items": list(review.items.select_related("checked_by").order_by("pk")),
        "events": list(review.events.select_related("actor").order_by("at", "pk")),
    }


class AdmissionFilters(PageQuery):
    status: AdmissionState | None = None
    style_id: Id | None = None


class AdmissionIn(InputSchema):
    style_id: RefId
    note: Text(500) = ""


class ItemIn(InputSchema):
    result: ItemResult
    note: Text(1000) = ""
    evidence_id: RefId | None = None
    sampling_check_id: RefId | None = Field(
        None, description="同一委托方款式的抽检记录（CAT-06）；不合格的不能作为通过依据")
    sampling_reference: Text(200) = Field("", description="外部抽检单号与结论")


class DecisionIn(InputSchema):
    outcome: AdmissionState = Field(description="approved / rejected / returned")
    reasons: Note = ""


def _review(request, pk: int) -> AdmissionReview:
    require_perm(request.auth, "listing.view_admissionreview")
    return get_visible_or_404(AdmissionReview.objects.select_related("style"), request.auth, pk=pk)


@router.get("/admissions", response=Page[AdmissionOut], tags=["listing"], summary="商品准入审核列表")
def list_admissions(request, filters: Query[AdmissionFilters]):
    require_perm(request.auth, "listing.view_admissionreview")
    queryset = AdmissionReview.objects.visible_to(request.auth).order_by("-opened_at", "-pk")
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.style_id is not None:
        queryset = queryset.filter(style_id=filters.style_id)
    return paginate(queryset, filters, _admission_out)


@router.get("/admissions/{pk}", response=AdmissionOut, tags=["listing"], summary="商品准入审核详情")
def get_admission(request, pk: Path[Id]):
    return _admission_out(_review(request, pk))


@router.post("/admissions", response={201: AdmissionOut}, tags=["listing"], summary="发起商品准入审核（CAT-01）")
def create_admission(request, payload: AdmissionIn):
    style = Style.objects.visible_to(request.auth).filter(pk=payload.style_id).first()
    if style is None:
        raise BusinessError(_("款式不存在"), field="style_id", code="not_found")
    review = actions.open_admission(user=request.auth, style=style, note=payload.note)
    return Status(201, _admission_out(review))


@router.put("/admissions/{pk}/items/{code}", response=AdmissionOut, tags=["listing"], summary="记录检查项目结果")
def record_item(request, pk: Path[Id], code: Path[CheckItem], payload: ItemIn):
    review = _review(request, pk)
    evidence = None
    if payload.evidence_id is not None:
        evidence = Qualification.objects.visible_to(request.auth).filter(pk=payload.evidence_id).first()
        if evidence is None:
            raise BusinessError(_("证照不存在"), field="evidence_id", code="not_found")
    check = None
    if payload.sampling_check_id is not None:
        check = (SamplingCheck.objects.visible_to(request.auth).select_related("style")
                 .filter(pk=payload.sampling_check_id).first())
        if check is None:
            raise BusinessError(_("抽检记录不存在"), field="sampling_check_id", code="not_found")
    with fields_renamed({"sampling_check": "sampling_check_id", "evidence": "evidence_id"}):
        actions.record_item(review, user=request.auth, code=code, result=payload.result, note=payload.note,
                            evidence=evidence, sampling_reference=payload.sampling_reference, sampling_check=check)
    return _admission_out(review)


@router.post("/admissions/{pk}/decision", response=AdmissionOut, tags=["listing"],
             summary="准入审核结论：通过、驳回或退回修改")
def decide_admission(request, pk: Path[Id], payload: DecisionIn):
    review = _review(request, pk)
    actions.decide_admission(review, user=request.auth, outcome=payload.outcome, reasons=payload.reasons)
    return _admission_out(review)


@router.post("/admissions/{pk}/resubmit", response=AdmissionOut, tags=["listing"], summary="退回后重新提交")
def resubmit_admission(request, pk: Path[Id]):
    review = _review(request, pk)
    actions.resubmit_admission(review, user=request.auth)
    return _admission_out(review)


# --- listings --------------------------------------------------------------------------------


class ListingHitOut(Schema):
    submission: int
    field: str
    term: str
    matched: str
    start: int
    end: int
    reason: str


class ListingOut(Schema):
    id: int
    store_id: int
    style: StyleRef
    status: ListingState
    title: str
    selling_points: list[str]
    description: str
    images: list[str]
    price: Decimal
    submission: int
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str
    published_at: datetime | None
    delisted_at: datetime | None
    delist_reason: str
    hits: list[ListingHitOut]
    events: list[ListingEventOut]


FIELDS = ("id", "store_id", "style", "status", "title", "selling_points", "description", "images", "price",
          "submission", "submitted_at", "reviewed_at", "review_comment", "published_at",
          "delisted_at", "delist_reason")


def _listing_out(listing: Listing) -> dict:
    listing = Listing.objects.select_related("style", "reviewed_by").get(pk=listing.pk)
    return {**{f: getattr(listing, f) for f in FIELDS}, "hits": list(listing.current_hits()),
            "reviewed_by": listing.reviewed_by.username if listing.reviewed_by else None,
            "events": list(listing.events.select_related("actor").order_by("at", "pk"))}


class ListingFilters(PageQuery):
    store_id: Id | None = None
    style_id: Id | None = None
    status: ListingState | None = None
    q: Search | None = Field(None, description="按标题或款号搜索")


SellingPoints = list[Text(SELLING_POINT_MAX, min_length=1)]
Images = list[Text(IMAGE_MAX, min_length=1)]


class ListingIn(InputSchema):
    store_id: RefId
    style_id: RefId
    title: Text(TITLE_MAX, min_length=1)
    selling_points: SellingPoints = Field(default_factory=list, max_length=SELLING_POINTS_MAX)
    description: Text(DESCRIPTION_MAX, multiline=True) = ""
    images: Images = Field(default_factory=list, max_length=IMAGES_MAX)
    price: Money


class ContentPatch(PatchSchema):
    title: Text(TITLE_MAX, min_length=1) | None = None
    selling_points: SellingPoints | None = Field(None, max_length=SELLING_POINTS_MAX)
    description: Text(DESCRIPTION_MAX, multiline=True) | None = None
    images: Images | None = Field(None, max_length=IMAGES_MAX)
    price: Money | None = None


class StepIn(InputSchema):
    note: Note = ""


class ApproveIn(InputSchema):
    comment: Text(1000, multiline=True) = ""
    publish: Flag = False


class ReasonIn(InputSchema):
    reason: Text(1000, min_length=1, multiline=True)


def _listing(request, pk: int) -> Listing:
    require_perm(request.auth, "listing.view_listing")
    return get_visible_or_404(Listing.objects.all(), request.auth, pk=pk)


@router.get("/listings", response=Page[ListingOut], tags=["listing"], summary="商品上架列表（仅限授权范围）")
def list_listings(request, filters: Query[ListingFilters]):
    from django.db.models import Q

    require_perm(request.auth, "listing.view_listing")
    queryset = Listing.objects.visible_to(request.auth).order_by("-created_at", "-pk")
    for name in ("store_id", "style_id", "status"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(style__style_no__icontains=filters.q))
    return paginate(queryset, filters, _listing_out)


@router.get("/listings/{pk}", response=ListingOut, tags=["listing"], summary="商品上架详情（含事件与合规命中）")
def get_listing(request, pk: Path[Id]):
    return _listing_out(_listing(request, pk))


@router.post("/listings", response={201: ListingOut}, tags=["listing"], summary="新建上架草稿")
def create_listing(request, payload: ListingIn):
    data = payload.model_dump()
    store = Store.objects.visible_to(request.auth).filter(pk=data.pop("store_id")).first()
    if store is None:
        raise BusinessError(_("店铺不存在"), field="store_id", code="not_found")
    style = Style.objects.filter(pk=data.pop("style_id"), client_id=store.client_id).first()
    if style is None:
        raise BusinessError(_("该店铺的委托方没有这个款式"), field="style_id", code="not_found")
    listing = actions.create_listing(user=request.auth, store=store, style=style, **data)
    return Status(201, _listing_out(listing))


@router.patch("/listings/{pk}", response=ListingOut, tags=["listing"], summary="修改内容（草稿、退回或已下架时）")
def update_listing(request, pk: Path[Id], payload: ContentPatch):
    listing = _listing(request, pk)
    actions.update_content(listing, user=request.auth, **payload.changes())
    return _listing_out(listing)


@router.post("/listings/{pk}/submit", response=ListingOut, tags=["listing"], summary="提交审核（自动合规检查）")
def submit_listing(request, pk: Path[Id], payload: StepIn):
    listing = _listing(request, pk)
    if listing.status == ListingState.DELISTED:
        actions.relist_listing(listing, user=request.auth, note=payload.note)
    else:
        actions.submit_listing(listing, user=request.auth, note=payload.note)
    return _listing_out(listing)


@router.post("/listings/{pk}/approve", response=ListingOut, tags=["listing"], summary="审核通过（可同时发布）")
def approve_listing(request, pk: Path[Id], payload: ApproveIn):
    listing = _listing(request, pk)
    actions.approve_listing(listing, user=request.auth, comment=payload.comment, publish=payload.publish)
    return _listing_out(listing)


@router.post("/listings/{pk}/return", response=ListingOut, tags=["listing"], summary="退回修改")
def return_listing(request, pk: Path[Id], payload: ReasonIn):
    listing = _listing(request, pk)
    actions.return_listing(listing, user=request.auth, reasons=payload.reason)
    return _listing_out(listing)


@router.post("/listings/{pk}/publish", response=ListingOut, tags=["listing"], summary="发布上架")
def publish_listing(request, pk: Path[Id]):
    listing = _listing(request, pk)
    actions.publish_listing(listing, user=request.auth)
    return _listing_out(listing)


@router.post("/listings/{pk}/delist", response=ListingOut, tags=["listing"], summary="下架（须写明原因）")
def delist_listing(request, pk: Path[Id], payload: ReasonIn):
    listing = _listing(request, pk)
    actions.delist_listing(listing, user=request.auth, reason=payload.reason)
    return _listing_out(listing)
