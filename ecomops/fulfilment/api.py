"""API of the packing station and the carriers' manifests (FUL-02…04, ORD-01): start (or resume) the
check of a scanned waybill or order number, scan items, finish, pack, weigh, discard (作废); open a manifest, scan
parcels out onto it, close it. Thin: the actions check rights, scope and rules. A check is found
within the caller's scope (DAT-02: another client's is a 404); a manifest is visible when empty or
holding one of the caller's parcels, and lists only the caller's part."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, Strict

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.types import Day, Id, RefId, Text
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.inventory.models import Bin, Warehouse
from ecomops.orders.enums import Courier
from ecomops.supply.models import PackagingMaterial, Promotion

from . import actions, prepack
from .enums import CheckState, HandoverState, PrepackState
from .models import Handover, PackCheck, PrepackJob

router = Router(tags=["fulfilment"])
ScanCode = Text(64, min_length=1)
Reason = Text(200)
ReceiverName = Text(40, min_length=1)


class FulfilmentCheckLineOut(Schema):
    sku_id: int
    sku_code: str
    barcode: str
    expected: int
    scanned: int
    remaining: int


class FulfilmentCheckOut(Schema):
    id: int
    order_id: int
    platform_order_no: str
    tracking_no: str
    courier: str
    state: CheckState
    lines: list[FulfilmentCheckLineOut]
    material_id: int | None
    material_quantity: int
    prepacked: bool = Field(description="单件订单取用了预包装件，打包时不再领用包材（FUL-05）")
    weight_g: int | None
    expected_weight_g: int | None = Field(description="预计重量；空表示有商品未填重量（FUL-04）")
    tolerance_g: int | None
    recheck: bool
    recheck_reason: str
    started_at: datetime
    verified_at: datetime | None
    packed_at: datetime | None
    weighed_at: datetime | None
    discarded_at: datetime | None
    discard_reason: str = Field(description="作废原因；作废的验货记录不再使用，订单可重新验货")


class FulfilmentScanOut(Schema):
    check: FulfilmentCheckOut
    sku_code: str = Field(description="本次扫到的 SKU")
    remaining: dict[str, int] = Field(description="仍缺的 SKU 与件数；为空即验货通过")
    complete: bool


class FulfilmentCodeIn(Schema):
    code: ScanCode = Field(description="扫描的条码：运单号、平台订单号、SKU 条码或 SKU 编码")


class FulfilmentPackIn(Schema):
    material_id: RefId | None = Field(None, description="包材；预包装件（FUL-05）不需要，其余必填")
    quantity: Annotated[int, Strict()] = Field(1, ge=1, le=actions.MATERIAL_MAX)


class FulfilmentWeighIn(Schema):
    weight_g: Annotated[int, Strict()] = Field(ge=1, le=actions.WEIGHT_MAX_G, description="实际重量（克）")
    recheck_reason: Reason = Field("", description="超出允许偏差时复核确认的原因（FUL-04）")


class FulfilmentDiscardIn(Schema):
    reason: Reason = Field("", description="作废原因（必填）")


class FulfilmentHandoverIn(Schema):
    carrier: Courier
    warehouse_id: RefId


class FulfilmentCloseIn(Schema):
    receiver_name: ReceiverName = Field(description="快递公司收件人（交接人）")


class FulfilmentParcelOut(Schema):
    order_id: int
    platform_order_no: str
    store_id: int
    tracking_no: str
    weight_g: int | None
    scanned_at: datetime


class FulfilmentHandoverOut(Schema):
    id: int
    number: str
    carrier: Courier
    warehouse_id: int
    state: HandoverState
    created_at: datetime
    closed_at: datetime | None
    receiver_name: str
    parcels: int = Field(description="其中调用者可见的包裹数")


class FulfilmentHandoverDetailOut(FulfilmentHandoverOut):
    items: list[FulfilmentParcelOut]


def _check_out(check: PackCheck) -> dict:
    order = check.order
    lines = [{"sku_id": x.sku_id, "sku_code": x.sku.sku_code, "barcode": x.sku.barcode, "expected": x.expected,
              "scanned": x.scanned, "remaining": x.remaining}
             for x in check.lines.select_related("sku").order_by("pk")]
    return {"id": check.pk, "order_id": order.pk, "platform_order_no": order.platform_order_no,
            "tracking_no": order.tracking_no, "courier": order.courier, "state": check.state, "lines": lines,
            "material_id": check.material_id, "material_quantity": check.material_quantity,
            "prepacked": check.prepacked,
            "weight_g": check.weight_g, "expected_weight_g": check.expected_weight_g,
            "tolerance_g": check.tolerance_g, "recheck": check.recheck, "recheck_reason": check.recheck_reason,
            "started_at": check.started_at, "verified_at": check.verified_at, "packed_at": check.packed_at,
            "weighed_at": check.weighed_at, "discarded_at": check.discarded_at,
            "discard_reason": check.discard_reason}


def _check(request, check_id: int) -> PackCheck:
    check = PackCheck.objects.visible_to(request.auth).select_related("order").filter(pk=check_id).first()
    if check is None:
        raise Http404
    return check


def _fresh(check: PackCheck) -> dict:
    return _check_out(PackCheck.objects.select_related("order").get(pk=check.pk))


@router.post("/fulfilment/checks", response={201: FulfilmentCheckOut},
             summary="扫描运单号或订单号，开始（或继续）验货（FUL-02）")
def fulfilment_start_check(request, payload: FulfilmentCodeIn):
    return Status(201, _fresh(actions.start_check(payload.code, user=request.auth)))


@router.get("/fulfilment/checks/{check_id}", response=FulfilmentCheckOut, summary="验货记录")
def fulfilment_get_check(request, check_id: Path[Id]):
    require_perm(request.auth, actions.VIEW_CHECK_PERM, internal=True)
    return _check_out(_check(request, check_id))


@router.post("/fulfilment/checks/{check_id}/scan", response=FulfilmentScanOut,
             summary="扫描一件商品：错货、多货拒绝；扫齐即验货通过（FUL-02）")
def fulfilment_scan_item(request, check_id: Path[Id], payload: FulfilmentCodeIn):
    result = actions.scan_item(_check(request, check_id), payload.code, user=request.auth)
    return {"check": _fresh(result.check), "sku_code": result.sku_code, "remaining": result.remaining,
            "complete": result.complete}


@router.post("/fulfilment/checks/{check_id}/finish", response=FulfilmentCheckOut,
             summary="完成验货：少货拒绝（FUL-02）")
def fulfilment_finish_check(request, check_id: Path[Id]):
    return _fresh(actions.finish_check(_check(request, check_id), user=request.auth))


@router.post("/fulfilment/checks/{check_id}/pack", response=FulfilmentCheckOut,
             summary="打包：登记并领用包材（FUL-03）；预包装件不再领用（FUL-05）")
def fulfilment_pack(request, check_id: Path[Id], payload: FulfilmentPackIn):
    check = _check(request, check_id)
    material = None
    if payload.material_id is not None:
        material = PackagingMaterial.objects.filter(pk=payload.material_id, is_active=True).first()
        if material is None:
            raise BusinessError(_("包材不存在"), field="material_id", code="not_found")
    return _fresh(actions.pack(check, user=request.auth, material=material, quantity=payload.quantity))


@router.post("/fulfilment/checks/{check_id}/weigh", response=FulfilmentCheckOut,
             summary="称重：超出允许偏差须复核并填写原因（FUL-04）")
def fulfilment_weigh(request, check_id: Path[Id], payload: FulfilmentWeighIn):
    return _fresh(actions.weigh(_check(request, check_id), user=request.auth, weight_g=payload.weight_g,
                                recheck_reason=payload.recheck_reason))


@router.post("/fulfilment/checks/{check_id}/discard", response=FulfilmentCheckOut,
             summary="作废验货记录（交接出库前，须填写原因）；订单可重新验货，已领用的包材不退回")
def fulfilment_discard_check(request, check_id: Path[Id], payload: FulfilmentDiscardIn):
    return _fresh(actions.discard_check(_check(request, check_id), user=request.auth, reason=payload.reason))


def _handover_out(handover: Handover, user) -> dict:
    return {"id": handover.pk, "number": handover.number, "carrier": handover.carrier,
            "warehouse_id": handover.warehouse_id, "state": handover.state, "created_at": handover.created_at,
            "closed_at": handover.closed_at, "receiver_name": handover.receiver_name,
            "parcels": actions.parcels_of(handover, user).count()}


def _handover(request, handover_id: int) -> Handover:
    handover = actions.visible_handover_or_none(request.auth, handover_id)
    if handover is None:
        raise Http404
    return handover


class FulfilmentHandoverQuery(PageQuery):
    state: HandoverState | None = None
    carrier: Courier | None = None


@router.get("/fulfilment/handovers", response=Page[FulfilmentHandoverOut], summary="交接单（新的在前）")
def fulfilment_list_handovers(request, query: Query[FulfilmentHandoverQuery]):
    require_perm(request.auth, actions.VIEW_HANDOVER_PERM, internal=True)
    handovers = actions.visible_handovers(request.auth)
    if query.state:
        handovers = handovers.filter(state=query.state)
    if query.carrier:
        handovers = handovers.filter(carrier=query.carrier)
    return paginate(handovers.order_by("-created_at", "-pk"), query, lambda h: _handover_out(h, request.auth))


@router.post("/fulfilment/handovers", response={201: FulfilmentHandoverOut}, summary="新建交接单（按快递公司）")
def fulfilment_open_handover(request, payload: FulfilmentHandoverIn):
    require_internal(request.auth)
    handover = actions.open_handover(payload.carrier, _warehouse(payload.warehouse_id), user=request.auth)
    return Status(201, _handover_out(handover, request.auth))


@router.get("/fulfilment/handovers/{handover_id}", response=FulfilmentHandoverDetailOut,
            summary="交接单及调用者可见的包裹")
def fulfilment_get_handover(request, handover_id: Path[Id]):
    require_perm(request.auth, actions.VIEW_HANDOVER_PERM, internal=True)
    handover = _handover(request, handover_id)
    items = [{"order_id": p.order_id, "platform_order_no": p.order.platform_order_no, "store_id": p.order.store_id,
              "tracking_no": p.tracking_no, "weight_g": p.weight_g, "scanned_at": p.scanned_at}
             for p in actions.parcels_of(handover, request.auth)]
    return {**_handover_out(handover, request.auth), "items": items}


@router.post("/fulfilment/handovers/{handover_id}/scan", response={201: FulfilmentParcelOut},
             summary="扫描包裹出库：已称重、快递公司一致；订单发货并出库（ORD-01）")
def fulfilment_scan_out(request, handover_id: Path[Id], payload: FulfilmentCodeIn):
    parcel = actions.scan_out(_handover(request, handover_id), payload.code, user=request.auth)
    return Status(201, {"order_id": parcel.order_id, "platform_order_no": parcel.order.platform_order_no,
                        "store_id": parcel.order.store_id, "tracking_no": parcel.tracking_no,
                        "weight_g": parcel.weight_g, "scanned_at": parcel.scanned_at})


@router.post("/fulfilment/handovers/{handover_id}/close", response=FulfilmentHandoverOut,
             summary="交接完毕：填写快递收件人")
def fulfilment_close_handover(request, handover_id: Path[Id], payload: FulfilmentCloseIn):
    handover = actions.close_handover(_handover(request, handover_id), user=request.auth,
                                      receiver_name=payload.receiver_name)
    return _handover_out(handover, request.auth)


# --- pre-packing (FUL-05) ---------------------------------------------------------------------------------


class PrepackJobOut(Schema):
    id: int
    number: str
    warehouse_id: int
    client_id: int
    sku_id: int
    sku_code: str
    material_id: int
    to_bin_id: int
    promotion_id: int | None
    planned: int
    packed: int
    due_on: date
    state: PrepackState
    note: str
    created_at: datetime
    closed_at: datetime | None


class PrepackJobIn(Schema):
    warehouse_id: RefId
    sku_id: RefId
    quantity: Annotated[int, Strict()] = Field(ge=1, le=prepack.QUANTITY_MAX, description="计划件数（每件一个包裹）")
    material_id: RefId
    to_bin_id: RefId = Field(description="预包区库位")
    promotion_id: RefId | None = Field(None, description="大促；填了则完成日期为大促备货日")
    due_on: Day | None = None
    note: Reason = ""


class PrepackRecordIn(Schema):
    quantity: Annotated[int, Strict()] = Field(ge=1, le=prepack.QUANTITY_MAX, description="本次打包件数")


class PrepackCloseIn(Schema):
    reason: Text(200, min_length=1)


class PrepackSuggestionOut(Schema):
    sku_id: int
    sku_code: str
    single_orders: int = Field(description="统计期内发出的单件订单数")
    prepacked: int = Field(description="预包区现有件数")
    planned: int = Field(description="进行中任务尚未打包的件数")
    free: int = Field(description="正常库位可用件数")
    suggested: int


class PrepackSuggestionsOut(Schema):
    start: date
    end: date
    citation: str
    items: list[PrepackSuggestionOut]


class PrepackSuggestionQuery(Schema):
    warehouse_id: Id


class PrepackJobQuery(PageQuery):
    warehouse_id: Id | None = None
    state: PrepackState | None = None


def _job_out(job: PrepackJob) -> dict:
    return {"id": job.pk, "number": job.number, "warehouse_id": job.warehouse_id, "client_id": job.client_id,
            "sku_id": job.sku_id, "sku_code": job.sku.sku_code, "material_id": job.material_id,
            "to_bin_id": job.to_bin_id, "promotion_id": job.promotion_id, "planned": job.planned,
            "packed": job.packed, "due_on": job.due_on, "state": job.state, "note": job.note,
            "created_at": job.created_at, "closed_at": job.closed_at}


def _job(request, job_id: int) -> PrepackJob:
    job = PrepackJob.objects.visible_to(request.auth).select_related("sku").filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def _warehouse(warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise BusinessError(_("仓库不存在"), field="warehouse_id", code="not_found")
    return warehouse


@router.get("/fulfilment/prepack-suggestions", response=PrepackSuggestionsOut,
            summary="预打包建议：仓库的畅销单品（FUL-05）")
def fulfilment_prepack_suggestions(request, query: Query[PrepackSuggestionQuery]):
    require_perm(request.auth, prepack.VIEW_PERM, internal=True)
    found = prepack.suggest(_warehouse(query.warehouse_id), user=request.auth)
    return {"start": found.start, "end": found.end, "citation": found.citation,
            "items": [{"sku_id": r.sku.pk, "sku_code": r.sku.sku_code, "single_orders": r.single_orders,
                       "prepacked": r.prepacked, "planned": r.planned, "free": r.free, "suggested": r.suggested}
                      for r in found.rows]}


@router.get("/fulfilment/prepack-jobs", response=Page[PrepackJobOut], summary="预打包任务")
def fulfilment_list_prepack_jobs(request, query: Query[PrepackJobQuery]):
    require_perm(request.auth, prepack.VIEW_PERM, internal=True)
    jobs = PrepackJob.objects.visible_to(request.auth).select_related("sku")
    if query.warehouse_id:
        jobs = jobs.filter(warehouse_id=query.warehouse_id)
    if query.state:
        jobs = jobs.filter(state=query.state)
    return paginate(jobs.order_by("-due_on", "-pk"), query, _job_out)


@router.post("/fulfilment/prepack-jobs", response={201: PrepackJobOut}, summary="新建预打包任务（FUL-05）")
def fulfilment_create_prepack_job(request, payload: PrepackJobIn):
    require_perm(request.auth, prepack.PLAN_PERM, internal=True)
    warehouse = _warehouse(payload.warehouse_id)
    sku = SKU.objects.filter(pk=payload.sku_id).first()
    if sku is None:
        raise BusinessError(_("SKU不存在"), field="sku_id", code="not_found")
    material = PackagingMaterial.objects.filter(pk=payload.material_id, is_active=True).first()
    if material is None:
        raise BusinessError(_("包材不存在"), field="material_id", code="not_found")
    to_bin = Bin.objects.filter(pk=payload.to_bin_id).first()
    if to_bin is None:
        raise BusinessError(_("库位不存在"), field="to_bin_id", code="not_found")
    promotion = None
    if payload.promotion_id is not None:
        promotion = Promotion.objects.filter(pk=payload.promotion_id).first()
        if promotion is None:
            raise BusinessError(_("大促不存在"), field="promotion_id", code="not_found")
    job = prepack.create_job(user=request.auth, warehouse=warehouse, sku=sku, quantity=payload.quantity,
                             material=material, to_bin=to_bin, promotion=promotion, due_on=payload.due_on,
                             note=payload.note)
    return Status(201, _job_out(job))


@router.get("/fulfilment/prepack-jobs/{job_id}", response=PrepackJobOut, summary="预打包任务详情")
def fulfilment_get_prepack_job(request, job_id: Path[Id]):
    require_perm(request.auth, prepack.VIEW_PERM, internal=True)
    return _job_out(_job(request, job_id))


@router.post("/fulfilment/prepack-jobs/{job_id}/record", response=PrepackJobOut,
             summary="登记预打包件数：商品移入预包区、领用包材（FUL-05）")
def fulfilment_record_prepack(request, job_id: Path[Id], payload: PrepackRecordIn):
    job = prepack.record(_job(request, job_id), user=request.auth, quantity=payload.quantity)
    return _job_out(PrepackJob.objects.select_related("sku").get(pk=job.pk))


@router.post("/fulfilment/prepack-jobs/{job_id}/close", response=PrepackJobOut, summary="提前关闭预打包任务")
def fulfilment_close_prepack(request, job_id: Path[Id], payload: PrepackCloseIn):
    job = prepack.close(_job(request, job_id), user=request.auth, reason=payload.reason)
    return _job_out(PrepackJob.objects.select_related("sku").get(pk=job.pk))
