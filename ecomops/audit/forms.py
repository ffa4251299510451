"""Search forms of the audit pages (DAT-02). Read-only: they filter, nothing else."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import DateInput, StyledFormMixin

from .models import AuthEventKind

ACTION_CHOICES = [
    ("", gettext_lazy("全部操作")),
    ("create", gettext_lazy("新增")),
    ("update", gettext_lazy("修改")),
    ("delete", gettext_lazy("删除")),
]


def day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class PeriodFormMixin(forms.Form):
    """A user name and a date range (both ends included), in the company's time zone."""

    compact = True

    user = forms.CharField(label=gettext_lazy("用户"), required=False, max_length=150)
    since = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DateInput())
    until = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=DateInput())

    def clean_user(self):
        name = self.cleaned_data["user"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError(_("没有登录账号为“%(name)s”的用户") % {"name": name})
        return user

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("结束日期不能早于开始日期"))
        return data

    def period(self) -> tuple[datetime | None, datetime | None]:
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return (day_start(since) if since else None, day_start(until + timedelta(days=1)) if until else None)


class TrailSearchForm(StyledFormMixin, PeriodFormMixin):
    model = forms.ChoiceField(label=gettext_lazy("数据类型"), required=False)
    object_id = forms.CharField(label=gettext_lazy("记录 ID"), required=False, max_length=64)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False, choices=ACTION_CHOICES)

    def __init__(self, *args, models: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("全部数据类型"))] + [
            (label, f"{name}（{label}）") for label, name in sorted(models, key=lambda m: m[0])
        ]


class AuthEventSearchForm(StyledFormMixin, PeriodFormMixin):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *AuthEventKind.choices],
    )
    ip = forms.GenericIPAddressField(label=gettext_lazy("IP 地址"), required=False)

    def clean_user(self):
        # Sign-in records keep the name as typed (lower-cased), also for accounts that do not exist.
        return self.cleaned_data["user"].strip().lower() or None


class PersonalAccessSearchForm(StyledFormMixin, PeriodFormMixin):
    pass
