"""API of the packing station and the carriers' manifests (FUL-02…04, ORD-01): start (or resume) the
check of a scanned waybill or order number, scan items, finish, pack, weigh, discard (作废); open a manifest, scan
parcels out onto it, close it. Thin: the actions check rights, scope and rules. A check is found
within the caller's scope (DAT-02: another client's is a 404); a manifest is visible when empty or
holding one of the caller's parcels, and lists only the caller's part."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, Strict

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.types import Id, RefId, Text
from ecomops.core.errors import BusinessError
from ecomops.inventory.models import Warehouse
from ecomops.orders.enums import Courier
from ecomops.supply.models import PackagingMaterial

from . import actions
from .enums import CheckState, HandoverState
from .models import Handover, PackCheck

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
    material_id: RefId
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
             summary="打包：登记并领用包材（FUL-03）")
def fulfilment_pack(request, check_id: Path[Id], payload: FulfilmentPackIn):
    check = _check(request, check_id)
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
    warehouse = Warehouse.objects.filter(pk=payload.warehouse_id).first()
    if warehouse is None:
        raise BusinessError(_("仓库不存在"), field="warehouse_id", code="not_found")
    handover = actions.open_handover(payload.carrier, warehouse, user=request.auth)
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
