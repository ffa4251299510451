"""API of the warehouse operations (WMS-08, WMS-09, WMS-12): transfers and in-transit stock, blind
count sheets (book quantities are never part of the counter's answers) and sample loans.

Thin: reads through scoped querysets (another client's document is a 404), writes through
``stockops.actions``. Operation ids are prefixed ``stockops_``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Day, Id, RefId, Text
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.models import Client
from ecomops.org.scoping import get_visible_or_404

from . import actions
from .enums import CountKind, CountState, LoanState, TransferState
from .models import CountSheet, SampleLoan, Transfer

router = Router(tags=["stockops"])

Qty = Field(ge=1, le=1_000_000)


def _get(queryset, pk, *, field: str, message: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


def _client(request, pk: int) -> Client:
    return _get(Client.objects.visible_to(request.auth), pk, field="client_id", message=_("委托方不存在"))


def _warehouse(pk: int, field: str) -> Warehouse:
    return _get(Warehouse.objects.all(), pk, field=field, message=_("仓库不存在"))


def _sku(client_id: int, pk: int, field: str) -> SKU:
    return _get(SKU.objects.filter(client_id=client_id), pk, field=field, message=_("SKU 不存在"))


def _bin(pk: int, field: str) -> Bin:
    return _get(Bin.objects.all(), pk, field=field, message=_("库位不存在"))


# --- transfers ----------------------------------------------------------------------------------


class StockopsLineIn(InputSchema):
    sku_id: RefId
    quantity: int = Qty


class StockopsTransferIn(InputSchema):
    client_id: RefId
    from_warehouse_id: RefId
    to_warehouse_id: RefId
    lines: list[StockopsLineIn] = Field(min_length=1, max_length=500)
    note: Text(200) = ""


class StockopsTransferLotOut(Schema):
    lot: str = Field(validation_alias="lot.number")
    quantity: int
    received: int
    in_transit: int


class StockopsTransferLineOut(Schema):
    sku_id: int
    sku_code: str = Field(validation_alias="sku.sku_code")
    quantity: int
    shipped: int
    received: int
    difference: int
    difference_reason: str


class StockopsSignature(Schema):
    by: str | None
    at: datetime | None


class StockopsTransferOut(Schema):
    id: int
    number: str
    client_id: int
    from_warehouse: str
    to_warehouse: str
    state: TransferState
    requested: StockopsSignature
    shipped: StockopsSignature
    received: StockopsSignature
    lines: list[StockopsTransferLineOut]


def _sig(user, at) -> dict:
    return {"by": user.username if user else None, "at": at}


def _transfer_out(t: Transfer) -> dict:
    return {
        "id": t.pk, "number": t.number, "client_id": t.client_id, "from_warehouse": t.from_warehouse.code,
        "to_warehouse": t.to_warehouse.code, "state": t.state,
        "requested": _sig(t.requested_by, t.requested_at), "shipped": _sig(t.shipped_by, t.shipped_at),
        "received": _sig(t.received_by, t.received_at), "lines": list(t.lines.select_related("sku")),
    }


def _transfer(request, pk: int) -> Transfer:
    return get_visible_or_404(Transfer.objects.select_related("from_warehouse", "to_warehouse"), request.auth, pk=pk)


class StockopsTransferFilters(PageQuery):
    state: TransferState | None = None


@router.get("/stockops/transfers", response=Page[StockopsTransferOut], summary="调拨单列表（WMS-09）")
def stockops_list_transfers(request, filters: Query[StockopsTransferFilters]):
    require_perm(request.auth, "stockops.view_transfer", internal=True)
    rows = Transfer.objects.visible_to(request.auth).select_related("from_warehouse", "to_warehouse",
                                                                    "requested_by", "shipped_by", "received_by")
    if filters.state:
        rows = rows.filter(state=filters.state)
    return paginate(rows.order_by("-requested_at", "-pk"), filters, _transfer_out)


@router.post("/stockops/transfers", response={201: StockopsTransferOut}, summary="申请调拨（WMS-09）")
def stockops_request_transfer(request, payload: StockopsTransferIn):
    client = _client(request, payload.client_id)
    lines = [(_sku(client.pk, line.sku_id, f"lines.{i}.sku_id"), line.quantity) for i, line in enumerate(payload.lines)]
    transfer = actions.request_transfer(
        user=request.auth, client=client, from_warehouse=_warehouse(payload.from_warehouse_id, "from_warehouse_id"),
        to_warehouse=_warehouse(payload.to_warehouse_id, "to_warehouse_id"), lines=lines, note=payload.note)
    return Status(201, _transfer_out(transfer))


@router.get("/stockops/transfers/{transfer_id}", response=StockopsTransferOut, summary="调拨单详情")
def stockops_get_transfer(request, transfer_id: Path[Id]):
    require_perm(request.auth, "stockops.view_transfer", internal=True)
    return _transfer_out(_transfer(request, transfer_id))


@router.post("/stockops/transfers/{transfer_id}/ship", response=StockopsTransferOut,
             summary="发货签字（先进先出进入在途）")
def stockops_ship_transfer(request, transfer_id: Path[Id]):
    return _transfer_out(actions.ship_transfer(_transfer(request, transfer_id), user=request.auth))


class StockopsReceiveCount(InputSchema):
    sku_id: RefId
    bin_id: RefId
    quantity: int = Field(ge=0, le=1_000_000)


class StockopsReceiveIn(InputSchema):
    counts: list[StockopsReceiveCount] = Field(min_length=1, max_length=1000)
    reasons: dict[str, Text(200)] = Field(default_factory=dict, description="按 SKU ID 填写差异原因")


@router.post("/stockops/transfers/{transfer_id}/receive", response=StockopsTransferOut, summary="收货签字")
def stockops_receive_transfer(request, transfer_id: Path[Id], payload: StockopsReceiveIn):
    transfer = _transfer(request, transfer_id)
    counts = [(_sku(transfer.client_id, c.sku_id, f"counts.{i}.sku_id"), _bin(c.bin_id, f"counts.{i}.bin_id"),
               c.quantity) for i, c in enumerate(payload.counts)]
    reasons = {}
    for key, text in payload.reasons.items():
        if not key.isdigit():
            raise BusinessError(_("差异原因须按 SKU ID 填写"), field=f"reasons.{key[:20]}")
        reasons[int(key)] = text
    return _transfer_out(actions.receive_transfer(transfer, user=request.auth, counts=counts, reasons=reasons))


class StockopsReasonIn(InputSchema):
    reason: Text(200) = ""


@router.post("/stockops/transfers/{transfer_id}/cancel", response=StockopsTransferOut, summary="取消调拨（发货前）")
def stockops_cancel_transfer(request, transfer_id: Path[Id], payload: StockopsReasonIn):
    return _transfer_out(actions.cancel_transfer(_transfer(request, transfer_id), user=request.auth,
                                                 reason=payload.reason))


class StockopsInTransitOut(Schema):
    transfer_id: int
    transfer_number: str
    from_warehouse: str
    to_warehouse: str
    sku_code: str
    lot: str
    quantity: int


@router.get("/stockops/in-transit", response=list[StockopsInTransitOut], summary="在途库存（按调拨单）")
def stockops_in_transit(request):
    require_perm(request.auth, "stockops.view_transfer", internal=True)
    return [
        {"transfer_id": r.transfer.pk, "transfer_number": r.transfer.number,
         "from_warehouse": r.transfer.from_warehouse.code, "to_warehouse": r.transfer.to_warehouse.code,
         "sku_code": r.sku.sku_code, "lot": r.lot.number, "quantity": r.quantity}
        for r in actions.in_transit(request.auth)
    ]


# --- counts (blind) -----------------------------------------------------------------------------


class StockopsCountLineOut(Schema):
    """Blind (WMS-08): no book quantity, no difference."""

    id: int
    bin: str = Field(validation_alias="bin.code")
    sku_code: str = Field(validation_alias="sku.sku_code")
    lot: str | None = Field(validation_alias="lot.number", default=None)
    counted: int | None
    found: bool


class StockopsCountOut(Schema):
    id: int
    number: str
    kind: CountKind
    state: CountState
    client_id: int
    warehouse: str = Field(validation_alias="warehouse.code")
    snapshot_at: datetime
    lines: list[StockopsCountLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("bin", "sku", "lot"))


class StockopsCountIn(InputSchema):
    client_id: RefId
    warehouse_id: RefId
    kind: CountKind = CountKind.CYCLE
    bin_ids: list[RefId] = Field(default_factory=list, max_length=1000)
    finance_participant_id: RefId | None = None
    note: Text(200) = ""


def _sheet(request, pk: int) -> CountSheet:
    return get_visible_or_404(CountSheet.objects.select_related("warehouse"), request.auth, pk=pk)


@router.get("/stockops/counts", response=Page[StockopsCountOut], summary="盘点单列表（盲盘，不含账面数）")
def stockops_list_counts(request, filters: Query[PageQuery]):
    require_perm(request.auth, "stockops.view_countsheet", internal=True)
    rows = CountSheet.objects.visible_to(request.auth).select_related("warehouse").order_by("-snapshot_at", "-pk")
    return paginate(rows, filters)


@router.post("/stockops/counts", response={201: StockopsCountOut}, summary="新建盘点单（快照账面）")
def stockops_create_count(request, payload: StockopsCountIn):
    from django.contrib.auth import get_user_model

    client = _client(request, payload.client_id)
    finance = None
    if payload.finance_participant_id is not None:
        finance = _get(get_user_model().objects.filter(is_active=True), payload.finance_participant_id,
                       field="finance_participant_id", message=_("用户不存在"))
    sheet = actions.create_count(user=request.auth, client=client, warehouse=_warehouse(payload.warehouse_id,
                                 "warehouse_id"), kind=payload.kind,
                                 bins=[_bin(pk, f"bin_ids.{i}") for i, pk in enumerate(payload.bin_ids)],
                                 finance_participant=finance, note=payload.note)
    return Status(201, sheet)


@router.get("/stockops/counts/{count_id}", response=StockopsCountOut, summary="盘点单（盲盘）")
def stockops_get_count(request, count_id: Path[Id]):
    require_perm(request.auth, "stockops.view_countsheet", internal=True)
    return _sheet(request, count_id)


class StockopsCountEntryIn(InputSchema):
    bin_id: RefId
    sku_id: RefId
    lot_id: RefId | None = None
    quantity: int = Field(ge=0, le=1_000_000)


@router.post("/stockops/counts/{count_id}/entries", response=StockopsCountLineOut, summary="录入实盘数量")
def stockops_record_count(request, count_id: Path[Id], payload: StockopsCountEntryIn):
    sheet = _sheet(request, count_id)
    lot = None
    if payload.lot_id is not None:
        lot = _get(Lot.objects.filter(client_id=sheet.client_id), payload.lot_id, field="lot_id",
                   message=_("批次不存在"))
    return actions.record_count(sheet, user=request.auth, bin=_bin(payload.bin_id, "bin_id"),
                                sku=_sku(sheet.client_id, payload.sku_id, "sku_id"), lot=lot,
                                quantity=payload.quantity)


@router.post("/stockops/counts/{count_id}/submit", response=StockopsCountOut, summary="提交盘点")
def stockops_submit_count(request, count_id: Path[Id]):
    return actions.submit_count(_sheet(request, count_id), user=request.auth)


@router.post("/stockops/counts/{count_id}/approve", response=StockopsCountOut, summary="审核并过账盘点差异")
def stockops_approve_count(request, count_id: Path[Id]):
    return actions.approve_count(_sheet(request, count_id), user=request.auth)


# --- sample loans -------------------------------------------------------------------------------


class StockopsLoanLineOut(Schema):
    style_no: str = Field(validation_alias="sku.style.style_no")
    colour: str = Field(validation_alias="sku.colour")
    size: str = Field(validation_alias="sku.size")
    sku_code: str = Field(validation_alias="sku.sku_code")
    lot: str = Field(validation_alias="lot.number")
    quantity: int


class StockopsLoanOut(Schema):
    id: int
    number: str
    client_id: int
    warehouse: str = Field(validation_alias="warehouse.code")
    borrower: str
    lent_on: date
    due_on: date
    state: LoanState
    overdue: bool
    lines: list[StockopsLoanLineOut]

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("sku__style", "lot"))


class StockopsLoanIn(InputSchema):
    client_id: RefId
    warehouse_id: RefId
    borrower: Text(60, min_length=1)
    purpose: Text(200) = ""
    lent_on: Day | None = None
    lines: list[StockopsLineIn] = Field(min_length=1, max_length=100)


def _loan(request, pk: int) -> SampleLoan:
    return get_visible_or_404(SampleLoan.objects.select_related("warehouse"), request.auth, pk=pk)


class StockopsLoanFilters(PageQuery):
    state: LoanState | None = None


@router.get("/stockops/sample-loans", response=Page[StockopsLoanOut], summary="样品借出列表（WMS-12）")
def stockops_list_loans(request, filters: Query[StockopsLoanFilters]):
    require_perm(request.auth, "stockops.view_sampleloan", internal=True)
    rows = SampleLoan.objects.visible_to(request.auth).select_related("warehouse").order_by("-lent_at", "-pk")
    if filters.state:
        rows = rows.filter(state=filters.state)
    return paginate(rows, filters)


@router.post("/stockops/sample-loans", response={201: StockopsLoanOut}, summary="借出样品（移入样品库位）")
def stockops_lend_samples(request, payload: StockopsLoanIn):
    client = _client(request, payload.client_id)
    lines = [(_sku(client.pk, line.sku_id, f"lines.{i}.sku_id"), line.quantity) for i, line in enumerate(payload.lines)]
    loan = actions.lend_samples(user=request.auth, client=client, warehouse=_warehouse(payload.warehouse_id,
                                "warehouse_id"), borrower=payload.borrower, purpose=payload.purpose,
                                lent_on=payload.lent_on, lines=lines)
    return Status(201, loan)


@router.get("/stockops/sample-loans/{loan_id}", response=StockopsLoanOut, summary="样品借出单")
def stockops_get_loan(request, loan_id: Path[Id]):
    require_perm(request.auth, "stockops.view_sampleloan", internal=True)
    return _loan(request, loan_id)


class StockopsExtensionIn(InputSchema):
    new_due_on: Day
    note: Text(200, min_length=1)


class StockopsExtensionOut(Schema):
    id: int
    new_due_on: date
    note: str
    state: str


@router.post("/stockops/sample-loans/{loan_id}/extensions", response={201: StockopsExtensionOut},
             summary="申请延期（须仓库主管审批）")
def stockops_request_extension(request, loan_id: Path[Id], payload: StockopsExtensionIn):
    extension = actions.request_extension(_loan(request, loan_id), user=request.auth,
                                          new_due_on=payload.new_due_on, note=payload.note)
    return Status(201, extension)


@router.post("/stockops/sample-loans/{loan_id}/return", response=StockopsLoanOut, summary="样品归还")
def stockops_return_samples(request, loan_id: Path[Id]):
    return actions.return_samples(_loan(request, loan_id), user=request.auth)
