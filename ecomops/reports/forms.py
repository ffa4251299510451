from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import DateInput, StyledFormMixin

from .models import ReportKind


class GenerateForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("报表类型"), choices=ReportKind.choices)
    day = forms.DateField(label=_("期间内的任一天"), widget=DateInput(),
                          help_text=_("日报为当天，周报为所在的周一至周日，月报为所在月份；期间须已结束"))
    mail = forms.BooleanField(label=_("同时发送邮件"), required=False)
