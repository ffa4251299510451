"""Property tests (hypothesis) for the policy arithmetic: the PER-08 and PER-09 tier tables as seeded,
and the round trip "stored → edit form → stored" for every kind of parameter (POL-02)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecomops.policy.kinds import ParameterKind as K
from ecomops.policy.kinds import human_input, normalise, to_python
from ecomops.policy.seed import load_parameters

FAST = settings(max_examples=150, deadline=None)
ROUND_TRIP = settings(max_examples=60, deadline=None)


def seeded_table(key: str):
    """The table exactly as seed_parameters() stores it (test_seed checks the database holds this)."""
    row = next(r for r in load_parameters()["parameter"] if r["key"] == key)
    options = row.get("options", {})
    return to_python(K.TIER_TABLE, normalise(K.TIER_TABLE, row["value"], options), options)


PER_08 = seeded_table("PER-08.commission_rates")
PER_09 = seeded_table("PER-09.activity_fund_rates")
GROUPS = ("customer_service", "promotion", "supervisor")

completions = st.one_of(
    st.decimals(min_value=0, max_value=3, places=4),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=2, places=12),
)


def pct(text: str) -> D:
    return D(text) / 100


def rates(table, r: D) -> tuple:
    return tuple(table.rate(r, column) for column in [c["key"] for c in table.columns])


# --- PER-08 commission tiers ------------------------------------------------------------------

@FAST
@given(r=completions)
@example(r=D("0")).via("zero completion")
@example(r=D("0.3")).via("boundary")
@example(r=D("1.2")).via("boundary")
def test_per_08_every_completion_falls_in_exactly_one_tier(r):
    assert sum(tier.contains(r) for tier in PER_08.tiers) == 1


@FAST
@given(a=completions, b=completions)
def test_per_08_rates_never_fall_as_completion_grows(a, b):
    low, high = sorted((a, b))
    for group in GROUPS:
        assert PER_08.rate(low, group) <= PER_08.rate(high, group)


@pytest.mark.parametrize(("completion", "expected"), [
    ("0", ("0", "0", "0")),
    ("29.99", ("0", "0", "0")),
    ("30", ("0", "0", "0")),  # 30% itself earns nothing
    ("30.01", ("0.005", "0.01", "0.02")),
    ("50", ("0.005", "0.01", "0.02")),  # 50% is in the first paid tier
    ("50.01", ("0.01", "0.015", "0.03")),
    ("80", ("0.01", "0.015", "0.03")),
    ("80.01", ("0.015", "0.02", "0.04")),
    ("100", ("0.015", "0.02", "0.04")),
    ("110", ("0.015", "0.02", "0.04")),  # Decision: 100–120% keeps the 100% rates
    ("119.99", ("0.015", "0.02", "0.04")),
    ("120", ("0.02", "0.025", "0.05")),  # 120% itself is the top tier
    ("150", ("0.02", "0.025", "0.05")),
])
def test_per_08_boundaries_exactly_as_written(completion, expected):
    """PER-08 (issue 6): customer-service group / promotion group / supervisor."""
    assert rates(PER_08, pct(completion)) == tuple(D(x) for x in expected)


# --- PER-09 activity fund ---------------------------------------------------------------------

@FAST
@given(r=completions)
@example(r=D("0.5")).via("boundary")
@example(r=D("0.8")).via("boundary")
@example(r=D("1")).via("boundary")
def test_per_09_every_completion_falls_in_exactly_one_tier(r):
    assert sum(tier.contains(r) for tier in PER_09.tiers) == 1


@FAST
@given(a=completions, b=completions)
def test_per_09_fund_share_never_falls_as_completion_grows(a, b):
    low, high = sorted((a, b))
    assert PER_09.rate(low, "fund") <= PER_09.rate(high, "fund")


@pytest.mark.parametrize(("completion", "expected"), [
    ("0", "0"), ("49.99", "0"),  # below 50%: none
    ("50", "0.003"), ("65", "0.003"), ("80", "0.003"),  # 50–80%: 0.3%
    ("80.01", "0.005"), ("100", "0.005"),  # above 80% to 100%: 0.5%
    ("100.01", "0.01"), ("250", "0.01"),  # above 100%: 1%
])
def test_per_09_boundaries(completion, expected):
    assert PER_09.rate(pct(completion), "fund") == D(expected)


# --- round trip: what the edit form shows is accepted back unchanged ---------------------------

def round_trips(kind, raw, options=None):
    stored = normalise(kind, raw, options)
    again = normalise(kind, human_input(kind, stored), options)
    assert again == stored
    to_python(kind, stored, options)  # and it reads back
    return stored


def decimals(low, high, max_places):
    return st.integers(0, max_places).flatmap(
        lambda places: st.decimals(min_value=low, max_value=high, places=places)
    )


@ROUND_TRIP
@given(number=decimals(-10**9, 10**9, 6))
def test_decimal_round_trip(number):
    stored = round_trips(K.DECIMAL, str(number))
    assert D(stored) == number


@ROUND_TRIP
@given(number=decimals(0, 10**9, 2))
def test_money_round_trip(number):
    stored = round_trips(K.MONEY, str(number))
    assert to_python(K.MONEY, stored) == number


@ROUND_TRIP
@given(number=st.integers(-10**15, 10**15))
def test_integer_round_trip(number):
    assert round_trips(K.INTEGER, str(number)) == number


@ROUND_TRIP
@given(percent=decimals(0, 100, 4), suffix=st.sampled_from(["", "%", "％", " %"]))
def test_percentage_round_trip(percent, suffix):
    stored = round_trips(K.PERCENTAGE, f"{percent}{suffix}")
    assert to_python(K.PERCENTAGE, stored) * 100 == percent


@ROUND_TRIP
@given(amount=st.integers(1, 100000),
       unit=st.sampled_from(["min", "m", "分钟", "h", "hours", "小时", "d", "days", "天", "日"]))
def test_duration_round_trip(amount, unit):
    stored = round_trips(K.DURATION, f"{amount}{unit}")
    assert stored["amount"] == amount


@ROUND_TRIP
@given(moment=st.times())
def test_time_round_trip(moment):
    assert round_trips(K.TIME, f"{moment.hour}:{moment.minute:02d}") == f"{moment:%H:%M}"


@ROUND_TRIP
@given(moments=st.sets(st.tuples(st.integers(0, 23), st.integers(0, 59)), min_size=1, max_size=12),
       separator=st.sampled_from([",", "，", "、", "\n", "; "]))
def test_time_list_round_trip(moments, separator):
    ordered = sorted(moments)
    stored = round_trips(K.TIME_LIST, separator.join(f"{h}:{m:02d}" for h, m in ordered))
    assert stored == [f"{h:02d}:{m:02d}" for h, m in ordered]


term = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n,，、;；"),
    min_size=1, max_size=20,
).filter(lambda text: text.strip())


@ROUND_TRIP
@given(terms=st.lists(term, min_size=1, max_size=30))
def test_term_list_round_trip(terms):
    stored = round_trips(K.TERM_LIST, terms)
    assert set(stored) <= {t.strip() for t in terms}


@ROUND_TRIP
@given(a=decimals(0, 10**6, 2), b=decimals(0, 10**6, 2))
def test_range_round_trip(a, b):
    low, high = sorted((a, b))
    stored = round_trips(K.RANGE, {"min": str(low), "max": str(high)})
    assert to_python(K.RANGE, stored) == (low, high)


WEIGHTS = {"columns": [{"key": "results"}, {"key": "quality"}, {"key": "cost"}]}


@ROUND_TRIP
@given(a=decimals(0, 100, 2), b=decimals(0, 100, 2))
def test_weights_round_trip(a, b):
    first, second = sorted((a, b))
    parts = (first, second - first, 100 - second)
    stored = round_trips(K.WEIGHTS, "/".join(str(p) for p in parts), WEIGHTS)
    assert sum(to_python(K.WEIGHTS, stored).values()) == 1


@ROUND_TRIP
@given(choice=st.sampled_from(["monthly", "semi_monthly", "weekly"]))
def test_choice_round_trip(choice):
    options = {"choices": [{"key": "monthly"}, {"key": "semi_monthly"}, {"key": "weekly"}]}
    assert round_trips(K.CHOICE, choice, options) == choice


@st.composite
def tier_tables(draw):
    """Contiguous tables: ascending bounds, each shared bound belonging to exactly one side."""
    bounds = sorted(draw(st.sets(decimals(0, 5, 4), min_size=1, max_size=8)))
    n_rows = len(bounds) + 1
    upper_closed = [draw(st.booleans()) for _ in bounds]
    rows = []
    for index in range(n_rows):
        lower = None if index == 0 else str(bounds[index - 1])
        upper = None if index == n_rows - 1 else str(bounds[index])
        row = {"lower": lower, "upper": upper,
               "values": {"a": str(draw(decimals(0, 1, 4))), "b": str(draw(decimals(0, 1, 4)))}}
        if lower is not None:
            row["lower_inclusive"] = not upper_closed[index - 1]
        if upper is not None:
            row["upper_inclusive"] = upper_closed[index]
        rows.append(row)
    return {"columns": [{"key": "a"}, {"key": "b"}], "rows": rows}


@ROUND_TRIP
@given(raw=tier_tables(), x=decimals(-1, 6, 5))
def test_tier_table_round_trip_and_cover(raw, x):
    stored = round_trips(K.TIER_TABLE, raw)
    table = to_python(K.TIER_TABLE, stored)
    assert sum(tier.contains(x) for tier in table.tiers) == 1
