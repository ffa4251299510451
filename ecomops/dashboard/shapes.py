"""What the management dashboard (DAT-01) computes, in the shapes its page, its exports and the
periodic reports all read: a period and the one before it, key figures with their previous value, and
charts that are tables (every chart has its table behind it: accessible, exportable, and the PDF
report draws the same rows).

Money is ``Decimal`` yuan with two places (fen exact); counts are ``int``; rates are ``Decimal``
fractions (0.0525 = 5.25 %) rounded half-up to four places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

PERIOD_KINDS = ("day", "week", "month", "custom")


@dataclass(frozen=True)
class Period:
    """Whole days in Asia/Shanghai, ``start`` to ``end`` inclusive."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, of the same kind: yesterday, last week, last month, or the same
        number of days before a custom range."""
        if self.kind == "month":
            end = self.start - timedelta(days=1)
            return Period("month", end.replace(day=1), end)
        return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The day, its week (Monday to Sunday) or its month."""
        if kind == "day":
            return cls("day", day, day)
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls("week", monday, monday + timedelta(days=6))
        if kind == "month":
            first = day.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            return cls("month", first, following - timedelta(days=1))
        raise ValueError(f"unknown period kind {kind!r}")


@dataclass
class Kpi:
    key: str                      # stable: "sales", "orders", "aov", "refund_rate" …
    label: str                    # Chinese (translated) label
    value: Decimal | int | None   # None: not known for this period
    previous: Decimal | int | None = None
    unit: str = ""                # "yuan", "count", "rate", "days"
    clause: str = ""

    @property
    def change(self) -> Decimal | None:
        """Change against the previous period as a fraction (None when there is nothing to compare)."""
        if self.value is None or not self.previous:
            return None
        return ((Decimal(self.value) - Decimal(self.previous)) / Decimal(self.previous)).quantize(Decimal("0.0001"))


@dataclass
class Chart:
    key: str                      # stable: "sales_by_day", "sales_by_store", "top_skus" …
    title: str
    kind: str                     # "line", "bar", "pie"
    columns: list[str]            # headers; the first column is the category (day, store, SKU …)
    rows: list[list] = field(default_factory=list)   # the table behind the chart
    units: list[str] = field(default_factory=list)   # per value column: "yuan", "count", "rate"


@dataclass
class Dashboard:
    period: Period
    previous: Period
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    scope_label: str = ""         # "全部委托方" or the client/store names the figures cover
    summarised_days: int = 0      # days read from the summary tables (the rest computed from the orders)
    refreshed_at: datetime | None = None  # when the summary tables were last brought up to date

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def format_value(value, unit: str) -> str:
    """A figure as the page, the PDF and the mail show it: ¥1,234.50, 1,234, 5.25%, 1.5 天, — when unknown."""
    if value is None:
        return "—"
    if unit == "yuan":
        return f"¥{Decimal(value):,.2f}"
    if unit == "rate":
        return f"{Decimal(value) * 100:.2f}%"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "days":
        return _("%(days)s 天") % {"days": f"{Decimal(value):.1f}"}
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_change(change: Decimal | None) -> str:
    """A change against the previous period: +12.50%, — when there is nothing to compare."""
    return "—" if change is None else f"{change * 100:+.2f}%"
