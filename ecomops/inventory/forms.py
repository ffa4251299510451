"""Forms of the warehouse pages. They check and show input; every change goes through actions,
``holds`` or ``closing``. Scan boxes are plain text inputs with autofocus: a barcode scanner types the
code and presses Enter, which submits the form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.org.models import Client

from .enums import BinKind, DocKind, OutboundReason
from .models import Bin, StockDocument, Warehouse, Zone

SCAN_ATTRS = {"autofocus": True, "autocomplete": "off", "inputmode": "text", "data-eo-scan": "1"}


def warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


def _clients(user):
    return Client.objects.visible_to(user).order_by("code")


class StockFilterForm(StyledFormMixin, forms.Form):
    compact = True
    barcode = forms.CharField(
        label=gettext_lazy("扫码"), required=False, max_length=60,
        widget=forms.TextInput(attrs={**SCAN_ATTRS, "placeholder": gettext_lazy("扫描条码后回车")}),
    )
    q = forms.CharField(label=gettext_lazy("SKU/款号/品名"), required=False, max_length=100)
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), required=False, queryset=Warehouse.objects.none(),
                                       empty_label=gettext_lazy("全部仓库"))
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), required=False, queryset=Client.objects.none(),
                                    empty_label=gettext_lazy("全部委托方"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.order_by("code")
        self.fields["client"].queryset = _clients(user)
        self.fields["client"].label_from_instance = loc


class WarehouseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "address", "supervisor", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        if self.instance.pk:
            self.fields["code"].disabled = True

    def _post_clean(self):
        """Model validation is the action's job (it names the field)."""


class ZoneForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "purpose", "is_active"]

    def _post_clean(self):
        pass


class BinForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Bin
        fields = ["code", "zone", "kind", "pick_order", "is_active"]

    def __init__(self, *args, warehouse: Warehouse, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(warehouse=warehouse).order_by("code")
        self.fields["kind"].choices = [(v, label) for v, label in BinKind.choices if v != BinKind.TRANSIT]

    def _post_clean(self):
        pass


class LedgerFilterForm(StyledFormMixin, forms.Form):
    compact = True
    sku = forms.CharField(label=gettext_lazy("SKU/条码"), required=False, max_length=60)
    lot = forms.CharField(label=gettext_lazy("批次号"), required=False, max_length=40)
    document = forms.CharField(label=gettext_lazy("单据号"), required=False, max_length=40)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput())
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), required=False, queryset=Warehouse.objects.none(),
                                       empty_label=gettext_lazy("全部仓库"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", gettext_lazy("截止日期不能早于起始日期"))
        return data


class DocumentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("单据类型"),
                             choices=[(k.value, k.label) for k in StockDocument.KINDS])
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), queryset=Client.objects.none())
    reason = forms.ChoiceField(label=gettext_lazy("出库原因"), required=False,
                               choices=[("", "—"), *OutboundReason.choices],
                               help_text=gettext_lazy("仅出库单"))
    reference = forms.CharField(label=gettext_lazy("依据单据"), required=False, max_length=60,
                                help_text=gettext_lazy("出库必须依据单据（WMS-10），如订单号、领用单号"))
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses()
        self.fields["client"].queryset = _clients(user)
        self.fields["client"].label_from_instance = loc


class LineForm(StyledFormMixin, forms.Form):
    """Scan the SKU barcode, type the quantity, Enter. Bins: from (move, outbound) and to (move, opening)."""

    barcode = forms.CharField(label=gettext_lazy("SKU条码"), max_length=60,
                              widget=forms.TextInput(attrs={**SCAN_ATTRS, "placeholder": gettext_lazy("扫描条码")}))
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=1_000_000, initial=1)
    from_bin = forms.ModelChoiceField(label=gettext_lazy("来源库位"), required=False, queryset=Bin.objects.none(),
                                      empty_label=gettext_lazy("按先进先出自动分配"))
    to_bin = forms.ModelChoiceField(label=gettext_lazy("目标库位"), required=False, queryset=Bin.objects.none())

    def __init__(self, *args, document: StockDocument, **kwargs):
        super().__init__(*args, **kwargs)
        bins = Bin.objects.filter(warehouse=document.warehouse, is_active=True).exclude(kind=BinKind.TRANSIT)
        self.fields["from_bin"].queryset = bins.order_by("pick_order", "code")
        self.fields["to_bin"].queryset = bins.order_by("pick_order", "code")
        self.fields["from_bin"].label_from_instance = lambda b: f"{b.code}（{b.get_kind_display()}）"
        self.fields["to_bin"].label_from_instance = lambda b: f"{b.code}（{b.get_kind_display()}）"
        if document.kind == DocKind.OPENING:
            del self.fields["from_bin"]
        if document.kind == DocKind.OUTBOUND:
            del self.fields["to_bin"]
        if "to_bin" in self.fields:
            self.fields["to_bin"].required = True


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200)


class CloseForm(StyledFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    day = forms.DateField(label=gettext_lazy("业务日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses()


class ReportForm(StyledFormMixin, forms.Form):
    compact = True
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    month = forms.RegexField(label=gettext_lazy("月份"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": gettext_lazy("月份格式应为 YYYY-MM，例如 2026-11")})
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), required=False, queryset=Client.objects.none(),
                                    empty_label=gettext_lazy("全部委托方"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.order_by("code")
        self.fields["client"].queryset = _clients(user)
        self.fields["client"].label_from_instance = loc


class TraceForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(
        label=gettext_lazy("批次号、SKU编码或条码"), max_length=60,
        widget=forms.TextInput(attrs={**SCAN_ATTRS, "placeholder": gettext_lazy("扫描条码或输入批次号")}),
    )


class HoldForm(StyledFormMixin, forms.Form):
    barcode = forms.CharField(label=gettext_lazy("SKU条码或编码"), max_length=60,
                              widget=forms.TextInput(attrs=SCAN_ATTRS))
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=1_000_000)
    customer = forms.CharField(label=gettext_lazy("客户"), max_length=100)
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses()


class ExtendForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("延期说明"), max_length=200)
    until = forms.DateField(label=gettext_lazy("延至（留空按政策期限）"), required=False, widget=DateInput())


class ReleaseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("释放说明"), required=False, max_length=200)
