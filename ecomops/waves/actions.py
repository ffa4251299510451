"""Wave picking (FUL-01): every change to waves. Each act checks the permission and the user's scope
(DAT-02, AGY-07), runs in one transaction, locks the wave row, and writes the order's events through
``orders.events`` (joined a wave, picked, sorted, left a wave) or ``orders.actions.hold`` (a short pick).

- ``create_wave``: the printed orders of a ship batch in one warehouse that the user sees become a
  wave. Its pick lines are exactly what the ledger reserved for them (``ReservationAllocation``:
  balance → bin and lot), in walking order (zone, the bin's pick order = aisle, bin code). A batch of at
  most ``FUL-01.order_by_order_max_orders`` orders is picked order by order, a larger one as the total
  by bin and then sorted per order (pick-then-sort).
- ``scan_pick``: the bin is confirmed by its scan, then the item; a wrong bin, an item not on that bin's
  lines and over-picking are refused by name.
- ``report_short``: a short pick puts every order whose units are not covered on hold (the order
  exception, ORD-08: its stock goes back) and opens a cycle count for that bin and SKU (WMS-08).
- ``sort_scan``: pick-then-sort, the slot (order) a scanned unit goes to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core import validate
from ecomops.core.documents import next_number
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.dispatch.actions import ordered_entries
from ecomops.dispatch.models import BatchOrder, ShipBatch
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import ReservationAllocation, Warehouse
from ecomops.orders import actions as order_actions
from ecomops.orders import events
from ecomops.orders.enums import HOLDABLE, OrderState
from ecomops.orders.models import Order
from ecomops.org.actions import require_internal, require_perm
from ecomops.policy import registry
from ecomops.stockops import actions as stockops

from .models import (
    LIVE_STATES,
    WAVE_FLOW,
    PickLine,
    PickState,
    SortLine,
    Wave,
    WaveMode,
    WaveOrder,
    WaveState,
)

ADD_PERM = "waves.add_wave"
PICK_PERM = "waves.pick_wave"
CANCEL_PERM = "waves.change_wave"
VIEW_PERM = "waves.view_wave"
ORDER_BY_ORDER_MAX = "FUL-01.order_by_order_max_orders"
PREFIX = "WV"
S = OrderState


def _require(user, perm: str) -> None:
    require_perm(user, perm)
    require_internal(user)


def _locked(wave: Wave, user) -> Wave:
    """The wave locked, if the user sees it (DAT-02: otherwise it is not found)."""
    found = Wave.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=wave.pk).first()
    if found is None:
        raise BusinessError(_("波次不存在"), field="wave", code="not_found")
    return found


def _whole(value, *, field: str, label: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise BusinessError(_("%(label)s应为整数") % {"label": label}, field=field) from None


def _step(wave: Wave, to: str, *, user, changes=None, reason: str = "") -> None:
    transition(wave, to, flow=WAVE_FLOW, user=user, changes=changes, reason=reason)


def order_allocations(order_ids):
    """The stock the ledger holds reserved for these orders: (order id, bin, SKU, lot, quantity) rows."""
    return (ReservationAllocation.objects
            .filter(reservation__doc_kind=DocKind.ORDER, reservation__doc_id__in=[str(pk) for pk in order_ids],
                    reservation__state=ReservationState.ACTIVE)
            .select_related("balance__bin__zone", "balance__sku", "reservation")
            .order_by("pk"))


def walking_key(bin_) -> tuple:
    """FUL-01 walking order: zone, aisle (the bin's pick order), bin."""
    return (bin_.zone.code if bin_.zone_id else "", bin_.pick_order, bin_.code)


# --- creating a wave ------------------------------------------------------------------------------


@dataclass
class CreateResult:
    wave: Wave
    skipped: list[tuple[Order, str]] = field(default_factory=list)


def default_mode(orders: int, *, on=None) -> tuple[str, str]:
    """FUL-01: (mode, citation) for a wave of ``orders`` orders."""
    resolved = registry.resolve(ORDER_BY_ORDER_MAX, on=on or timezone.localdate())
    mode = WaveMode.ORDER_BY_ORDER if orders <= int(resolved.value) else WaveMode.PICK_THEN_SORT
    return mode, str(resolved.citation)


@transaction.atomic
def create_wave(batch: ShipBatch, *, user, warehouse: Warehouse | None = None, mode: str | None = None) -> CreateResult:
    """FUL-01: the printed orders of ``batch`` (in ``warehouse``) the user sees become a wave. Orders
    already in a live wave are left out silently; orders not awaiting shipment, without reserved stock
    or with it in another warehouse are left out with the reason. Without a warehouse, the one holding
    the orders' stock (refused when they lie in several)."""
    _require(user, ADD_PERM)
    if mode not in (None, "", *WaveMode.values):
        raise BusinessError(_("请选择拣货方式"), field="mode")
    batch = ShipBatch.objects.select_for_update().get(pk=batch.pk)
    printed = BatchOrder.objects.visible_to(user).filter(batch=batch, printed_at__isnull=False)
    entries = ordered_entries(batch, printed.exclude(order__wave_entries__live=True))
    if not entries:
        if printed.exists():
            raise BusinessError(_("批次 %(no)s 的已打印订单都已在拣货波次中") % {"no": batch.number}, field="batch")
        raise BusinessError(_("批次 %(no)s 尚未打印，打印后才能生成拣货波次") % {"no": batch.number}, field="batch")
    orders = [Order.objects.select_for_update(of=("self",)).get(pk=e.order_id) for e in entries]
    rows = defaultdict(list)
    for allocation in order_allocations([o.pk for o in orders]):
        rows[int(allocation.reservation.doc_id)].append(allocation)
    skipped: list[tuple[Order, str]] = []
    ready: list[Order] = []
    for order in orders:
        if order.state != S.AWAITING_SHIPMENT:
            skipped.append((order, _("订单当前为“%(state)s”，不是待发货") % {"state": order.get_state_display()}))
        elif not rows[order.pk]:
            skipped.append((order, _("订单没有占用库存")))
        else:
            ready.append(order)
    homes = {a.balance.warehouse_id for order in ready for a in rows[order.pk]}
    if warehouse is None:
        if len(homes) > 1:
            raise BusinessError(_("批次的订单分布在多个仓库，请选择仓库"), field="warehouse")
        if not homes:
            raise BusinessError(_("批次 %(no)s 中没有可拣货的订单：%(why)s")
                                % {"no": batch.number, "why": "；".join(f"{o.platform_order_no} {w}"
                                                                       for o, w in skipped[:5])}, field="batch")
        warehouse = Warehouse.objects.get(pk=homes.pop())
    chosen = []
    for order in ready:
        if {a.balance.warehouse_id for a in rows[order.pk]} != {warehouse.pk}:
            skipped.append((order, _("订单的库存不在 %(wh)s") % {"wh": warehouse.name}))
        else:
            chosen.append(order)
    if not chosen:
        raise BusinessError(_("批次 %(no)s 中没有 %(wh)s 可拣货的订单") % {"no": batch.number, "wh": warehouse.name},
                            field="warehouse")
    default, citation = default_mode(len(chosen))
    mode = mode or default
    wave = Wave(number=next_number(PREFIX), batch=batch, warehouse=warehouse, mode=mode, created_by=user,
                mode_citation=citation if mode == default else _("人工选择"))
    wave.save()
    slots = {}
    try:
        with transaction.atomic():
            for slot, order in enumerate(chosen, start=1):
                slots[order.pk] = WaveOrder.objects.create(wave=wave, order=order, slot=slot)
    except IntegrityError:
        raise Conflict(_("订单已在其他拣货波次中，请刷新后重试")) from None
    _make_lines(wave, chosen, rows, slots)
    for order in chosen:
        events.state_noted(order, user=user, note=_("加入拣货波次 %(no)s（%(mode)s，分拣格号 %(slot)s）") % {
            "no": wave.number, "mode": wave.get_mode_display(), "slot": slots[order.pk].slot},
            data={"wave": wave.number, "slot": slots[order.pk].slot})
    return CreateResult(wave=wave, skipped=skipped)


def _make_lines(wave: Wave, orders: list[Order], rows, slots) -> None:
    per_order = wave.mode == WaveMode.ORDER_BY_ORDER
    totals: dict[tuple, int] = defaultdict(int)
    bins = {}
    needs: dict[tuple[int, int], int] = defaultdict(int)
    for order in orders:
        for a in rows[order.pk]:
            balance = a.balance
            key = (order.pk if per_order else None, balance.bin_id, balance.sku_id, balance.lot_id)
            totals[key] += a.quantity
            bins[balance.bin_id] = balance.bin
            needs[(order.pk, balance.sku_id)] += a.quantity
    lines = []
    for (order_id, bin_id, sku_id, lot_id), quantity in totals.items():
        bin_ = bins[bin_id]
        zone, aisle, code = walking_key(bin_)
        lines.append(PickLine(wave=wave, order_id=order_id, bin=bin_, sku_id=sku_id, lot_id=lot_id,
                              quantity=quantity, zone_code=zone, pick_order=aisle, bin_code=code))
    slot_of = {pk: entry.slot for pk, entry in slots.items()}
    lines.sort(key=lambda line: (slot_of.get(line.order_id, 0), line.zone_code, line.pick_order, line.bin_code,
                                 line.sku_id, line.lot_id or 0))
    PickLine.objects.bulk_create(lines)
    if not per_order:
        SortLine.objects.bulk_create([SortLine(wave_order=slots[order_id], sku_id=sku_id, quantity=quantity)
                                      for (order_id, sku_id), quantity in needs.items()])


# --- picking ----------------------------------------------------------------------------------------


@dataclass
class PickResult:
    bin_code: str
    sku: SKU
    quantity: int
    lines: list[PickLine]
    bin_done: bool


def _pickable(wave: Wave) -> None:
    if wave.state not in (WaveState.OPEN, WaveState.PICKING):
        raise BusinessError(_("波次 %(no)s 当前为“%(state)s”，不能拣货") % {"no": wave.number,
                                                                        "state": wave.get_state_display()},
                            field="state", code="wrong_state")


def _start(wave: Wave, *, user) -> None:
    if wave.state == WaveState.OPEN:
        _step(wave, WaveState.PICKING, user=user, changes={"picker": user, "started_at": timezone.now()})


def bin_lines(wave: Wave, *, user, bin_code: str):
    """The user's lines of the wave at the scanned bin; a bin not on the pick list is refused."""
    code = (bin_code or "").strip()
    if not code:
        raise BusinessError(_("请先扫描库位条码"), field="bin")
    lines = PickLine.objects.visible_to(user).filter(wave=wave, bin_code=code)
    if not lines.exists():
        raise BusinessError(_("库位“%(code)s”不在本波次的拣货单上，请核对库位") % {"code": code[:30]}, field="bin",
                            code="wrong_bin")
    return lines


def confirm_bin(wave: Wave, *, user, bin_code: str) -> str:
    """The picker stands at a bin and scans it: it must be on the wave's pick list with something left."""
    _require(user, PICK_PERM)
    wave = Wave.objects.visible_to(user).filter(pk=wave.pk).first()
    if wave is None:
        raise BusinessError(_("波次不存在"), field="wave", code="not_found")
    _pickable(wave)
    lines = bin_lines(wave, user=user, bin_code=bin_code)
    if not lines.filter(state=PickState.PENDING).exists():
        raise BusinessError(_("库位“%(code)s”已拣完") % {"code": bin_code.strip()}, field="bin", code="bin_done")
    return bin_code.strip()


@transaction.atomic
def scan_pick(wave: Wave, *, user, bin_code: str, sku_code: str, quantity: int = 1) -> PickResult:
    """FUL-01: the picker confirms the bin by its scan, then the item (SKU code or barcode). A bin not on
    the pick list, an item not on that bin's open lines, or more than is left to pick are refused.
    The line rows are locked and the update is conditional, so two pickers never over-confirm a line."""
    _require(user, PICK_PERM)
    wave = _locked(wave, user)
    _pickable(wave)
    quantity = _whole(quantity, field="quantity", label=_("数量"))
    if quantity < 1:
        raise BusinessError(_("数量至少为 1"), field="quantity")
    lines = bin_lines(wave, user=user, bin_code=bin_code)
    code = (sku_code or "").strip()
    if not code:
        raise BusinessError(_("请扫描商品条码"), field="sku")
    at_bin = lines.filter(Q(sku__sku_code=code) | Q(sku__barcode=code))
    if not at_bin.exists():
        raise BusinessError(_("商品“%(code)s”不在库位 %(bin)s 的拣货明细中，请核对商品")
                            % {"code": code[:40], "bin": bin_code.strip()}, field="sku", code="wrong_sku")
    pending = list(at_bin.filter(state=PickState.PENDING).select_for_update(of=("self",)).order_by(
        F("order_id").asc(nulls_first=True), "pk"))
    left = sum(line.quantity - line.picked for line in pending)
    sku = at_bin.first().sku
    if left < quantity:
        raise BusinessError(_("超拣：库位 %(bin)s 的 %(sku)s 还需拣 %(left)s 件，本次扫描 %(n)s 件")
                            % {"bin": bin_code.strip(), "sku": sku.sku_code, "left": left, "n": quantity},
                            field="quantity", code="over_pick")
    _start(wave, user=user)
    now = timezone.now()
    touched, rest = [], quantity
    if wave.mode == WaveMode.ORDER_BY_ORDER:
        pending.sort(key=lambda line: _slot(wave, line.order_id))
    for line in pending:
        if rest == 0:
            break
        take = min(rest, line.quantity - line.picked)
        done = line.picked + take == line.quantity
        changed = PickLine.objects.filter(pk=line.pk, state=PickState.PENDING,
                                          picked__lte=F("quantity") - take).update(
            picked=F("picked") + take, state=PickState.PICKED if done else PickState.PENDING,
            picked_by=user, picked_at=now)
        if not changed:
            raise Conflict(_("拣货明细已被他人更新，请重新扫描"))
        rest -= take
        line.refresh_from_db()
        touched.append(line)
    bin_done = not lines.filter(state=PickState.PENDING).exists()
    return PickResult(bin_code=bin_code.strip(), sku=sku, quantity=quantity, lines=touched, bin_done=bin_done)


def _slot(wave: Wave, order_id) -> int:
    entry = WaveOrder.objects.filter(wave=wave, order_id=order_id).first()
    return entry.slot if entry else 0


@dataclass
class ScanResult:
    kind: str  # "bin" or "sku"
    bin_code: str
    pick: PickResult | None = None


def scan(wave: Wave, *, user, code: str, bin_code: str = "") -> ScanResult:
    """A keyboard-wedge scan on the picking page: a bin code of the pick list chooses the bin, anything
    else is an item picked from the current bin (one unit)."""
    code = (code or "").strip()
    if not code:
        raise BusinessError(_("请扫描条码"), field="code")
    if PickLine.objects.visible_to(user).filter(wave=wave, bin_code=code).exists():
        return ScanResult("bin", confirm_bin(wave, user=user, bin_code=code))
    if not bin_code:
        if not SKU.objects.filter(Q(sku_code=code) | Q(barcode=code)).exists():
            raise BusinessError(_("库位“%(code)s”不在本波次的拣货单上，请核对库位") % {"code": code[:30]},
                                field="bin", code="wrong_bin")
        raise BusinessError(_("请先扫描库位条码，再扫描商品"), field="bin")
    return ScanResult("sku", bin_code, scan_pick(wave, user=user, bin_code=bin_code, sku_code=code))


@dataclass
class ShortResult:
    line: PickLine
    held: list[Order]
    counts: list


@transaction.atomic
def report_short(pick_line: PickLine, *, user, found: int, reason: str) -> ShortResult:
    """FUL-01: the bin holds fewer than the line needs. The line becomes short with the units found; the
    orders those units cover (in slot order) stay, every other order of the line is put on hold (its
    stock goes back, ORD-08) with the bin and SKU in the reason and leaves the wave; its other lines
    need fewer units. A cycle count of that bin and SKU is opened (WMS-08)."""
    _require(user, PICK_PERM)
    line = PickLine.objects.visible_to(user).filter(pk=pick_line.pk).select_related("wave").first()
    if line is None:
        raise BusinessError(_("拣货明细不存在"), field="line", code="not_found")
    wave = _locked(line.wave, user)
    _pickable(wave)
    line = (PickLine.objects.select_for_update(of=("self",))  # PostgreSQL: not the nullable lot's row
            .select_related("bin", "sku", "sku__client", "lot").get(pk=line.pk))
    if line.state != PickState.PENDING:
        raise Conflict(_("该拣货明细已是“%(state)s”") % {"state": line.get_state_display()})
    found = _whole(found, field="found", label=_("实拣数量"))
    if found < line.picked or found >= line.quantity:
        raise BusinessError(_("实拣数量应在 %(a)s 到 %(b)s 之间") % {"a": line.picked, "b": line.quantity - 1},
                            field="found")
    reason = validate.text(reason, field="reason", label=_("缺货原因"), max_length=120, required=True)
    _start(wave, user=user)
    now = timezone.now()
    line.picked, line.state, line.short_reason = found, PickState.SHORT, reason
    line.picked_by, line.picked_at = user, now
    line.save(update_fields=["picked", "state", "short_reason", "picked_by", "picked_at"])
    text = _("拣货缺货：波次 %(wave)s 库位 %(bin)s 商品 %(sku)s 应拣 %(need)s 件，实拣 %(found)s 件（%(why)s）") % {
        "wave": wave.number, "bin": line.bin_code, "sku": line.sku.sku_code, "need": line.quantity, "found": found,
        "why": reason}
    held = []
    for order_id in _uncovered_orders(wave, line, found):
        entry = WaveOrder.objects.select_related("order").get(wave=wave, order_id=order_id, live=True)
        _leave(wave, entry, reason=text[:200])
        order = Order.objects.get(pk=order_id)
        if order.state in HOLDABLE:
            order = order_actions.hold(order, user=user, reason=text[:200])
        else:
            events.state_noted(order, user=user, note=text)
        held.append(order)
    sheet = stockops.create_count(user=user, client=line.sku.client, warehouse=wave.warehouse, bins=[line.bin],
                                  skus=[line.sku], note=text[:200])
    return ShortResult(line=line, held=held, counts=[sheet])


def _uncovered_orders(wave: Wave, line: PickLine, found: int) -> list[int]:
    """The orders of the line, in slot order, the found units do not cover whole."""
    if line.order_id is not None:
        return [line.order_id]
    live = dict(WaveOrder.objects.filter(wave=wave, live=True).values_list("order_id", "slot"))
    needs: dict[int, int] = defaultdict(int)
    for a in order_allocations(live):
        b = a.balance
        if b.bin_id == line.bin_id and b.sku_id == line.sku_id and b.lot_id == line.lot_id:
            needs[int(a.reservation.doc_id)] += a.quantity
    left, out = found, []
    for order_id in sorted(needs, key=lambda pk: live[pk]):
        if needs[order_id] <= left:
            left -= needs[order_id]
        else:
            out.append(order_id)
    return out


def _leave(wave: Wave, entry: WaveOrder, *, reason: str) -> None:
    """The order leaves the wave: out of the sort, and its units no longer to be picked (pick-then-sort
    lines need fewer; its own lines in order-by-order mode are closed as they are)."""
    order_id = entry.order_id
    for a in order_allocations([order_id]):
        b = a.balance
        if wave.mode == WaveMode.ORDER_BY_ORDER:
            continue
        for pick in PickLine.objects.select_for_update(of=("self",)).filter(
                wave=wave, order__isnull=True, bin_id=b.bin_id, sku_id=b.sku_id, lot_id=b.lot_id,
                state=PickState.PENDING):
            new = max(pick.picked, pick.quantity - a.quantity)
            if new == 0:
                pick.delete()
                continue
            pick.quantity = new
            pick.state = PickState.PICKED if pick.picked == new else PickState.PENDING
            pick.save(update_fields=["quantity", "state"])
    if wave.mode == WaveMode.ORDER_BY_ORDER:
        PickLine.objects.filter(wave=wave, order_id=order_id, state=PickState.PENDING).update(
            state=PickState.SHORT, short_reason=reason[:200])
    entry.live, entry.left_reason = False, reason[:200]
    entry.save(update_fields=["live", "left_reason"])


@transaction.atomic
def finish_picking(wave: Wave, *, user) -> Wave:
    """FUL-01: every line picked or short; the wave's orders are noted "picked"."""
    _require(user, PICK_PERM)
    wave = _locked(wave, user)
    _pickable(wave)
    left = wave.lines.filter(state=PickState.PENDING).count()
    if left:
        raise BusinessError(_("还有 %(n)s 行未拣，拣完或登记缺货后才能完成拣货") % {"n": left}, field="state",
                            code="not_picked")
    now = timezone.now()
    _step(wave, WaveState.PICKED, user=user, changes={"finished_at": now, "picker": wave.picker or user})
    for entry in wave.orders.filter(live=True).select_related("order"):
        events.state_noted(entry.order, user=user, note=_("已拣货（波次 %(no)s）") % {"no": wave.number},
                           data={"wave": wave.number, "step": "picked"})
    return wave


# --- sorting ----------------------------------------------------------------------------------------


@dataclass
class SortResult:
    slot: int
    order: Order
    sku: SKU
    order_done: bool
    wave_done: bool


@transaction.atomic
def sort_scan(wave: Wave, *, user, sku_code: str) -> SortResult:
    """FUL-01 pick-then-sort: a unit scanned at the sorting wall goes to the first order (in slot order)
    still missing that SKU; when an order has all its units it is noted "sorted"."""
    _require(user, PICK_PERM)
    wave = _locked(wave, user)
    if wave.mode != WaveMode.PICK_THEN_SORT:
        raise BusinessError(_("按单拣货的波次无需分拣"), field="mode")
    if wave.state != WaveState.PICKED:
        raise BusinessError(_("波次 %(no)s 当前为“%(state)s”，拣货完成后才能分拣")
                            % {"no": wave.number, "state": wave.get_state_display()}, field="state",
                            code="wrong_state")
    code = (sku_code or "").strip()
    if not code:
        raise BusinessError(_("请扫描商品条码"), field="sku")
    mine = SortLine.objects.visible_to(user).filter(wave_order__wave=wave).filter(
        Q(sku__sku_code=code) | Q(sku__barcode=code))
    if not mine.exists():
        raise BusinessError(_("商品“%(code)s”不在本波次中") % {"code": code[:40]}, field="sku", code="wrong_sku")
    line = (mine.filter(wave_order__live=True, sorted__lt=F("quantity")).select_for_update(of=("self",))
            .select_related("wave_order__order", "sku").order_by("wave_order__slot", "pk").first())
    if line is None:
        raise BusinessError(_("商品“%(code)s”已全部分完，多出的请放回库位") % {"code": code[:40]}, field="sku",
                            code="over_sort")
    SortLine.objects.filter(pk=line.pk, sorted__lt=F("quantity")).update(sorted=F("sorted") + 1)
    entry = line.wave_order
    order_done = not entry.sort_lines.filter(sorted__lt=F("quantity")).exists()
    if order_done:
        entry.sorted_at = timezone.now()
        entry.save(update_fields=["sorted_at"])
        events.state_noted(entry.order, user=user, note=_("已分拣（波次 %(no)s，分拣格号 %(slot)s）")
                           % {"no": wave.number, "slot": entry.slot},
                           data={"wave": wave.number, "slot": entry.slot, "step": "sorted"})
    wave_done = not wave.orders.filter(live=True, sorted_at__isnull=True).exists()
    return SortResult(slot=entry.slot, order=entry.order, sku=line.sku, order_done=order_done, wave_done=wave_done)


@transaction.atomic
def finish_sorting(wave: Wave, *, user) -> Wave:
    _require(user, PICK_PERM)
    wave = _locked(wave, user)
    if wave.state != WaveState.PICKED or wave.mode != WaveMode.PICK_THEN_SORT:
        raise BusinessError(_("波次 %(no)s 当前为“%(state)s”，不能完成分拣")
                            % {"no": wave.number, "state": wave.get_state_display()}, field="state",
                            code="wrong_state")
    left = wave.orders.filter(live=True, sorted_at__isnull=True).count()
    if left:
        raise BusinessError(_("还有 %(n)s 单未分拣完") % {"n": left}, field="state", code="not_sorted")
    _step(wave, WaveState.SORTED, user=user, changes={"sorted_at": timezone.now()})
    return wave


def finish(wave: Wave, *, user) -> Wave:
    """The wave's next finishing step: picking, then (pick-then-sort) sorting."""
    state = Wave.objects.filter(pk=wave.pk).values_list("state", flat=True).first()
    if state in (WaveState.OPEN, WaveState.PICKING):
        return finish_picking(wave, user=user)
    return finish_sorting(wave, user=user)


@transaction.atomic
def cancel_wave(wave: Wave, *, user, reason: str) -> Wave:
    """The wave is called off before it is sorted; its orders are free for another wave (picked goods go
    back to their bins)."""
    _require(user, CANCEL_PERM)
    wave = _locked(wave, user)
    reason = validate.text(reason, field="reason", label=_("取消原因"), max_length=120, required=True)
    if wave.state not in LIVE_STATES:
        raise BusinessError(_("波次 %(no)s 当前为“%(state)s”，不能取消")
                            % {"no": wave.number, "state": wave.get_state_display()}, field="state",
                            code="wrong_state")
    _step(wave, WaveState.CANCELLED, user=user, reason=reason)
    for entry in wave.orders.filter(live=True).select_related("order"):
        entry.live, entry.left_reason = False, reason
        entry.save(update_fields=["live", "left_reason"])
        events.state_noted(entry.order, user=user, note=_("拣货波次 %(no)s 已取消：%(why)s")
                           % {"no": wave.number, "why": reason}, data={"wave": wave.number, "step": "cancelled"})
    return wave


def visible_or_none(user, pk) -> Wave | None:
    return Wave.objects.visible_to(user).filter(pk=pk).first()


def require_view(user) -> None:
    if not user.has_perm(VIEW_PERM):
        raise NotAllowed(_("您没有查看此数据的权限"))
