from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ecomops.core.users import person_name


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class ScheduleForm(forms.Form):
    cron = forms.CharField(label=_("定时表达式"), max_length=100, required=False,
                           help_text=_("五段式：分 时 日 月 周，按北京时间；例如“30 7 * * *”为每天 7:30"))
    owner = OwnerChoice(label=_("负责人"), required=False, empty_label=_("（全部超级管理员）"),
                        queryset=get_user_model().objects.filter(is_active=True, client_member__isnull=True)
                        .order_by("username"))

    def __init__(self, *args, job=None, **kwargs):
        super().__init__(*args, **kwargs)
        if job is not None and job.times_source:
            self.fields["cron"].help_text = _("留空则按政策时刻（%(clause)s）运行；填写则改为按定时表达式运行") % {
                "clause": job.clause}
