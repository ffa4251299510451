"""WMS-25 QC sampling of a receipt, per colour-size: the arithmetic only (no database).

- First sample: ``ceil(first_sample_rate × quantity)``, at least ``min_sample_units`` (never more than
  the quantity). All pass → the colour-size is accepted.
- Any fail → a second sample of ``ceil(second_sample_rate × quantity)``, at least ``min_sample_units``,
  but never more than the units not sampled yet (it may be 0 when the first sample took every unit).
- Pass rate over both samples below ``reject_below_pass_rate`` → the whole delivery is rejected;
  from that rate up to below 100 % → every unit is inspected, good units accepted, defects returned.

Rates are compared exactly (``Fraction``): 70 % is full inspection, 69.99 % is a rejection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction


class Outcome(StrEnum):
    SAMPLE_FIRST = "first_sample"  # take the first sample
    SAMPLE_SECOND = "second_sample"  # take the second sample
    ACCEPT = "accept"  # every sampled unit passed: accept the colour-size
    FULL_INSPECTION = "full_inspection"  # inspect every unit
    REJECT = "reject"  # reject the whole delivery


@dataclass(frozen=True)
class Rules:
    """The WMS-25 policy values in force on the receipt date."""

    first_rate: Decimal
    second_rate: Decimal
    reject_below: Decimal
    min_units: int

    def __post_init__(self):
        for name in ("first_rate", "second_rate", "reject_below"):
            value = Fraction(getattr(self, name))
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1]")
        if self.min_units < 1:
            raise ValueError("min_units must be at least 1")


def _ceil_share(rate: Decimal, quantity: int) -> int:
    return math.ceil(Fraction(rate) * quantity)


def first_sample_size(quantity: int, rules: Rules) -> int:
    """Units of the first sample: ⌈rate × quantity⌉, at least the minimum, at most the quantity."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    return min(quantity, max(_ceil_share(rules.first_rate, quantity), rules.min_units))


def second_sample_size(quantity: int, rules: Rules) -> int:
    """Units of the second sample: ⌈rate × quantity⌉, at least the minimum, at most what the first
    sample left unsampled (0 when it took every unit)."""
    left = quantity - first_sample_size(quantity, rules)
    return min(left, max(_ceil_share(rules.second_rate, quantity), rules.min_units))


def pass_rate(sampled: int, failed: int) -> Fraction:
    if sampled < 1 or not 0 <= failed <= sampled:
        raise ValueError("need 0 <= failed <= sampled and sampled >= 1")
    return Fraction(sampled - failed, sampled)


@dataclass(frozen=True)
class Step:
    """What happens next for one colour-size: ``outcome``, and for a sample how many units to take."""

    outcome: Outcome
    sample_size: int = 0
    sampled: int = 0  # units sampled so far
    failed: int = 0  # of them failed
    rate: Fraction | None = None  # pass rate over the samples so far (None before any)

    @property
    def is_final(self) -> bool:
        return self.outcome in (Outcome.ACCEPT, Outcome.REJECT, Outcome.FULL_INSPECTION)


def next_step(quantity: int, rules: Rules, first_failed: int | None = None, second_failed: int | None = None) -> Step:
    """The WMS-25 decision for a colour-size of ``quantity`` units after the results so far."""
    first = first_sample_size(quantity, rules)
    if first_failed is None:
        if second_failed is not None:
            raise ValueError("second result without a first")
        return Step(Outcome.SAMPLE_FIRST, sample_size=first)
    if not 0 <= first_failed <= first:
        raise ValueError("first_failed out of range")
    if first_failed == 0:
        if second_failed is not None:
            raise ValueError("no second sample after an all-pass first sample")
        return Step(Outcome.ACCEPT, sampled=first, rate=Fraction(1))
    second = second_sample_size(quantity, rules)
    if second_failed is None and second > 0:
        return Step(Outcome.SAMPLE_SECOND, sample_size=second, sampled=first, failed=first_failed,
                    rate=pass_rate(first, first_failed))
    if second == 0 and second_failed not in (None, 0):
        raise ValueError("no second sample to fail")
    failed = first_failed + (second_failed or 0)
    sampled = first + second
    if not 0 <= (second_failed or 0) <= second:
        raise ValueError("second_failed out of range")
    rate = pass_rate(sampled, failed)
    if rate < Fraction(rules.reject_below):
        return Step(Outcome.REJECT, sampled=sampled, failed=failed, rate=rate)
    return Step(Outcome.FULL_INSPECTION, sampled=sampled, failed=failed, rate=rate)


def check_full_inspection(quantity: int, found_in_samples: int, defective: int) -> int:
    """Full inspection found ``defective`` units among all ``quantity``: at least the failures the
    samples already found, at most every unit. Returns the good units to accept."""
    if not found_in_samples <= defective <= quantity:
        raise ValueError("defective out of range")
    return quantity - defective


def percent(rate: Fraction | None) -> str:
    """A pass rate for people: ``73.33%`` (two decimals, half up)."""
    if rate is None:
        return ""
    value = (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    return f"{value}%"
