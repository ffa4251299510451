"""Forms of the receiving pages. Field names match the actions' ``field`` so refusals land on them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import StyledFormMixin
from ecomops.supply.enums import OPEN_PO_STATES
from ecomops.supply.models import PurchaseOrder

from .enums import ReceiptState


class ReceiptFilterForm(StyledFormMixin, forms.Form):
    compact = True
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), ("open", _("未完成")), *ReceiptState.choices])
    q = forms.CharField(label=_("单号"), required=False, max_length=60)


class ReceiptCreateForm(StyledFormMixin, forms.Form):
    purchase_order = forms.ModelChoiceField(label=_("采购单"), queryset=PurchaseOrder.objects.none())
    delivery_note_no = forms.CharField(label=_("送货单号"), max_length=60)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchase_order"].queryset = (
            PurchaseOrder.objects.visible_to(user).filter(state__in=OPEN_PO_STATES).select_related("supplier")
            .order_by("-pk")
        )
        self.fields["purchase_order"].label_from_instance = lambda po: f"{po.number} · {po.supplier.name}"


class LineForm(StyledFormMixin, forms.Form):
    sku = forms.CharField(label=_("商品条码 / SKU"), max_length=60,
                          widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    noted_quantity = forms.IntegerField(label=_("送货单数量"), min_value=0, max_value=1_000_000)
    counted_quantity = forms.IntegerField(label=_("实收数量"), min_value=0, max_value=1_000_000)
    state_ok = forms.BooleanField(label=_("外观状态正常"), required=False, initial=True)
    spec_ok = forms.BooleanField(label=_("规格相符"), required=False, initial=True)
    mismatch_reason = forms.CharField(label=_("差异说明"), max_length=200, required=False)

    def __init__(self, *args, scan: bool = False, **kwargs):
        """``scan=True``: the scanner sent the code alone (its Enter), the quantities are asked next."""
        super().__init__(*args, **kwargs)
        if scan:
            self.fields["noted_quantity"].required = self.fields["counted_quantity"].required = False

    @staticmethod
    def is_scan(data) -> bool:
        """A code and Enter, nothing else typed: a scan, not an incomplete line."""
        return bool((data.get("sku") or "").strip()) and not any(
            (data.get(name) or "").strip() for name in ("noted_quantity", "counted_quantity"))

    def focus(self, name: str) -> None:
        """Put the cursor on one field (the next one after a scan)."""
        for field_name, field in self.fields.items():
            if field_name == name:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class LabelForm(StyledFormMixin, forms.Form):
    compact = True
    per_carton = forms.IntegerField(label=_("每箱件数（留空按件打印）"), min_value=1, max_value=10000, required=False)


class ScanForm(StyledFormMixin, forms.Form):
    barcode = forms.CharField(label=_("扫描商品条码"), max_length=60,
                              widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))


class SampleForm(StyledFormMixin, forms.Form):
    passed = forms.IntegerField(label=_("合格件数（可留空）"), min_value=0, max_value=1_000_000, required=False)
    failed = forms.IntegerField(label=_("不合格件数"), min_value=0, max_value=1_000_000,
                                widget=forms.NumberInput(attrs={"autofocus": True}))
    reason = forms.CharField(label=_("问题描述"), max_length=200, required=False)


class FullInspectionForm(StyledFormMixin, forms.Form):
    defective = forms.IntegerField(label=_("全检次品件数"), min_value=0, max_value=1_000_000,
                                   widget=forms.NumberInput(attrs={"autofocus": True}))
    reason = forms.CharField(label=_("问题描述"), max_length=200, required=False)


class PutAwayForm(StyledFormMixin, forms.Form):
    sku = forms.CharField(label=_("扫描商品条码"), max_length=60, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    bin = forms.CharField(label=_("扫描库位码"), max_length=30, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    quantity = forms.IntegerField(label=_("上架数量"), min_value=1, max_value=1_000_000, required=False)
