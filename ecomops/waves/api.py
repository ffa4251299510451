"""API of wave picking (FUL-01): the caller's waves, a wave from a printed ship batch, pick scans (bin
then item), short picks (the order is held and a count opened), sort scans (the slot of a unit), finishing
and cancelling. A wave is seen whole or not at all (DAT-02): another client's wave is a 404.
Operation ids are prefixed ``waves_``."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Id, RefId, Text
from ecomops.core.errors import BusinessError
from ecomops.dispatch.models import ShipBatch
from ecomops.inventory.models import Warehouse

from . import actions
from .models import PickLine, PickState, SortLine, Wave, WaveMode, WaveOrder, WaveState

router = Router(tags=["waves"])
VIEW = actions.VIEW_PERM


class WavesListQuery(Schema):
    state: WaveState | None = Field(None, description="按状态筛选")


class WaveOut(Schema):
    id: int
    number: str
    batch_id: int
    batch_number: str
    warehouse_id: int
    mode: WaveMode
    mode_citation: str
    state: WaveState
    created_at: datetime
    picker_id: int | None
    started_at: datetime | None
    finished_at: datetime | None
    sorted_at: datetime | None


class WavePickLineOut(Schema):
    id: int
    order_id: int | None = Field(description="按单拣货时该行所属订单")
    bin_id: int
    bin_code: str
    zone_code: str
    pick_order: int
    sku_id: int
    sku_code: str
    lot_id: int | None
    quantity: int
    picked: int
    state: PickState
    short_reason: str


class WaveSortOut(Schema):
    sku_id: int
    sku_code: str
    quantity: int
    sorted: int


class WaveOrderOut(Schema):
    order_id: int
    platform_order_no: str
    slot: int
    live: bool
    left_reason: str
    sorted_at: datetime | None
    sort: list[WaveSortOut]


class WaveDetailOut(WaveOut):
    lines: list[WavePickLineOut] = Field(description="拣货路线顺序：库区、巷道（库位拣货顺序）、库位")
    orders: list[WaveOrderOut]


class WaveSkippedOut(Schema):
    order_id: int
    platform_order_no: str
    reason: str


class WaveCreateIn(InputSchema):
    batch_id: RefId
    warehouse_id: RefId | None = None
    mode: WaveMode | None = Field(None, description="不填则按政策 FUL-01.order_by_order_max_orders")


class WaveCreateOut(Schema):
    wave: WaveDetailOut
    skipped: list[WaveSkippedOut]


class WavePickIn(InputSchema):
    bin_code: Text(30, min_length=1)
    sku_code: Text(60, min_length=1) = Field(description="SKU 编码或条码")
    quantity: int = Field(1, ge=1, le=100_000)


class WavePickOut(Schema):
    bin_code: str
    sku_code: str
    quantity: int
    bin_done: bool
    lines: list[WavePickLineOut]


class WaveShortIn(InputSchema):
    line_id: RefId
    found: int = Field(ge=0, le=100_000, description="该行实际找到的件数（含已拣）")
    reason: Text(120, min_length=1)


class WaveShortOut(Schema):
    line: WavePickLineOut
    held_order_ids: list[int]
    count_numbers: list[str]


class WaveSortIn(InputSchema):
    sku_code: Text(60, min_length=1) = Field(description="SKU 编码或条码")


class WaveSortResultOut(Schema):
    slot: int
    order_id: int
    platform_order_no: str
    sku_code: str
    order_done: bool
    wave_done: bool


class WaveCancelIn(InputSchema):
    reason: Text(120, min_length=1)


def _out(wave: Wave) -> dict:
    return {"id": wave.pk, "number": wave.number, "batch_id": wave.batch_id, "batch_number": wave.batch.number,
            "warehouse_id": wave.warehouse_id, "mode": wave.mode, "mode_citation": wave.mode_citation,
            "state": wave.state, "created_at": wave.created_at, "picker_id": wave.picker_id,
            "started_at": wave.started_at, "finished_at": wave.finished_at, "sorted_at": wave.sorted_at}


def _line(line: PickLine) -> dict:
    return {"id": line.pk, "order_id": line.order_id, "bin_id": line.bin_id, "bin_code": line.bin_code,
            "zone_code": line.zone_code, "pick_order": line.pick_order, "sku_id": line.sku_id,
            "sku_code": line.sku.sku_code, "lot_id": line.lot_id, "quantity": line.quantity, "picked": line.picked,
            "state": line.state, "short_reason": line.short_reason}


def _detail(wave: Wave, user) -> dict:
    wave = Wave.objects.select_related("batch").get(pk=wave.pk)
    lines = PickLine.objects.visible_to(user).filter(wave=wave).select_related("sku")
    sorts: dict[int, list] = {}
    for row in SortLine.objects.filter(wave_order__wave=wave).select_related("sku"):
        sorts.setdefault(row.wave_order_id, []).append(
            {"sku_id": row.sku_id, "sku_code": row.sku.sku_code, "quantity": row.quantity, "sorted": row.sorted})
    orders = [{"order_id": e.order_id, "platform_order_no": e.order.platform_order_no, "slot": e.slot,
               "live": e.live, "left_reason": e.left_reason, "sorted_at": e.sorted_at, "sort": sorts.get(e.pk, [])}
              for e in WaveOrder.objects.visible_to(user).filter(wave=wave).select_related("order")]
    return {**_out(wave), "lines": [_line(line) for line in lines], "orders": orders}


def _wave(request, wave_id: int) -> Wave:
    require_perm(request.auth, VIEW)
    wave = actions.visible_or_none(request.auth, wave_id)
    if wave is None:
        raise Http404
    return wave


@router.get("/waves", response=list[WaveOut], summary="调用者可见的拣货波次（FUL-01）")
def waves_list(request, query: Query[WavesListQuery]):
    require_perm(request.auth, VIEW)
    waves = Wave.objects.visible_to(request.auth).select_related("batch")
    if query.state:
        waves = waves.filter(state=query.state)
    return [_out(w) for w in waves[:200]]


@router.post("/waves", response={201: WaveCreateOut},
             summary="由已打印的发货批次生成拣货波次（调用者可见的订单；FUL-01）")
def waves_create(request, payload: WaveCreateIn):
    require_perm(request.auth, VIEW)
    batch = ShipBatch.objects.filter(pk=payload.batch_id).first()
    if batch is None:
        raise BusinessError(_("发货批次不存在"), field="batch_id", code="not_found")
    warehouse = None
    if payload.warehouse_id is not None:
        warehouse = Warehouse.objects.filter(pk=payload.warehouse_id).first()
        if warehouse is None:
            raise BusinessError(_("仓库不存在"), field="warehouse_id", code="not_found")
    result = actions.create_wave(batch, user=request.auth, warehouse=warehouse, mode=payload.mode)
    return Status(201, {"wave": _detail(result.wave, request.auth),
                        "skipped": [{"order_id": o.pk, "platform_order_no": o.platform_order_no, "reason": str(why)}
                                    for o, why in result.skipped]})


@router.get("/waves/{wave_id}", response=WaveDetailOut, summary="拣货波次及其拣货明细（拣货路线顺序）与分拣格")
def waves_get(request, wave_id: Path[Id]):
    return _detail(_wave(request, wave_id), request.auth)


@router.post("/waves/{wave_id}/pick", response=WavePickOut, summary="拣货扫描：先确认库位，再确认商品")
def waves_pick(request, wave_id: Path[Id], payload: WavePickIn):
    wave = _wave(request, wave_id)
    result = actions.scan_pick(wave, user=request.auth, bin_code=payload.bin_code, sku_code=payload.sku_code,
                               quantity=payload.quantity)
    return {"bin_code": result.bin_code, "sku_code": result.sku.sku_code, "quantity": result.quantity,
            "bin_done": result.bin_done, "lines": [_line(line) for line in result.lines]}


@router.post("/waves/{wave_id}/short", response=WaveShortOut,
             summary="登记缺货：未覆盖的订单挂起异常，生成该库位与 SKU 的盘点单")
def waves_short(request, wave_id: Path[Id], payload: WaveShortIn):
    wave = _wave(request, wave_id)
    line = PickLine.objects.visible_to(request.auth).filter(wave=wave, pk=payload.line_id).first()
    if line is None:
        raise BusinessError(_("拣货明细不存在"), field="line_id", code="not_found")
    result = actions.report_short(line, user=request.auth, found=payload.found, reason=payload.reason)
    return {"line": _line(result.line), "held_order_ids": [o.pk for o in result.held],
            "count_numbers": [s.number for s in result.counts]}


@router.post("/waves/{wave_id}/sort", response=WaveSortResultOut, summary="分拣扫描：返回该件应放入的格号")
def waves_sort(request, wave_id: Path[Id], payload: WaveSortIn):
    wave = _wave(request, wave_id)
    result = actions.sort_scan(wave, user=request.auth, sku_code=payload.sku_code)
    return {"slot": result.slot, "order_id": result.order.pk, "platform_order_no": result.order.platform_order_no,
            "sku_code": result.sku.sku_code, "order_done": result.order_done, "wave_done": result.wave_done}


@router.post("/waves/{wave_id}/finish", response=WaveOut, summary="完成拣货；先拣后分的波次随后完成分拣")
def waves_finish(request, wave_id: Path[Id]):
    wave = actions.finish(_wave(request, wave_id), user=request.auth)
    return _out(Wave.objects.select_related("batch").get(pk=wave.pk))


@router.post("/waves/{wave_id}/cancel", response=WaveOut, summary="取消波次（订单可重新组波）")
def waves_cancel(request, wave_id: Path[Id], payload: WaveCancelIn):
    wave = actions.cancel_wave(_wave(request, wave_id), user=request.auth, reason=payload.reason)
    return _out(Wave.objects.select_related("batch").get(pk=wave.pk))
