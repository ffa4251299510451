"""Forms of the admission and listing pages. They only shape input; the rules live in ``actions``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import StyledFormMixin
from ecomops.org.models import Store

from .enums import ItemResult, ListingState
from .models import DESCRIPTION_MAX, TITLE_MAX


class ItemForm(StyledFormMixin, forms.Form):
    compact = True
    result = forms.ChoiceField(label=_("结果"), choices=[c for c in ItemResult.choices if c[0] != "pending"])
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)
    evidence = forms.TypedChoiceField(label=_("依据证照"), required=False, coerce=int, empty_value=None)
    sampling_check = forms.TypedChoiceField(label=_("抽检记录"), required=False, coerce=int, empty_value=None)
    sampling_reference = forms.CharField(label=_("抽检说明"), max_length=200, required=False)

    def __init__(self, *args, evidence_choices=(), sampling_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [("", _("— 依据证照 —"))] + [
            (q.pk, f"{q.get_kind_display()} {q.number}") for q in evidence_choices]
        self.fields["sampling_check"].choices = [("", _("— 抽检记录 —"))] + [
            (c.pk, sampling_label(c)) for c in sampling_choices]
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


def sampling_label(check) -> str:
    return f"{check.sampled_on:%Y-%m-%d} {check.style.style_no} {check.get_result_display()} · {check.inspector}"


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
                               choices=[("", _("全部状态")), *ListingState.choices])

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores


class MeasureForm(StyledFormMixin, forms.Form):
    """CAT-08: one line per size of the style, what QC measured on the sample. Build it with
    ``measure_form(sizes, ...)``, which adds a field per size."""

    note = forms.CharField(label=_("说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), help_text=_("如测量方法、样衣编号"))
    sizes: list[str] = []

    def measurements(self) -> dict:
        return {size: self.cleaned_data.get(f"size_{index}", "") for index, size in enumerate(self.sizes)}

    def size_fields(self):
        return [self[f"size_{index}"] for index in range(len(self.sizes))]


def measure_form(sizes, *args, **kwargs) -> MeasureForm:
    sizes = list(sizes)
    attrs = {
        f"size_{index}": forms.CharField(
            label=size or _("（无尺码）"), max_length=300, required=False,
            widget=forms.TextInput(attrs={"placeholder": _("如：衣长 98 / 胸围 92 cm；或 罐高 12 / 直径 8 cm")}),
        )
        for index, size in enumerate(sizes)
    }
    attrs.update(sizes=sizes, field_order=[*attrs, "note"])
    return type("SizedMeasureForm", (MeasureForm,), attrs)(*args, **kwargs)
