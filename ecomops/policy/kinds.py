"""The types a policy parameter can have, and how each is checked, stored, read and shown.

Stored values are JSON; every decimal travels as a string so nothing passes through a float.
Percentages are stored as fractions ("0.10" is 10 %); people type them as percent ("10" or "10%").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ParameterKind(models.TextChoices):
    DECIMAL = "decimal", gettext_lazy("小数")
    MONEY = "money", gettext_lazy("金额（元）")
    INTEGER = "integer", gettext_lazy("整数")
    PERCENTAGE = "percentage", gettext_lazy("百分比")
    DURATION = "duration", gettext_lazy("时长")
    TIME = "time", gettext_lazy("时刻")
    TIME_LIST = "time_list", gettext_lazy("时刻列表")
    TIER_TABLE = "tier_table", gettext_lazy("阶梯表")
    TERM_LIST = "term_list", gettext_lazy("词条列表")
    RANGE = "range", gettext_lazy("金额区间")
    WEIGHTS = "weights", gettext_lazy("权重")
    CHOICE = "choice", gettext_lazy("选项")


class PolicyValueError(ValueError):
    """A value that does not fit its parameter; the message is for the person who typed it."""


MAX_DIGITS = 18
DURATION_UNITS = {
    "minutes": ("minutes", gettext_lazy("分钟")),
    "hours": ("hours", gettext_lazy("小时")),
    "days": ("days", gettext_lazy("天")),
}
_DURATION_ALIASES = {
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
    "分钟": "minutes", "分": "minutes",
    "h": "hours", "hr": "hours", "hour": "hours", "hours": "hours", "小时": "hours", "时": "hours",
    "d": "days", "day": "days", "days": "days", "天": "days", "日": "days",
}
_HUMAN_DURATION_UNITS = {"minutes": "min", "hours": "h", "days": "d"}
_LIST_SEPARATORS = re.compile(r"[\n,，、;；]")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
FEN = Decimal("0.01")


# --- small parsers ---------------------------------------------------------------------------

def to_decimal(raw: Any, what: str = "") -> Decimal:
    if isinstance(raw, bool) or raw is None or isinstance(raw, float):
        raise PolicyValueError(_("%(what)s必须是数字（用字符串表示，不能是浮点数）") % {"what": what})
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PolicyValueError(
            _("%(what)s“%(raw)s”不是有效数字") % {"what": what, "raw": str(raw)[:40]}
        ) from None
    if not number.is_finite():
        raise PolicyValueError(_("%(what)s必须是有限的数字") % {"what": what})
    # Count the digits as written out in full: "1e30" is 31 digits, not 1.
    exponent = number.as_tuple().exponent
    integer_digits = max(number.adjusted() + 1, 1)
    fraction_digits = max(-exponent, 0)
    if integer_digits + fraction_digits > MAX_DIGITS:
        raise PolicyValueError(_("%(what)s位数过多") % {"what": what})
    return number + 0 if number.is_zero() else number  # "-0" is stored as "0"


def to_percentage(raw: Any, what: str = "", *, as_fraction: bool = False) -> Decimal:
    """Percent as people type it ("10", "10%", "0.5%") → fraction. JSON stored values use as_fraction."""
    if as_fraction or isinstance(raw, bool | float) or raw is None:
        return to_decimal(raw, what)  # refuses floats, booleans and None with the usual message
    text = str(raw).strip()
    if text.endswith(("%", "％")):
        text = text[:-1]
    return to_decimal(text, what) / 100


def to_time(raw: Any, what: str = "") -> time:
    if isinstance(raw, time):
        return raw
    match = _TIME_RE.match(str(raw).strip())
    if not match:
        raise PolicyValueError(
            _("%(what)s“%(raw)s”不是有效时刻，应为 HH:MM") % {"what": what, "raw": str(raw)[:20]}
        )
    return time(int(match.group(1)), int(match.group(2)))


def fmt_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def fmt_percent(fraction: Decimal) -> str:
    return fmt_decimal(fraction * 100) + "%"


# --- tier tables -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    values: dict[str, Decimal]

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None and (x < self.lower or (x == self.lower and not self.lower_inclusive)):
            return False
        if self.upper is not None and (x > self.upper or (x == self.upper and not self.upper_inclusive)):
            return False
        return True

    def label(self, percent: bool = True) -> str:
        show = fmt_percent if percent else fmt_decimal
        if self.lower is None and self.upper is None:
            return _("全部")
        if self.lower is None:
            return ("r ≤ " if self.upper_inclusive else "r < ") + show(self.upper)
        if self.upper is None:
            return ("r ≥ " if self.lower_inclusive else "r > ") + show(self.lower)
        left = "≤" if self.lower_inclusive else "<"
        right = "≤" if self.upper_inclusive else "<"
        return f"{show(self.lower)} {left} r {right} {show(self.upper)}"


@dataclass(frozen=True)
class TierTable:
    columns: list[dict[str, str]]
    tiers: list[Tier]
    gaps_allowed: bool = False
    bound_kind: str = "percentage"
    value_kind: str = "percentage"

    def lookup(self, x: Decimal) -> Tier | None:
        """The tier containing x, or None when x falls in a gap the table allows."""
        for tier in self.tiers:
            if tier.contains(x):
                return tier
        return None

    def rate(self, x: Decimal, column: str) -> Decimal:
        tier = self.lookup(x)
        return Decimal("0") if tier is None else tier.values[column]


def _parse_tier_table(raw: Any, options: dict) -> tuple[dict, TierTable]:
    if not isinstance(raw, dict):
        raise PolicyValueError(_("阶梯表必须是对象，包含 columns 和 rows"))
    columns = raw.get("columns") or options.get("columns")
    rows = raw.get("rows")
    if (
        not isinstance(columns, list)
        or not columns
        or not all(isinstance(c, dict) and c.get("key") for c in columns)
    ):
        raise PolicyValueError(_("阶梯表缺少列定义（columns）"))
    fixed = [str(c["key"]) for c in options.get("columns") or []]
    if fixed and [str(c["key"]) for c in columns] != fixed:
        # Code asks for these columns by key; an edit may not drop, rename or reorder them.
        raise PolicyValueError(_("阶梯表的列必须是：%(cols)s") % {"cols": "、".join(fixed)})
    if not isinstance(rows, list) or not rows:
        raise PolicyValueError(_("阶梯表至少要有一行"))
    if len(rows) > 50:
        raise PolicyValueError(_("阶梯表最多 50 行"))
    keys = [str(c["key"]) for c in columns]
    gaps_allowed = bool(raw.get("gaps_allowed", options.get("gaps_allowed", False)))
    bound_kind = raw.get("bound_kind", options.get("bound_kind", "percentage"))
    value_kind = raw.get("value_kind", options.get("value_kind", "percentage"))
    tiers: list[Tier] = []
    stored_rows = []
    for index, row in enumerate(rows, start=1):
        where = _("第 %(n)d 行") % {"n": index}
        if not isinstance(row, dict):
            raise PolicyValueError(_("%(where)s格式不对") % {"where": where})
        lower = None if row.get("lower") in (None, "") else to_decimal(row["lower"], where + _("下限"))
        upper = None if row.get("upper") in (None, "") else to_decimal(row["upper"], where + _("上限"))
        lower_inc = _flag(row.get("lower_inclusive", lower is not None), where + "lower_inclusive")
        upper_inc = _flag(row.get("upper_inclusive", False), where + "upper_inclusive")
        if lower is not None and upper is not None and (
            lower > upper or (lower == upper and not (lower_inc and upper_inc))
        ):
            raise PolicyValueError(_("%(where)s的下限必须小于上限") % {"where": where})
        values = row.get("values")
        if not isinstance(values, dict) or set(values) != set(keys):
            raise PolicyValueError(
                _("%(where)s必须为每一列（%(cols)s）给出取值") % {"where": where, "cols": "、".join(keys)}
            )
        parsed_values = {key: to_decimal(values[key], where + key) for key in keys}
        if any(v < 0 for v in parsed_values.values()):
            raise PolicyValueError(_("%(where)s的取值不能为负") % {"where": where})
        if value_kind == "percentage" and any(v > 1 for v in parsed_values.values()):
            raise PolicyValueError(
                _("%(where)s的比例超过 100%%：阶梯表中的比例写成小数，如 0.015 表示 1.5%%") % {"where": where}
            )
        tiers.append(Tier(lower, lower_inc, upper, upper_inc, parsed_values))
        stored_rows.append(
            {
                "lower": None if lower is None else fmt_decimal(lower),
                "lower_inclusive": lower_inc,
                "upper": None if upper is None else fmt_decimal(upper),
                "upper_inclusive": upper_inc,
                "values": {key: fmt_decimal(parsed_values[key]) for key in keys},
            }
        )
    # Ordered, non-overlapping, and contiguous unless the table says gaps are allowed.
    for index, (prev, nxt) in enumerate(zip(tiers, tiers[1:], strict=False), start=1):
        where = _("第 %(a)d 行与第 %(b)d 行") % {"a": index, "b": index + 1}
        if prev.upper is None or nxt.lower is None:
            raise PolicyValueError(
                _("%(where)s重叠：只有最后一行可以没有上限，只有第一行可以没有下限") % {"where": where}
            )
        same_point = nxt.lower == prev.upper
        if nxt.lower < prev.upper or (same_point and prev.upper_inclusive and nxt.lower_inclusive):
            raise PolicyValueError(_("%(where)s的区间重叠或顺序颠倒") % {"where": where})
        touching = nxt.lower == prev.upper and (prev.upper_inclusive != nxt.lower_inclusive)
        if not touching and not gaps_allowed:
            raise PolicyValueError(_("%(where)s之间有空档，本表不允许空档") % {"where": where})
    stored = {
        "columns": [
            {"key": str(c["key"]), "name": str(c.get("name", c["key"])), "name_en": str(c.get("name_en", ""))}
            for c in columns
        ],
        "rows": stored_rows,
        "gaps_allowed": gaps_allowed,
        "bound_kind": bound_kind,
        "value_kind": value_kind,
    }
    return stored, TierTable(stored["columns"], tiers, gaps_allowed, bound_kind, value_kind)


# --- the public functions --------------------------------------------------------------------

def normalise(kind: str, raw: Any, options: dict | None = None, *, human: bool = True) -> Any:
    """Check ``raw`` for a parameter of ``kind`` and return the JSON to store.

    ``human`` means the value was typed by a person: percentages in percent, durations like "7d".
    Raises PolicyValueError with a message naming what is wrong.
    """
    normaliser = _NORMALISERS.get(kind)
    if normaliser is None:
        raise PolicyValueError(_("未知的参数类型 %(kind)s") % {"kind": kind})
    return normaliser(kind, raw, options or {}, human)


def _normalise_number(kind: str, raw: Any, options: dict, human: bool) -> str:
    number = to_decimal(raw, _("取值"))
    if kind == ParameterKind.MONEY:
        if number != number.quantize(FEN):
            raise PolicyValueError(_("金额最多两位小数（精确到分）"))
        number = number.quantize(FEN)
    _check_bounds(number, options)
    return fmt_decimal(number) if kind == ParameterKind.DECIMAL else format(number, "f")


def _normalise_integer(kind: str, raw: Any, options: dict, human: bool) -> int:
    number = to_decimal(raw, _("取值"))
    if number != number.to_integral_value():
        raise PolicyValueError(_("取值必须是整数"))
    _check_bounds(number, options)
    return int(number)


def _normalise_percentage(kind: str, raw: Any, options: dict, human: bool) -> str:
    fraction = to_percentage(raw, _("百分比"), as_fraction=not human)
    low = Decimal(str(options.get("min", "0")))
    high = Decimal(str(options.get("max", "1")))
    if not low <= fraction <= high:
        raise PolicyValueError(
            _("百分比必须在 %(low)s 到 %(high)s 之间")
            % {"low": fmt_percent(low), "high": fmt_percent(high)}
        )
    return fmt_decimal(fraction)


def _normalise_duration_value(kind: str, raw: Any, options: dict, human: bool) -> dict:
    stored = _normalise_duration(raw)
    _check_duration_bounds(stored, options)
    return stored


def _normalise_time(kind: str, raw: Any, options: dict, human: bool) -> str:
    return to_time(raw, _("时刻")).strftime("%H:%M")


def _normalise_time_list(kind: str, raw: Any, options: dict, human: bool) -> list[str]:
    items = _as_list(raw)
    if not items:
        raise PolicyValueError(_("至少要有一个时刻"))
    times = [to_time(item, _("第 %(n)d 个时刻") % {"n": i}) for i, item in enumerate(items, start=1)]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise PolicyValueError(_("时刻必须从早到晚排列且不能重复"))
    return [t.strftime("%H:%M") for t in times]


def _normalise_tier_table(kind: str, raw: Any, options: dict, human: bool) -> dict:
    if isinstance(raw, str):
        raw = _json_object(raw, _("阶梯表"))
    stored, _table = _parse_tier_table(raw, options)
    return stored


def _normalise_term_list(kind: str, raw: Any, options: dict, human: bool) -> list[str]:
    items = [str(item).strip() for item in _as_list(raw)]
    items = [item for item in items if item]
    if not items:
        raise PolicyValueError(_("至少要有一个词条"))
    too_long = next((item for item in items if len(item) > 50), None)
    if too_long:
        raise PolicyValueError(_("词条“%(term)s…”超过 50 个字符") % {"term": too_long[:10]})
    split = next((item for item in items if _LIST_SEPARATORS.search(item)), None)
    if split:
        raise PolicyValueError(
            _("词条“%(term)s”含有分隔符（逗号、顿号、分号或换行），请拆成多个词条") % {"term": split[:20]}
        )
    if len(items) > 2000:
        raise PolicyValueError(_("词条最多 2000 个"))
    # The same term typed twice (also in another case or full-width form) is kept once.
    seen, unique = set(), []
    for item in items:
        fold = unicodedata.normalize("NFKC", item).casefold()
        if fold not in seen:
            seen.add(fold)
            unique.append(item)
    return unique


def _normalise_range(kind: str, raw: Any, options: dict, human: bool) -> dict:
    if isinstance(raw, str):
        parts = re.split(r"\s*[-–~～至]\s*", raw.strip())
        raw = {"min": parts[0], "max": parts[-1]} if len(parts) == 2 else {}
    if not isinstance(raw, dict) or "min" not in raw or "max" not in raw:
        raise PolicyValueError(_("区间应写成“下限-上限”，如 50-100"))
    low, high = to_decimal(raw["min"], _("下限")), to_decimal(raw["max"], _("上限"))
    if low != low.quantize(FEN) or high != high.quantize(FEN):
        raise PolicyValueError(_("金额最多两位小数（精确到分）"))
    if low < 0 or high < low:
        raise PolicyValueError(_("区间下限不能为负，且不能大于上限"))
    _check_bounds(low, options)
    _check_bounds(high, options)
    return {"min": format(low.quantize(FEN), "f"), "max": format(high.quantize(FEN), "f")}


def _normalise_weights(kind: str, raw: Any, options: dict, human: bool) -> dict:
    expected = [str(c["key"]) for c in options.get("columns", [])]
    if isinstance(raw, str):
        raw = _parse_weights_text(raw, expected)
    if not isinstance(raw, dict) or not raw:
        raise PolicyValueError(_("权重必须是“名称: 百分比”的对应表"))
    if expected and set(map(str, raw)) != set(expected):
        raise PolicyValueError(_("权重必须恰好包含：%(keys)s") % {"keys": "、".join(expected)})
    weights = {str(k): to_percentage(v, str(k), as_fraction=not human) for k, v in raw.items()}
    if any(w < 0 for w in weights.values()) or sum(weights.values()) != 1:
        raise PolicyValueError(_("各项权重不能为负，且合计必须为 100%"))
    order = expected or list(weights)
    return {k: fmt_decimal(weights[k]) for k in order}


def _normalise_choice(kind: str, raw: Any, options: dict, human: bool) -> str:
    choices = [c["key"] for c in options.get("choices", [])]
    text = str(raw).strip()
    if text not in choices:
        raise PolicyValueError(_("取值必须是以下之一：%(choices)s") % {"choices": "、".join(choices)})
    return text


# Each kind's check: (kind, raw, options, human) → the JSON to store.
_NORMALISERS = {
    ParameterKind.DECIMAL: _normalise_number,
    ParameterKind.MONEY: _normalise_number,
    ParameterKind.INTEGER: _normalise_integer,
    ParameterKind.PERCENTAGE: _normalise_percentage,
    ParameterKind.DURATION: _normalise_duration_value,
    ParameterKind.TIME: _normalise_time,
    ParameterKind.TIME_LIST: _normalise_time_list,
    ParameterKind.TIER_TABLE: _normalise_tier_table,
    ParameterKind.TERM_LIST: _normalise_term_list,
    ParameterKind.RANGE: _normalise_range,
    ParameterKind.WEIGHTS: _normalise_weights,
    ParameterKind.CHOICE: _normalise_choice,
}


def to_python(kind: str, stored: Any, options: dict | None = None) -> Any:
    """The typed value code works with, from the stored JSON."""
    options = options or {}
    if kind in (ParameterKind.DECIMAL, ParameterKind.MONEY, ParameterKind.PERCENTAGE):
        return Decimal(stored)
    if kind == ParameterKind.INTEGER:
        return int(stored)
    if kind == ParameterKind.DURATION:
        return timedelta(**{stored["unit"]: stored["amount"]})
    if kind == ParameterKind.TIME:
        return to_time(stored)
    if kind == ParameterKind.TIME_LIST:
        return [to_time(item) for item in stored]
    if kind == ParameterKind.TIER_TABLE:
        return _parse_tier_table(stored, options)[1]
    if kind == ParameterKind.TERM_LIST:
        return list(stored)
    if kind == ParameterKind.RANGE:
        return (Decimal(stored["min"]), Decimal(stored["max"]))
    if kind == ParameterKind.WEIGHTS:
        return {key: Decimal(value) for key, value in stored.items()}
    if kind == ParameterKind.CHOICE:
        return stored
    raise PolicyValueError(f"unknown kind {kind}")


def display(kind: str, stored: Any, options: dict | None = None) -> str:
    """A one-line text for people (tier tables are rendered as tables by the templates)."""
    options = options or {}
    if stored is None:
        return "—"
    if kind == ParameterKind.PERCENTAGE:
        return fmt_percent(Decimal(stored))
    if kind == ParameterKind.MONEY:
        return f"¥{Decimal(stored):,.2f}"
    if kind == ParameterKind.DECIMAL:
        return fmt_decimal(Decimal(stored))
    if kind == ParameterKind.INTEGER:
        return str(stored)
    if kind == ParameterKind.DURATION:
        return f"{stored['amount']} {DURATION_UNITS[stored['unit']][1]}"
    if kind == ParameterKind.TIME:
        return stored
    if kind == ParameterKind.TIME_LIST:
        return "、".join(stored)
    if kind == ParameterKind.TERM_LIST:
        shown = "、".join(stored[:12])
        return shown + (_(" 等 %(n)d 个") % {"n": len(stored)} if len(stored) > 12 else "")
    if kind == ParameterKind.RANGE:
        return f"¥{Decimal(stored['min']):,.2f} – ¥{Decimal(stored['max']):,.2f}"
    if kind == ParameterKind.WEIGHTS:
        names = {c["key"]: c.get("name", c["key"]) for c in options.get("columns", [])}
        # Column order, not the stored order: PostgreSQL's jsonb does not keep the keys' order.
        keys = [k for k in names if k in stored] + [k for k in stored if k not in names]
        return " / ".join(f"{names.get(k, k)} {fmt_percent(Decimal(stored[k]))}" for k in keys)
    if kind == ParameterKind.CHOICE:
        names = {c["key"]: c.get("name", c["key"]) for c in options.get("choices", [])}
        return str(names.get(stored, stored))
    if kind == ParameterKind.TIER_TABLE:
        return _("%(n)d 档阶梯表") % {"n": len(stored.get("rows", []))}
    return str(stored)


def human_input(kind: str, stored: Any) -> str:
    """The text a form shows for editing a stored value (inverse of ``normalise(human=True)``)."""
    if kind == ParameterKind.PERCENTAGE:
        return fmt_decimal(Decimal(stored) * 100)
    if kind == ParameterKind.DURATION:
        return f"{stored['amount']}{_HUMAN_DURATION_UNITS[stored['unit']]}"
    if kind == ParameterKind.TIME_LIST:
        return ", ".join(stored)
    if kind == ParameterKind.TERM_LIST:
        return "\n".join(stored)
    if kind == ParameterKind.RANGE:
        return f"{fmt_decimal(Decimal(stored['min']))}-{fmt_decimal(Decimal(stored['max']))}"
    if kind == ParameterKind.WEIGHTS:
        return json.dumps({k: fmt_decimal(Decimal(v) * 100) for k, v in stored.items()}, ensure_ascii=False)
    if kind == ParameterKind.TIER_TABLE:
        return json.dumps(stored, ensure_ascii=False, indent=2)
    return str(stored)


def _check_duration_bounds(stored: dict, options: dict) -> None:
    length = timedelta(**{stored["unit"]: stored["amount"]})
    for bound, message in (
        ("min", _("时长不能短于 %(limit)s")),
        ("max", _("时长不能长于 %(limit)s")),
    ):
        if bound not in options:
            continue
        limit = _normalise_duration(options[bound])
        limit_length = timedelta(**{limit["unit"]: limit["amount"]})
        if (length < limit_length) if bound == "min" else (length > limit_length):
            raise PolicyValueError(message % {"limit": display(ParameterKind.DURATION, limit)})


def _flag(raw: Any, what: str) -> bool:
    if not isinstance(raw, bool):
        raise PolicyValueError(_("%(what)s必须是 true 或 false") % {"what": what})
    return raw


def _json_object(text: str, what: str) -> dict:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise PolicyValueError(_("%(what)s不是有效的 JSON") % {"what": what}) from None
    if not isinstance(parsed, dict):
        raise PolicyValueError(_("%(what)s必须是 JSON 对象") % {"what": what})
    return parsed


def _parse_weights_text(text: str, columns: list[str]) -> dict:
    """Weights as typed: JSON ({"a": "50", …}), "a: 50, b: 30", or "50/30/20" in column order."""
    text = text.strip()
    if text.startswith("{"):
        return _json_object(text, _("权重"))
    if "/" in text and ":" not in text and "：" not in text:
        parts = [part.strip() for part in text.split("/")]
        if not columns or len(parts) != len(columns):
            raise PolicyValueError(
                _("权重“50/30/20”的写法需要恰好 %(n)d 项，依次对应：%(keys)s")
                % {"n": len(columns), "keys": "、".join(columns)}
            )
        return dict(zip(columns, parts, strict=True))
    pairs = {}
    for part in _as_list(text):
        key, sep, number = part.replace("：", ":").partition(":")
        if not sep or not key.strip():
            raise PolicyValueError(_("权重“%(part)s”应写成“名称: 百分比”") % {"part": part.strip()[:30]})
        pairs[key.strip()] = number.strip()
    return pairs


def _check_bounds(number: Decimal, options: dict) -> None:
    if "min" in options and number < Decimal(str(options["min"])):
        raise PolicyValueError(_("取值不能小于 %(min)s") % {"min": options["min"]})
    if "max" in options and number > Decimal(str(options["max"])):
        raise PolicyValueError(_("取值不能大于 %(max)s") % {"max": options["max"]})


def _as_list(raw: Any) -> list:
    if isinstance(raw, str):
        return [part for part in _LIST_SEPARATORS.split(raw) if part.strip()]
    if isinstance(raw, list | tuple):
        return list(raw)
    raise PolicyValueError(_("取值必须是列表"))


def _normalise_duration(raw: Any) -> dict:
    if isinstance(raw, dict):
        amount, unit = raw.get("amount"), raw.get("unit")
    else:
        match = re.match(r"^\s*(\d+)\s*([A-Za-z\u4e00-\u9fff]+)\s*$", str(raw))
        if not match:
            raise PolicyValueError(_("时长应写成数字加单位，如 24h、7d、30min"))
        amount, unit = match.group(1), match.group(2).lower()
    unit = _DURATION_ALIASES.get(str(unit).lower())
    if unit is None:
        raise PolicyValueError(_("时长单位只能是分钟（min）、小时（h）或天（d）"))
    try:
        amount = int(str(amount))
    except ValueError:
        raise PolicyValueError(_("时长必须是正整数")) from None
    if amount <= 0 or amount > 100000:
        raise PolicyValueError(_("时长必须是正整数"))
    return {"amount": amount, "unit": unit}
