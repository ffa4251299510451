"""The carriers' monthly scorecard and the routing suggestion (LOG-01, LOG-03).

For a month (Asia/Shanghai) and each carrier, over the parcels shipped in it that the user may see:

- parcels, delivered, **on-time rate** = delivered by the due day ÷ delivered or overdue (parcels
  still in transit and not yet due are not judged);
- **loss and damage rate** = parcels with a lost or damaged case ÷ parcels;
- **cost per parcel** = freight ÷ parcels that have a freight; compensation received;
- **coverage**: the provinces it delivered to.

The routing rule suggests, per province, the carrier with the best on-time rate among those that
carried at least ``LOG-01.routing_min_parcels`` parcels there in the month; a tie goes to the lower
cost per parcel. Volume then shifts to the carriers that serve a region best (LOG-01).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError
from ecomops.orders.enums import Courier
from ecomops.org.queries import month_bounds as org_month_bounds
from ecomops.policy import registry

from .models import CaseKind, LogisticsCase, Shipment

MIN_PARCELS = "LOG-01.routing_min_parcels"
PERCENT = Decimal("0.1")
FEN = Decimal("0.01")


@dataclass
class Score:
    courier: str
    parcels: int = 0
    delivered: int = 0
    on_time: int = 0
    judged: int = 0
    lost_or_damaged: int = 0
    priced: int = 0
    freight: Decimal = Decimal("0")
    compensation: Decimal = Decimal("0")
    provinces: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Courier(self.courier).label) if self.courier in Courier.values else self.courier

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percent, one decimal, half-up; None when nothing can be judged yet."""
        if not self.judged:
            return None
        return (Decimal(self.on_time * 100) / self.judged).quantize(PERCENT, ROUND_HALF_UP)

    @property
    def loss_rate(self) -> Decimal | None:
        if not self.parcels:
            return None
        return (Decimal(self.lost_or_damaged * 100) / self.parcels).quantize(PERCENT, ROUND_HALF_UP)

    @property
    def cost_per_parcel(self) -> Decimal | None:
        if not self.priced:
            return None
        return (self.freight / self.priced).quantize(FEN, ROUND_HALF_UP)


def month_bounds(month: date) -> tuple[datetime, datetime, date]:
    """The month of ``month`` as [start, end) moments in Asia/Shanghai, and its last day."""
    first, last = org_month_bounds(month.year, month.month)
    tz = timezone.get_current_timezone()
    return (datetime.combine(first, time.min, tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz), last)


def _judged(today: date) -> Q:
    return Q(delivered_at__isnull=False) | Q(due_on__lt=today)


def _on_time() -> Q:
    return Q(delivered_at__isnull=False, delivered_at__date__lte=F("due_on"))


def scorecard(month: date, *, user, today: date | None = None, province: str | None = None) -> list[Score]:
    """One ``Score`` per carrier that shipped in ``month`` (see the module's docstring)."""
    today = today or timezone.localdate()
    start, end, _last = month_bounds(month)
    shipments = Shipment.objects.visible_to(user).filter(shipped_at__gte=start, shipped_at__lt=end)
    if province is not None:
        shipments = shipments.filter(province=province)
    rows = shipments.values("courier").annotate(
        parcels=Count("pk"), delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        judged=Count("pk", filter=_judged(today)), on_time=Count("pk", filter=_on_time()),
        priced=Count("pk", filter=Q(cost__isnull=False)), freight=Sum("cost")).order_by("courier")
    scores = {r["courier"]: Score(courier=r["courier"], parcels=r["parcels"], delivered=r["delivered"],
                                  judged=r["judged"], on_time=r["on_time"], priced=r["priced"],
                                  freight=r["freight"] or Decimal("0")) for r in rows}
    cases = LogisticsCase.objects.filter(shipment__in=shipments)
    for row in (cases.filter(kind__in=[CaseKind.LOST, CaseKind.DAMAGED]).values("shipment__courier")
                .annotate(n=Count("shipment", distinct=True)).order_by()):
        scores[row["shipment__courier"]].lost_or_damaged = row["n"]
    for row in cases.values("shipment__courier").annotate(paid=Sum("compensation")).order_by():
        scores[row["shipment__courier"]].compensation = row["paid"] or Decimal("0")
    for courier, prov in (shipments.filter(delivered_at__isnull=False).exclude(province="")
                          .values_list("courier", "province").distinct().order_by("courier", "province")):
        scores[courier].provinces.append(prov)
    return list(scores.values())


@dataclass(frozen=True)
class Route:
    province: str
    courier: str | None
    score: Score | None
    reason: str


def routing(month: date, *, user, today: date | None = None) -> list[Route]:
    """LOG-01: the suggested carrier per province from the month's scores (see the module's docstring)."""
    start, end, last = month_bounds(month)
    provinces = list(Shipment.objects.visible_to(user).filter(shipped_at__gte=start, shipped_at__lt=end)
                     .exclude(province="").values_list("province", flat=True).distinct().order_by("province"))
    if not provinces:
        return []
    try:
        minimum = int(registry.value(MIN_PARCELS, on=last))
    except registry.PolicyMissing:
        raise BusinessError(_("%(month)s 没有生效的快递推荐规则（LOG-01）") % {"month": f"{month:%Y-%m}"},
                            field="month") from None
    routes = []
    for province in provinces:
        candidates = [s for s in scorecard(month, user=user, today=today, province=province)
                      if s.parcels >= minimum and s.on_time_rate is not None]
        if not candidates:
            routes.append(Route(province, None, None, _("样本不足：每家快递至少需 %(n)d 票") % {"n": minimum}))
            continue
        best = min(candidates, key=lambda s: (-s.on_time_rate, s.cost_per_parcel if s.cost_per_parcel is not None
                                              else Decimal("Infinity"), s.courier))
        routes.append(Route(province, best.courier, best, _("准时率 %(rate)s%%，单票运费 %(cost)s 元") % {
            "rate": best.on_time_rate, "cost": best.cost_per_parcel if best.cost_per_parcel is not None else "—"}))
    return routes
