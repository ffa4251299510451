"""Pre-packing of bestsellers (FUL-05): the only code that changes a ``PrepackJob``.

Ahead of a big promotion (``supply.Promotion``, whose ``prepare_on`` is
``FUL-05.prepack_days_before_promotion`` days before it starts) the warehouse packs the main products
one unit per parcel, so that on the day the single-unit orders only need a waybill.

- ``suggest``: the main products of a warehouse, ranked by the single-unit orders shipped in the last
  ``FUL-05.prepack_lookback_days`` days (the first ``FUL-05.prepack_top_skus``), with the suggested
  number of parcels: that count, less what is pre-packed already or planned, at most the free stock.
- ``create_job``: a job for one SKU, its packaging and the ``prepack`` bin the parcels go to.
- ``record``: a sitting that packed ``quantity`` parcels: the units move (oldest lot first, WMS-10) from
  normal bins into the prepack bin on the ledger, against the job (``DocKind.PREPACK``), and the
  packaging leaves the packaging stock (WMS-18), in one transaction.
- ``close``: a job ended early (done with what was packed, or cancelled when nothing was).

The parcels remain the SKU's sellable stock. ``inventory.reservations.reserve`` takes them last, except
for an order of a single unit, which takes them first; the packing station then records such an order
as pre-packed and does not consume packaging again (``actions.pack``). Packaging spent on a parcel that
is later unpacked is not given back: it is gone, as on the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core import validate
from ecomops.core.documents import next_number
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.inventory.actions import suggest_fifo
from ecomops.inventory.enums import BinKind, DocKind, ReservationState
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import Bin, ReservationAllocation, StockBalance, Warehouse
from ecomops.orders.models import Order, OrderLine
from ecomops.org.actions import require_staff_perm
from ecomops.org.scoping import scope_for
from ecomops.policy import registry
from ecomops.supply.models import PackagingMaterial, Promotion
from ecomops.supply.packaging import consume_packaging

from .enums import PREPACK_FLOW, PrepackState
from .models import PrepackJob

PLAN_PERM = "fulfilment.add_prepackjob"
PACK_PERM = "fulfilment.prepack"
VIEW_PERM = "fulfilment.view_prepackjob"
LOOKBACK = "FUL-05.prepack_lookback_days"
TOP = "FUL-05.prepack_top_skus"
PREFIX = "YB"
QUANTITY_MAX = 100_000
NOTE_MAX = 200


# --- what to pre-pack ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One main product of the warehouse: single-unit orders shipped in the window, parcels already
    pre-packed (on hand in prepack bins) and still planned by open jobs, free stock in normal bins, and
    the parcels suggested."""

    sku: SKU
    single_orders: int
    prepacked: int
    planned: int
    free: int

    @property
    def suggested(self) -> int:
        return max(0, min(self.single_orders - self.prepacked - self.planned, self.free))


@dataclass(frozen=True)
class Suggestions:
    rows: list[Suggestion]
    start: date
    end: date
    citation: str


def suggest(warehouse: Warehouse, *, user, on: date | None = None) -> Suggestions:
    """FUL-05: the bestsellers of ``warehouse`` among the clients the user sees, most single-unit
    orders first. A single-unit order is an order of exactly one unit (one line, quantity 1) shipped
    from the warehouse in the ``FUL-05.prepack_lookback_days`` days before ``on``."""
    on = on or timezone.localdate()
    days = registry.resolve(LOOKBACK, on=on)
    top = registry.resolve(TOP, on=on)
    end = on
    start = on - timedelta(days=int(days.value))
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end, time.min, tzinfo=tz)
    singles = (Order.objects.visible_to(user)
               .filter(warehouse=warehouse, shipped_at__gte=since, shipped_at__lt=until)
               .annotate(units=Sum("lines__quantity")).filter(units=1).values("pk"))
    ranked = list(OrderLine.objects.filter(order_id__in=singles, sku__isnull=False)
                  .values("sku_id").annotate(n=Count("id")).order_by("-n", "sku_id")[: int(top.value)])
    sku_ids = [row["sku_id"] for row in ranked]
    skus = SKU.objects.in_bulk(sku_ids)
    balances = StockBalance.objects.filter(warehouse=warehouse, sku_id__in=sku_ids, bin__is_active=True)
    free = dict(balances.filter(bin__kind=BinKind.NORMAL).values_list("sku_id")
                .annotate(n=Sum(F("on_hand") - F("reserved"))))
    packed = dict(balances.filter(bin__kind=BinKind.PREPACK).values_list("sku_id").annotate(n=Sum("on_hand")))
    planned = dict(PrepackJob.objects.filter(warehouse=warehouse, sku_id__in=sku_ids, state=PrepackState.OPEN)
                   .values_list("sku_id").annotate(n=Sum(F("planned") - F("packed"))))
    rows = [Suggestion(sku=skus[row["sku_id"]], single_orders=row["n"], prepacked=int(packed.get(row["sku_id"]) or 0),
                       planned=int(planned.get(row["sku_id"]) or 0), free=int(free.get(row["sku_id"]) or 0))
            for row in ranked]
    return Suggestions(rows=rows, start=start, end=end - timedelta(days=1),
                       citation=f"{days.citation}；{top.citation}")


# --- the job ---------------------------------------------------------------------------------------------


def _sees(user, client_id: int) -> bool:
    return scope_for(user).sees_client(client_id, whole=False)


@transaction.atomic
def create_job(*, user, warehouse: Warehouse, sku: SKU | None, quantity, material: PackagingMaterial | None,
               to_bin: Bin | None, promotion: Promotion | None = None, due_on: date | None = None,
               note: str = "") -> PrepackJob:
    """FUL-05: plan ``quantity`` parcels of ``sku`` (one unit each, in ``material``) into the prepack bin
    ``to_bin``. Due on the promotion's preparation day, else ``due_on``, else today. Refused, naming the
    field: a SKU of a client the user does not see, a bin that is not an active prepack bin of the
    warehouse, a promotion of another warehouse or already started, a quantity above the free stock."""
    require_staff_perm(user, PLAN_PERM)
    if warehouse is None:
        raise BusinessError(_("请选择仓库"), field="warehouse")
    if sku is None or not _sees(user, sku.client_id):
        raise BusinessError(_("请选择SKU"), field="sku")
    quantity = validate.count(quantity, field="quantity", label=_("计划件数"), maximum=QUANTITY_MAX)
    if material is None:
        raise BusinessError(_("请选择包材"), field="material")
    if to_bin is None or to_bin.warehouse_id != warehouse.pk or to_bin.kind != BinKind.PREPACK or not to_bin.is_active:
        raise BusinessError(_("请选择本仓库启用的预包区库位（库位类型“预包区”）"), field="to_bin")
    today = timezone.localdate()
    if promotion is not None:
        if promotion.warehouse_id != warehouse.pk:
            raise BusinessError(_("大促“%(name)s”不是本仓库的") % {"name": promotion.name}, field="promotion")
        if promotion.starts_on < today:
            raise BusinessError(_("大促“%(name)s”已开始，不能再安排预打包") % {"name": promotion.name},
                                field="promotion")
        due_on = promotion.prepare_on
    due_on = due_on or today
    free = sum(p.quantity for p in suggest_fifo(sku, warehouse, quantity, bin_kinds=(BinKind.NORMAL,)))
    if free < quantity:
        raise BusinessError(_("SKU %(sku)s 在本仓库正常库位可用 %(free)d 件，不足计划的 %(n)d 件")
                            % {"sku": sku.sku_code, "free": free, "n": quantity}, field="quantity")
    note = validate.text(note, field="note", label=_("备注"), max_length=NOTE_MAX)
    job = PrepackJob(number=next_number(PREFIX), warehouse=warehouse, client_id=sku.client_id, sku=sku,
                     material=material, to_bin=to_bin, promotion=promotion, planned=quantity, due_on=due_on,
                     note=note, created_by=user)
    save_audited(job, user=user, reason=_("创建预打包任务"))
    return job


def _job_in_scope(job: PrepackJob, user) -> PrepackJob:
    found = (PrepackJob.objects.visible_to(user).select_for_update(of=("self",))
             .select_related("warehouse", "sku", "material", "to_bin").filter(pk=job.pk).first())
    if found is None:
        raise BusinessError(_("预打包任务不存在"), field="job", code="not_found")
    return found


@transaction.atomic
def record(job: PrepackJob, *, user, quantity) -> PrepackJob:
    """FUL-05: ``quantity`` parcels packed in this sitting. The units move from normal bins (oldest lot
    first, WMS-10) into the job's prepack bin, posted against the job; ``quantity`` of the packaging
    leaves the packaging stock (WMS-18). The last planned parcel completes the job. All or nothing:
    more than the job still plans, or than is free in normal bins, or than the packaging stock holds,
    is refused and nothing moves."""
    require_staff_perm(user, PACK_PERM)
    job = _job_in_scope(job, user)
    if job.state != PrepackState.OPEN:
        raise Conflict(_("预打包任务 %(no)s %(state)s，不能再登记") % {"no": job.number,
                                                                    "state": job.get_state_display()})
    quantity = validate.count(quantity, field="quantity", label=_("本次打包件数"), maximum=QUANTITY_MAX)
    if quantity > job.remaining:
        raise BusinessError(_("预打包任务 %(no)s 只剩 %(n)d 件未打包") % {"no": job.number, "n": job.remaining},
                            field="quantity")
    picks = suggest_fifo(job.sku, job.warehouse, quantity, bin_kinds=(BinKind.NORMAL,))
    free = sum(p.quantity for p in picks)
    if free < quantity:
        raise BusinessError(_("SKU %(sku)s 正常库位可用 %(free)d 件，不足 %(n)d 件")
                            % {"sku": job.sku.sku_code, "free": free, "n": quantity}, field="quantity")
    moves = [Move(sku_id=job.sku_id, lot_id=p.balance.lot_id, quantity=p.quantity, from_bin=p.balance.bin,
                  to_bin=job.to_bin, note=_("预打包 %(no)s") % {"no": job.number}) for p in picks]
    post_moves(moves, doc=DocRef.of(DocKind.PREPACK, job), user=user)
    consume_packaging(user=user, warehouse=job.warehouse, material=job.material, quantity=quantity,
                      note=_("预打包 %(no)s：%(sku)s × %(n)d") % {"no": job.number, "sku": job.sku.sku_code,
                                                               "n": quantity})
    job.packed += quantity
    if job.packed == job.planned:
        transition(job, PrepackState.DONE, flow=PREPACK_FLOW, user=user, reason=_("预打包完成"),
                   changes={"packed": job.packed, "closed_by": user, "closed_at": timezone.now()})
    else:
        save_audited(job, user=user, reason=_("预打包 %(n)d 件") % {"n": quantity})
    return job


@transaction.atomic
def close(job: PrepackJob, *, user, reason: str) -> PrepackJob:
    """FUL-05: end an open job early, with a reason: done with the parcels packed so far, or cancelled
    when none was. The parcels already packed stay in the prepack bin."""
    require_staff_perm(user, PLAN_PERM)
    job = _job_in_scope(job, user)
    reason = validate.text(reason, field="reason", label=_("关闭原因"), max_length=NOTE_MAX, required=True)
    if job.state != PrepackState.OPEN:
        raise Conflict(_("预打包任务 %(no)s 已%(state)s") % {"no": job.number, "state": job.get_state_display()})
    target = PrepackState.DONE if job.packed else PrepackState.CANCELLED
    note = f"{job.note} {reason}".strip()[:NOTE_MAX]
    transition(job, target, flow=PREPACK_FLOW, user=user, reason=reason,
               changes={"closed_by": user, "closed_at": timezone.now(), "note": note})
    return job


# --- at the station ---------------------------------------------------------------------------------------


def prepacked_material(order: Order) -> PackagingMaterial | None:
    """The packaging of the pre-packed parcel an order of a single unit was given (its reservation
    taken from a prepack bin), from the latest job that packed into that bin; None when the order is
    not such an order."""
    if order.warehouse_id is None:
        return None
    units = order.lines.aggregate(n=Sum("quantity"))["n"]
    if units != 1:
        return None
    allocation = (ReservationAllocation.objects
                  .filter(reservation__doc_kind=DocKind.ORDER, reservation__doc_id=str(order.pk),
                          reservation__state=ReservationState.ACTIVE, balance__bin__kind=BinKind.PREPACK)
                  .select_related("balance").first())
    if allocation is None:
        return None
    job = (PrepackJob.objects.filter(to_bin_id=allocation.balance.bin_id, sku_id=allocation.balance.sku_id,
                                     packed__gt=0).select_related("material").order_by("-pk").first())
    return job.material if job is not None else None
