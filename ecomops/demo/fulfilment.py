"""Demo fulfilment (issue 18, FUL-01…04, ORD-01, LOG-02): today's ship batch printed, its orders given
tracking numbers from a number pool, picked and sorted in a wave, most verified at the station, some
packed and weighed, one handover manifest per carrier with parcels scanned out, one of them closed.
Some orders are left verified but not packed, some weighed but not handed over, so every page of
出库作业 has something to show. Everything goes through the actions (the ledger moves once, on scan-out)."""

from __future__ import annotations

from datetime import date, timedelta

from ecomops.catalog.models import SKU
from ecomops.dispatch import actions as dispatch
from ecomops.dispatch.models import BatchOrder, ShipBatch
from ecomops.fulfilment import actions as station
from ecomops.fulfilment.models import Handover, PackCheck
from ecomops.logistics import numbers
from ecomops.logistics.models import Carrier
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.supply.models import PackagingMaterial
from ecomops.waves import actions as waves
from ecomops.waves.models import PickState, WaveMode

CARRIERS = ("zto", "yto")  # the two couriers of today's parcels, one handover each
POOLS = {"zto": ("ZT", 7300000000), "yto": ("YT", 8800000000)}
MATERIAL = "BOX-S"


def _acting(staff_by_username: dict, username: str, perm: str, admin):
    """The demo person doing the job when their position allows it, else the administrator."""
    staff = staff_by_username.get(username)
    user = staff.user if staff is not None else None
    return user if user is not None and user.has_perm(perm) else admin


def _batch(admin, printer) -> ShipBatch | None:
    """Today's (the latest) printed batch; else the latest one with orders, printed now. The demo is
    built in one transaction, so the hook that puts reviewed orders into their batch on commit has not
    run yet: the scheduled safety net does it here."""
    dispatch.assign_pending()
    printed = ShipBatch.objects.filter(entries__printed_at__isnull=False).order_by("-day", "-seq").first()
    if printed is not None:
        return printed
    batch = (ShipBatch.objects.filter(entries__isnull=False, entries__order__state=OrderState.REVIEWED)
             .order_by("-day", "-seq").first())
    if batch is None:
        return None
    dispatch.print_batch(batch, user=printer)
    return batch


def build(*, admin, staff_by_username: dict, today: date) -> dict:
    printer = _acting(staff_by_username, "huyating", "dispatch.print_shipbatch", admin)
    picker = _acting(staff_by_username, "guominghui", "waves.pick_wave", admin)
    checker = _acting(staff_by_username, "gaolei", "fulfilment.verify_order", admin)
    batch = _batch(admin, printer)
    if batch is None:
        return {"waves": 0, "pack_checks": 0, "handovers": 0}
    orders = list(Order.objects.filter(pk__in=BatchOrder.objects.filter(batch=batch, printed_at__isnull=False)
                                       .values("order_id"), state=OrderState.AWAITING_SHIPMENT).order_by("pk"))
    # LOG-02: the carriers' number ranges; each order gets the next number of its carrier's pool.
    groups: dict[str, list[Order]] = {code: [] for code in CARRIERS}
    for n, order in enumerate(orders):
        groups[order.courier if order.courier in groups else CARRIERS[n % len(CARRIERS)]].append(order)
    for code, group in groups.items():
        carrier = Carrier.objects.get(code=code)
        prefix, first = POOLS[code]
        numbers.add_pool(carrier, user=admin, prefix=prefix, first=first, last=first + 9999, width=10)
        if group:
            numbers.assign(group, carrier, user=admin)
    # FUL-04 needs unit weights: the demo catalogue has none, so the batch's SKUs get one.
    sku_ids = {sku_id for order in orders for sku_id in order.lines.values_list("sku_id", flat=True) if sku_id}
    for sku in SKU.objects.filter(pk__in=sku_ids, weight_g__isnull=True):
        SKU.objects.filter(pk=sku.pk).update(weight_g=150 + (sku.pk * 37) % 400)
    PackagingMaterial.objects.filter(code=MATERIAL, weight_g__isnull=True).update(weight_g=60)
    material = PackagingMaterial.objects.get(code=MATERIAL)

    # FUL-01: the wave, picked bin by bin (the whole line at once, as a picker confirming a count) and sorted.
    wave = waves.create_wave(batch, user=picker).wave
    for line in wave.lines.filter(state=PickState.PENDING).select_related("sku").order_by("pk"):
        line.refresh_from_db()
        if line.state == PickState.PENDING and line.quantity > line.picked:
            waves.scan_pick(wave, user=picker, bin_code=line.bin_code, sku_code=line.sku.sku_code,
                            quantity=line.quantity - line.picked)
    waves.finish(wave, user=picker)
    if wave.mode == WaveMode.PICK_THEN_SORT:
        for entry in wave.orders.filter(live=True).order_by("slot"):
            for sort_line in entry.sort_lines.select_related("sku").order_by("pk"):
                for _unit in range(sort_line.quantity - sort_line.sorted):
                    waves.sort_scan(wave, user=picker, sku_code=sort_line.sku.sku_code)
        waves.finish(wave, user=picker)

    # FUL-02…04: two thirds verified; of those, two thirds packed and weighed; ORD-01: a handover per
    # carrier takes half the weighed parcels, the first one is closed.
    entries = list(wave.orders.filter(live=True).select_related("order").order_by("slot"))
    verified = []
    for entry in entries[: max(1, len(entries) * 2 // 3)]:
        order = Order.objects.get(pk=entry.order_id)
        if order.state != OrderState.AWAITING_SHIPMENT or not order.tracking_no:
            continue
        check = station.start_check(order.tracking_no, user=checker)
        for line in check.lines.select_related("sku"):
            for _unit in range(line.expected - line.scanned):
                station.scan_item(check, line.sku.sku_code, user=checker)
        verified.append(PackCheck.objects.get(pk=check.pk))
    weighed = []
    for check in verified[: len(verified) * 2 // 3]:
        check = station.pack(check, user=checker, material=material, quantity=1)
        expected = station.expected_weight(PackCheck.objects.get(pk=check.pk))
        grams = (expected.grams or 800) + (check.pk % 5) * 3
        weighed.append(station.weigh(check, user=checker, weight_g=grams))
    handovers = []
    closed = False
    for code in CARRIERS:
        mine = [c for c in weighed if Order.objects.get(pk=c.order_id).courier == code]
        if not mine:
            continue
        handover = station.open_handover(code, wave.warehouse, user=checker)
        handovers.append(handover)
        for check in mine[: max(1, len(mine) // 2)]:
            station.scan_out(handover, Order.objects.get(pk=check.order_id).tracking_no, user=checker)
        if not closed:
            station.close_handover(handover, user=checker, receiver_name="王师傅")
            closed = True
    jobs = _prepack(admin, wave.warehouse, material)
    return {"waves": 1, "pack_checks": PackCheck.objects.count(), "handovers": Handover.objects.count(),
            "handed_over": sum(h.parcels.count() for h in handovers), "prepack_jobs": jobs}


def _prepack(admin, warehouse, material) -> int:
    """FUL-05: a big promotion ten days ahead, a prepack bin, and a pre-pack job for the warehouse's
    bestseller (else the SKU with the most free stock), half of it packed."""
    from django.db.models import F, Sum
    from django.utils import timezone

    from ecomops.fulfilment import prepack
    from ecomops.inventory import actions as stock_actions
    from ecomops.inventory.enums import BinKind
    from ecomops.inventory.models import Bin, StockBalance
    from ecomops.supply.models import PackagingBalance
    from ecomops.supply.packaging import enter_promotion

    to_bin = Bin.objects.filter(warehouse=warehouse, kind=BinKind.PREPACK).first() or stock_actions.create_bin(
        warehouse, user=admin, code="YB-01", kind=BinKind.PREPACK, pick_order=1)
    promotion = enter_promotion(user=admin, name="双12大促", starts_on=timezone.localdate() + timedelta(days=10),
                                warehouse=warehouse)
    rows = prepack.suggest(warehouse, user=admin).rows
    sku = next((r.sku for r in rows if r.free >= 2), None)
    if sku is None:
        best = (StockBalance.objects.filter(warehouse=warehouse, bin__kind=BinKind.NORMAL)
                .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))).order_by("-free", "sku_id").first())
        if best is None or best["free"] < 2:
            return 0
        sku = SKU.objects.get(pk=best["sku_id"])
    free = sum(p.quantity for p in stock_actions.suggest_fifo(sku, warehouse, 20, bin_kinds=(BinKind.NORMAL,)))
    cartons = PackagingBalance.objects.filter(material=material, warehouse=warehouse).values_list(
        "on_hand", flat=True).first() or 0
    planned = min(free, 20)
    job = prepack.create_job(user=admin, warehouse=warehouse, sku=sku, quantity=planned, material=material,
                             to_bin=to_bin, promotion=promotion, note="主推款")
    if min(planned // 2, cartons) >= 1:
        prepack.record(job, user=admin, quantity=min(planned // 2, cartons))
    return 1
