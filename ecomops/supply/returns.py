"""Supplier returns (WMS-16): ``raise_supplier_return`` adds defective goods (already lying in a
defective bin) to the supplier's collecting return, which is readied, handed over or cancelled here;
the daily pick-up and month-end due items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.inventory.actions import POST_PERM, next_number
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, InsufficientStock, Move, post_moves
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.models import Client
from ecomops.suppliers.models import Supplier

from .enums import (
    RETURN_FLOW,
    RETURN_RHYTHM_DAYS,
    ReturnReason,
    ReturnState,
    SupplierSource,
)
from .models import (
    SupplierReturn,
    SupplierReturnLine,
    SupplierReturnTerms,
)
from .owners import end_of, purchasing_finance_owners, require_client, warehouse_owners

RETURN_PREFIX = "TC"
RETURN_PICKUP_DUE = "supply.return_pickup"
RETURN_UNCOLLECTED_DUE = "supply.return_uncollected"



@dataclass(frozen=True)
class ReturnItem:
    sku: SKU
    lot: Lot
    bin: Bin
    quantity: int
    reason: str = ReturnReason.QC_DEFECT
    detail: str = ""


@transaction.atomic
def raise_supplier_return(
    *, client: Client, supplier, warehouse: Warehouse, items: Iterable[ReturnItem], source: str = "", user=None
) -> SupplierReturn:
    """Add defective goods (already in a defective bin of ``warehouse``) to the supplier's collecting
    return there, opening one when none is open (WMS-16). Used by QC (WMS-25 rejections and defects)
    and by the shipping defect register (WMS-17)."""
    items = list(items)
    if not items:
        raise BusinessError(_("没有要退厂的商品"), field="items")
    for item in items:
        if item.bin.warehouse_id != warehouse.pk or item.bin.kind != BinKind.DEFECTIVE:
            raise BusinessError(_("退厂商品必须放在本仓的次品区库位"), field="bin")
        if item.sku.client_id != client.pk or item.lot.client_id != client.pk:
            raise BusinessError(_("SKU %(sku)s 不属于该委托方") % {"sku": item.sku.sku_code}, field="sku")
        if item.quantity < 1:
            raise BusinessError(_("退厂数量必须大于 0"), field="quantity")
    ret = (
        SupplierReturn.objects.select_for_update()
        .filter(client=client, supplier=supplier, warehouse=warehouse, state=ReturnState.COLLECTING)
        .first()
    )
    if ret is None:
        ret = SupplierReturn(
            number=next_number(RETURN_PREFIX),
            client=client,
            supplier=supplier,
            warehouse=warehouse,
            created_by=user if getattr(user, "pk", None) else None,
        )
        save_audited(ret, user=user)
    for item in items:
        save_audited(
            SupplierReturnLine(
                supplier_return=ret,
                sku=item.sku,
                lot=item.lot,
                bin=item.bin,
                quantity=item.quantity,
                reason=item.reason,
                detail=item.detail[:200],
                source=source[:60],
                added_by=user if getattr(user, "pk", None) else None,
            ),
            user=user,
        )
    return ret



def _return_for(user, ret: SupplierReturn, perm: str) -> SupplierReturn:
    require_perm(user, perm)
    _internal(user)
    require_client(user, ret.client_id)
    return SupplierReturn.objects.select_for_update().get(pk=ret.pk)


def _check_step(ret: SupplierReturn, to_state: str) -> None:
    """RETURN_FLOW, refused as a conflict (409) naming both states."""
    if not allowed(RETURN_FLOW, ret.state, to_state):
        raise Conflict(
            _("退厂单 %(n)s 当前为“%(s)s”，不能改为“%(t)s”")
            % {"n": ret.number, "s": ret.get_state_display(), "t": ReturnState(to_state).label}
        )


@transaction.atomic
def set_return_terms(supplier, *, user, source: str, note: str = "") -> SupplierReturnTerms:
    """Say whether a supplier is the manufacturer (returns daily) or a trader (weekly) (WMS-16)."""
    require_perm(user, "supply.change_supplierreturnterms")
    _internal(user)
    if not Supplier.objects.visible_to(user).filter(pk=supplier.pk).exists():
        raise BusinessError(_("供应商不存在"), field="supplier", code="not_found")
    if source not in SupplierSource.values:
        raise BusinessError(_("请选择货源类型"), field="source")
    terms = SupplierReturnTerms.objects.filter(supplier=supplier).first() or SupplierReturnTerms(supplier=supplier)
    terms.source, terms.note, terms.updated_by = source, note.strip()[:200], user
    save_audited(terms, user=user)
    return terms


def rhythm_days(supplier) -> int:
    """WMS-16: days between two pick-ups of this supplier's defects (manufacturer 1, trader 7)."""
    source = SupplierReturnTerms.objects.filter(supplier=supplier).values_list("source", flat=True).first()
    return RETURN_RHYTHM_DAYS[SupplierSource(source or SupplierSource.TRADER)]


def pickup_due_on(ret: SupplierReturn) -> date:
    """When the return is due to go back (WMS-16): one rhythm period after the last hand-over to the
    same supplier at the same warehouse, or after the return was opened; never before it was opened."""
    opened = timezone.localdate(ret.created_at)
    period = timedelta(days=rhythm_days(ret.supplier))
    last = (
        SupplierReturn.objects.filter(supplier_id=ret.supplier_id, warehouse_id=ret.warehouse_id,
                                      state=ReturnState.COLLECTED, handed_over_at__isnull=False)
        .exclude(pk=ret.pk).order_by("-handed_over_at").values_list("handed_over_at", flat=True).first()
    )
    if last is None:
        return opened + period
    return max(opened, timezone.localdate(last) + period)


@transaction.atomic
def mark_return_ready(ret: SupplierReturn, *, user) -> SupplierReturn:
    """The goods of the return are packed and waiting for the supplier's collector (WMS-16)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")

    def check(ret: SupplierReturn, to: str) -> None:
        _check_step(ret, to)
        if not ret.lines.exists():
            raise BusinessError(_("退厂单没有明细，不能备货"), field="lines")

    transition(ret, ReturnState.READY, flow=RETURN_FLOW, user=user, check=check,
               changes={"ready_by": user, "ready_at": timezone.now()})
    return ret


@transaction.atomic
def reopen_return(ret: SupplierReturn, *, user) -> SupplierReturn:
    """A ready return goes back to collecting (the collector did not come, more goods to add)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")

    def check(ret: SupplierReturn, to: str) -> None:
        _check_step(ret, to)
        if SupplierReturn.objects.filter(client_id=ret.client_id, supplier_id=ret.supplier_id,
                                         warehouse_id=ret.warehouse_id, state=ReturnState.COLLECTING).exists():
            raise Conflict(_("该供应商已有收集中的退厂单，新次品会加到那一张"))

    transition(ret, ReturnState.COLLECTING, flow=RETURN_FLOW, user=user, check=check,
               changes={"ready_by": None, "ready_at": None})
    return ret


@transaction.atomic
def hand_over_return(ret: SupplierReturn, *, user, collector: str, collector_signature: str, keeper_signature: str,
                     collector_phone: str = "", at: datetime | None = None) -> SupplierReturn:
    """The supplier's collector takes the goods (WMS-16): who, when, the collector's name and both
    signatures are recorded and the goods leave the defective bins (退厂单 posted to the ledger, to
    nowhere), all in one transaction. Refused when the goods are no longer in those bins."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")
    require_perm(user, POST_PERM)
    if ret.state == ReturnState.COLLECTING:
        raise Conflict(_("退厂单 %(n)s 还在收集中，请先确认备货完成") % {"n": ret.number})
    _check_step(ret, ReturnState.COLLECTED)
    fields = {"collector": (collector, _("取货人")), "collector_signature": (collector_signature, _("取货人签名")),
              "keeper_signature": (keeper_signature, _("仓库交接人签名"))}
    clean = {}
    for name, (value, label) in fields.items():
        text = (value or "").strip()
        if not text:
            raise BusinessError(_("请填写%(label)s") % {"label": label}, field=name)
        if len(text) > 60:
            raise BusinessError(_("%(label)s最多 60 个字符") % {"label": label}, field=name)
        clean[name] = text
    lines = list(ret.lines.select_related("bin", "sku", "lot"))
    moves = [Move(sku_id=line.sku_id, lot_id=line.lot_id, quantity=line.quantity, from_bin=line.bin, to_bin=None,
                  note=_("退厂 %(n)s") % {"n": ret.number}) for line in lines]
    try:
        post_moves(moves, doc=DocRef.of(DocKind.SUPPLIER_RETURN, ret), user=user, at=at)
    except InsufficientStock as short:
        raise Conflict(
            _("退厂商品已不在次品库位，不能交接：%(detail)s") % {"detail": short.message}, field="lines"
        ) from None
    transition(ret, ReturnState.COLLECTED, flow=RETURN_FLOW, user=user, check=_check_step, changes={
        "handed_over_by": user, "handed_over_at": at or timezone.now(), **clean,
        "collector_phone": (collector_phone or "").strip()[:30]})
    for kind in (RETURN_PICKUP_DUE, RETURN_UNCOLLECTED_DUE):
        dues.complete_due(kind=kind, source=ret, user=user, at=ret.handed_over_at)
    return ret


@transaction.atomic
def cancel_return(ret: SupplierReturn, *, user, reason: str) -> SupplierReturn:
    """Cancel a collecting return (the goods stay in the defective bin, e.g. to be scrapped)."""
    ret = _return_for(user, ret, "supply.change_supplierreturn")

    def check(ret: SupplierReturn, to: str) -> None:
        _check_step(ret, to)
        if not (reason or "").strip():
            raise BusinessError(_("请填写取消原因"), field="reason")

    why = _("取消：%(r)s") % {"r": reason.strip()}
    transition(ret, ReturnState.CANCELLED, flow=RETURN_FLOW, user=user, check=check, reason=why,
               changes={"note": (why + " " + ret.note)[:200]})
    for kind in (RETURN_PICKUP_DUE, RETURN_UNCOLLECTED_DUE):
        dues.cancel_due(kind=kind, source=ret)
    return ret


def open_returns():
    return SupplierReturn.objects.filter(state__in=(ReturnState.COLLECTING, ReturnState.READY),
                                         lines__isnull=False).distinct()


def uncollected_in_month(year: int, month: int, queryset=None):
    """WMS-16 month-end list: returns opened by the end of the month and not handed over within it."""
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    end = timezone.make_aware(datetime.combine(following, time.min))
    rows = queryset if queryset is not None else SupplierReturn.objects.all()
    return (
        rows.filter(created_at__lt=end, lines__isnull=False)
        .exclude(state=ReturnState.CANCELLED)
        .filter(Q(handed_over_at__isnull=True) | Q(handed_over_at__gte=end))
        .exclude(handed_over_at__lt=timezone.make_aware(datetime.combine(start, time.min)))
        .distinct()
    )


def raise_return_dues(on: date) -> tuple[int, int]:
    """WMS-16 daily: a pick-up due item for every open return whose rhythm says it is due, to the
    warehouse; every open return opened before this month goes on the month-end list, to purchasing
    and finance. Idempotent. Returns (pick-ups, uncollected)."""
    pickups = uncollected = 0
    month_start = on.replace(day=1)
    for ret in open_returns().select_related("supplier", "warehouse", "client").order_by("pk"):
        link = reverse("supply:return_detail", args=[ret.pk])
        due_on = pickup_due_on(ret)
        if due_on <= on:
            rhythm = _("每日") if rhythm_days(ret.supplier) == 1 else _("每周")
            title = _("退厂到期（%(r)s）：%(n)s %(s)s") % {"r": rhythm, "n": ret.number, "s": ret.supplier.name}
            dues.raise_dues(kind=RETURN_PICKUP_DUE, owners=warehouse_owners(ret.warehouse, ret.client_id), title=title,
                            due_at=end_of(due_on), source=ret, clause="WMS-16", link=link, client=ret.client)
            pickups += 1
        if timezone.localdate(ret.created_at) < month_start:
            title = _("月内未退回的退厂单：%(n)s %(s)s") % {"n": ret.number, "s": ret.supplier.name}
            dues.raise_dues(kind=RETURN_UNCOLLECTED_DUE, owners=purchasing_finance_owners(ret.client_id), title=title,
                            due_at=end_of(on), source=ret, clause="WMS-16", link=reverse("supply:returns_uncollected"),
                            client=ret.client)
            uncollected += 1
    return pickups, uncollected
