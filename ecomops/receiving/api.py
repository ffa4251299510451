"""API of receiving and QC (WMS-01…06, WMS-25). Thin: reads through scoped querysets (another client's
receipt is a 404), writes through ``receiving.actions``; refusals come back in the common error shape
naming the field."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Code, Flag, Id, RefId, Text
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.inventory.models import Bin
from ecomops.org.scoping import get_visible_or_404
from ecomops.supply.models import PurchaseOrder

from . import actions, sampling
from .enums import OPEN_STATES, QcStage, ReceiptState
from .models import QcRecord, Receipt, ReceiptLine

router = Router(tags=["receiving"])

Quantity = Field(ge=0, le=1_000_000)


class ReceivingLineOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    barcode: str
    noted_quantity: int
    counted_quantity: int
    outstanding_quantity: int
    state_ok: bool
    spec_ok: bool
    mismatch_reason: str
    issues: list[str] = Field(description="送货单、实收与采购单的差异（WMS-01）")
    qc_stage: QcStage
    next_step: str = Field(description="下一步质检或结论（WMS-25）")
    sample_size: int = Field(description="本次须抽检件数，0 表示无需抽检")
    pass_rate: str
    first_sample: int
    first_failed: int | None
    second_sample: int
    second_failed: int | None
    accepted_quantity: int
    defective_quantity: int
    defect_reason: str
    put_away_quantity: int


class ReceivingReceiptOut(Schema):
    id: int
    number: str
    client_id: int
    warehouse_id: int
    purchase_order_id: int
    purchase_order_number: str
    supplier_id: int
    delivery_note_no: str
    state: ReceiptState
    note: str
    created_at: datetime
    receiver_signed_by: str | None
    receiver_signed_at: datetime | None
    supervisor_signed_by: str | None
    supervisor_signed_at: datetime | None
    booked_at: datetime | None
    lot_number: str | None
    supplier_return_number: str | None


def _receipt_out(r: Receipt) -> dict:
    data = {f: getattr(r, f) for f in (
        "id", "number", "client_id", "warehouse_id", "purchase_order_id", "supplier_id", "delivery_note_no", "state",
        "note", "created_at", "receiver_signed_at", "supervisor_signed_at", "booked_at")}
    data.update({
        "purchase_order_number": r.purchase_order.number,
        "receiver_signed_by": r.receiver_signed_by.username if r.receiver_signed_by_id else None,
        "supervisor_signed_by": r.supervisor_signed_by.username if r.supervisor_signed_by_id else None,
        "lot_number": r.lot.number if r.lot_id else None,
        "supplier_return_number": r.supplier_return.number if r.supplier_return_id else None,
    })
    return data


class ReceivingReceiptDetailOut(ReceivingReceiptOut):
    lines: list[ReceivingLineOut]
    qc_policy: dict = Field(description="质检所用制度参数及版本（WMS-25）")


class ReceivingFilters(PageQuery):
    state: ReceiptState | None = None
    open: bool | None = Field(None, description="只列出未完成的入库单")
    warehouse_id: Id | None = None
    purchase_order_id: Id | None = None


class ReceivingReceiptIn(InputSchema):
    purchase_order_id: RefId
    delivery_note_no: Text(60, min_length=1)
    note: Text(200) = ""


class ReceivingLineIn(InputSchema):
    sku_id: RefId | None = Field(None, description="SKU id，或填写 barcode")
    barcode: Text(60) | None = Field(None, description="扫描的商品条码或 SKU 编码")
    noted_quantity: int = Quantity
    counted_quantity: int = Quantity
    state_ok: Flag = True
    spec_ok: Flag = True
    mismatch_reason: Text(200) = ""


class ReceivingSignIn(InputSchema):
    role: str = Field(pattern="^(receiver|supervisor)$", description="receiver 收货员 / supervisor 仓库主管")


class ReceivingBookIn(InputSchema):
    inspection_bin_id: RefId | None = Field(None, description="待检库位，默认本仓第一个待检库位")


class ReceivingSampleIn(InputSchema):
    line_id: RefId | None = None
    barcode: Text(60) | None = None
    failed: int = Quantity
    passed: int | None = Field(None, ge=0, le=1_000_000)
    reason: Text(200) = ""


class ReceivingFullInspectionIn(InputSchema):
    line_id: RefId | None = None
    barcode: Text(60) | None = None
    defective: int = Quantity
    reason: Text(200) = ""


class ReceivingPutAwayIn(InputSchema):
    barcode: Text(60) | None = Field(None, description="商品条码或 SKU 编码")
    sku_id: RefId | None = None
    bin_code: Code(30) | None = None
    bin_id: RefId | None = None
    quantity: int = Field(ge=1, le=1_000_000)


class ReceivingQcRecordOut(Schema):
    id: int
    line_id: int
    sku_code: str = Field(validation_alias="line.sku.sku_code")
    kind: str
    sampled: int
    passed: int
    failed: int
    outcome: str
    reason: str
    by: str = Field(validation_alias="by.username")
    at: datetime


def _queryset(user):
    return Receipt.objects.visible_to(user).select_related(
        "purchase_order", "receiver_signed_by", "supervisor_signed_by", "lot", "supplier_return", "warehouse",
        "supplier", "client", "inspection_bin", "defective_bin",
    )


def _receipt(request, receipt_id: int) -> Receipt:
    require_internal(request.auth)
    require_perm(request.auth, "receiving.view_receipt")
    return get_visible_or_404(_queryset(request.auth), request.auth, pk=receipt_id)


def _line_out(receipt: Receipt, line: ReceiptLine) -> dict:
    step = actions.line_step(receipt, line)
    issues = actions.line_issues(line.noted_quantity, line.counted_quantity, line.outstanding_quantity,
                                 line.state_ok, line.spec_ok)
    data = {f: getattr(line, f) for f in (
        "id", "sku_id", "noted_quantity", "counted_quantity", "outstanding_quantity", "state_ok", "spec_ok",
        "mismatch_reason", "qc_stage", "first_sample", "first_failed", "second_sample", "second_failed",
        "accepted_quantity", "defective_quantity", "defect_reason", "put_away_quantity")}
    data.update({
        "sku_code": line.sku.sku_code, "barcode": line.sku.barcode, "issues": [i.message for i in issues],
        "next_step": actions.outcome_label(step) if step else line.get_qc_stage_display(),
        "sample_size": step.sample_size if step and not step.is_final else 0,
        "pass_rate": sampling.percent(step.rate) if step else "",
    })
    return data


def _detail(request, receipt_id: int) -> dict:
    receipt = get_visible_or_404(_queryset(request.auth), request.auth, pk=receipt_id)
    out = _receipt_out(receipt)
    out["lines"] = [_line_out(receipt, line) for line in receipt.lines.select_related("sku").order_by("pk")]
    out["qc_policy"] = receipt.qc_policy
    return out


def _line_of(receipt: Receipt, line_id, barcode) -> ReceiptLine:
    line = None
    if line_id is not None:
        line = receipt.lines.filter(pk=line_id).first()
    elif barcode:
        line = actions.find_line(receipt, barcode)
    if line is None:
        raise BusinessError(_("商品不在本入库单上"), field="barcode" if barcode else "line_id", code="not_found")
    return line


def _sku_of(receipt: Receipt, sku_id, barcode) -> SKU:
    skus = SKU.objects.filter(client_id=receipt.client_id)
    sku = None
    if sku_id is not None:
        sku = skus.filter(pk=sku_id).first()
    elif barcode:
        sku = skus.filter(Q(barcode=barcode) | Q(sku_code=barcode)).first()
    if sku is None:
        raise BusinessError(_("商品条码 / SKU 不存在"), field="barcode" if barcode else "sku_id", code="not_found")
    return sku


@router.get("/receiving/receipts", response=Page[ReceivingReceiptOut], summary="入库单列表（仅限授权范围）")
def receiving_list_receipts(request, filters: Query[ReceivingFilters]):
    require_internal(request.auth)
    require_perm(request.auth, "receiving.view_receipt")
    queryset = _queryset(request.auth)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.open:
        queryset = queryset.filter(state__in=OPEN_STATES)
    if filters.warehouse_id:
        queryset = queryset.filter(warehouse_id=filters.warehouse_id)
    if filters.purchase_order_id:
        queryset = queryset.filter(purchase_order_id=filters.purchase_order_id)
    return paginate(queryset.order_by("-pk"), filters, _receipt_out)


@router.post("/receiving/receipts", response={201: ReceivingReceiptDetailOut}, summary="按采购单创建入库单（WMS-01）")
def receiving_create_receipt(request, payload: ReceivingReceiptIn):
    require_internal(request.auth)
    order = PurchaseOrder.objects.visible_to(request.auth).filter(pk=payload.purchase_order_id).first()
    if order is None:
        raise BusinessError(_("采购单不存在"), field="purchase_order_id", code="not_found")
    try:
        receipt = actions.create_receipt(user=request.auth, purchase_order=order,
                                         delivery_note_no=payload.delivery_note_no, note=payload.note)
    except BusinessError as error:
        if error.field == "purchase_order":
            error.field = "purchase_order_id"
        raise
    return Status(201, _detail(request, receipt.pk))


@router.get("/receiving/receipts/{receipt_id}", response=ReceivingReceiptDetailOut, summary="入库单详情")
def receiving_get_receipt(request, receipt_id: Path[Id]):
    return _detail(request, _receipt(request, receipt_id).pk)


@router.post("/receiving/receipts/{receipt_id}/lines", response=ReceivingReceiptDetailOut,
             summary="录入或更正一行收货（送货单数量、实收数量、状态与规格，WMS-01）")
def receiving_set_line(request, receipt_id: Path[Id], payload: ReceivingLineIn):
    receipt = _receipt(request, receipt_id)
    sku = _sku_of(receipt, payload.sku_id, payload.barcode)
    actions.set_line(receipt, user=request.auth, sku=sku, noted_quantity=payload.noted_quantity,
                     counted_quantity=payload.counted_quantity, state_ok=payload.state_ok, spec_ok=payload.spec_ok,
                     reason=payload.mismatch_reason)
    return _detail(request, receipt.pk)


@router.post("/receiving/receipts/{receipt_id}/sign", response=ReceivingReceiptDetailOut,
             summary="签字：收货员先签，仓库主管后签，须为两人（WMS-03）")
def receiving_sign_receipt(request, receipt_id: Path[Id], payload: ReceivingSignIn):
    receipt = _receipt(request, receipt_id)
    actions.sign_receipt(receipt, user=request.auth, role=payload.role)
    return _detail(request, receipt.pk)


@router.post("/receiving/receipts/{receipt_id}/book", response=ReceivingReceiptDetailOut,
             summary="当日记账入待检区（WMS-03、WMS-04）")
def receiving_book_receipt(request, receipt_id: Path[Id], payload: ReceivingBookIn):
    receipt = _receipt(request, receipt_id)
    bin_ = None
    if payload.inspection_bin_id is not None:
        bin_ = Bin.objects.filter(pk=payload.inspection_bin_id, warehouse=receipt.warehouse).first()
        if bin_ is None:
            raise BusinessError(_("待检库位不存在"), field="inspection_bin_id", code="not_found")
    try:
        actions.book_receipt(receipt, user=request.auth, inspection_bin=bin_)
    except BusinessError as error:
        if error.field == "inspection_bin":
            error.field = "inspection_bin_id"
        raise
    return _detail(request, receipt.pk)


@router.get("/receiving/receipts/{receipt_id}/qc", response=list[ReceivingQcRecordOut], summary="质检记录（WMS-25）")
def receiving_qc_records(request, receipt_id: Path[Id]):
    receipt = _receipt(request, receipt_id)
    return list(QcRecord.objects.filter(receipt=receipt).select_related("line__sku", "by").order_by("pk"))


@router.post("/receiving/receipts/{receipt_id}/qc/samples", response=ReceivingReceiptDetailOut,
             summary="登记抽检结果（WMS-25）")
def receiving_record_sample(request, receipt_id: Path[Id], payload: ReceivingSampleIn):
    receipt = _receipt(request, receipt_id)
    line = _line_of(receipt, payload.line_id, payload.barcode)
    actions.record_sample(receipt, line, user=request.auth, failed=payload.failed, passed=payload.passed,
                          reason=payload.reason)
    return _detail(request, receipt.pk)


@router.post("/receiving/receipts/{receipt_id}/qc/full-inspections", response=ReceivingReceiptDetailOut,
             summary="登记全检结果（WMS-25）")
def receiving_record_full_inspection(request, receipt_id: Path[Id], payload: ReceivingFullInspectionIn):
    receipt = _receipt(request, receipt_id)
    line = _line_of(receipt, payload.line_id, payload.barcode)
    actions.record_full_inspection(receipt, line, user=request.auth, defective=payload.defective,
                                   reason=payload.reason)
    return _detail(request, receipt.pk)


@router.post("/receiving/receipts/{receipt_id}/putaway", response=ReceivingReceiptDetailOut,
             summary="上架：合格品从待检区到正常库位（WMS-05）")
def receiving_put_away(request, receipt_id: Path[Id], payload: ReceivingPutAwayIn):
    receipt = _receipt(request, receipt_id)
    sku = _sku_of(receipt, payload.sku_id, payload.barcode)
    bins = Bin.objects.filter(warehouse=receipt.warehouse)
    bin_ = bins.filter(pk=payload.bin_id).first() if payload.bin_id else bins.filter(code=payload.bin_code).first()
    if bin_ is None:
        raise BusinessError(_("库位不存在"), field="bin_code" if payload.bin_code else "bin_id", code="not_found")
    try:
        actions.put_away(receipt, user=request.auth, sku=sku, bin=bin_, quantity=payload.quantity)
    except BusinessError as error:
        if error.field == "bin":
            error.field = "bin_code" if payload.bin_code else "bin_id"
        raise
    return _detail(request, receipt.pk)
