"""Forms of the policy pages: a new value for a parameter (POL-01) and a regulation version (ORG-06).

They check what a person typed and show it back; ``policy.actions`` makes the change and has the
last word (its BusinessError lands on the field it names).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import DateInput, StyledFormMixin

from .kinds import ParameterKind, PolicyValueError, fmt_decimal, human_input, to_decimal
from .models import PolicyParameter, RegulationVersion

KIND_HELP = {
    ParameterKind.DECIMAL: gettext_lazy("输入数字，如 3.5"),
    ParameterKind.MONEY: gettext_lazy("金额（元），最多两位小数，如 3500 或 3500.00"),
    ParameterKind.INTEGER: gettext_lazy("输入整数"),
    ParameterKind.PERCENTAGE: gettext_lazy("按百分比输入，如 10 或 10% 都表示 10%"),
    ParameterKind.DURATION: gettext_lazy("数字加单位：30min（分钟）、24h（小时）、7d（天）"),
    ParameterKind.TIME: gettext_lazy("24 小时制 HH:MM，如 09:00"),
    ParameterKind.TIME_LIST: gettext_lazy("多个时刻用逗号分隔，从早到晚，如 10:00, 15:30"),
    ParameterKind.TERM_LIST: gettext_lazy("每行一个词条，重复的词条只保留一个"),
    ParameterKind.RANGE: gettext_lazy("下限-上限（元），如 50-100"),
    ParameterKind.WEIGHTS: gettext_lazy("“名称: 百分比”，用逗号分隔，合计必须为 100%"),
    ParameterKind.CHOICE: gettext_lazy("从列表中选择"),
    ParameterKind.TIER_TABLE: gettext_lazy(
        "r 的边界与各列比例都按百分比填写（如 1.5 表示 1.5%）；“含”表示包含该边界。"
        "只有第一行可以没有下限，只有最后一行可以没有上限；整行留空即删除该行。"
    ),
}

SPARE_TIER_ROWS = 2  # blank rows offered below the table so a tier can be added without scripts


def _percent_text(fraction: str | None) -> str:
    return "" if fraction in (None, "") else fmt_decimal(Decimal(fraction) * 100)


class TierGrid:
    """A tier table as rows of inputs (percent for percentages), and back to the stored shape."""

    def __init__(self, parameter: PolicyParameter, stored: dict | None):
        self.parameter = parameter
        stored = stored or {}
        options = parameter.options or {}
        self.columns = stored.get("columns") or options.get("columns") or []
        self.bound_percent = stored.get("bound_kind", options.get("bound_kind", "percentage")) == "percentage"
        self.value_percent = stored.get("value_kind", options.get("value_kind", "percentage")) == "percentage"
        self.stored = stored

    def _show(self, raw, percent: bool) -> str:
        if raw in (None, ""):
            return ""
        return _percent_text(raw) if percent else fmt_decimal(Decimal(raw))

    def rows_from_stored(self) -> list[dict]:
        rows = []
        for row in self.stored.get("rows", []):
            rows.append(
                {
                    "lower": self._show(row.get("lower"), self.bound_percent),
                    "lower_inclusive": bool(row.get("lower_inclusive")),
                    "upper": self._show(row.get("upper"), self.bound_percent),
                    "upper_inclusive": bool(row.get("upper_inclusive")),
                    "values": [
                        self._show(row["values"].get(c["key"]), self.value_percent) for c in self.columns
                    ],
                }
            )
        return rows

    @staticmethod
    def rows_from_post(data) -> list[dict]:
        count = int(data.get("tier-count") or 0) if str(data.get("tier-count", "")).isdigit() else 0
        rows = []
        for i in range(min(count, 60)):
            values = data.getlist(f"tier-{i}-values")
            rows.append(
                {
                    "lower": data.get(f"tier-{i}-lower", "").strip(),
                    "lower_inclusive": bool(data.get(f"tier-{i}-lower_inclusive")),
                    "upper": data.get(f"tier-{i}-upper", "").strip(),
                    "upper_inclusive": bool(data.get(f"tier-{i}-upper_inclusive")),
                    "values": [v.strip() for v in values],
                }
            )
        return rows

    def to_value(self, rows: list[dict]) -> dict:
        """The table as change_value expects it (fractions), skipping rows left entirely blank."""
        out, n = [], 0
        for row in rows:
            if not row["lower"] and not row["upper"] and not any(row["values"]):
                continue
            n += 1
            where = _("第 %(n)d 行") % {"n": n}
            if len(row["values"]) != len(self.columns) or not all(row["values"]):
                raise PolicyValueError(_("%(where)s每一列都要填写比例") % {"where": where})
            values = {
                column["key"]: self._parse(
                    raw, self.value_percent, where + str(column.get("name", column["key"]))
                )
                for column, raw in zip(self.columns, row["values"], strict=True)
            }
            out.append(
                {
                    "lower": self._parse(row["lower"], self.bound_percent, where + _("下限"))
                    if row["lower"]
                    else None,
                    "lower_inclusive": row["lower_inclusive"] if row["lower"] else False,
                    "upper": self._parse(row["upper"], self.bound_percent, where + _("上限"))
                    if row["upper"]
                    else None,
                    "upper_inclusive": row["upper_inclusive"] if row["upper"] else False,
                    "values": values,
                }
            )
        if not out:
            raise PolicyValueError(_("阶梯表至少要有一行"))
        return {
            "columns": self.columns,
            "rows": out,
            "gaps_allowed": self.stored.get(
                "gaps_allowed", (self.parameter.options or {}).get("gaps_allowed", False)
            ),
            "bound_kind": "percentage" if self.bound_percent else "number",
            "value_kind": "percentage" if self.value_percent else "number",
        }

    @staticmethod
    def _parse(raw: str, percent: bool, what: str) -> str:
        text = raw.strip().rstrip("%％")
        number = to_decimal(text, what)
        return fmt_decimal(number / 100) if percent else fmt_decimal(number)


class ChangeValueForm(StyledFormMixin, forms.Form):
    """A new version of one parameter (POL-01). The value is typed as people write it."""

    value = forms.CharField(label=gettext_lazy("新取值"), required=False, max_length=100000)
    effective_from = forms.DateField(label=gettext_lazy("生效日期"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("变更原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如：依据 2025 年第 2 版制度修订；会记入审计日志"),
    )

    def __init__(self, *args, parameter: PolicyParameter, current=None, **kwargs):
        self.parameter = parameter
        self.grid = (
            TierGrid(parameter, current.value if current is not None else None)
            if parameter.kind == ParameterKind.TIER_TABLE
            else None
        )
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("effective_from", timezone.localdate() + timedelta(days=1))
        if current is not None and self.grid is None:
            initial.setdefault("value", human_input(parameter.kind, current.value))
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.help_text = self._help()
        kind = parameter.kind
        if kind == ParameterKind.CHOICE:
            choices = [
                (c["key"], c.get("name", c["key"])) for c in (parameter.options or {}).get("choices", [])
            ]
            self.fields["value"] = forms.ChoiceField(
                label=field.label, choices=choices, help_text=field.help_text
            )
            self.fields["value"].widget.attrs["class"] = "form-select"
        elif kind in (ParameterKind.TERM_LIST, ParameterKind.WEIGHTS):
            field.widget = forms.Textarea(
                attrs={"rows": 8 if kind == ParameterKind.TERM_LIST else 3, "class": "form-control"}
            )
        elif kind == ParameterKind.TIER_TABLE:
            field.widget = forms.HiddenInput()
        if parameter.unit and kind in (ParameterKind.INTEGER, ParameterKind.DECIMAL):
            field.widget.attrs["aria-describedby"] = "value-unit"
        self.fields["effective_from"].widget.attrs["min"] = timezone.localdate().isoformat()

    def _help(self) -> str:
        kind = self.parameter.kind
        options = self.parameter.options or {}
        parts = [str(KIND_HELP.get(kind, ""))]
        if kind == ParameterKind.WEIGHTS and options.get("columns"):
            names = "、".join(f"{c['key']}（{c.get('name', c['key'])}）" for c in options["columns"])
            parts.append(_("名称依次为：%(names)s；也可按此顺序写成 50/30/20") % {"names": names})
        if kind in (
            ParameterKind.INTEGER,
            ParameterKind.DECIMAL,
            ParameterKind.MONEY,
            ParameterKind.DURATION,
        ):
            if "min" in options:
                parts.append(_("最小 %(v)s") % {"v": options["min"]})
            if "max" in options:
                parts.append(_("最大 %(v)s") % {"v": options["max"]})
        if kind == ParameterKind.PERCENTAGE:
            low = Decimal(str(options.get("min", "0"))) * 100
            high = Decimal(str(options.get("max", "1"))) * 100
            parts.append(
                _("范围 %(low)s%% – %(high)s%%") % {"low": fmt_decimal(low), "high": fmt_decimal(high)}
            )
        return "；".join(p for p in parts if p)

    def tier_rows(self) -> list[dict]:
        """Rows to show in the tier grid: what was posted, or the current table, plus spare rows."""
        if self.grid is None:
            return []
        rows = TierGrid.rows_from_post(self.data) if self.is_bound else self.grid.rows_from_stored()
        blank = {
            "lower": "",
            "lower_inclusive": False,
            "upper": "",
            "upper_inclusive": False,
            "values": [""] * len(self.grid.columns),
        }
        rows = [r for r in rows if r["lower"] or r["upper"] or any(r["values"])]
        return rows + [dict(blank) for _ in range(SPARE_TIER_ROWS)]

    def clean_value(self):
        if self.grid is not None:
            try:
                return self.grid.to_value(TierGrid.rows_from_post(self.data))
            except PolicyValueError as error:
                raise forms.ValidationError(str(error)) from None
        value = self.cleaned_data.get("value", "")
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            raise forms.ValidationError(_("请填写新取值"))
        return value

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("生效日期不能早于今天：已经发生的计算用的是当时的取值"))
        return day


class ValueOnDateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("查询日期"), widget=DateInput())


class RegulationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RegulationVersion
        fields = ["code", "title", "title_en", "effective_from", "announcement"]
        widgets = {"effective_from": DateInput(), "announcement": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "code": gettext_lazy("如 2025-02；发布后不能修改"),
            "effective_from": gettext_lazy("员工须在生效日前阅读并签署承诺书（ORG-06）"),
        }

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("生效日期不能早于今天：新版本须先公告、签署后才生效"))
        return day
