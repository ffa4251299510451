"""API of the warehouse core: stock per SKU, balances per bin × lot, the ledger, lots and their trace
(CAT-05), reservations for a document (thin wrappers over ``reservations``) and customer holds (WMS-11).

Thin: reads through scoped querysets (another client's stock is a 404 or absent, DAT-02), writes
through ``reservations`` and ``holds``. Stock quantities are integers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Code, Day, Id, RefId, Search, Text
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.org.scoping import get_visible_or_404

from . import holds, queries, reservations, trace
from .enums import HoldState, ReservationState
from .ledger import DocRef
from .models import CustomerHold, Lot, Reservation, Warehouse

router = Router()
HoldStateName = Literal[tuple(HoldState.values)]
TAGS = ["inventory"]


def _warehouse(warehouse_id: int | None, *, field: str = "warehouse_id") -> Warehouse | None:
    if warehouse_id is None:
        return None
    found = Warehouse.objects.filter(pk=warehouse_id).first()
    if found is None:
        raise BusinessError(_("仓库不存在"), field=field, code="not_found")
    return found


# --- stock ---------------------------------------------------------------------------------------


class InventoryStockOut(Schema):
    sku_id: int
    client_id: int
    sku_code: str = Field(validation_alias="sku__sku_code")
    barcode: str = Field(validation_alias="sku__barcode")
    style_no: str = Field(validation_alias="sku__style__style_no")
    colour: str = Field(validation_alias="sku__colour")
    size: str = Field(validation_alias="sku__size")
    on_hand: int = Field(validation_alias="qty_on_hand")
    reserved: int = Field(validation_alias="qty_reserved")
    available: int = Field(validation_alias="qty_available", description="正常库位的在库减占用")


class InventoryStockFilters(PageQuery):
    warehouse_id: Id | None = None
    sku_id: Id | None = None
    q: Search | None = Field(None, description="条码、SKU编码、款号或品名")
    client_id: Id | None = None


@router.get("/inventory/stock", response=Page[InventoryStockOut], tags=TAGS, summary="库存查询（按 SKU 汇总）")
def inventory_stock(request, filters: Query[InventoryStockFilters]):
    require_perm(request.auth, "inventory.view_stockbalance")
    rows = queries.stock_per_sku(
        request.auth, warehouse=_warehouse(filters.warehouse_id), q=filters.q or "", client_id=filters.client_id,
        sku_ids=[filters.sku_id] if filters.sku_id else None, only_in_stock=filters.sku_id is None,
    )
    return paginate(rows, filters)


class InventoryBalanceOut(Schema):
    id: int
    sku_id: int
    warehouse: str = Field(validation_alias="warehouse.code")
    bin: str = Field(validation_alias="bin.code")
    bin_kind: str = Field(validation_alias="bin.kind")
    lot_id: int
    lot: str = Field(validation_alias="lot.number")
    received_on: date = Field(validation_alias="lot.received_on")
    on_hand: int
    reserved: int


class InventoryBalanceFilters(PageQuery):
    sku_id: Id
    warehouse_id: Id | None = None


@router.get("/inventory/balances", response=Page[InventoryBalanceOut], tags=TAGS,
            summary="某 SKU 按库位与批次的余额（先进先出顺序）")
def inventory_balances(request, filters: Query[InventoryBalanceFilters]):
    require_perm(request.auth, "inventory.view_stockbalance")
    sku = get_visible_or_404(SKU, request.auth, pk=filters.sku_id)
    rows = queries.balances_of(request.auth, sku.pk, warehouse=_warehouse(filters.warehouse_id)).order_by(
        "warehouse__code", "lot__received_on", "lot_id", "bin__pick_order", "bin__code", "pk")
    return paginate(rows, filters)


# --- ledger --------------------------------------------------------------------------------------


class InventoryMoveOut(Schema):
    id: int
    posted_at: datetime
    business_day: date
    doc_kind: str
    doc_id: str
    doc_number: str
    sku_id: int
    sku_code: str = Field(validation_alias="sku.sku_code")
    lot_id: int
    lot: str = Field(validation_alias="lot.number")
    quantity: int
    from_bin: str | None = None
    to_bin: str | None = None
    from_after: int | None
    to_after: int | None
    by: str | None = None
    note: str
    reverses_id: int | None

    @staticmethod
    def resolve_from_bin(obj) -> str | None:
        return obj.from_bin.code if obj.from_bin_id else None

    @staticmethod
    def resolve_to_bin(obj) -> str | None:
        return obj.to_bin.code if obj.to_bin_id else None

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.get_username() if obj.by_id else None


class InventoryMoveFilters(PageQuery):
    warehouse_id: Id | None = None
    sku_id: Id | None = None
    lot_id: Id | None = None
    document: Text(40) | None = Field(None, description="单据号（包含）")
    date_from: Day | None = None
    date_to: Day | None = None


@router.get("/inventory/moves", response=Page[InventoryMoveOut], tags=TAGS, summary="库存流水（最新在前）")
def inventory_moves(request, filters: Query[InventoryMoveFilters]):
    require_perm(request.auth, "inventory.view_stockmove")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise BusinessError(_("截止日期不能早于起始日期"), field="date_to")
    moves = queries.ledger(request.auth, warehouse=_warehouse(filters.warehouse_id), sku_id=filters.sku_id,
                           lot_id=filters.lot_id, document=filters.document or "", date_from=filters.date_from,
                           date_to=filters.date_to)
    return paginate(moves, filters)


# --- lots and traceability (CAT-05) --------------------------------------------------------------


class InventoryLotOut(Schema):
    id: int
    number: str
    client_id: int
    received_on: date
    source_kind: str
    source_id: str
    source_number: str
    supplier_id: int | None
    supplier: str | None = None

    @staticmethod
    def resolve_supplier(obj) -> str | None:
        return obj.supplier.name if obj.supplier_id else None


class InventoryLotFilters(PageQuery):
    number: Text(40) | None = None
    sku_id: Id | None = Field(None, description="曾存放该 SKU 的批次（追溯来源）")
    barcode: Text(60) | None = Field(None, description="扫描的条码或 SKU 编码")


@router.get("/inventory/lots", response=Page[InventoryLotOut], tags=TAGS, summary="批次（可按 SKU 或条码反查来源）")
def inventory_lots(request, filters: Query[InventoryLotFilters]):
    require_perm(request.auth, "inventory.view_stockmove")
    lots = Lot.objects.visible_to(request.auth).select_related("supplier")
    if filters.number:
        lots = lots.filter(number__iexact=filters.number)
    sku_ids = None
    if filters.sku_id:
        sku_ids = [get_visible_or_404(SKU, request.auth, pk=filters.sku_id).pk]
    if filters.barcode:
        sku_ids = list(queries.find_skus(request.auth, filters.barcode).values_list("pk", flat=True))
    if sku_ids is not None:
        lots = lots.filter(pk__in=trace.lots_of_sku(sku_ids).values("pk"))
    return paginate(lots.order_by("-received_on", "-pk"), filters)


class InventoryTraceDocOut(Schema):
    kind: str
    number: str
    id: str
    quantity_in: int
    quantity_out: int


class InventoryTraceOrderOut(Schema):
    doc_id: str
    number: str
    quantity: int
    customer: str = ""


class InventoryTraceOut(Schema):
    lot: InventoryLotOut
    on_hand: int
    documents: list[InventoryTraceDocOut]
    moves: list[InventoryMoveOut]
    orders: list[InventoryTraceOrderOut] = Field(description="取用该批次的订单（订单模块接入后显示客户）")


@router.get("/inventory/lots/{lot_id}/trace", response=InventoryTraceOut, tags=TAGS,
            summary="批次追溯：每一笔移动、单据与订单（CAT-05）")
def inventory_lot_trace(request, lot_id: Path[Id]):
    require_perm(request.auth, "inventory.view_stockmove")
    lot = get_visible_or_404(Lot.objects.select_related("supplier"), request.auth, pk=lot_id)
    found = trace.lot_trace(lot)
    return {"lot": lot, "on_hand": found.on_hand, "documents": found.documents, "moves": found.moves,
            "orders": found.orders}


# --- reservations for a document ------------------------------------------------------------------


class InventoryReservationLineIn(InputSchema):
    sku_id: RefId
    quantity: int = Field(strict=True, ge=1, le=1_000_000)


class InventoryReserveIn(InputSchema):
    doc_kind: Code(20)
    doc_id: Code(40)
    doc_number: Text(40, min_length=1)
    warehouse_id: RefId
    lines: list[InventoryReservationLineIn] = Field(min_length=1, max_length=500)
    expires_at: datetime | None = None
    note: Text(200) = ""


class InventoryReleaseIn(InputSchema):
    doc_kind: Code(20)
    doc_id: Code(40)
    doc_number: Text(40) = ""
    reason: Text(200) = ""


class InventoryReservationOut(Schema):
    id: int
    doc_kind: str
    doc_id: str
    doc_number: str
    warehouse_id: int
    sku_id: int
    quantity: int
    state: str = Field(description="active 占用中 / released 已释放 / consumed 已出库")
    expires_at: datetime | None


class InventoryReleasedOut(Schema):
    released: int = Field(description="释放的件数")


def _reserve_checks(request) -> None:
    require_internal(request.auth)
    require_perm(request.auth, "inventory.reserve_stock")


@router.post("/inventory/reservations", response={201: list[InventoryReservationOut]}, tags=TAGS,
             summary="为单据占用库存（全部或全不，先进先出）")
def inventory_reserve(request, payload: InventoryReserveIn):
    _reserve_checks(request)
    warehouse = _warehouse(payload.warehouse_id)
    visible = set(SKU.objects.visible_to(request.auth).filter(pk__in=[line.sku_id for line in payload.lines])
                  .values_list("pk", flat=True))
    for index, line in enumerate(payload.lines):
        if line.sku_id not in visible:
            raise BusinessError(_("SKU 不存在"), field=f"lines.{index}.sku_id", code="not_found")
    rows = reservations.reserve(
        doc=DocRef(payload.doc_kind, payload.doc_id, payload.doc_number),
        lines=[(line.sku_id, line.quantity) for line in payload.lines], warehouse=warehouse, user=request.auth,
        expires_at=payload.expires_at, note=payload.note,
    )
    return Status(201, rows)


@router.post("/inventory/reservations/release", response=InventoryReleasedOut, tags=TAGS,
             summary="释放单据的全部占用")
def inventory_release(request, payload: InventoryReleaseIn):
    _reserve_checks(request)
    # DAT-02: only the caller's reservations of the document are released; another client's document
    # answers exactly like an unknown one ({"released": 0}), so its existence does not show.
    mine = list(Reservation.objects.visible_to(request.auth).filter(
        doc_kind=payload.doc_kind, doc_id=payload.doc_id, state=ReservationState.ACTIVE).values_list("pk", flat=True))
    if not mine:
        return {"released": 0}
    freed = reservations.release(doc=DocRef(payload.doc_kind, payload.doc_id, payload.doc_number or payload.doc_id),
                                 user=request.auth, reason=payload.reason, reservation_ids=mine)
    return {"released": freed}


class InventoryReservationFilters(PageQuery):
    doc_kind: Code(20)
    doc_id: Code(40)


@router.get("/inventory/reservations", response=Page[InventoryReservationOut], tags=TAGS, summary="单据的占用")
def inventory_reservations(request, filters: Query[InventoryReservationFilters]):
    require_perm(request.auth, "inventory.reserve_stock")
    rows = Reservation.objects.visible_to(request.auth).filter(doc_kind=filters.doc_kind, doc_id=filters.doc_id)
    return paginate(rows.order_by("pk"), filters)


# --- customer holds (WMS-11) ------------------------------------------------------------------------


class InventoryHoldOut(Schema):
    id: int
    number: str
    sku_id: int
    warehouse_id: int
    quantity: int
    customer: str
    note: str
    staff: str = Field(validation_alias="staff.username")
    state: str = Field(description="active 留货中 / released 已释放 / expired 已到期释放")
    expires_at: datetime
    created_at: datetime


class InventoryHoldIn(InputSchema):
    sku_id: RefId
    warehouse_id: RefId
    quantity: int = Field(strict=True, ge=1, le=1_000_000)
    customer: Text(100, min_length=1)
    note: Text(200) = ""


class InventoryHoldExtendIn(InputSchema):
    note: Text(200, min_length=1)
    until: datetime | None = Field(None, description="留空按政策期限（WMS-11）从现在起算")


class InventoryHoldReleaseIn(InputSchema):
    reason: Text(200) = ""


class InventoryHoldFilters(PageQuery):
    state: HoldStateName | None = None
    sku_id: Id | None = None


@router.get("/inventory/holds", response=Page[InventoryHoldOut], tags=TAGS, summary="客户留货")
def inventory_holds(request, filters: Query[InventoryHoldFilters]):
    require_perm(request.auth, "inventory.view_customerhold", internal=True)
    rows = CustomerHold.objects.visible_to(request.auth).select_related("staff")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.sku_id:
        rows = rows.filter(sku_id=filters.sku_id)
    return paginate(rows.order_by("-pk"), filters)


def _hold(request, hold_id: int) -> CustomerHold:
    require_perm(request.auth, "inventory.view_customerhold", internal=True)
    return get_visible_or_404(CustomerHold.objects.select_related("staff"), request.auth, pk=hold_id)


@router.post("/inventory/holds", response={201: InventoryHoldOut}, tags=TAGS, summary="为客户留货（WMS-11）")
def inventory_create_hold(request, payload: InventoryHoldIn):
    require_internal(request.auth)
    sku = SKU.objects.visible_to(request.auth).filter(pk=payload.sku_id).first()
    if sku is None:
        raise BusinessError(_("SKU 不存在"), field="sku_id", code="not_found")
    warehouse = _warehouse(payload.warehouse_id)
    hold = holds.create_hold(user=request.auth, sku=sku, warehouse=warehouse, quantity=payload.quantity,
                             customer=payload.customer, note=payload.note)
    return Status(201, CustomerHold.objects.select_related("staff").get(pk=hold.pk))


@router.get("/inventory/holds/{hold_id}", response=InventoryHoldOut, tags=TAGS, summary="客户留货详情")
def inventory_get_hold(request, hold_id: Path[Id]):
    return _hold(request, hold_id)


@router.post("/inventory/holds/{hold_id}/extend", response=InventoryHoldOut, tags=TAGS,
             summary="留货延期（须填写说明）")
def inventory_extend_hold(request, hold_id: Path[Id], payload: InventoryHoldExtendIn):
    hold = _hold(request, hold_id)
    holds.extend_hold(hold, user=request.auth, note=payload.note, until=payload.until)
    return get_object_or_404(CustomerHold.objects.select_related("staff"), pk=hold.pk)


@router.post("/inventory/holds/{hold_id}/release", response=InventoryHoldOut, tags=TAGS, summary="释放留货")
def inventory_release_hold(request, hold_id: Path[Id], payload: InventoryHoldReleaseIn):
    hold = _hold(request, hold_id)
    holds.release_hold(hold, user=request.auth, reason=payload.reason)
    return get_object_or_404(CustomerHold.objects.select_related("staff"), pk=hold.pk)
