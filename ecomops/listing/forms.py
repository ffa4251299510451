"""Forms of the admission and listing pages. They only shape input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import StyledFormMixin
from ecomops.org.models import Store

from .enums import ItemResult, ListingStatus
from .models import DESCRIPTION_MAX, TITLE_MAX


class ItemForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(label=_("结果"), choices=[c for c in ItemResult.choices if c[0] != "pending"])
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)
    evidence = forms.TypedChoiceField(label=_("依据证照"), required=False, coerce=int, empty_value=None)
    sampling_reference = forms.CharField(label=_("抽检记录"), max_length=200, required=False)

    def __init__(self, *args, evidence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [("", "—")] + [(q.pk, f"{q.get_kind_display()} {q.number}")
                                                         for q in evidence_choices]


class DecisionForm(StyledFormMixin, forms.Form):
    reasons = forms.CharField(label=_("审核意见"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ContentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX, help_text=_("最多 60 字"))
    selling_points = forms.CharField(label=_("卖点"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("每行一条，最多 10 条"))
    description = forms.CharField(label=_("详情描述"), max_length=DESCRIPTION_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    images = forms.CharField(label=_("图片"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("每行一个图片地址或文件名"))
    price = forms.DecimalField(label=_("售价（元）"), max_digits=12, decimal_places=2, min_value=0)

    def content(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "selling_points": data["selling_points"].splitlines(),
                "description": data["description"], "images": data["images"].splitlines(), "price": data["price"]}


class ListingCreateForm(ContentForm):
    store = forms.ModelChoiceField(label=_("店铺"), queryset=Store.objects.none())
    style_no = forms.CharField(label=_("款号"), max_length=40)

    field_order = ["store", "style_no", "title", "selling_points", "description", "images", "price"]

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores


class ListingFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    store = forms.ModelChoiceField(label=_("店铺"), queryset=Store.objects.none(), required=False,
                                   empty_label=_("全部店铺"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *ListingStatus.choices])

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores
