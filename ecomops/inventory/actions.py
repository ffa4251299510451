"""Every change to the warehouse core goes through here (WMS-07, WMS-10, WMS-13).

Locations (warehouse, zone, bin), lots, the core's own documents (bin move, outbound against a
reference, opening balance), reversals of any posted document, and document numbers. The modules
built on top (receiving, transfers, counts, orders …) post through ``ledger.post_moves`` and
``reservations``, open lots with ``open_lot`` and reverse with ``reverse_document``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.catalog.models import SKU
from ecomops.core.documents import next_number  # noqa: F401  (inventory.next_number: the callers' name)
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.core.validate import apply_changes, save_checked
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.models import Client
from ecomops.org.scoping import scope_for

from .enums import DOC_FLOW, SELLABLE_BIN_KINDS, BinKind, DocKind, DocState, OutboundReason
from .ledger import DocRef, Move, post_moves
from .models import (
    Bin,
    Lot,
    Reversal,
    StockBalance,
    StockDocument,
    StockDocumentLine,
    StockMove,
    Warehouse,
    Zone,
)

LOCATION_PERM = "inventory.change_warehouse"
POST_PERM = "inventory.post_stock"
REVERSE_PERM = "inventory.reverse_stock"
DOCUMENT_PERM = "inventory.add_stockdocument"

WAREHOUSE_FIELDS = ("code", "name", "address", "supervisor", "is_active")
ZONE_FIELDS = ("code", "name", "purpose", "is_active")
BIN_FIELDS = ("code", "zone", "kind", "pick_order", "is_active")

PREFIXES = {
    DocKind.BIN_MOVE: "YK",
    DocKind.OUTBOUND: "CK",
    DocKind.OPENING: "QC",
    DocKind.REVERSAL: "CX",
}

# An IntegrityError on save: the same unique value saved at the same moment by somebody else.
DUPLICATE = gettext_lazy("保存失败：编码与已有记录重复")


def _require_client(user, client_id: int) -> None:
    if not scope_for(user).sees_client(client_id, whole=False):
        raise NotAllowed(_("您无权操作该委托方的库存"))


# --- numbers ------------------------------------------------------------------------------------


# --- locations (WMS-07) -------------------------------------------------------------------------


@transaction.atomic
def create_warehouse(*, user, **fields) -> Warehouse:
    require_perm(user, "inventory.add_warehouse")
    _internal(user)
    warehouse = Warehouse()
    apply_changes(warehouse, fields, WAREHOUSE_FIELDS)
    save_checked(warehouse, user=user, duplicate=DUPLICATE, field="code", validate=True)
    transit = Bin(warehouse=warehouse, code="TRANSIT", kind=BinKind.TRANSIT, pick_order=9999)
    save_checked(transit, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return warehouse


@transaction.atomic
def update_warehouse(warehouse: Warehouse, *, user, **changes) -> Warehouse:
    require_perm(user, LOCATION_PERM)
    _internal(user)
    if apply_changes(warehouse, changes, WAREHOUSE_FIELDS):
        save_checked(warehouse, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return warehouse


@transaction.atomic
def create_zone(warehouse: Warehouse, *, user, **fields) -> Zone:
    require_perm(user, LOCATION_PERM)
    _internal(user)
    zone = Zone(warehouse=warehouse)
    apply_changes(zone, fields, ZONE_FIELDS)
    save_checked(zone, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return zone


@transaction.atomic
def update_zone(zone: Zone, *, user, **changes) -> Zone:
    require_perm(user, LOCATION_PERM)
    _internal(user)
    if apply_changes(zone, changes, ZONE_FIELDS):
        save_checked(zone, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return zone


def _check_bin(bin_: Bin) -> None:
    if bin_.kind == BinKind.TRANSIT:
        raise BusinessError(_("在途库位由系统维护，不能手工创建或修改"), field="kind")
    if bin_.zone_id and bin_.zone.warehouse_id != bin_.warehouse_id:
        raise BusinessError(_("库区不属于该仓库"), field="zone")


@transaction.atomic
def create_bin(warehouse: Warehouse, *, user, **fields) -> Bin:
    require_perm(user, LOCATION_PERM)
    _internal(user)
    bin_ = Bin(warehouse=warehouse)
    apply_changes(bin_, fields, BIN_FIELDS)
    _check_bin(bin_)
    save_checked(bin_, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return bin_


@transaction.atomic
def update_bin(bin_: Bin, *, user, **changes) -> Bin:
    require_perm(user, LOCATION_PERM)
    _internal(user)
    if bin_.kind == BinKind.TRANSIT:
        raise BusinessError(_("在途库位由系统维护，不能手工创建或修改"), field="kind")
    holding = StockBalance.objects.filter(bin=bin_, on_hand__gt=0).exists()
    if holding and ("kind" in changes and changes["kind"] != bin_.kind):
        raise Conflict(_("库位 %(bin)s 仍有库存，不能改变库位类型") % {"bin": bin_.code}, field="kind")
    if holding and changes.get("is_active") is False:
        raise Conflict(_("库位 %(bin)s 仍有库存，不能停用") % {"bin": bin_.code}, field="is_active")
    if apply_changes(bin_, changes, BIN_FIELDS):
        _check_bin(bin_)
        save_checked(bin_, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return bin_


def transit_bin(warehouse: Warehouse) -> Bin:
    return Bin.objects.get(warehouse=warehouse, kind=BinKind.TRANSIT)


# --- lots (CAT-05) ------------------------------------------------------------------------------


def open_lot(*, client: Client, source: DocRef, received_on: date | None = None, supplier=None, note: str = "") -> Lot:
    """A new lot for goods that enter the company's stock through ``source`` (a receipt, a count gain,
    a customer return). The number is ``LOT`` + day + sequence."""
    day = received_on or timezone.localdate()
    return Lot.objects.create(
        number=next_number("LOT", day),
        client=client,
        supplier=supplier,
        received_on=day,
        source_kind=source.kind,
        source_id=source.id,
        source_number=source.number,
        note=note[:200],
    )


# --- FIFO suggestion (WMS-10) -------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    balance: StockBalance
    quantity: int


def suggest_fifo(sku: SKU, warehouse: Warehouse, quantity: int, *, bin_kinds=SELLABLE_BIN_KINDS) -> list[Pick]:
    """Which bins and lots to take ``quantity`` from, oldest lot first (WMS-10), pre-packed parcels
    (FUL-05) last; available stock only. Returns fewer units than asked when the warehouse does not
    have them."""
    prepacked = Case(When(bin__kind=BinKind.PREPACK, then=Value(1)), default=Value(0))
    rows = (
        StockBalance.objects.select_related("lot", "bin")
        .filter(sku=sku, warehouse=warehouse, bin__kind__in=bin_kinds, bin__is_active=True, on_hand__gt=F("reserved"))
        .order_by(prepacked, "lot__received_on", "lot_id", "bin__pick_order", "bin__code")
    )
    picks, remaining = [], quantity
    for balance in rows:
        if remaining <= 0:
            break
        take = min(balance.available, remaining)
        picks.append(Pick(balance, take))
        remaining -= take
    return picks


# --- the core's own documents -------------------------------------------------------------------


def _editable(document: StockDocument) -> None:
    """Drafts only; the state is read from the database, not from a possibly stale object."""
    state = StockDocument.objects.filter(pk=document.pk).values_list("state", flat=True).first()
    if state != DocState.DRAFT:
        raise Conflict(
            _("单据 %(number)s 已过账，不能修改；如有错误请冲销后重开（WMS-13）") % {"number": document.number}
        )


@transaction.atomic
def create_document(
    *, user, kind: str, warehouse: Warehouse, client: Client, reason: str = "", reference: str = "", note: str = ""
) -> StockDocument:
    """A draft bin move (移库单), outbound (出库单: only against a reference document, WMS-10) or
    opening balance (期初)."""
    require_perm(user, DOCUMENT_PERM)
    _internal(user)
    _require_client(user, client.pk)
    if kind not in StockDocument.KINDS:
        raise BusinessError(_("不支持的单据类型"), field="kind")
    if kind == DocKind.OUTBOUND:
        if not reference.strip():
            raise BusinessError(_("出库必须填写依据单据（WMS-10）"), field="reference")
        if reason not in OutboundReason.values:
            raise BusinessError(_("请选择出库原因"), field="reason")
    document = StockDocument(
        number=next_number(PREFIXES[kind]),
        kind=kind,
        warehouse=warehouse,
        client=client,
        reason=reason if kind == DocKind.OUTBOUND else "",
        reference=reference.strip(),
        note=note,
        created_by=user,
    )
    save_checked(document, user=user, duplicate=DUPLICATE, field="code", validate=True)
    return document


def _bin_of(warehouse: Warehouse, bin_: Bin | None, field: str) -> None:
    if bin_ is not None and bin_.warehouse_id != warehouse.pk:
        raise BusinessError(_("库位 %(bin)s 不属于仓库 %(wh)s") % {"bin": bin_.code, "wh": warehouse.code}, field=field)
    if bin_ is not None and bin_.kind == BinKind.TRANSIT:
        raise BusinessError(_("在途库位只能由调拨单使用"), field=field)


@transaction.atomic
def add_line(
    document: StockDocument,
    *,
    user,
    sku: SKU,
    quantity: int,
    from_bin: Bin | None = None,
    to_bin: Bin | None = None,
    lot: Lot | None = None,
) -> list[StockDocumentLine]:
    """Add a line to a draft. An outbound or bin-move line without a lot is split FIFO over the
    lots available in the source bin(s) (WMS-10); an opening line gets a new lot."""
    require_perm(user, DOCUMENT_PERM)
    _editable(document)
    if sku.client_id != document.client_id:
        raise BusinessError(_("SKU %(sku)s 不属于该单据的委托方") % {"sku": sku.sku_code}, field="sku")
    if not isinstance(quantity, int) or quantity < 1:
        raise BusinessError(_("数量必须是正整数"), field="quantity")
    _bin_of(document.warehouse, from_bin, "from_bin")
    _bin_of(document.warehouse, to_bin, "to_bin")
    kind = document.kind
    if kind == DocKind.OPENING:
        if to_bin is None or from_bin is not None:
            raise BusinessError(_("期初单只需目标库位"), field="to_bin")
    elif kind == DocKind.BIN_MOVE:
        if from_bin is None or to_bin is None or from_bin.pk == to_bin.pk:
            raise BusinessError(_("移库须有不同的来源库位和目标库位"), field="to_bin")
    elif kind == DocKind.OUTBOUND:
        if to_bin is not None:
            raise BusinessError(_("出库单没有目标库位"), field="to_bin")
    if lot is not None and lot.client_id != document.client_id:
        raise BusinessError(_("批次不属于该委托方"), field="lot")
    if kind == DocKind.OPENING or lot is not None:
        if kind != DocKind.OPENING and from_bin is None:
            raise BusinessError(_("指定批次时须指定来源库位"), field="from_bin")
        line = StockDocumentLine(
            document=document, sku=sku, lot=lot, from_bin=from_bin, to_bin=to_bin, quantity=quantity
        )
        save_audited(line, user=user)
        return [line]
    kinds = [from_bin.kind] if from_bin is not None else list(SELLABLE_BIN_KINDS)
    picks = suggest_fifo(sku, document.warehouse, quantity, bin_kinds=kinds)
    if from_bin is not None:
        picks = [p for p in picks if p.balance.bin_id == from_bin.pk]
    if sum(p.quantity for p in picks) < quantity:
        raise BusinessError(
            _("SKU %(sku)s 可用库存 %(free)s 件，不足 %(qty)s 件")
            % {"sku": sku.sku_code, "free": sum(p.quantity for p in picks), "qty": quantity},
            field="quantity",
        )
    lines = []
    for pick in picks:
        line = StockDocumentLine(
            document=document,
            sku=sku,
            lot=pick.balance.lot,
            from_bin=pick.balance.bin,
            to_bin=to_bin,
            quantity=pick.quantity,
        )
        save_audited(line, user=user)
        lines.append(line)
    return lines


@transaction.atomic
def remove_line(line: StockDocumentLine, *, user) -> None:
    require_perm(user, DOCUMENT_PERM)
    _editable(line.document)
    line._history_user = user
    line.delete()


@transaction.atomic
def cancel_document(document: StockDocument, *, user) -> None:
    """A draft that will not be posted is emptied and marked by its note; posted ones are reversed."""
    require_perm(user, DOCUMENT_PERM)
    _editable(document)
    for line in document.lines.all():
        line._history_user = user
        line.delete()
    document.note = (_("已作废") + " " + document.note)[:200]
    save_audited(document, user=user, reason=_("已作废"))


@transaction.atomic
def post_document(document: StockDocument, *, user) -> list[StockMove]:
    """Post a draft: the moves go to the ledger, the document is frozen (WMS-10, WMS-13)."""
    require_perm(user, POST_PERM)
    _internal(user)
    _require_client(user, document.client_id)
    caller_copy, document = document, StockDocument.objects.select_for_update().get(pk=document.pk)
    _editable(document)
    lines = list(document.lines.select_related("from_bin", "to_bin"))
    if not lines:
        raise BusinessError(_("单据没有明细，不能过账"), field="lines")
    if document.kind == DocKind.OPENING:
        lot = open_lot(client=document.client, source=DocRef.of(DocKind.OPENING, document), note=document.note)
        for line in lines:
            if line.lot_id is None:
                line.lot = lot
                line.save(update_fields=["lot"])
    moves = [
        Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=line.quantity, from_bin=line.from_bin, to_bin=line.to_bin)
        for line in lines
    ]
    rows = post_moves(moves, doc=DocRef.of(document.kind, document), user=user)
    transition(document, DocState.POSTED, flow=DOC_FLOW, user=user,
               changes={"posted_by": user, "posted_at": rows[0].posted_at})
    caller_copy.state, caller_copy.posted_by, caller_copy.posted_at = document.state, user, document.posted_at
    return rows


# --- reversal (WMS-13) --------------------------------------------------------------------------


@transaction.atomic
def reverse_document(*, user, doc: DocRef, reason: str, client: Client | None = None) -> Reversal:
    """Reverse every movement posted against ``doc``: each is posted back the other way on a new
    冲销单 that names the original, who and when. Refused when the goods have moved on (their bin
    no longer holds them) or when the document was already reversed."""
    require_perm(user, REVERSE_PERM)
    _internal(user)
    if not reason.strip():
        raise BusinessError(_("请填写冲销原因"), field="reason")
    originals = list(
        StockMove.objects.select_related("from_bin", "to_bin").filter(doc_kind=doc.kind, doc_id=doc.id).order_by("pk")
    )
    if not originals:
        raise BusinessError(_("单据 %(number)s 没有已过账的库存移动") % {"number": doc.number}, field="doc")
    client_id = client.pk if client else originals[0].client_id
    _require_client(user, client_id)
    if Reversal.objects.filter(original_kind=doc.kind, original_id=doc.id).exists():
        raise Conflict(_("单据 %(number)s 已冲销过") % {"number": doc.number})
    reversal = Reversal(
        number=next_number(PREFIXES[DocKind.REVERSAL]),
        client_id=client_id,
        original_kind=doc.kind,
        original_id=doc.id,
        original_number=doc.number,
        reason=reason.strip()[:200],
        by=user,
        at=timezone.now(),
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        raise Conflict(_("单据 %(number)s 已冲销过") % {"number": doc.number}) from None
    moves = [
        Move(
            sku_id=m.sku_id,
            lot_id=m.lot_id,
            quantity=m.quantity,
            from_bin=m.to_bin,
            to_bin=m.from_bin,
            note=_("冲销 %(number)s") % {"number": doc.number},
            reverses_id=m.pk,
        )
        for m in originals
    ]
    post_moves(moves, doc=DocRef.of(DocKind.REVERSAL, reversal), user=user)
    return reversal


def reversal_of(doc: DocRef) -> Reversal | None:
    return Reversal.objects.filter(original_kind=doc.kind, original_id=doc.id).first()


def moves_of(doc: DocRef) -> Iterable[StockMove]:
    return StockMove.objects.filter(doc_kind=doc.kind, doc_id=doc.id).order_by("pk")
