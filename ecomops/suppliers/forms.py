"""Forms of the supplier pages (CAT-06). They check and show input; every change goes through actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ecomops.catalog.forms import clients_whole
from ecomops.catalog.models import SKU, Style
from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.org.models import Store
from ecomops.org.scoping import is_client_member

from .enums import RECALL_FLOW, RecallState, SamplingResult, SupplierState
from .models import QualityAgreement, SamplingCheck, Supplier, SupplierContact, SupplierRating

RATING_BANDS = [
    ("", gettext_lazy("全部评级")),
    ("90", gettext_lazy("90 分及以上")),
    ("75", gettext_lazy("75–90 分")),
    ("60", gettext_lazy("60–75 分")),
    ("0", gettext_lazy("60 分以下")),
    ("none", gettext_lazy("未评级")),
]
BAND_RANGES = {"90": (90, None), "75": (75, 90), "60": (60, 75), "0": (0, 60)}


class SupplierFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("合作状态"), required=False,
                               choices=[("", gettext_lazy("全部状态")), *SupplierState.choices])
    rating = forms.ChoiceField(label=gettext_lazy("评级"), required=False, choices=RATING_BANDS)


class SupplierForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["client", "code", "name", "credit_code", "address", "status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        client = self.fields["client"]
        client.queryset = clients_whole(user)
        client.label_from_instance = loc
        if is_client_member(user):
            client.required = True
        else:
            client.empty_label = gettext_lazy("（本公司共用供应商）")
        if self.instance.pk:
            client.disabled = True

    def _post_clean(self):
        """Model validation is the action's job (it names the field); keep the form's own checks only."""


class ContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SupplierContact
        fields = ["name", "role", "phone", "email", "is_active"]

    def _post_clean(self):
        pass


class AgreementForm(StyledFormMixin, forms.ModelForm):
    upload = forms.FileField(label=gettext_lazy("协议扫描件"), required=False,
                             help_text=gettext_lazy("PDF、JPG 或 PNG"))

    class Meta:
        model = QualityAgreement
        fields = ["number", "signed_on", "valid_from", "valid_to", "sampling_interval_days", "terms"]
        widgets = {"signed_on": DateInput(), "valid_from": DateInput(), "valid_to": DateInput(),
                   "terms": forms.Textarea(attrs={"rows": 6})}

    def _post_clean(self):
        pass


class RatingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SupplierRating
        fields = ["period", "score", "quality_score", "delivery_score", "service_score", "note"]

    def _post_clean(self):
        pass


class StyleLinkForm(StyledFormMixin, forms.Form):
    style = forms.ModelChoiceField(label=gettext_lazy("款式"), queryset=Style.objects.none())
    is_primary = forms.BooleanField(label=gettext_lazy("主供应商"), required=False)
    supplier_item_code = forms.CharField(label=gettext_lazy("供应商货号"), required=False, max_length=60)
    purchase_price = forms.DecimalField(label=gettext_lazy("采购价（元）"), required=False, min_value=0,
                                        max_digits=12, decimal_places=2)

    def __init__(self, *args, user, supplier: Supplier, **kwargs):
        super().__init__(*args, **kwargs)
        styles = Style.objects.visible_to(user).order_by("style_no")
        if supplier.client_id is not None:
            styles = styles.filter(client_id=supplier.client_id)
        self.fields["style"].queryset = styles
        self.fields["style"].label_from_instance = lambda s: f"{s.style_no} {s.name}"


class SamplingForm(StyledFormMixin, forms.ModelForm):
    upload = forms.FileField(label=gettext_lazy("检验报告"), required=False, help_text=gettext_lazy("PDF、JPG 或 PNG"))

    class Meta:
        model = SamplingCheck
        fields = ["style", "sku", "store", "sampled_on", "sample_size", "result", "inspector", "findings"]
        widgets = {"sampled_on": DateInput(), "findings": forms.Textarea(attrs={"rows": 4}),
                   "result": forms.RadioSelect}

    def __init__(self, *args, user, supplier: Supplier, **kwargs):
        super().__init__(*args, **kwargs)
        styles = Style.objects.visible_to(user).order_by("style_no")
        if supplier.client_id is not None:
            styles = styles.filter(client_id=supplier.client_id)
        linked = styles.filter(style_suppliers__supplier=supplier)
        self.fields["style"].queryset = linked if linked.exists() else styles
        self.fields["style"].label_from_instance = lambda s: f"{s.style_no} {s.name}"
        self.fields["sku"].queryset = SKU.objects.filter(style__in=self.fields["style"].queryset).order_by("sku_code")
        self.fields["sku"].label_from_instance = lambda s: s.sku_code
        self.fields["store"].queryset = Store.objects.visible_to(user).order_by("code")
        self.fields["result"].choices = SamplingResult.choices

    def _post_clean(self):
        pass


class RecallMoveForm(StyledFormMixin, forms.Form):
    to_state = forms.ChoiceField(label=gettext_lazy("改为"), choices=RecallState.choices)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, state: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = RECALL_FLOW.get(state, ())
        self.fields["to_state"].choices = [(value, label) for value, label in RecallState.choices if value in allowed]


