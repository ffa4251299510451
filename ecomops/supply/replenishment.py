"""The arithmetic of the replenishment plan (WMS-14), as pure functions.

WMS-14: daily sales = the average of the last ``daily_sales_window_days`` days. Hero group (the style's
``is_hero`` tag): when stock covers fewer than ``hero_reorder_trigger_days`` days of sales, order
``hero_order_days`` days of sales; a single SKU selling *more than* ``hero_fast_seller_units_per_day``
units a day orders ``hero_fast_seller_order_days`` days instead. Everything else: fewer than
``other_reorder_trigger_days`` days of cover → order ``other_order_days`` days of sales.

"Below" and "more than" are strict: exactly 2 days of cover is not below 2, exactly 100 units a day
is not more than 100. Cover = available ÷ daily sales; a SKU that sold nothing has unlimited cover and
is never reordered. The quantity is the days of sales, rounded up to whole units.

No database here: ``Policy`` carries the values (and their citations), so the property tests run
the rule over any numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from .enums import ReplenishmentRule

KEYS = (
    "WMS-14.daily_sales_window_days",
    "WMS-14.hero_reorder_trigger_days",
    "WMS-14.hero_order_days",
    "WMS-14.hero_fast_seller_units_per_day",
    "WMS-14.hero_fast_seller_order_days",
    "WMS-14.other_reorder_trigger_days",
    "WMS-14.other_order_days",
)


@dataclass(frozen=True)
class Policy:
    window_days: int
    hero_trigger_days: int
    hero_order_days: int
    hero_fast_units_per_day: int
    hero_fast_order_days: int
    other_trigger_days: int
    other_order_days: int
    citations: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def resolve(cls, on) -> Policy:
        """The WMS-14 values in force on ``on``, with the version of each (kept on the plan)."""
        from ecomops.policy import registry

        resolved = {key: registry.resolve(key, on=on) for key in KEYS}
        values = [int(resolved[key].value) for key in KEYS]
        return cls(*values, citations={key: r.citation for key, r in resolved.items()})


@dataclass(frozen=True)
class Decision:
    rule: str
    trigger_days: int
    order_days: int
    cover_days: Decimal | None  # None: nothing sold, unlimited cover
    quantity: int  # 0: no reorder
    explanation: str

    @property
    def reorder(self) -> bool:
        return self.quantity > 0


def average_daily_sales(units_sold: int, window_days: int) -> Decimal:
    """WMS-14: daily sales = units sold over the window ÷ the window's days (exact, not rounded)."""
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    return Decimal(max(units_sold, 0)) / Decimal(window_days)


def cover_days(available: int, daily_sales: Decimal) -> Decimal | None:
    """Days of sales the available stock covers; None when nothing sells (unlimited)."""
    if daily_sales <= 0:
        return None
    return Decimal(max(available, 0)) / daily_sales


def order_quantity(daily_sales: Decimal, order_days: int) -> int:
    """``order_days`` days of sales, rounded up to whole units. The product is first rounded to a
    millionth so that an average like 200/7 (kept to 28 digits) times 7 gives 200, not 201."""
    exact = (daily_sales * order_days).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "∞"
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def decide(*, available: int, daily_sales: Decimal, is_hero: bool, policy: Policy) -> Decision:
    """The WMS-14 rule for one SKU, with its explanation in Chinese."""
    cover = cover_days(available, daily_sales)
    if is_hero:
        trigger = policy.hero_trigger_days
        fast = daily_sales > policy.hero_fast_units_per_day
        rule = ReplenishmentRule.HERO_FAST if fast else ReplenishmentRule.HERO
        days = policy.hero_fast_order_days if fast else policy.hero_order_days
    else:
        trigger, fast = policy.other_trigger_days, False
        rule, days = ReplenishmentRule.OTHER, policy.other_order_days
    group = "主推组" if is_hero else "非主推组"
    figures = (
        f"近 {policy.window_days} 天日均销量 {_fmt(daily_sales)} 件，可售库存 {max(available, 0)} 件，"
        f"可售 {_fmt(cover)} 天"
    )
    if cover is None or cover >= trigger:
        return Decision(rule, trigger, days, cover, 0, f"{group}：{figures}，不低于 {trigger} 天，无需补货（WMS-14）")
    quantity = order_quantity(daily_sales, days)
    if fast:
        why = (
            f"主推组单品日均销量超过 {policy.hero_fast_units_per_day} 件，"
            f"按 {days} 天销量补货"
        )
    else:
        why = f"按 {days} 天销量补货"
    sums = f"{_fmt(daily_sales)} × {days} = {quantity} 件"
    explanation = f"{group}：{figures}，低于 {trigger} 天；{why}：{sums}（WMS-14）"
    return Decision(rule, trigger, days, cover, quantity, explanation)

