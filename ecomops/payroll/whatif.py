"""The what-if page's sandbox: change a tier or a rate, see the month recomputed beside the real figures.

Nothing is written: the overrides live in the request only, the real policy (and any pay run) stays as
it is. Values are checked with the policy's own rules (``kinds.normalise``), so a sandbox value that
the policy page would refuse is refused here too, naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ecomops.policy import registry
from ecomops.policy.kinds import PolicyValueError, fmt_decimal, human_input, normalise, to_python

from . import compute
from .enums import LineKind
from .models import PayrollRun
from .periods import month_end

SCALARS = (compute.BASE_SUPERVISOR, compute.BASE_MEMBER, compute.PERFORMANCE_PAY, compute.PERFORMANCE_THRESHOLD,
           compute.PERFORMANCE_CAP, compute.FINE, compute.FULL_ATTENDANCE)
TABLES = (compute.COMMISSION_RATES, compute.ACTIVITY_FUND)


@dataclass
class Sandbox:
    month: date
    scalars: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _percent(value: Decimal | None) -> str:
    return "" if value is None else fmt_decimal(value * 100)


def sandbox(month: date, data=None) -> Sandbox:
    """The editable values in force at the end of ``month``, overridden by ``data`` (a POST) when given."""
    data = data or {}
    box = Sandbox(month)
    on = month_end(month)
    for key in SCALARS:
        resolved = registry.resolve(key, on)
        current = human_input(resolved.parameter.kind, resolved.version.value)
        raw = str(data.get(key, current)).strip()
        entry = {"key": key, "name": resolved.parameter.name, "unit": resolved.parameter.unit or (
            "%" if resolved.parameter.kind == "percentage" else ""), "current": current, "value": raw,
            "version": resolved.version.label, "changed": raw != current}
        if entry["changed"]:
            try:
                stored = normalise(resolved.parameter.kind, raw, resolved.parameter.options, human=True)
                box.overrides[key] = to_python(resolved.parameter.kind, stored, resolved.parameter.options)
            except PolicyValueError as error:
                box.errors[key] = str(error)
        box.scalars.append(entry)
    for key in TABLES:
        resolved = registry.resolve(key, on)
        stored = resolved.version.value
        columns = stored["columns"]
        rows, changed, raw_rows = [], False, []
        for i, row in enumerate(stored["rows"]):
            shown = {"lower": _percent(None if row["lower"] is None else Decimal(row["lower"])),
                     "upper": _percent(None if row["upper"] is None else Decimal(row["upper"]))}
            cells = []
            raw_row = {"lower_inclusive": row["lower_inclusive"], "upper_inclusive": row["upper_inclusive"],
                       "values": {}}
            for bound in ("lower", "upper"):
                name = f"{key}:{i}:{bound}"
                text = str(data.get(name, shown[bound])).strip()
                changed |= text != shown[bound]
                raw_row[bound] = _fraction(text, name, box) if text else None
                shown[bound] = text
            for column in columns:
                name = f"{key}:{i}:{column['key']}"
                current = _percent(Decimal(row["values"][column["key"]]))
                text = str(data.get(name, current)).strip()
                changed |= text != current
                raw_row["values"][column["key"]] = _fraction(text, name, box) or "0"
                cells.append({"name": name, "value": text, "current": current})
            rows.append({"index": i, "lower": shown["lower"], "upper": shown["upper"],
                         "lower_name": f"{key}:{i}:lower", "upper_name": f"{key}:{i}:upper",
                         "lower_inclusive": row["lower_inclusive"], "upper_inclusive": row["upper_inclusive"],
                         "cells": cells})
            raw_rows.append(raw_row)
        if changed and not any(name.startswith(key) for name in box.errors):
            try:
                parsed = normalise(resolved.parameter.kind, {"columns": columns, "rows": raw_rows},
                                   resolved.parameter.options)
                box.overrides[key] = to_python(resolved.parameter.kind, parsed, resolved.parameter.options)
            except PolicyValueError as error:
                box.errors[key] = str(error)
        box.tables.append({"key": key, "name": resolved.parameter.name, "version": resolved.version.label,
                           "columns": columns, "rows": rows, "changed": changed})
    return box


def _fraction(text: str, name: str, box: Sandbox) -> str | None:
    try:
        number = Decimal(text.rstrip("%％").strip())
    except (InvalidOperation, ValueError):
        box.errors[name] = _("“%(text)s”不是有效数字") % {"text": text[:20]}
        return None
    if not number.is_finite() or number < 0 or number > 100000:
        box.errors[name] = _("“%(text)s”不是有效数字") % {"text": text[:20]}
        return None
    return fmt_decimal(number / 100)


@dataclass
class Comparison:
    real: compute.MonthResult
    sandbox: compute.MonthResult
    rows: list[dict]
    real_total: Decimal
    sandbox_total: Decimal


def compare(month: date, overrides: dict) -> Comparison:
    """The month with the policy in force and with the sandbox values, person by person. The sales are
    the saved run's list when there is one (the same base on both sides), else the orders."""
    data = compute.MonthData(month)
    real_policy = compute.PolicySet(month_end(month))
    box_policy = compute.PolicySet(month_end(month), overrides)
    cutoffs = sorted(set(compute.departure_cutoffs(data, real_policy)) | set(compute.departure_cutoffs(data,
                                                                                                     box_policy)))
    run = PayrollRun.objects.filter(month=month).first()
    sales = compute.run_sales(run, cutoffs) if run is not None and run.slip_count else compute.live_sales(month,
                                                                                                          cutoffs)
    real = compute.compute_month(month, sales=sales, policy=real_policy, data=data)
    box = compute.compute_month(month, sales=sales, policy=box_policy, data=data)
    rows = []
    for a, b in zip(real.slips, box.slips, strict=True):
        kinds = []
        by_kind_a, by_kind_b = _by_kind(a), _by_kind(b)
        for kind in dict.fromkeys([*by_kind_a, *by_kind_b]):
            amount_a, _text_a = by_kind_a.get(kind, (compute.ZERO, ""))
            amount_b, text_b = by_kind_b.get(kind, (compute.ZERO, ""))
            if amount_a != amount_b:
                kinds.append({"kind": kind, "label": LineKind(kind).label, "real": amount_a, "sandbox": amount_b,
                              "explanation": text_b})
        rows.append({"staff": a.staff, "role": a.role, "real": a.total, "sandbox": b.total,
                     "diff": b.total - a.total, "changes": kinds})
    return Comparison(real, box, rows, real.total, box.total)


def _by_kind(slip: compute.SlipResult) -> dict[str, tuple[Decimal, str]]:
    out: dict[str, tuple[Decimal, str]] = {}
    for line in slip.lines:
        amount, text = out.get(line.kind, (compute.ZERO, ""))
        out[line.kind] = (amount + line.amount, (text + "；" if text else "") + line.explanation)
    return out
