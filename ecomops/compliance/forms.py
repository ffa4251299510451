"""Forms of the compliance pages (LAW-02). They check and show input; ``compliance.actions`` makes
every change and has the last word (its refusals land on the field they name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ecomops.core.forms import StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.org.models import Client
from ecomops.org.scoping import scope_for

from . import actions
from .checker import MAX_TEXT_LENGTH
from .enums import PhraseKind, Severity, TermCategory
from .models import PHRASE_MAX_LENGTH, TERM_MAX_LENGTH

ACTIVE_CHOICES = [("", gettext_lazy("全部")), ("1", gettext_lazy("启用中")), ("0", gettext_lazy("已停用"))]
FOR_EVERYONE = "all"


def _client_label(client: Client) -> str:
    return f"{client.code} · {loc(client)}"


class CheckForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("要检测的文字"),
        max_length=MAX_TEXT_LENGTH,
        strip=False,  # positions point into the text exactly as typed
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=gettext_lazy("商品标题、卖点、详情描述、推文或直播脚本，最多 20000 字"),
    )
    client = forms.ModelChoiceField(
        label=gettext_lazy("委托方"),
        queryset=Client.objects.none(),
        required=False,
        empty_label=gettext_lazy("不指定（只用通用允许词）"),
        help_text=gettext_lazy("指定后，该委托方的注册商标等专用允许词也会生效"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("code")
        self.fields["client"].label_from_instance = _client_label

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(gettext_lazy("请输入要检测的文字"))
        return text


class TermForm(StyledFormMixin, forms.Form):
    term = forms.CharField(
        label=gettext_lazy("禁用词"),
        max_length=TERM_MAX_LENGTH,
        help_text=gettext_lazy("全角半角、大小写、空格和符号不计：NO.1 同时查出 No.1、No 1、ＮＯ．１"),
    )
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=TermCategory.choices)
    severity = forms.ChoiceField(label=gettext_lazy("严重程度"), choices=Severity.choices, initial=Severity.HIGH)
    reason = forms.CharField(
        label=gettext_lazy("提示理由"),
        max_length=actions.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("命中时向编辑和审核人显示，说明为什么不能用、可以怎样改"),
    )


class PhraseForm(StyledFormMixin, forms.Form):
    phrase = forms.CharField(
        label=gettext_lazy("允许词"),
        max_length=PHRASE_MAX_LENGTH,
        help_text=gettext_lazy("禁用词完全落在允许词之内时不计为命中，如“第一次”中的“第一”"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=PhraseKind.choices, initial=PhraseKind.CLEARED)
    client = forms.ModelChoiceField(
        label=gettext_lazy("适用委托方"),
        queryset=Client.objects.none(),
        required=False,
        empty_label=gettext_lazy("所有委托方"),
        help_text=gettext_lazy("注册商标、商品名称通常只对其委托方放行"),
    )
    reference = forms.CharField(
        label=gettext_lazy("依据"), max_length=100, required=False,
        help_text=gettext_lazy("商标注册号、标准编号等"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["client"]  # a phrase stays with its client
            return
        scope = scope_for(user)
        clients = Client.objects.all() if scope.all else Client.objects.filter(pk__in=scope.client_ids)
        self.fields["client"].queryset = clients.order_by("code")
        self.fields["client"].label_from_instance = _client_label


class TermFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), required=False, choices=[("", gettext_lazy("全部类别")), *TermCategory.choices]
    )
    active = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=ACTIVE_CHOICES)


class PhraseFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"), required=False, choices=[("", gettext_lazy("全部类型")), *PhraseKind.choices]
    )
    client = forms.ChoiceField(label=gettext_lazy("适用范围"), required=False)
    active = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        clients = Client.objects.all() if scope.all else Client.objects.filter(pk__in=scope.client_ids)
        self.fields["client"].choices = [
            ("", gettext_lazy("全部")),
            (FOR_EVERYONE, gettext_lazy("所有委托方通用")),
            *[(str(c.pk), _client_label(c)) for c in clients.order_by("code")],
        ]
