"""WMS-25 arithmetic, property-tested over delivery sizes (1..100000) and defect counts."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomops.receiving.sampling import (
    Outcome,
    Rules,
    check_full_inspection,
    first_sample_size,
    next_step,
    percent,
    second_sample_size,
)

RULES = Rules(first_rate=Decimal("0.10"), second_rate=Decimal("0.10"), reject_below=Decimal("0.70"), min_units=1)
quantities = st.integers(min_value=1, max_value=100_000)


@given(quantities)
def test_wms25_first_sample_is_ten_percent_rounded_up_at_least_one(quantity):
    """WMS-25: first sample = ceil(10% × quantity), at least 1 unit, never more than the quantity."""
    size = first_sample_size(quantity, RULES)
    assert size == max(1, math.ceil(quantity / 10))
    assert 1 <= size <= quantity


@given(quantities)
def test_wms25_second_sample_never_exceeds_what_is_left(quantity):
    """WMS-25: the second sample is another 10% (at least 1) but never more than the unsampled units."""
    first = first_sample_size(quantity, RULES)
    second = second_sample_size(quantity, RULES)
    assert first + second <= quantity
    assert second == min(quantity - first, max(1, math.ceil(quantity / 10)))


@given(quantities)
def test_wms25_all_pass_accepts(quantity):
    """WMS-25: every unit of the first sample passes → the colour-size is accepted."""
    assert next_step(quantity, RULES).outcome == Outcome.SAMPLE_FIRST
    step = next_step(quantity, RULES, first_failed=0)
    assert step.outcome == Outcome.ACCEPT and step.rate == 1


@settings(max_examples=300)
@given(quantities, st.data())
def test_wms25_decision_over_both_samples(quantity, data):
    """WMS-25: any failure → second sample; pass rate over both < 70% rejects the whole delivery,
    70% ≤ rate < 100% → full inspection."""
    first = first_sample_size(quantity, RULES)
    first_failed = data.draw(st.integers(min_value=1, max_value=first))
    second = second_sample_size(quantity, RULES)
    step = next_step(quantity, RULES, first_failed=first_failed)
    if second:
        assert step.outcome == Outcome.SAMPLE_SECOND and step.sample_size == second
        second_failed = data.draw(st.integers(min_value=0, max_value=second))
    else:
        second_failed = None
    final = next_step(quantity, RULES, first_failed, second_failed)
    sampled = first + second
    rate = Fraction(sampled - first_failed - (second_failed or 0), sampled)
    assert final.rate == rate and final.sampled == sampled and sampled <= quantity
    assert final.outcome == (Outcome.REJECT if rate < Fraction(7, 10) else Outcome.FULL_INSPECTION)
    assert rate < 1


def test_wms25_exactly_70_percent_is_full_inspection_and_69_99_is_rejection():
    """WMS-25: the boundary is exact: 70.00% → full inspection, 69.99% → whole delivery rejected."""
    # 100 units: samples of 10 + 10 = 20; 6 failures → 14/20 = 70%.
    assert next_step(100, RULES, 3, 3).outcome == Outcome.FULL_INSPECTION
    assert next_step(100, RULES, 3, 4).outcome == Outcome.REJECT  # 65%
    # 100000 units: 10000 + 10000 sampled; 6002 failures → 13998/20000 = 69.99%.
    step = next_step(100_000, RULES, 3001, 3001)
    assert step.outcome == Outcome.REJECT and percent(step.rate) == "69.99%"
    step = next_step(100_000, RULES, 3000, 3000)
    assert step.outcome == Outcome.FULL_INSPECTION and percent(step.rate) == "70.00%"


def test_wms25_single_unit_failing_is_rejected_without_a_second_sample():
    """WMS-25: one unit, sampled whole, fails: nothing left for a second sample; 0% < 70% → reject."""
    assert second_sample_size(1, RULES) == 0
    assert next_step(1, RULES, first_failed=1).outcome == Outcome.REJECT


def test_wms25_min_sample_units_and_bad_results_are_refused():
    """WMS-25.min_sample_units raises small samples; counts outside the sample are refused."""
    rules = Rules(Decimal("0.10"), Decimal("0.10"), Decimal("0.70"), 5)
    assert first_sample_size(12, rules) == 5 and first_sample_size(3, rules) == 3
    with pytest.raises(ValueError):
        next_step(10, RULES, first_failed=2)
    with pytest.raises(ValueError):
        Rules(Decimal("0"), Decimal("0.1"), Decimal("0.7"), 1)


@given(quantities, st.data())
def test_wms25_full_inspection_accepts_the_good_units(quantity, data):
    """WMS-25: full inspection accepts quantity − defects; defects at least those found in samples."""
    found = data.draw(st.integers(min_value=0, max_value=quantity))
    defective = data.draw(st.integers(min_value=found, max_value=quantity))
    assert check_full_inspection(quantity, found, defective) == quantity - defective
    if found:
        with pytest.raises(ValueError):
            check_full_inspection(quantity, found, found - 1)
