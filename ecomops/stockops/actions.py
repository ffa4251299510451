"""Every change to transfers, counts, scrap notes and sample loans goes through here (WMS-08, WMS-09,
WMS-12, WMS-13).

Each function is one business act in one transaction: it checks the permission, the client scope
(a document of a client the user does not see reads as missing) and the document's state (anything
out of order is refused), posts the stock movements through ``inventory.ledger.post_moves`` against
the document, and writes a ``StockopsEvent``. Posted documents are never edited or deleted: a
correction is a reversal (``inventory.actions.reverse_document``, WMS-13).

Counts and stock moved after the snapshot (WMS-08): posting a count sheet is REFUSED when any stock
of the sheet's client moved in or out of a counted bin after the snapshot (other than by the sheet
itself); the message names the bins and documents. The counter cannot know whether a move happened
before or after the goods were counted, so any adjustment computed "around" it would be a guess; the
sheet is cancelled and the bins counted again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.models import SKU
from ecomops.core import validate
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import Bin, Lot, StockBalance, StockMove, Warehouse, Zone
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.models import Client
from ecomops.org.scoping import scope_for
from ecomops.policy import registry

from . import events
from .enums import (
    COUNT_FLOW,
    EXTENSION_FLOW,
    LOAN_FLOW,
    SCRAP_FLOW,
    TRANSFER_FLOW,
    CountKind,
    CountState,
    ExtensionState,
    LoanState,
    ScrapState,
    TransferState,
)
from .models import (
    CountLine,
    CountSheet,
    SampleLoan,
    SampleLoanExtension,
    SampleLoanLine,
    ScrapLine,
    ScrapNote,
    Transfer,
    TransferLine,
    TransferLot,
)

PREFIX_TRANSFER = "DB"
PREFIX_COUNT = "PD"
PREFIX_SCRAP = "BF"
PREFIX_LOAN = "YP"

SHIP_PERM = "stockops.ship_transfer"
RECEIVE_PERM = "stockops.receive_transfer"
SETTLE_PERM = "stockops.settle_transfer"
COUNT_PERM = "stockops.change_countsheet"
APPROVE_COUNT_PERM = "stockops.approve_countsheet"
APPROVE_SCRAP_PERM = "stockops.approve_scrapnote"
POST_PERM = "inventory.post_stock"
LOAN_PERM = "stockops.change_sampleloan"
APPROVE_EXTENSION_PERM = "stockops.approve_sampleloanextension"
OVERDUE_DUE_KIND = "stockops.sample_overdue"
SUPERVISOR_POSITION = "warehouse_supervisor"
NOT_COUNTED_BIN_KINDS = (BinKind.TRANSIT,)


# --- shared checks ------------------------------------------------------------------------------


def _client(user, client_id: int, label: str = "") -> None:
    """The document's client must be one the user sees whole; anything else reads as missing."""
    if not scope_for(user).sees_client(client_id):
        raise BusinessError(label or _("单据不存在"), field="client", code="not_found")


def _step(obj, model, flow: dict, to_state: str):
    """Lock the document, read its state from the database and refuse a move the flow does not allow."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    _checker(flow)(current, to_state)
    return current


def _checker(flow: dict):
    """The check ``core.flow.transition`` runs: the flow map, refused as a conflict naming the step."""

    def check(current, to_state: str) -> None:
        if not allowed(flow, current.state, to_state):
            raise Conflict(
                _("%(doc)s 当前为“%(current)s”，不能%(target)s")
                % {"doc": current.number, "current": current.get_state_display(), "target": _target(to_state)}
            )

    return check


def _move(obj, flow: dict, to_state: str, *, user, reason: str = "") -> None:
    """Set, save with the audit history (the reason defaults to the new state's name) via the one helper."""
    transition(obj, to_state, flow=flow, user=user, reason=reason, check=_checker(flow))


def _target(to_state: str) -> str:
    return {
        TransferState.SHIPPED: _("发货"),
        TransferState.DONE: _("完成收货"),
        TransferState.DISCREPANCY: _("收货"),
        TransferState.CANCELLED: _("取消"),
        CountState.SUBMITTED: _("提交"),
        CountState.POSTED: _("审核过账"),
        ScrapState.APPROVED: _("审批"),
        ScrapState.POSTED: _("过账"),
    }.get(to_state, to_state)


def events_of(doc_kind: str, obj):
    return events.of(doc_kind, obj)


def _quantity(value, *, field: str = "quantity", allow_zero: bool = False) -> int:
    lowest = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        message = _("数量须为不小于 0 的整数") if allow_zero else _("数量须为正整数")
        raise BusinessError(message, field=field)
    return value


def _sku_of(client_id: int, sku: SKU | None, *, field: str = "sku") -> SKU:
    if sku is None or sku.client_id != client_id:
        raise BusinessError(_("SKU 不存在或不属于该委托方"), field=field)
    return sku


def _bin_in(warehouse: Warehouse, bin_: Bin | None, *, field: str = "bin", kinds=None) -> Bin:
    if bin_ is None or bin_.warehouse_id != warehouse.pk:
        raise BusinessError(_("库位不属于仓库 %(wh)s") % {"wh": warehouse.code}, field=field)
    if bin_.kind == BinKind.TRANSIT:
        raise BusinessError(_("在途库位由调拨单使用，不能选择"), field=field)
    if not bin_.is_active:
        raise BusinessError(_("库位 %(bin)s 已停用") % {"bin": bin_.code}, field=field)
    if kinds is not None and bin_.kind not in kinds:
        raise BusinessError(
            _("库位 %(bin)s 是“%(kind)s”，不能用于此操作") % {"bin": bin_.code, "kind": bin_.get_kind_display()},
            field=field,
        )
    return bin_


def _fifo(sku: SKU, warehouse: Warehouse, quantity: int, *, field: str) -> list[inventory.Pick]:
    """Normal (sellable) bins, oldest lot first (WMS-10); refuses when the warehouse has too little."""
    picks = inventory.suggest_fifo(sku, warehouse, quantity)
    free = sum(p.quantity for p in picks)
    if free < quantity:
        raise BusinessError(
            _("SKU %(sku)s 在仓库 %(wh)s 可用 %(free)s 件，不足 %(qty)s 件")
            % {"sku": sku.sku_code, "wh": warehouse.code, "free": free, "qty": quantity},
            field=field,
        )
    return picks


def _merge_lines(lines, client_id: int) -> dict[int, tuple[SKU, int]]:
    merged: dict[int, tuple[SKU, int]] = {}
    for index, (sku, quantity) in enumerate(lines):
        field = f"lines.{index}"
        _sku_of(client_id, sku, field=f"{field}.sku")
        _quantity(quantity, field=f"{field}.quantity")
        previous = merged.get(sku.pk, (sku, 0))[1]
        merged[sku.pk] = (sku, previous + quantity)
    if not merged:
        raise BusinessError(_("请至少填写一行商品"), field="lines")
    return merged


# --- transfers (WMS-09) -------------------------------------------------------------------------


def transfer_doc(transfer: Transfer) -> DocRef:
    return DocRef.of(DocKind.TRANSFER, transfer)


@transaction.atomic
def request_transfer(*, user, client: Client, from_warehouse: Warehouse, to_warehouse: Warehouse, lines,
                     note: str = "") -> Transfer:
    """WMS-09: ask for goods of ``client`` to go from one warehouse to another; ``lines`` are (SKU, qty)."""
    require_perm(user, "stockops.add_transfer")
    _internal(user)
    _client(user, client.pk, _("委托方不存在"))
    if from_warehouse is None or to_warehouse is None:
        raise BusinessError(_("请选择调出仓库和调入仓库"), field="to_warehouse" if from_warehouse else "from_warehouse")
    if from_warehouse.pk == to_warehouse.pk:
        raise BusinessError(_("调入仓库不能与调出仓库相同"), field="to_warehouse")
    for warehouse, field in ((from_warehouse, "from_warehouse"), (to_warehouse, "to_warehouse")):
        if not warehouse.is_active:
            raise BusinessError(_("仓库 %(wh)s 已停用") % {"wh": warehouse.code}, field=field)
    merged = _merge_lines(lines, client.pk)
    now = timezone.now()
    transfer = Transfer(
        number=inventory.next_number(PREFIX_TRANSFER), client=client, from_warehouse=from_warehouse,
        to_warehouse=to_warehouse, note=validate.text(note, field="note", label=_("备注")), requested_by=user,
        requested_at=now,
    )
    save_audited(transfer, user=user)
    for sku, quantity in merged.values():
        save_audited(TransferLine(transfer=transfer, sku=sku, quantity=quantity), user=user)
    events.transfer_step(transfer, user=user, kind=_("申请调拨"), at=now,
                         note=_("%(a)s → %(b)s") % {"a": from_warehouse.code, "b": to_warehouse.code})
    return transfer


@transaction.atomic
def ship_transfer(transfer: Transfer, *, user) -> Transfer:
    """WMS-09: the shipping keeper signs; the goods leave their normal bins, oldest lot first, for the
    source warehouse's TRANSIT bin, each lot kept (CAT-05)."""
    require_perm(user, SHIP_PERM)
    _internal(user)
    _client(user, transfer.client_id)
    transfer = _step(transfer, Transfer, TRANSFER_FLOW, TransferState.SHIPPED)
    transit = inventory.transit_bin(transfer.from_warehouse)
    moves, rows = [], []
    for index, line in enumerate(transfer.lines.select_related("sku")):
        for pick in _fifo(line.sku, transfer.from_warehouse, line.quantity, field=f"lines.{index}.quantity"):
            moves.append(Move(sku_id=line.sku_id, lot_id=pick.balance.lot_id, quantity=pick.quantity,
                              from_bin=pick.balance.bin, to_bin=transit, note=_("调拨发货")))
            rows.append(TransferLot(line=line, lot_id=pick.balance.lot_id, from_bin=pick.balance.bin,
                                    quantity=pick.quantity))
        line.shipped = line.quantity
        save_audited(line, user=user, reason=_("调拨发货"))
    posted = post_moves(moves, doc=transfer_doc(transfer), user=user)
    TransferLot.objects.bulk_create(rows)
    transfer.shipped_by, transfer.shipped_at = user, posted[0].posted_at
    _move(transfer, TRANSFER_FLOW, TransferState.SHIPPED, user=user)
    events.transfer_step(transfer, user=user, kind=_("发货签字"), at=transfer.shipped_at,
                         note=_("共 %(n)s 件进入 %(wh)s 在途") % {"n": sum(m.quantity for m in moves),
                                                                "wh": transfer.from_warehouse.code})
    return transfer


@transaction.atomic
def receive_transfer(transfer: Transfer, *, user, counts, reasons: dict[int, str] | None = None) -> Transfer:
    """WMS-09: the receiving keeper counts what arrived into bins of the destination and signs.

    ``counts`` are (SKU, bin, quantity) rows (a SKU may be split over bins). Per SKU, what arrived is
    taken from the shipped lots in order; more than shipped enters as a new lot of this transfer. Any
    difference needs a reason in ``reasons`` (by SKU id). A shortage stays in the TRANSIT bin, visible,
    until it is settled (``settle_transfer``)."""
    require_perm(user, RECEIVE_PERM)
    _internal(user)
    _client(user, transfer.client_id)
    current = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if current.state != TransferState.SHIPPED:
        raise Conflict(
            _("%(doc)s 当前为“%(current)s”，不能收货")
            % {"doc": current.number, "current": current.get_state_display()}
        )
    transfer, reasons = current, reasons or {}
    lines = {line.sku_id: line for line in transfer.lines.select_related("sku")}
    arrived: dict[int, list[tuple[Bin, int]]] = defaultdict(list)
    for index, (sku, bin_, quantity) in enumerate(counts):
        if sku is None or sku.pk not in lines:
            raise BusinessError(_("第 %(n)s 行：SKU 不在本调拨单上") % {"n": index + 1}, field=f"counts.{index}.sku")
        _bin_in(transfer.to_warehouse, bin_, field=f"counts.{index}.bin")
        if _quantity(quantity, field=f"counts.{index}.quantity", allow_zero=True):
            arrived[sku.pk].append((bin_, quantity))
    transit = inventory.transit_bin(transfer.from_warehouse)
    doc = transfer_doc(transfer)
    moves: list[Move] = []
    short = False
    for sku_id, line in lines.items():
        total = sum(q for _b, q in arrived[sku_id])
        reason = validate.text(reasons.get(sku_id, ""), field=f"reasons.{sku_id}", label=_("差异原因"))
        if total != line.shipped and not reason:
            raise BusinessError(
                _("SKU %(sku)s 发货 %(sent)s 件、实收 %(got)s 件，请填写差异原因")
                % {"sku": line.sku.sku_code, "sent": line.shipped, "got": total},
                field=f"reasons.{sku_id}",
            )
        short = short or total < line.shipped
        shipped_lots = list(line.lots.select_for_update().order_by("pk"))
        queue = [[bin_, q] for bin_, q in arrived[sku_id]]
        for lot_row in shipped_lots:
            while lot_row.in_transit > 0 and queue:
                take = min(lot_row.in_transit, queue[0][1])
                moves.append(Move(sku_id=sku_id, lot_id=lot_row.lot_id, quantity=take, from_bin=transit,
                                  to_bin=queue[0][0], note=_("调拨收货")))
                lot_row.received += take
                queue[0][1] -= take
                if queue[0][1] == 0:
                    queue.pop(0)
            lot_row.save(update_fields=["received"])
        if queue:  # more arrived than was shipped: a new lot of this transfer (the over-receipt)
            lot = inventory.open_lot(client=transfer.client, source=doc,
                                     note=_("调拨多收：%(r)s") % {"r": reason})
            for bin_, quantity in queue:
                moves.append(Move(sku_id=sku_id, lot_id=lot.pk, quantity=quantity, to_bin=bin_,
                                  note=_("调拨多收")))
        line.received = total
        line.difference_reason = reason if total != line.shipped else ""
        save_audited(line, user=user, reason=_("调拨收货"))
    now = timezone.now()
    if moves:
        now = post_moves(moves, doc=doc, user=user)[0].posted_at
    transfer.received_by, transfer.received_at = user, now
    _move(transfer, TRANSFER_FLOW, TransferState.DISCREPANCY if short else TransferState.DONE, user=user)
    note = _("实收 %(n)s 件") % {"n": sum(line.received for line in lines.values())}
    if short:
        note += _("；短少留在途，待处理差异")
    events.transfer_step(transfer, user=user, kind=_("收货签字"), at=now, note=note)
    return transfer


@transaction.atomic
def settle_transfer(transfer: Transfer, *, user, reason: str) -> Transfer:
    """WMS-08/WMS-09: a shortage that will not arrive is written off from the TRANSIT bin against the
    transfer, with a reason, by someone allowed to settle differences; the transfer is done."""
    require_perm(user, SETTLE_PERM)
    _internal(user)
    _client(user, transfer.client_id)
    reason = validate.text(reason, field="reason", label=_("差异处理说明"), required=True)
    transfer = _step(transfer, Transfer, TRANSFER_FLOW, TransferState.DONE)
    if transfer.state != TransferState.DISCREPANCY:
        raise Conflict(_("%(doc)s 没有待处理的差异") % {"doc": transfer.number})
    transit = inventory.transit_bin(transfer.from_warehouse)
    moves = []
    for row in TransferLot.objects.select_for_update().filter(line__transfer=transfer).order_by("pk"):
        if row.in_transit > 0:
            moves.append(Move(sku_id=row.line.sku_id, lot_id=row.lot_id, quantity=row.in_transit,
                              from_bin=transit, note=_("调拨短少核销：%(r)s") % {"r": reason}))
            row.settled += row.in_transit
            row.save(update_fields=["settled"])
    now = post_moves(moves, doc=transfer_doc(transfer), user=user)[0].posted_at if moves else timezone.now()
    transfer.settled_by, transfer.settled_at, transfer.settle_reason = user, now, reason
    _move(transfer, TRANSFER_FLOW, TransferState.DONE, user=user)
    events.transfer_step(transfer, user=user, kind=_("核销短少"), at=now,
                         note=_("核销 %(n)s 件：%(r)s") % {"n": sum(m.quantity for m in moves), "r": reason})
    return transfer


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, user, reason: str = "") -> Transfer:
    """Only a transfer that has not shipped can be cancelled; after that, goods have moved (WMS-13)."""
    require_perm(user, "stockops.change_transfer")
    _internal(user)
    _client(user, transfer.client_id)
    transfer = _step(transfer, Transfer, TRANSFER_FLOW, TransferState.CANCELLED)
    now = timezone.now()
    transfer.cancelled_by, transfer.cancelled_at = user, now
    transfer.cancel_reason = validate.text(reason, field="reason", label=_("取消原因"))
    _move(transfer, TRANSFER_FLOW, TransferState.CANCELLED, user=user)
    events.transfer_step(transfer, user=user, kind=_("取消调拨"), at=now, note=transfer.cancel_reason)
    return transfer


@dataclass(frozen=True)
class InTransit:
    transfer: Transfer
    sku: SKU
    lot: Lot
    quantity: int


def in_transit(user, warehouse: Warehouse | None = None) -> list[InTransit]:
    """WMS-09: what is on its way, per transfer, SKU and lot (shipped, not yet received or settled)."""
    rows = (
        TransferLot.objects.select_related("line__transfer__from_warehouse", "line__transfer__to_warehouse",
                                           "line__sku", "lot")
        .filter(line__transfer__in=Transfer.objects.visible_to(user),
                line__transfer__state__in=[TransferState.SHIPPED, TransferState.DISCREPANCY])
        .order_by("line__transfer__shipped_at", "line__transfer_id", "pk")
    )
    if warehouse is not None:
        rows = rows.filter(Q(line__transfer__from_warehouse=warehouse) | Q(line__transfer__to_warehouse=warehouse))
    return [InTransit(r.line.transfer, r.line.sku, r.lot, r.in_transit) for r in rows if r.in_transit > 0]


# --- counts (WMS-08) ----------------------------------------------------------------------------


def count_doc(sheet: CountSheet) -> DocRef:
    return DocRef.of(DocKind.COUNT, sheet)


def sheet_bins(sheet: CountSheet):
    """The bins a sheet covers: the bins chosen, else the zone's, else the whole warehouse's."""
    bins = Bin.objects.filter(warehouse=sheet.warehouse).exclude(kind__in=NOT_COUNTED_BIN_KINDS)
    chosen = list(sheet.bins.values_list("pk", flat=True))
    if chosen:
        return bins.filter(pk__in=chosen)
    if sheet.zone_id:
        return bins.filter(zone_id=sheet.zone_id)
    return bins


@transaction.atomic
def create_count(*, user, client: Client, warehouse: Warehouse, kind: str = CountKind.CYCLE, zone: Zone | None = None,
                 bins=(), skus=(), finance_participant=None, note: str = "") -> CountSheet:
    """WMS-08: a count sheet with the book quantities frozen now (bin × SKU × lot, on hand > 0).
    A quarterly full count covers the whole warehouse and is taken with finance: the finance participant
    is recorded and must be someone other than the person who opens the sheet."""
    require_perm(user, "stockops.add_countsheet")
    _internal(user)
    _client(user, client.pk, _("委托方不存在"))
    if kind not in CountKind.values:
        raise BusinessError(_("请选择盘点类型"), field="kind")
    bins, skus = list(bins or ()), list(skus or ())
    if zone is not None and zone.warehouse_id != warehouse.pk:
        raise BusinessError(_("库区不属于该仓库"), field="zone")
    for bin_ in bins:
        _bin_in(warehouse, bin_, field="bins")
    for sku in skus:
        _sku_of(client.pk, sku, field="skus")
    if kind == CountKind.FULL:
        if zone is not None or bins or skus:
            raise BusinessError(_("季度全盘覆盖整个仓库，不能限定库区、库位或 SKU"), field="kind")
        if finance_participant is None:
            raise BusinessError(_("季度全盘须有财务人员监盘，请选择财务监盘人（WMS-08）"), field="finance_participant")
        if finance_participant.pk == user.pk:
            raise BusinessError(_("财务监盘人不能是制单人本人"), field="finance_participant")
    now = timezone.now()
    sheet = CountSheet(
        number=inventory.next_number(PREFIX_COUNT), kind=kind, client=client, warehouse=warehouse, zone=zone,
        finance_participant=finance_participant if kind == CountKind.FULL else None,
        note=validate.text(note, field="note", label=_("备注")), created_by=user, snapshot_at=now,
    )
    save_audited(sheet, user=user)
    if bins:
        sheet.bins.set(bins)
    if skus:
        sheet.skus.set(skus)
    balances = StockBalance.objects.filter(client=client, warehouse=warehouse, bin__in=sheet_bins(sheet), on_hand__gt=0)
    if skus:
        balances = balances.filter(sku__in=skus)
    CountLine.objects.bulk_create([
        CountLine(sheet=sheet, bin_id=b.bin_id, sku_id=b.sku_id, lot_id=b.lot_id, book=b.on_hand)
        for b in balances.order_by("bin_id", "sku_id", "lot_id")
    ])
    label = CountKind(kind).label
    if finance_participant is not None and kind == CountKind.FULL:
        label += _("（财务监盘：%(who)s）") % {"who": finance_participant}
    events.count_step(sheet, user=user, kind=_("创建盘点单"), at=now, note=label)
    return sheet


def _counting(sheet: CountSheet) -> CountSheet:
    current = CountSheet.objects.select_for_update().get(pk=sheet.pk)
    if current.state != CountState.COUNTING:
        raise Conflict(_("%(doc)s 当前为“%(state)s”，不能再录入盘点数量")
                       % {"doc": current.number, "state": current.get_state_display()})
    return current


@transaction.atomic
def record_count(sheet: CountSheet, *, user, bin: Bin, sku: SKU, quantity: int, lot: Lot | None = None,
                 add: bool = False) -> CountLine:
    """WMS-08: the counter enters (or, scanning, adds to) what is in a bin. Goods not on the sheet are
    recorded as found (a new line; posting opens a lot for them unless their lot is known)."""
    require_perm(user, COUNT_PERM)
    _internal(user)
    _client(user, sheet.client_id)
    sheet = _counting(sheet)
    if not sheet_bins(sheet).filter(pk=getattr(bin, "pk", None)).exists():
        raise BusinessError(_("库位不在本盘点单范围内"), field="bin")
    _sku_of(sheet.client_id, sku)
    chosen_skus = list(sheet.skus.values_list("pk", flat=True))
    if chosen_skus and sku.pk not in chosen_skus:
        raise BusinessError(_("SKU %(sku)s 不在本盘点单范围内") % {"sku": sku.sku_code}, field="sku")
    if lot is not None and lot.client_id != sheet.client_id:
        raise BusinessError(_("批次不属于该委托方"), field="lot")
    _quantity(quantity, allow_zero=not add)
    lines = CountLine.objects.select_for_update().filter(sheet=sheet, bin=bin, sku=sku)
    if lot is not None:
        line = lines.filter(lot=lot).first()
    else:
        candidates = list(lines)
        if len(candidates) > 1:
            raise BusinessError(
                _("库位 %(bin)s 的 SKU %(sku)s 有多个批次，请先选择或扫描批次号")
                % {"bin": bin.code, "sku": sku.sku_code},
                field="lot",
            )
        line = candidates[0] if candidates else None
    if line is None:
        line = CountLine(sheet=sheet, bin=bin, sku=sku, lot=lot, book=0, found=True)
    line.counted = ((line.counted or 0) + quantity) if add else quantity
    line.counted_by, line.counted_at = user, timezone.now()
    save_audited(line, user=user, reason=_("盘点"))
    return line


@dataclass
class ScanResult:
    kind: str  # "bin", "lot", "sku"
    bin: Bin | None = None
    lot: Lot | None = None
    line: CountLine | None = None


def scan_code(sheet: CountSheet, *, user, code: str, bin: Bin | None = None, lot: Lot | None = None) -> ScanResult:
    """A barcode scanner types a code and presses Enter (WMS-08 counting): a bin code chooses the bin,
    a lot number the lot, a SKU barcode (or SKU code) adds one unit to the current bin (and lot)."""
    code = (code or "").strip()
    if not code:
        raise BusinessError(_("请扫描条码"), field="code")
    found_bin = sheet_bins(sheet).filter(code=code).first()
    if found_bin is not None:
        return ScanResult("bin", bin=found_bin)
    found_lot = Lot.objects.filter(client_id=sheet.client_id, number=code).first()
    if found_lot is not None:
        if bin is None:
            raise BusinessError(_("请先扫描库位条码"), field="code")
        return ScanResult("lot", bin=bin, lot=found_lot)
    sku = SKU.objects.filter(Q(barcode=code) | Q(sku_code=code), client_id=sheet.client_id).first()
    if sku is None:
        raise BusinessError(_("无法识别条码“%(code)s”：不是本单的库位、批次或 SKU") % {"code": code[:40]},
                            field="code")
    if bin is None:
        raise BusinessError(_("请先扫描库位条码"), field="code")
    line = record_count(sheet, user=user, bin=bin, sku=sku, lot=lot, quantity=1, add=True)
    return ScanResult("sku", bin=bin, lot=lot, line=line)


@transaction.atomic
def submit_count(sheet: CountSheet, *, user) -> CountSheet:
    """WMS-08: counting is finished; a line nobody counted counts as 0; the differences are computed."""
    require_perm(user, COUNT_PERM)
    _internal(user)
    _client(user, sheet.client_id)
    sheet = _step(sheet, CountSheet, COUNT_FLOW, CountState.SUBMITTED)
    now = timezone.now()
    sheet.lines.filter(counted__isnull=True).update(counted=0)
    sheet.submitted_by, sheet.submitted_at = user, now
    _move(sheet, COUNT_FLOW, CountState.SUBMITTED, user=user)
    differing = [line for line in sheet.lines.all() if line.difference]
    events.count_step(sheet, user=user, kind=_("提交盘点"), at=now,
                      note=_("差异 %(n)s 行") % {"n": len(differing)})
    return sheet


def _describe_line(line: CountLine) -> str:
    return _("库位 %(bin)s SKU %(sku)s 批次 %(lot)s") % {
        "bin": line.bin.code, "sku": line.sku.sku_code, "lot": line.lot.number if line.lot_id else _("新批次")}


@transaction.atomic
def explain_difference(line: CountLine, *, user, reason: str) -> CountLine:
    """WMS-08: every difference is explained before it is posted."""
    require_perm(user, COUNT_PERM)
    _internal(user)
    _client(user, line.sheet.client_id)
    sheet = CountSheet.objects.select_for_update().get(pk=line.sheet_id)
    if sheet.state != CountState.SUBMITTED:
        raise Conflict(_("%(doc)s 当前为“%(state)s”，不能填写差异原因")
                       % {"doc": sheet.number, "state": sheet.get_state_display()})
    line = CountLine.objects.get(pk=line.pk)
    if not line.difference:
        raise BusinessError(_("%(line)s 没有差异") % {"line": _describe_line(line)}, field="reason")
    line.reason = validate.text(reason, field="reason", label=_("差异原因"), required=True)
    save_audited(line, user=user, reason=_("差异原因"))
    return line


def counters_of(sheet: CountSheet) -> set[int]:
    ids = set(sheet.lines.exclude(counted_by=None).values_list("counted_by", flat=True))
    if sheet.submitted_by_id:
        ids.add(sheet.submitted_by_id)
    return ids


def moved_since_snapshot(sheet: CountSheet):
    """Movements of the sheet's client into or out of its bins after the snapshot, other than its own."""
    bins = list(sheet_bins(sheet).values_list("pk", flat=True))
    moves = (
        StockMove.objects.filter(client_id=sheet.client_id, posted_at__gt=sheet.snapshot_at)
        .filter(Q(from_bin_id__in=bins) | Q(to_bin_id__in=bins))
        .exclude(doc_kind=DocKind.COUNT, doc_id=str(sheet.pk))
    )
    chosen = list(sheet.skus.values_list("pk", flat=True))
    if chosen:
        moves = moves.filter(sku_id__in=chosen)
    return moves.select_related("from_bin", "to_bin").order_by("pk")


@transaction.atomic
def approve_count(sheet: CountSheet, *, user) -> CountSheet:
    """WMS-08: someone with the approval right, who did not count, approves; the differences are posted
    as ledger moves against the sheet (gain: into the bin from outside; loss: out of the bin)."""
    require_perm(user, APPROVE_COUNT_PERM)
    _internal(user)
    _client(user, sheet.client_id)
    sheet = _step(sheet, CountSheet, COUNT_FLOW, CountState.POSTED)
    if sheet.state != CountState.SUBMITTED:
        raise Conflict(_("%(doc)s 尚未提交，不能审核") % {"doc": sheet.number})
    if user.pk in counters_of(sheet):
        raise NotAllowed(_("盘点差异须由未参与本次盘点的人审核（WMS-08）"))
    lines = list(sheet.lines.select_related("bin", "sku", "lot"))
    for line in lines:
        if line.difference and not line.reason.strip():
            raise BusinessError(_("%(line)s 有差异 %(diff)+d 件，请先填写差异原因")
                                % {"line": _describe_line(line), "diff": line.difference}, field="reason")
    moved = list(moved_since_snapshot(sheet)[:5])
    if moved:
        where = "；".join(
            f"{(m.from_bin or m.to_bin).code}（{m.doc_number}）" for m in moved
        )
        raise Conflict(
            _("盘点快照之后以下库位有库存移动，账面已变，不能过账：%(where)s。请作废本盘点单后重新盘点。")
            % {"where": where}
        )
    doc = count_doc(sheet)
    moves = []
    new_lot = None
    for line in lines:
        diff = line.difference
        if not diff:
            continue
        if line.lot_id is None:
            if new_lot is None:
                new_lot = inventory.open_lot(client=sheet.client, source=doc, note=_("盘盈"))
            line.lot = new_lot
            line.save(update_fields=["lot"])
        note = (_("盘盈：") if diff > 0 else _("盘亏：")) + line.reason
        if diff > 0:
            moves.append(Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=diff, to_bin=line.bin, note=note))
        else:
            moves.append(Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=-diff, from_bin=line.bin, note=note))
    now = post_moves(moves, doc=doc, user=user)[0].posted_at if moves else timezone.now()
    sheet.approved_by, sheet.approved_at = user, now
    _move(sheet, COUNT_FLOW, CountState.POSTED, user=user)
    gain = sum(m.quantity for m in moves if m.from_bin is None)
    loss = sum(m.quantity for m in moves if m.to_bin is None)
    events.count_step(sheet, user=user, kind=_("审核过账"), at=now,
                      note=_("盘盈 %(g)s 件，盘亏 %(l)s 件") % {"g": gain, "l": loss})
    return sheet


@transaction.atomic
def cancel_count(sheet: CountSheet, *, user, reason: str = "") -> CountSheet:
    require_perm(user, COUNT_PERM)
    _internal(user)
    _client(user, sheet.client_id)
    sheet = _step(sheet, CountSheet, COUNT_FLOW, CountState.CANCELLED)
    now = timezone.now()
    sheet.cancelled_by, sheet.cancelled_at = user, now
    _move(sheet, COUNT_FLOW, CountState.CANCELLED, user=user)
    events.count_step(sheet, user=user, kind=_("作废盘点单"), at=now,
                      note=validate.text(reason, field="reason", label=_("作废原因")))
    return sheet


# --- scrap notes (WMS-08) -----------------------------------------------------------------------


def scrap_doc(note: ScrapNote) -> DocRef:
    return DocRef.of(DocKind.SCRAP, note)


@transaction.atomic
def create_scrap(*, user, client: Client, warehouse: Warehouse, reason: str, lines) -> ScrapNote:
    """WMS-08: goods (usually from the defective bin) to be scrapped, with a reason. ``lines`` are
    (SKU, bin, quantity, lot or None); without a lot the bin's oldest lots are taken."""
    require_perm(user, "stockops.add_scrapnote")
    _internal(user)
    _client(user, client.pk, _("委托方不存在"))
    reason = validate.text(reason, field="reason", label=_("报废原因"), required=True)
    rows = []
    for index, (sku, bin_, quantity, lot) in enumerate(lines):
        field = f"lines.{index}"
        _sku_of(client.pk, sku, field=f"{field}.sku")
        _bin_in(warehouse, bin_, field=f"{field}.bin")
        _quantity(quantity, field=f"{field}.quantity")
        if lot is not None:
            balance = StockBalance.objects.filter(sku=sku, bin=bin_, lot=lot).first()
            free = balance.available if balance else 0
            picks = [(lot, quantity)] if free >= quantity else []
        else:
            found = [p for p in inventory.suggest_fifo(sku, warehouse, 10**9, bin_kinds=[bin_.kind])
                     if p.balance.bin_id == bin_.pk]
            picks, remaining = [], quantity
            for pick in found:
                take = min(pick.quantity, remaining)
                if take:
                    picks.append((pick.balance.lot, take))
                    remaining -= take
            free = sum(p.quantity for p in found)
        if sum(q for _l, q in picks) < quantity:
            raise BusinessError(
                _("库位 %(bin)s 的 SKU %(sku)s 可用 %(free)s 件，不足 %(qty)s 件")
                % {"bin": bin_.code, "sku": sku.sku_code, "free": free, "qty": quantity},
                field=f"{field}.quantity",
            )
        rows.extend((sku, bin_, picked_lot, q) for picked_lot, q in picks)
    if not rows:
        raise BusinessError(_("请至少填写一行商品"), field="lines")
    now = timezone.now()
    note = ScrapNote(number=inventory.next_number(PREFIX_SCRAP), client=client, warehouse=warehouse, reason=reason,
                     created_by=user, created_at=now)
    save_audited(note, user=user)
    for sku, bin_, lot, quantity in rows:
        save_audited(ScrapLine(note=note, sku=sku, bin=bin_, lot=lot, quantity=quantity), user=user)
    events.scrap_step(note, user=user, kind=_("填写报废单"), at=now, note=reason)
    return note


@transaction.atomic
def approve_scrap(note: ScrapNote, *, user) -> ScrapNote:
    """WMS-08: scrapping needs the approval of someone other than who wrote the note."""
    require_perm(user, APPROVE_SCRAP_PERM)
    _internal(user)
    _client(user, note.client_id)
    note = _step(note, ScrapNote, SCRAP_FLOW, ScrapState.APPROVED)
    if note.created_by_id == user.pk:
        raise NotAllowed(_("报废单须由制单人以外的人审批（WMS-08）"))
    now = timezone.now()
    note.approved_by, note.approved_at = user, now
    _move(note, SCRAP_FLOW, ScrapState.APPROVED, user=user)
    events.scrap_step(note, user=user, kind=_("审批报废"), at=now)
    return note


@transaction.atomic
def post_scrap(note: ScrapNote, *, user) -> ScrapNote:
    """The approved goods leave the company's stock (moves out of their bins to nowhere)."""
    require_perm(user, POST_PERM)
    _internal(user)
    _client(user, note.client_id)
    note = _step(note, ScrapNote, SCRAP_FLOW, ScrapState.POSTED)
    moves = [Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=line.quantity, from_bin=line.bin,
                  note=_("报废：%(r)s") % {"r": note.reason}) for line in note.lines.select_related("bin")]
    rows = post_moves(moves, doc=scrap_doc(note), user=user)
    note.posted_by, note.posted_at = user, rows[0].posted_at
    _move(note, SCRAP_FLOW, ScrapState.POSTED, user=user)
    events.scrap_step(note, user=user, kind=_("报废过账"), at=note.posted_at,
                      note=_("报废 %(n)s 件") % {"n": sum(m.quantity for m in moves)})
    return note


@transaction.atomic
def cancel_scrap(note: ScrapNote, *, user, reason: str = "") -> ScrapNote:
    require_perm(user, "stockops.change_scrapnote")
    _internal(user)
    _client(user, note.client_id)
    note = _step(note, ScrapNote, SCRAP_FLOW, ScrapState.CANCELLED)
    now = timezone.now()
    note.cancelled_by, note.cancelled_at = user, now
    _move(note, SCRAP_FLOW, ScrapState.CANCELLED, user=user)
    events.scrap_step(note, user=user, kind=_("作废报废单"), at=now,
                      note=validate.text(reason, field="reason", label=_("作废原因")))
    return note


# --- sample loans (WMS-12) ----------------------------------------------------------------------


def loan_doc(loan: SampleLoan) -> DocRef:
    return DocRef.of(DocKind.SAMPLE_LOAN, loan)


def loan_days(on: date) -> int:
    """WMS-12: how many days a sample may stay out, from the policy registry."""
    period = registry.value("WMS-12.sample_loan_due_after", on=on)
    return period.days if isinstance(period, timedelta) else int(period)


@transaction.atomic
def lend_samples(*, user, client: Client, warehouse: Warehouse, borrower: str, lines, lent_on: date | None = None,
                 samples_bin: Bin | None = None, purpose: str = "") -> SampleLoan:
    """WMS-12: the transfer slip (date, style, colour, size, quantity, borrower). The goods move from
    normal bins (oldest lot first) into a samples bin: still the company's stock, no longer for sale.
    They are due back after the WMS-12 policy period."""
    require_perm(user, "stockops.add_sampleloan")
    _internal(user)
    _client(user, client.pk, _("委托方不存在"))
    borrower = validate.text(borrower, field="borrower", label=_("借用人"), required=True, max_length=60)
    today = timezone.localdate()
    lent_on = lent_on or today
    if lent_on > today:
        raise BusinessError(_("借出日期不能晚于今天"), field="lent_on")
    if samples_bin is None:
        samples_bin = Bin.objects.filter(warehouse=warehouse, kind=BinKind.SAMPLES, is_active=True).first()
        if samples_bin is None:
            raise BusinessError(_("仓库 %(wh)s 没有样品库位，请先建立") % {"wh": warehouse.code}, field="samples_bin")
    _bin_in(warehouse, samples_bin, field="samples_bin", kinds=(BinKind.SAMPLES,))
    merged = _merge_lines(lines, client.pk)
    days = loan_days(lent_on)
    now = timezone.now()
    loan = SampleLoan(
        number=inventory.next_number(PREFIX_LOAN), client=client, warehouse=warehouse, samples_bin=samples_bin,
        borrower=borrower, purpose=validate.text(purpose, field="purpose", label=_("用途")), lent_on=lent_on,
        due_on=lent_on + timedelta(days=days), policy_days=days, lent_by=user, lent_at=now,
    )
    save_audited(loan, user=user)
    moves, rows = [], []
    for index, (sku, quantity) in enumerate(merged.values()):
        for pick in _fifo(sku, warehouse, quantity, field=f"lines.{index}.quantity"):
            moves.append(Move(sku_id=sku.pk, lot_id=pick.balance.lot_id, quantity=pick.quantity,
                              from_bin=pick.balance.bin, to_bin=samples_bin, note=_("借出拍摄样品")))
            rows.append(SampleLoanLine(loan=loan, sku=sku, lot_id=pick.balance.lot_id, from_bin=pick.balance.bin,
                                       quantity=pick.quantity))
    post_moves(moves, doc=loan_doc(loan), user=user)
    SampleLoanLine.objects.bulk_create(rows)
    events.loan_step(loan, user=user, kind=_("借出样品"), at=now,
                     note=_("借用人 %(who)s，应还日期 %(due)s（WMS-12：%(days)s 天）")
                     % {"who": borrower, "due": loan.due_on.isoformat(), "days": days})
    return loan


def _lent(loan: SampleLoan, verb: str) -> SampleLoan:
    current = SampleLoan.objects.select_for_update().get(pk=loan.pk)
    if current.state != LoanState.LENT:
        raise Conflict(_("%(doc)s 已归还，不能%(verb)s") % {"doc": current.number, "verb": verb})
    return current


@transaction.atomic
def request_extension(loan: SampleLoan, *, user, new_due_on: date, note: str) -> SampleLoanExtension:
    """WMS-12: keeping samples longer needs an extension with a note."""
    require_perm(user, LOAN_PERM)
    _internal(user)
    _client(user, loan.client_id)
    loan = _lent(loan, _("申请延期"))
    note = validate.text(note, field="note", label=_("延期说明"), required=True)
    if new_due_on is None or new_due_on <= loan.due_on:
        raise BusinessError(_("延期后的应还日期须晚于当前应还日期 %(due)s") % {"due": loan.due_on.isoformat()},
                            field="new_due_on")
    if loan.extensions.filter(state=ExtensionState.PENDING).exists():
        raise Conflict(_("%(doc)s 已有待审批的延期申请") % {"doc": loan.number})
    now = timezone.now()
    extension = SampleLoanExtension(loan=loan, new_due_on=new_due_on, note=note, requested_by=user, requested_at=now)
    save_audited(extension, user=user)
    events.loan_step(loan, user=user, kind=_("申请延期"), at=now,
                     note=_("延至 %(due)s：%(note)s") % {"due": new_due_on.isoformat(), "note": note})
    return extension


def _extension_pending(extension: SampleLoanExtension, to_state: str) -> None:
    if not allowed(EXTENSION_FLOW, extension.state, to_state):
        raise Conflict(_("该延期申请已处理"))


@transaction.atomic
def decide_extension(extension: SampleLoanExtension, *, user, approve: bool) -> SampleLoanExtension:
    """WMS-12: the warehouse supervisor approves (the loan gets the new due date) or rejects."""
    require_perm(user, APPROVE_EXTENSION_PERM)
    _internal(user)
    _client(user, extension.loan.client_id)
    loan = _lent(extension.loan, _("审批延期"))
    extension = SampleLoanExtension.objects.select_for_update().get(pk=extension.pk)
    _extension_pending(extension, ExtensionState.APPROVED if approve else ExtensionState.REJECTED)
    supervisor = loan.warehouse.supervisor_id
    if supervisor and supervisor != user.pk and not user.is_superuser:
        raise NotAllowed(_("样品借用延期须由仓库主管审批（WMS-12）"))
    if extension.requested_by_id == user.pk:
        raise NotAllowed(_("不能审批自己提交的延期申请"))
    now = timezone.now()
    transition(extension, ExtensionState.APPROVED if approve else ExtensionState.REJECTED, flow=EXTENSION_FLOW,
               user=user, check=_extension_pending, changes={"decided_by": user, "decided_at": now})
    if approve:
        old = loan.due_on
        loan.due_on = extension.new_due_on
        save_audited(loan, user=user, reason=_("批准延期"))
        if not loan.is_overdue(timezone.localdate()):
            dues.complete_due(kind=OVERDUE_DUE_KIND, source=loan, user=user, at=now)
        note = _("应还日期 %(old)s → %(new)s") % {"old": old.isoformat(), "new": loan.due_on.isoformat()}
    else:
        note = _("驳回延期至 %(new)s") % {"new": extension.new_due_on.isoformat()}
    events.loan_step(loan, user=user, kind=_("批准延期") if approve else _("驳回延期"), at=now,
                     note=note)
    return extension


@transaction.atomic
def return_samples(loan: SampleLoan, *, user, to_bin: Bin | None = None) -> SampleLoan:
    """WMS-12: the samples come back, to the bins they were taken from (or to ``to_bin``), for sale again."""
    require_perm(user, LOAN_PERM)
    _internal(user)
    _client(user, loan.client_id)
    loan = _lent(loan, _("归还"))
    if to_bin is not None:
        _bin_in(loan.warehouse, to_bin, field="to_bin", kinds=(BinKind.NORMAL,))
    moves = [
        Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=line.quantity, from_bin=loan.samples_bin,
             to_bin=to_bin or line.from_bin, note=_("样品归还"))
        for line in loan.lines.select_related("from_bin")
    ]
    rows = post_moves(moves, doc=loan_doc(loan), user=user)
    loan.returned_by, loan.returned_at = user, rows[0].posted_at
    _move(loan, LOAN_FLOW, LoanState.RETURNED, user=user)
    dues.complete_due(kind=OVERDUE_DUE_KIND, source=loan, user=user, at=loan.returned_at)
    late = (timezone.localdate() - loan.due_on).days
    note = _("逾期 %(n)s 天归还") % {"n": late} if late > 0 else _("按期归还")
    events.loan_step(loan, user=user, kind=_("样品归还"), at=loan.returned_at, note=note)
    return loan


def warehouse_supervisors(warehouse: Warehouse, client_id: int | None = None) -> list:
    """Who is told about a warehouse's overdue samples: its supervisor; when none is set, the active
    holders of the warehouse supervisor position; when there are none, the active superusers. With
    ``client_id``, only people who see that client (DAT-02): the loan is the client's."""
    User = get_user_model()

    def seeing(people):
        return [u for u in people if client_id is None or scope_for(u).sees_client(client_id)]

    if warehouse.supervisor_id and warehouse.supervisor.is_active and seeing([warehouse.supervisor]):
        return [warehouse.supervisor]
    holders = seeing(
        User.objects.filter(is_active=True, staff__position_links__position__code=SUPERVISOR_POSITION)
        .distinct().order_by("pk")
    )
    return holders or list(User.objects.filter(is_superuser=True, is_active=True).order_by("pk"))


def flag_overdue_loans(today: date | None = None) -> list:
    """WMS-12 daily: each loan past its due date raises a due item to the warehouse supervisor (once)."""
    today = today or timezone.localdate()
    raised = []
    loans = SampleLoan.objects.filter(state=LoanState.LENT, due_on__lt=today).select_related("warehouse", "client")
    for loan in loans.order_by("due_on", "pk"):
        due_at = timezone.make_aware(datetime.combine(loan.due_on + timedelta(days=1), time.min))
        title = _("样品逾期未还：%(doc)s（%(who)s，应还 %(due)s）") % {
            "doc": loan.number, "who": loan.borrower, "due": loan.due_on.isoformat()}
        raised.extend(dues.raise_dues(
            kind=OVERDUE_DUE_KIND, owners=warehouse_supervisors(loan.warehouse, loan.client_id), title=title,
            due_at=due_at, source=loan, clause="WMS-12", link=reverse("stockops:loan_detail", args=[loan.pk]),
            client=loan.client,
        ))
    return raised
