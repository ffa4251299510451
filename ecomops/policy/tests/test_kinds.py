"""POL-02: each kind of policy parameter checks what people type, stores JSON, and reads back typed.

No float ever becomes a policy number; percentages are typed in percent and stored as fractions.
"""

from __future__ import annotations

import copy
import json
from datetime import time, timedelta
from decimal import Decimal as D

import pytest

from ecomops.policy.kinds import (
    ParameterKind as K,
)
from ecomops.policy.kinds import (
    PolicyValueError,
    TierTable,
    display,
    human_input,
    normalise,
    to_python,
)

WEIGHT_COLUMNS = {"columns": [{"key": "results", "name": "经营成果"}, {"key": "quality", "name": "服务质量"},
                              {"key": "cost", "name": "成本控制"}]}
CHOICES = {"choices": [{"key": "monthly", "name": "每月"}, {"key": "weekly", "name": "每周"}]}


def refused(kind, raw, options=None, *, human=True, match=None):
    with pytest.raises(PolicyValueError, match=match) as error:
        normalise(kind, raw, options, human=human)
    return str(error.value)


# --- numbers ----------------------------------------------------------------------------------

def test_decimal_is_stored_as_a_plain_string():
    assert normalise(K.DECIMAL, "1.50") == "1.5"
    assert normalise(K.DECIMAL, " 1,234.5 ") == "1234.5"
    assert normalise(K.DECIMAL, "1E+3") == "1000"
    assert normalise(K.DECIMAL, "-0") == "0"
    assert to_python(K.DECIMAL, "1.5") == D("1.5")
    assert display(K.DECIMAL, "1.50") == "1.5"


@pytest.mark.parametrize(
    "raw", [1.5, True, None, "abc", "NaN", "Infinity", "1e30", "1" * 19, "0." + "1" * 18]
)
def test_decimal_refuses_floats_and_nonsense(raw):
    refused(K.DECIMAL, raw)


def test_money_is_exact_to_the_fen():
    """PER-01 … money is Decimal, at most two decimal places."""
    assert normalise(K.MONEY, "3500") == "3500.00"
    assert normalise(K.MONEY, "2023.5") == "2023.50"
    assert to_python(K.MONEY, "3500.00") == D("3500")
    assert display(K.MONEY, "10000.00") == "¥10,000.00"
    assert human_input(K.MONEY, "3500.00") == "3500.00"
    assert "精确到分" in refused(K.MONEY, "2023.555")
    refused(K.MONEY, 3500.0, match="浮点数")
    refused(K.MONEY, "-1", {"min": "0"}, match="不能小于")
    refused(K.MONEY, "1000001", {"min": "0", "max": "1000000"}, match="不能大于")


def test_integer():
    assert normalise(K.INTEGER, "200") == 200
    assert normalise(K.INTEGER, 200) == 200
    assert normalise(K.INTEGER, "200.0") == 200
    assert to_python(K.INTEGER, 200) == 200
    assert display(K.INTEGER, 200) == "200"
    assert human_input(K.INTEGER, 200) == "200"
    refused(K.INTEGER, "12.5", match="整数")
    refused(K.INTEGER, 12.0, match="浮点数")
    refused(K.INTEGER, True)
    refused(K.INTEGER, "0", {"min": 1}, match="不能小于 1")
    refused(K.INTEGER, "10001", {"max": 10000}, match="不能大于 10000")


# --- percentages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("10", "0.1"), ("10%", "0.1"), ("10％", "0.1"), (" 10 % ", "0.1"), ("0.5%", "0.005"), ("0.05%", "0.0005"),
    ("100", "1"), ("0", "0"), (10, "0.1"), (D("12.5"), "0.125"),
])
def test_percent_is_typed_in_percent_and_stored_as_a_fraction(typed, stored):
    assert normalise(K.PERCENTAGE, typed) == stored


def test_percent_reads_back_as_a_fraction_and_shows_as_percent():
    assert to_python(K.PERCENTAGE, "0.015") == D("0.015")
    assert display(K.PERCENTAGE, "0.015") == "1.5%"
    assert display(K.PERCENTAGE, "0.0005") == "0.05%"
    assert human_input(K.PERCENTAGE, "0.0005") == "0.05"
    assert normalise(K.PERCENTAGE, human_input(K.PERCENTAGE, "0.0005")) == "0.0005"


def test_percent_from_a_machine_is_already_a_fraction():
    assert normalise(K.PERCENTAGE, "0.1", human=False) == "0.1"
    refused(K.PERCENTAGE, "10", human=False, match="100%")


@pytest.mark.parametrize("raw", [0.1, 10.0, True, None, "十", "10%%", ""])
def test_percent_refuses_floats_and_nonsense(raw):
    refused(K.PERCENTAGE, raw)


def test_percent_bounds_default_to_0_and_100_and_follow_options():
    refused(K.PERCENTAGE, "101", match="0% 到 100%")
    refused(K.PERCENTAGE, "-1", match="0% 到 100%")
    refused(K.PERCENTAGE, "0.5", {"min": "0.01", "max": "1"}, match="1% 到 100%")
    assert normalise(K.PERCENTAGE, "150", {"min": "0", "max": "5"}) == "1.5"


# --- durations and times ----------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored", "python"), [
    ("24h", {"amount": 24, "unit": "hours"}, timedelta(hours=24)),
    ("7d", {"amount": 7, "unit": "days"}, timedelta(days=7)),
    ("30min", {"amount": 30, "unit": "minutes"}, timedelta(minutes=30)),
    ("7天", {"amount": 7, "unit": "days"}, timedelta(days=7)),
    ("7 日", {"amount": 7, "unit": "days"}, timedelta(days=7)),
    ("24小时", {"amount": 24, "unit": "hours"}, timedelta(hours=24)),
    ("15分钟", {"amount": 15, "unit": "minutes"}, timedelta(minutes=15)),
    (" 2 Days ", {"amount": 2, "unit": "days"}, timedelta(days=2)),
    ({"amount": 3, "unit": "days"}, {"amount": 3, "unit": "days"}, timedelta(days=3)),
])
def test_durations_are_a_whole_number_and_a_unit(typed, stored, python):
    assert normalise(K.DURATION, typed) == stored
    assert to_python(K.DURATION, stored) == python


def test_duration_shows_in_chinese_and_edits_in_short_form():
    assert display(K.DURATION, {"amount": 24, "unit": "hours"}) == "24 小时"
    assert display(K.DURATION, {"amount": 7, "unit": "days"}) == "7 天"
    assert human_input(K.DURATION, {"amount": 24, "unit": "hours"}) == "24h"
    assert human_input(K.DURATION, {"amount": 30, "unit": "minutes"}) == "30min"
    assert human_input(K.DURATION, {"amount": 7, "unit": "days"}) == "7d"


@pytest.mark.parametrize("raw", ["24", "1.5h", "0d", "-1d", "2w", "7 years", "", 7, 1.5,
                                 {"amount": 1.5, "unit": "days"}, {"amount": 1, "unit": "weeks"}, "100001d"])
def test_duration_refuses_bad_input(raw):
    refused(K.DURATION, raw)


def test_duration_bounds_compare_lengths_across_units():
    """LAW-01: the return window cannot be shorter than 7 days, whatever unit is typed."""
    options = {"min": "7d", "max": "90d"}
    assert normalise(K.DURATION, "168h", options) == {"amount": 168, "unit": "hours"}
    refused(K.DURATION, "167h", options, match="不能短于 7 天")
    refused(K.DURATION, "91d", options, match="不能长于 90 天")


def test_time_of_day():
    """MKT-04: banners fixed by 09:00."""
    assert normalise(K.TIME, "9:00") == "09:00"
    assert normalise(K.TIME, "09：00") == "09:00"
    assert normalise(K.TIME, time(17, 0)) == "17:00"
    assert to_python(K.TIME, "17:00") == time(17, 0)
    assert display(K.TIME, "17:00") == "17:00"
    assert human_input(K.TIME, "17:00") == "17:00"
    for raw in ("24:00", "9", "9:5", "09:00:00", "noon", ""):
        refused(K.TIME, raw, match="HH:MM")


def test_time_list_must_ascend_without_repeats():
    """ORD-05: cut-offs 10:30, 12:00, 14:30, 16:30, 17:30."""
    typed = "10:30, 12:00，14:30、16:30\n17:30"
    stored = ["10:30", "12:00", "14:30", "16:30", "17:30"]
    assert normalise(K.TIME_LIST, typed) == stored
    assert normalise(K.TIME_LIST, ["9:00", "11:00"]) == ["09:00", "11:00"]
    assert to_python(K.TIME_LIST, ["09:00", "11:00"]) == [time(9), time(11)]
    assert display(K.TIME_LIST, stored) == "10:30、12:00、14:30、16:30、17:30"
    assert normalise(K.TIME_LIST, human_input(K.TIME_LIST, stored)) == stored
    refused(K.TIME_LIST, "12:00, 10:30", match="从早到晚")
    refused(K.TIME_LIST, "10:30, 10:30", match="不能重复")
    refused(K.TIME_LIST, "", match="至少")
    refused(K.TIME_LIST, "10:30, 25:00", match="第 2 个时刻")
    refused(K.TIME_LIST, 1030)


# --- term lists -------------------------------------------------------------------------------

def test_term_list_trims_and_removes_duplicates():
    """LAW-02: the barred-term list is data; the same term twice is kept once."""
    stored = normalise(K.TERM_LIST, "最好\n 第一 ,最好、NO.1；no.1；ＮＯ.1\n\n顶级")
    assert stored == ["最好", "第一", "NO.1", "顶级"]
    assert to_python(K.TERM_LIST, stored) == stored
    assert human_input(K.TERM_LIST, stored) == "最好\n第一\nNO.1\n顶级"
    assert display(K.TERM_LIST, stored) == "最好、第一、NO.1、顶级"
    many = [f"词{i}" for i in range(20)]
    assert display(K.TERM_LIST, many).endswith("等 20 个")


def test_term_list_limits():
    refused(K.TERM_LIST, "", match="至少")
    refused(K.TERM_LIST, [" ", ""], match="至少")
    refused(K.TERM_LIST, ["好" * 51], match="50 个字符")
    refused(K.TERM_LIST, [f"t{i}" for i in range(2001)], match="2000")
    refused(K.TERM_LIST, ["最好,第一"], match="分隔符")
    refused(K.TERM_LIST, 5)
    assert len(normalise(K.TERM_LIST, [f"t{i}" for i in range(2000)])) == 2000


# --- ranges, weights, choices -----------------------------------------------------------------

@pytest.mark.parametrize("typed", ["50-100", "50 – 100", "50~100", "50至100", {"min": "50", "max": "100"}])
def test_range_of_money(typed):
    """PER-03: the over-completion bonus is picked inside 50–100."""
    assert normalise(K.RANGE, typed) == {"min": "50.00", "max": "100.00"}


def test_range_reads_shows_and_checks():
    stored = {"min": "100.00", "max": "150.00"}
    assert to_python(K.RANGE, stored) == (D("100"), D("150"))
    assert display(K.RANGE, stored) == "¥100.00 – ¥150.00"
    assert human_input(K.RANGE, stored) == "100-150"
    assert normalise(K.RANGE, "80-80") == {"min": "80.00", "max": "80.00"}  # min may equal max
    refused(K.RANGE, "100-50", match="不能大于上限")
    refused(K.RANGE, "50", match="下限-上限")
    refused(K.RANGE, "-5-10", match="下限-上限")
    refused(K.RANGE, {"min": "50.001", "max": "100"}, match="精确到分")
    refused(K.RANGE, {"min": 50.0, "max": "100"}, match="浮点数")
    refused(K.RANGE, "50-200000", {"min": "0", "max": "100000"}, match="不能大于")


@pytest.mark.parametrize("typed", [
    {"results": "50", "quality": "30", "cost": "20"},
    {"cost": "20%", "results": "50%", "quality": "30%"},
    "50/30/20",
    '{"results": "50", "quality": "30", "cost": "20"}',
    "results: 50, quality：30\ncost: 20",
])
def test_weights_sum_to_100_percent(typed):
    """AGY-05: provider assessment weights 50/30/20."""
    stored = normalise(K.WEIGHTS, typed, WEIGHT_COLUMNS)
    assert stored == {"results": "0.5", "quality": "0.3", "cost": "0.2"}
    assert list(stored) == ["results", "quality", "cost"]  # column order


def test_weights_read_show_and_refuse():
    stored = {"results": "0.5", "quality": "0.3", "cost": "0.2"}
    assert to_python(K.WEIGHTS, stored) == {"results": D("0.5"), "quality": D("0.3"), "cost": D("0.2")}
    assert display(K.WEIGHTS, stored, WEIGHT_COLUMNS) == "经营成果 50% / 服务质量 30% / 成本控制 20%"
    reordered = {"cost": "0.2", "quality": "0.3", "results": "0.5"}  # as PostgreSQL's jsonb returns it
    assert display(K.WEIGHTS, reordered, WEIGHT_COLUMNS) == "经营成果 50% / 服务质量 30% / 成本控制 20%"
    assert normalise(K.WEIGHTS, human_input(K.WEIGHTS, stored), WEIGHT_COLUMNS) == stored
    assert normalise(K.WEIGHTS, {"results": "0.5", "quality": "0.3", "cost": "0.2"}, WEIGHT_COLUMNS,
                     human=False) == stored
    refused(K.WEIGHTS, "50/30/30", WEIGHT_COLUMNS, match="100%")
    refused(K.WEIGHTS, "120/-10/-10", WEIGHT_COLUMNS, match="不能为负")
    refused(K.WEIGHTS, "50/50", WEIGHT_COLUMNS, match="3 项")
    refused(K.WEIGHTS, {"results": "50", "quality": "50"}, WEIGHT_COLUMNS, match="恰好包含")
    refused(K.WEIGHTS, {"results": 50.0, "quality": "30", "cost": "20"}, WEIGHT_COLUMNS, match="浮点数")
    refused(K.WEIGHTS, "results 50", WEIGHT_COLUMNS, match="名称: 百分比")
    refused(K.WEIGHTS, {}, WEIGHT_COLUMNS)
    refused(K.WEIGHTS, "[1, 2]", WEIGHT_COLUMNS)


def test_choice():
    """PAY-02: settled monthly."""
    assert normalise(K.CHOICE, " monthly ", CHOICES) == "monthly"
    assert to_python(K.CHOICE, "monthly", CHOICES) == "monthly"
    assert display(K.CHOICE, "weekly", CHOICES) == "每周"
    assert human_input(K.CHOICE, "weekly") == "weekly"
    refused(K.CHOICE, "yearly", CHOICES, match="monthly、weekly")


def test_unknown_kind_and_missing_value():
    refused("colour", "red", match="未知")
    assert display(K.INTEGER, None) == "—"


# --- tier tables ------------------------------------------------------------------------------

COLUMNS = [{"key": "cs", "name": "客服组"}, {"key": "promo", "name": "推广组"}]


def row(lower, upper, cs="0.01", promo="0.02", *, lower_inclusive=None, upper_inclusive=None):
    data = {"lower": lower, "upper": upper, "values": {"cs": cs, "promo": promo}}
    if lower_inclusive is not None:
        data["lower_inclusive"] = lower_inclusive
    if upper_inclusive is not None:
        data["upper_inclusive"] = upper_inclusive
    return data


def table(*rows, **extra):
    return {"columns": COLUMNS, "rows": list(rows), **extra}


GOOD = table(
    row("0", "0.30", "0", "0", upper_inclusive=True),
    row("0.30", "1.00", "0.01", "0.02", lower_inclusive=False, upper_inclusive=True),
    row("1.00", None, "0.02", "0.03", lower_inclusive=False),
)


def test_a_good_tier_table_is_stored_and_looked_up():
    stored = normalise(K.TIER_TABLE, GOOD)
    assert [r["upper"] for r in stored["rows"]] == ["0.3", "1", None]
    tiers = to_python(K.TIER_TABLE, stored)
    assert isinstance(tiers, TierTable)
    assert tiers.rate(D("0.30"), "promo") == D("0")
    assert tiers.rate(D("0.3001"), "promo") == D("0.02")
    assert tiers.rate(D("1.00"), "cs") == D("0.01")
    assert tiers.rate(D("5"), "cs") == D("0.02")
    assert display(K.TIER_TABLE, stored) == "3 档阶梯表"
    assert [t.label() for t in tiers.tiers] == ["0% ≤ r ≤ 30%", "30% < r ≤ 100%", "r > 100%"]
    # The edit form shows JSON, and that JSON is accepted back unchanged.
    assert json.loads(human_input(K.TIER_TABLE, stored)) == stored
    assert normalise(K.TIER_TABLE, human_input(K.TIER_TABLE, stored)) == stored


def test_tier_table_with_columns_from_the_options():
    """The parameter's options fix the columns; the value only brings rows."""
    stored = normalise(K.TIER_TABLE, {"rows": GOOD["rows"]}, {"columns": COLUMNS})
    assert [c["key"] for c in stored["columns"]] == ["cs", "promo"]
    message = refused(K.TIER_TABLE, {"columns": [COLUMNS[0]], "rows": GOOD["rows"]}, {"columns": COLUMNS})
    assert "cs、promo" in message


def test_tier_table_must_be_ordered():
    bad = table(row("0.5", "1", upper_inclusive=True), row("0", "0.5", lower_inclusive=True))
    assert "第 1 行与第 2 行" in refused(K.TIER_TABLE, bad, match="重叠或顺序颠倒")


def test_tier_table_must_not_overlap():
    bad = table(row("0", "0.5", upper_inclusive=True), row("0.4", "1", lower_inclusive=False))
    refused(K.TIER_TABLE, bad, match="重叠")
    both_inclusive = table(row("0", "0.5", upper_inclusive=True), row("0.5", "1", lower_inclusive=True))
    refused(K.TIER_TABLE, both_inclusive, match="重叠")
    open_middle = table(row("0", None), row("0.5", "1"))
    refused(K.TIER_TABLE, open_middle, match="只有最后一行可以没有上限")


def test_tier_table_gaps_are_refused_unless_the_table_allows_them():
    gapped = table(row("0", "0.3", upper_inclusive=True), row("0.5", "1", lower_inclusive=False))
    refused(K.TIER_TABLE, gapped, match="空档")
    point_gap = table(row("0", "0.5", upper_inclusive=False), row("0.5", "1", lower_inclusive=False))
    refused(K.TIER_TABLE, point_gap, match="空档")

    allowed = normalise(K.TIER_TABLE, {**gapped, "gaps_allowed": True})
    tiers = to_python(K.TIER_TABLE, allowed)
    assert tiers.lookup(D("0.4")) is None
    assert tiers.rate(D("0.4"), "cs") == D("0")
    assert normalise(K.TIER_TABLE, {"rows": gapped["rows"]}, {"columns": COLUMNS, "gaps_allowed": True})


def test_tier_rows_need_every_column_and_sane_numbers():
    missing = table({"lower": "0", "upper": None, "values": {"cs": "0.01"}})
    assert "第 1 行" in refused(K.TIER_TABLE, missing, match="cs、promo")
    refused(K.TIER_TABLE, table(row("0", None, "-0.01")), match="不能为负")
    refused(K.TIER_TABLE, table(row("0", None, "1.5")), match="超过 100%")
    refused(K.TIER_TABLE, table(row("0", None, 0.01)), match="浮点数")
    refused(K.TIER_TABLE, table(row("0.5", "0.3")), match="下限必须小于上限")
    refused(K.TIER_TABLE, table(row("0.5", "0.5", lower_inclusive=True)), match="下限必须小于上限")
    refused(K.TIER_TABLE, table(row("0", None, lower_inclusive="false")), match="true 或 false")
    refused(K.TIER_TABLE, table(), match="至少要有一行")
    refused(K.TIER_TABLE, {"rows": GOOD["rows"]}, match="列定义")
    refused(K.TIER_TABLE, table(*[row(str(i), str(i + 1)) for i in range(51)]), match="50 行")
    refused(K.TIER_TABLE, [], match="对象")
    refused(K.TIER_TABLE, "[]", match="JSON 对象")
    refused(K.TIER_TABLE, table("0-1"), match="格式不对")


def test_money_tier_values_may_exceed_one():
    """A table of amounts (value_kind money) is not limited to 100%."""
    stored = normalise(K.TIER_TABLE, table(row("0", None, "50", "80"), value_kind="money"))
    assert stored["rows"][0]["values"] == {"cs": "50", "promo": "80"}


def test_normalise_does_not_change_its_input():
    raw = copy.deepcopy(GOOD)
    normalise(K.TIER_TABLE, raw)
    assert raw == GOOD
