"""Forms of the pay pages. They only collect input; ``actions`` validates it and names the field at fault."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.org.models import Department, Staff

from .enums import PLAN_METRICS, GroupKind, Metric, PayRole, TargetScope

MONTH_ATTRS = {"type": "month", "placeholder": "2026-10"}


def _departments():
    return Department.objects.filter(is_active=True).order_by("sort_order", "code")


def _staff():
    return Staff.objects.filter(pay_profile__isnull=False).order_by("employee_no")


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("月份"))
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput(attrs=MONTH_ATTRS))
        super().__init__(**kwargs)


class TargetForm(StyledFormMixin, forms.Form):
    month = MonthField()
    scope = forms.ChoiceField(label=_("范围"), choices=TargetScope.choices)
    department = forms.ModelChoiceField(label=_("部门/小组"), queryset=_departments(), required=False)
    staff = forms.ModelChoiceField(label=_("员工"), queryset=_staff(), required=False)
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    plan = forms.CharField(label=_("计划值"), max_length=20, help_text=_("销售额以元计，其他指标按件数/次数"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["staff"].queryset = _staff()


class KpiForm(StyledFormMixin, forms.Form):
    month = MonthField()
    scope = forms.ChoiceField(label=_("范围"), choices=TargetScope.choices)
    department = forms.ModelChoiceField(label=_("部门/小组"), queryset=_departments(), required=False)
    staff = forms.ModelChoiceField(label=_("员工"), queryset=_staff(), required=False)
    metric = forms.ChoiceField(label=_("指标"), choices=[(m, Metric(m).label) for m in PLAN_METRICS])
    value = forms.CharField(label=_("实际值"), max_length=20)
    evidence = forms.CharField(label=_("依据"), max_length=500,
                               help_text=_("数据来源：后台报表、截图编号、签约合同号等"))
    evidence_file = forms.FileField(label=_("依据附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        self.fields["staff"].queryset = _staff()


class ComputeForm(StyledFormMixin, forms.Form):
    month = MonthField()


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class BonusForm(StyledFormMixin, forms.Form):
    month = MonthField()
    staff = forms.ModelChoiceField(label=_("员工"), queryset=_staff())
    amount = forms.CharField(label=_("奖励金额（元）"), max_length=20)
    reason = forms.CharField(label=_("说明"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _staff()


class RampUpForm(StyledFormMixin, forms.Form):
    month = MonthField()
    department = forms.ModelChoiceField(label=_("部门"), queryset=_departments())
    reason = forms.CharField(label=_("原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()


class HarmCaseForm(StyledFormMixin, forms.Form):
    staff = forms.ModelChoiceField(label=_("员工"), queryset=_staff())
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    recorded_on = forms.DateField(label=_("认定日期"), widget=DateInput())
    description = forms.CharField(label=_("事实经过"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("证据"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _staff()


class AdjustmentForm(StyledFormMixin, forms.Form):
    line = forms.IntegerField(label=_("更正的行号"), min_value=1, max_value=999)
    month = MonthField(label=_("计入月份"))
    amount = forms.CharField(label=_("调整金额（元）"), max_length=20, help_text=_("补发为正，扣回为负"))
    reason = forms.CharField(label=_("更正原因"), max_length=500)


class PayGroupForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("小组"), queryset=Department.objects.none())
    kind = forms.ChoiceField(label=_("小组类型"), choices=GroupKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments().filter(is_group=True)


class PayProfileForm(StyledFormMixin, forms.Form):
    staff = forms.ModelChoiceField(label=_("员工"), queryset=Staff.objects.none())
    role = forms.ChoiceField(label=_("薪酬角色"), choices=PayRole.choices)
    base_salary = forms.CharField(label=_("个人基本工资（元）"), max_length=20, required=False,
                                  help_text=_("留空按政策参数（PER-01）的默认基本工资"))
    is_active = forms.BooleanField(label=_("参与月度薪资"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(left_on__isnull=True).order_by("employee_no")
