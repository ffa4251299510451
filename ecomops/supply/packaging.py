"""Packaging materials (WMS-18): receipts, consumption, cover and reorders; big promotions entered
ahead (FUL-05).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.core.validate import validate_model
from ecomops.inventory.actions import next_number
from ecomops.inventory.models import DailyClose, Warehouse
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.policy import registry

from .enums import (
    PACKAGING_RECEIPT_FLOW,
    PackagingMoveKind,
    PackagingReceiptState,
)
from .models import (
    PackagingBalance,
    PackagingMaterial,
    PackagingMove,
    PackagingReceipt,
    PackagingReceiptLine,
    PackagingReorder,
    Promotion,
)
from .owners import end_of, warehouse_owners
from .replenishment import average_daily_sales, cover_days

PACKAGING_REORDER_DUE = "supply.packaging_reorder"
PROMOTION_DUE = "supply.promotion_prepare"

PACK_RECEIPT_PREFIX = "BR"
PACK_USE_PREFIX = "BL"
MATERIAL_FIELDS = ("code", "name", "spec", "unit", "weight_g", "is_active")


@transaction.atomic
def create_material(*, user, **fields) -> PackagingMaterial:
    require_perm(user, "supply.add_packagingmaterial")
    _internal(user)
    unknown = set(fields) - set(MATERIAL_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能填写") % {"name": name}, field=name)
    material = PackagingMaterial(**fields)
    material.code = (material.code or "").strip()
    material.name = (material.name or "").strip()
    if not material.name:
        raise BusinessError(_("请填写名称"), field="name")
    if PackagingMaterial.objects.filter(code=material.code).exists():
        raise BusinessError(_("编码“%(code)s”已被使用") % {"code": material.code}, field="code")
    validate_model(material)
    save_audited(material, user=user)
    return material


def _lock_pack_balance(material: PackagingMaterial, warehouse: Warehouse) -> PackagingBalance:
    PackagingBalance.objects.bulk_create([PackagingBalance(material=material, warehouse=warehouse)],
                                         ignore_conflicts=True)
    return PackagingBalance.objects.select_for_update().get(material=material, warehouse=warehouse)


def _post_packaging(lines: list[tuple[PackagingMaterial, int]], *, warehouse: Warehouse, kind: str, number: str,
                    user, note: str = "", at: datetime | None = None) -> list[PackagingMove]:
    """The one place packaging stock changes: balances locked in primary-key order, checked, moved and
    written to the append-only ledger in the caller's transaction (the CHECK backs the check up)."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    if DailyClose.objects.filter(warehouse=warehouse, day=day).exists():
        raise BusinessError(_("仓库 %(day)s 已日结，不能再过账当日单据（WMS-13）") % {"day": day}, field="warehouse")
    merged: dict[int, list] = {}
    for index, (material, quantity) in enumerate(lines, start=1):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须是正整数") % {"n": index}, field="quantity")
        if not material.is_active:
            raise BusinessError(_("包材 %(c)s 已停用") % {"c": material.code}, field="material")
        merged.setdefault(material.pk, [material, 0])[1] += quantity
    balances = {pk: _lock_pack_balance(material, warehouse) for pk, (material, _q) in sorted(merged.items())}
    rows = []
    for pk, (material, quantity) in sorted(merged.items()):
        balance = balances[pk]
        if kind == PackagingMoveKind.CONSUMPTION:
            if balance.on_hand < quantity:
                raise BusinessError(
                    _("包材 %(c)s 在库 %(have)s %(u)s，不足 %(q)s") % {
                        "c": material.code, "have": balance.on_hand, "u": material.unit, "q": quantity},
                    field="quantity",
                )
            PackagingBalance.objects.filter(pk=balance.pk).update(on_hand=F("on_hand") - quantity, updated_at=at)
        else:
            PackagingBalance.objects.filter(pk=balance.pk).update(on_hand=F("on_hand") + quantity, updated_at=at)
        balance.refresh_from_db(fields=["on_hand"])
        rows.append(PackagingMove(material=material, warehouse=warehouse, kind=kind, quantity=quantity,
                                  on_hand_after=balance.on_hand, doc_number=number, business_day=day, posted_at=at,
                                  by=user if getattr(user, "pk", None) else None, note=note[:200]))
    return PackagingMove.objects.bulk_create(rows)


@transaction.atomic
def create_packaging_receipt(*, user, warehouse: Warehouse, lines: Iterable[tuple[PackagingMaterial, int]],
                             vendor: str = "", note: str = "") -> PackagingReceipt:
    """A draft packaging receipt; posted by ``post_packaging_receipt`` (until then it is open and blocks
    the daily close)."""
    require_perm(user, "supply.add_packagingreceipt")
    _internal(user)
    lines = list(lines)
    if not lines:
        raise BusinessError(_("入库单至少要有一行"), field="lines")
    for index, (_material, quantity) in enumerate(lines, start=1):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须是正整数") % {"n": index}, field="lines")
    receipt = PackagingReceipt(number=next_number(PACK_RECEIPT_PREFIX), warehouse=warehouse,
                               vendor=vendor.strip()[:100], note=note.strip()[:200], created_by=user)
    save_audited(receipt, user=user)
    for material, quantity in lines:
        save_audited(PackagingReceiptLine(receipt=receipt, material=material, quantity=quantity), user=user)
    return receipt


def _check_step(receipt: PackagingReceipt, to: str) -> None:
    if not allowed(PACKAGING_RECEIPT_FLOW, receipt.state, to):
        raise Conflict(_("包材入库单 %(n)s 已过账") % {"n": receipt.number})


@transaction.atomic
def post_packaging_receipt(receipt: PackagingReceipt, *, user, at: datetime | None = None) -> PackagingReceipt:
    require_perm(user, "supply.change_packagingreceipt")
    _internal(user)
    receipt = PackagingReceipt.objects.select_for_update().get(pk=receipt.pk)
    _check_step(receipt, PackagingReceiptState.POSTED)
    lines = [(line.material, line.quantity) for line in receipt.lines.select_related("material")]
    if not lines:
        raise BusinessError(_("单据没有明细，不能过账"), field="lines")
    _post_packaging(lines, warehouse=receipt.warehouse, kind=PackagingMoveKind.RECEIPT, number=receipt.number,
                    user=user, at=at)
    transition(receipt, PackagingReceiptState.POSTED, flow=PACKAGING_RECEIPT_FLOW, user=user, check=_check_step,
               changes={"posted_by": user, "posted_at": at or timezone.now()})
    on = timezone.localdate(receipt.posted_at)
    for material, _q in lines:
        _close_reorder_if_covered(material, receipt.warehouse, on, user=user)
    return receipt


@transaction.atomic
def consume_packaging(*, user, warehouse: Warehouse, material: PackagingMaterial, quantity, note: str = "",
                      at: datetime | None = None) -> PackagingMove:
    """Packaging used (领用) by packing; checks cover afterwards (WMS-18)."""
    require_perm(user, "supply.add_packagingmove")
    _internal(user)
    row = _post_packaging([(material, quantity)], warehouse=warehouse, kind=PackagingMoveKind.CONSUMPTION,
                          number=next_number(PACK_USE_PREFIX), user=user, note=note, at=at)[0]
    check_packaging(warehouse, timezone.localdate(row.posted_at), materials=[material])
    return row


@dataclass(frozen=True)
class Cover:
    material: PackagingMaterial
    warehouse: Warehouse
    on_hand: int
    used: int
    window_days: int
    daily_use: Decimal
    cover_days: Decimal | None
    trigger_days: int
    citation: str

    @property
    def below(self) -> bool:
        return self.cover_days is not None and self.cover_days < self.trigger_days


def packaging_cover(material: PackagingMaterial, warehouse: Warehouse, on: date) -> Cover:
    """WMS-18: normal daily use = consumption of the last ``WMS-14.daily_sales_window_days`` days
    (reused: the same averaging window) ÷ those days; cover = on hand ÷ daily use."""
    window_days = int(registry.value("WMS-14.daily_sales_window_days", on=on))
    trigger = registry.resolve("WMS-18.packaging_reorder_cover_days", on=on)
    start = on - timedelta(days=window_days - 1)
    used = PackagingMove.objects.filter(
        material=material, warehouse=warehouse, kind=PackagingMoveKind.CONSUMPTION,
        business_day__gte=start, business_day__lte=on,
    ).aggregate(q=Sum("quantity"))["q"] or 0
    on_hand = PackagingBalance.objects.filter(material=material, warehouse=warehouse).values_list(
        "on_hand", flat=True).first() or 0
    daily = average_daily_sales(used, window_days)
    return Cover(material, warehouse, on_hand, used, window_days, daily, cover_days(on_hand, daily),
                 int(trigger.value), trigger.citation)


def _close_reorder_if_covered(material, warehouse, on: date, *, user) -> None:
    cover = packaging_cover(material, warehouse, on)
    if cover.below:
        return
    for reorder in PackagingReorder.objects.filter(material=material, warehouse=warehouse, closed_at__isnull=True,
                                                   promotion__isnull=True):
        reorder.closed_at = timezone.now()
        save_audited(reorder, user=user, reason=_("包材已够用"))
        dues.complete_due(kind=PACKAGING_REORDER_DUE, source=reorder, user=user)


def check_packaging(warehouse: Warehouse, on: date, materials: Iterable[PackagingMaterial] | None = None) -> int:
    """Open a reorder (and its due item to the warehouse) for every material whose cover fell below the
    policy days (WMS-18); one open reorder per material and warehouse. Returns how many were opened."""
    opened = 0
    if materials is None:
        materials = PackagingMaterial.objects.filter(is_active=True).order_by("code")
    for material in materials:
        cover = packaging_cover(material, warehouse, on)
        if not cover.below:
            continue
        if PackagingReorder.objects.filter(material=material, warehouse=warehouse, closed_at__isnull=True,
                                           promotion__isnull=True).exists():
            continue
        reason = _("在库 %(h)s %(u)s，近 %(w)s 天日均用量 %(d)s，可用 %(c)s 天，低于 %(t)s 天（%(cite)s）") % {
            "h": cover.on_hand, "u": material.unit, "w": cover.window_days, "d": _q2(cover.daily_use),
            "c": _q2(cover.cover_days), "t": cover.trigger_days, "cite": cover.citation}
        reorder = PackagingReorder(material=material, warehouse=warehouse, raised_on=on, on_hand=cover.on_hand,
                                   daily_use=cover.daily_use.quantize(Decimal("0.0001")),
                                   cover_days=cover.cover_days.quantize(Decimal("0.01")), reason=reason[:300])
        save_audited(reorder, user=None)
        title = _("包材补货：%(m)s（%(wh)s）") % {"m": material.name, "wh": warehouse.code}
        dues.raise_dues(kind=PACKAGING_REORDER_DUE, owners=warehouse_owners(warehouse), title=title,
                        due_at=end_of(on), source=reorder, clause="WMS-18", link=reverse("supply:packaging"))
        opened += 1
    return opened


def _q2(value) -> str:
    return "∞" if value is None else str(Decimal(value).quantize(Decimal("0.01")))


@transaction.atomic
def enter_promotion(*, user, name: str, starts_on: date | None, warehouse: Warehouse) -> Promotion:
    """A big promotion entered ahead (WMS-18, FUL-05): a due item to the warehouse to stock packaging and
    pre-pack the main products ``FUL-05.prepack_days_before_promotion`` days before it starts."""
    require_perm(user, "supply.add_promotion")
    _internal(user)
    name = (name or "").strip()
    if not name:
        raise BusinessError(_("请填写大促名称"), field="name")
    if len(name) > 60:
        raise BusinessError(_("大促名称最多 60 个字符"), field="name")
    if starts_on is None:
        raise BusinessError(_("请填写开始日期"), field="starts_on")
    today = timezone.localdate()
    if starts_on < today:
        raise BusinessError(_("开始日期不能早于今天"), field="starts_on")
    lead = registry.resolve("FUL-05.prepack_days_before_promotion", on=today)
    promotion = Promotion(name=name, starts_on=starts_on, warehouse=warehouse,
                          prepare_on=starts_on - timedelta(days=int(lead.value)), policy_citation=lead.citation[:120],
                          created_by=user)
    save_audited(promotion, user=user)
    title = _("大促备货：%(n)s %(d)s 开始，%(p)s 前备齐包材并预打包主推商品") % {
        "n": name, "d": starts_on.isoformat(), "p": promotion.prepare_on.isoformat()}
    dues.raise_dues(kind=PROMOTION_DUE, owners=warehouse_owners(warehouse), title=title,
                    due_at=end_of(promotion.prepare_on), source=promotion, clause="FUL-05",
                    link=reverse("supply:packaging"))
    return promotion
