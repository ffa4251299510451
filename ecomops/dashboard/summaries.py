"""The dashboard's summary tables (DAT-01 speed): built from the orders, refreshed by the scheduler,
checked against the orders.

A closed local day (Asia/Shanghai, before today) is *summarised* when its rows in ``DailyStoreFigures``
and ``DailySkuSales`` are built and the day is listed in ``SummaryDay``; the dashboard then reads that
day from them and computes every other day from the orders (``figures``). The rows hold exactly what
``figures.live_store_days`` / ``live_sku_days`` compute for the day over all stores: the summaries
are built by those same functions, one set-based GROUP BY per figure over a few days at a time.

``refresh`` (job ``dashboard.summaries`` every ten minutes; ``ecomops dashboard-rebuild``) builds:

- every closed day from the first day with a payment, shipment or refund that is not summarised yet
  (the first run builds them all; after midnight, yesterday);
- the days touched by the orders and refunds changed since the previous refresh started, less
  ``CHANGE_MARGIN`` (an order imported late into yesterday, a shipment or refund recorded with an
  earlier date): an order's ``updated_at`` moves on every save, a refund's ``recorded_at`` is when it
  was entered. A day rebuilt twice comes out the same (delete and insert in one transaction), so
  overlapping windows cost time, never exactness.

``differences`` recomputes the summarised days from the orders and lists every row that differs
(``ecomops dashboard-verify``, exit status 1; job ``dashboard.verify`` nightly, which rebuilds those
days and fails so the owner hears of it). It catches what change tracking cannot see: an order's
payment day moved to another day (the old day is not known any more), rows deleted by hand.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ecomops.orders.models import Order, Refund
from ecomops.org.scoping import ALL_SCOPE

from .figures import LocalDay, as_date, live_sku_days, live_store_days, local_today, without_jit
from .models import DailySkuSales, DailyStoreFigures, SummaryDay, SummaryState

# A change committed late (a long import's first orders carry the time they were saved, not the time
# the import committed) is still found by the next refresh when it is at most this old.
CHANGE_MARGIN = timedelta(hours=1)
CHUNK_DAYS = 7  # days built per transaction: constant memory, short locks
BATCH = 2000


@dataclass
class RefreshResult:
    days: int            # days (re)built
    seconds: float
    first: date | None   # the first and last day built (None when nothing was)
    last: date | None


def activity_start() -> date | None:
    """The first local day with a payment, a shipment or a refund (None on an empty database)."""
    orders = Order.objects.aggregate(paid=Min("paid_at"), shipped=Min("shipped_at"))
    refunded = Refund.objects.aggregate(at=Min("refunded_at"))["at"]
    moments = [m for m in (orders["paid"], orders["shipped"], refunded) if m is not None]
    return min(local_today(m) for m in moments) if moments else None


def touched_days(since: datetime) -> set[date]:
    """The days whose figures the orders saved and the refunds entered since ``since`` may change."""
    changed = Order.objects.filter(updated_at__gte=since).order_by()
    days: set[date] = set()
    for column in ("paid_at", "shipped_at"):
        days.update(as_date(d) for d in changed.filter(**{f"{column}__isnull": False})
                    .annotate(d=LocalDay(column)).values_list("d", flat=True).distinct())
    days.update(as_date(d) for d in Refund.objects.filter(recorded_at__gte=since).order_by()
                .annotate(d=LocalDay("refunded_at")).values_list("d", flat=True).distinct())
    return days


def _runs(days: Iterable[date], longest: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """Sorted days as runs of consecutive days, each at most ``longest`` long."""
    run: list[date] = []
    for day in sorted(set(days)):
        if run and (day - run[-1] != timedelta(days=1) or len(run) == longest):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def _state() -> SummaryState:
    state, _created = SummaryState.objects.get_or_create(pk=1)
    return state


def build_days(first: date, last: date, *, at: datetime) -> None:
    """Rebuild the summary rows of ``first``..``last`` from the orders, in one transaction."""
    with without_jit():
        store_rows = live_store_days(ALL_SCOPE, first, last)
        sku_rows = live_sku_days(ALL_SCOPE, first, last)
    with transaction.atomic():
        SummaryState.objects.select_for_update().get(pk=_state().pk)  # one builder at a time
        for model in (DailyStoreFigures, DailySkuSales, SummaryDay):
            model.objects.filter(day__gte=first, day__lte=last).delete()
        DailyStoreFigures.objects.bulk_create(
            [DailyStoreFigures(store_id=store, day=day, sales=row[0], orders=row[1], shipped=row[2], refunds=row[3])
             for (store, day), row in store_rows.items()], batch_size=BATCH)
        DailySkuSales.objects.bulk_create(
            [DailySkuSales(store_id=store, day=day, sku_id=sku, units=units, amount=amount)
             for (store, day, sku), (units, amount) in sku_rows.items()], batch_size=BATCH)
        SummaryDay.objects.bulk_create([SummaryDay(day=first + timedelta(days=n), built_at=at)
                                        for n in range((last - first).days + 1)])


def refresh(*, now: datetime | None = None, full: bool = False,
            progress: Callable[[int, int], None] | None = None) -> RefreshResult:
    """Bring the summaries up to date (see the module's docstring); ``full`` rebuilds every closed day
    and drops summaries of days outside the orders' history."""
    started = timezone.now()
    now = now or started
    ticks = clock.perf_counter()
    state = _state()
    yesterday = local_today(now) - timedelta(days=1)
    first = activity_start()
    if first is None or first > yesterday:
        todo: set[date] = set()
    else:
        every = {first + timedelta(days=n) for n in range((yesterday - first).days + 1)}
        if full or state.last_started_at is None:
            todo = every
        else:
            built = set(SummaryDay.objects.filter(day__gte=first, day__lte=yesterday).values_list("day", flat=True))
            todo = (every - built) | (touched_days(state.last_started_at - CHANGE_MARGIN) & every)
    if full:
        with transaction.atomic():
            for model in (DailyStoreFigures, DailySkuSales, SummaryDay):
                outside = model.objects.exclude(day__gte=first, day__lte=yesterday) if todo else model.objects.all()
                outside.delete()
    done = 0
    for run_first, run_last in _runs(todo):
        build_days(run_first, run_last, at=started)
        done += (run_last - run_first).days + 1
        if progress:
            progress(done, len(todo))
    SummaryState.objects.filter(pk=state.pk).update(last_started_at=started, last_finished_at=timezone.now(),
                                                    last_days=len(todo))
    return RefreshResult(days=len(todo), seconds=clock.perf_counter() - ticks,
                         first=min(todo) if todo else None, last=max(todo) if todo else None)


@dataclass(frozen=True)
class Difference:
    day: date
    store_id: int
    sku_id: int | None      # None: the store's day figures; else one SKU's line
    summary: tuple | None   # what the summary table holds (None: no row)
    orders: tuple | None    # what the orders give (None: nothing that day)

    def __str__(self) -> str:
        what = f"store {self.store_id}" + ("" if self.sku_id is None else f" sku {self.sku_id}")
        names = ("sales", "orders", "shipped", "refunds") if self.sku_id is None else ("units", "amount")

        def shown(values: tuple | None) -> str:
            return "nothing" if values is None else " ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))

        return f"{self.day} {what}: summary {shown(self.summary)}, orders give {shown(self.orders)}"


def differences(first: date | None = None, last: date | None = None) -> list[Difference]:
    """Every summary row of the summarised days (of ``first``..``last``) that differs from the orders,
    and every row the orders give that the summaries miss."""
    days = SummaryDay.objects.all()
    if first:
        days = days.filter(day__gte=first)
    if last:
        days = days.filter(day__lte=last)
    found: list[Difference] = []
    for run_first, run_last in _runs(days.values_list("day", flat=True)):
        stored = {(r.store_id, r.day): (r.sales, r.orders, r.shipped, r.refunds)
                  for r in DailyStoreFigures.objects.filter(day__gte=run_first, day__lte=run_last)}
        live = live_store_days(ALL_SCOPE, run_first, run_last)
        found += [Difference(day, store, None, summary, orders)
                  for (store, day), summary, orders in _mismatches(stored, live)]
        stored_skus = {(r.store_id, r.day, r.sku_id): (r.units, r.amount)
                       for r in DailySkuSales.objects.filter(day__gte=run_first, day__lte=run_last)}
        live_skus = live_sku_days(ALL_SCOPE, run_first, run_last)
        found += [Difference(day, store, sku, summary, orders)
                  for (store, day, sku), summary, orders in _mismatches(stored_skus, live_skus)]
    return found


def _mismatches(stored: dict, live: dict) -> list[tuple[tuple, tuple | None, tuple | None]]:
    """(key, stored row, live row) for every key of either whose rows differ, by day, store (and SKU);
    the keys are (store, day[, sku])."""
    rows = []
    for key in sorted(stored.keys() | live.keys(), key=lambda k: (k[1], k[0], *k[2:])):
        summary, orders = stored.get(key), (tuple(live[key]) if key in live else None)
        if summary != orders:
            rows.append((key, summary, orders))
    return rows


def repair(found: Iterable[Difference], *, now: datetime | None = None) -> int:
    """Rebuild the days of ``found``; returns how many days."""
    days = {d.day for d in found}
    at = now or timezone.now()
    for run_first, run_last in _runs(days):
        build_days(run_first, run_last, at=at)
    return len(days)
