"""Forms of the supply pages. They check and show input; every change goes through the action
modules (``purchasing``, ``returns``, ``defects``, ``packaging``, ``plans``).

Lines are typed one per row ("SKU编码 数量" / "包材编码 数量"), so a barcode scanner that types the
code and presses Enter fills them; a bad row is named by its number."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.catalog.forms import clients_whole
from ecomops.catalog.models import SKU
from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.inventory.models import Bin, Warehouse
from ecomops.suppliers.models import Supplier

from .enums import SupplierSource
from .models import PackagingMaterial


def _warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


def _rows(text: str):
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.replace("，", " ").replace(",", " ").replace("\t", " ").split()
        if parts:
            yield number, parts


def _quantity(value: str, number: int) -> int:
    try:
        quantity = int(value)
    except ValueError:
        raise forms.ValidationError(_("第 %(n)s 行：数量必须是正整数") % {"n": number}) from None
    if quantity < 1:
        raise forms.ValidationError(_("第 %(n)s 行：数量必须是正整数") % {"n": number})
    return quantity


class PurchaseOrderForm(StyledFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), queryset=None)
    supplier = forms.ModelChoiceField(label=gettext_lazy("供应商"), queryset=None)
    warehouse = forms.ModelChoiceField(label=gettext_lazy("收货仓库"), queryset=None)
    expected_on = forms.DateField(label=gettext_lazy("预计到货日期"), required=False, widget=DateInput())
    lines = forms.CharField(
        label=gettext_lazy("采购明细"), widget=forms.Textarea(attrs={"rows": 6, "class": "eo-mono"}),
        help_text=gettext_lazy("每行一个：SKU编码 数量 [单价]"),
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_whole(user)
        self.fields["client"].label_from_instance = loc
        self.fields["supplier"].queryset = Supplier.objects.visible_to(user).order_by("code")
        self.fields["warehouse"].queryset = _warehouses()

    def clean(self):
        data = super().clean()
        client = data.get("client")
        text = data.get("lines")
        if client is None or text is None:
            return data
        from .purchasing import POItem

        items = []
        for number, parts in _rows(text):
            if len(parts) < 2:
                self.add_error("lines", _("第 %(n)s 行：请写“SKU编码 数量”") % {"n": number})
                return data
            sku = SKU.objects.filter(client=client, sku_code=parts[0]).first()
            if sku is None:
                self.add_error("lines", _("第 %(n)s 行：该委托方没有 SKU %(c)s") % {"n": number, "c": parts[0]})
                return data
            try:
                quantity = _quantity(parts[1], number)
                cost = Decimal(parts[2]) if len(parts) > 2 else None
            except forms.ValidationError as error:
                self.add_error("lines", error)
                return data
            except InvalidOperation:
                self.add_error("lines", _("第 %(n)s 行：单价格式不正确") % {"n": number})
                return data
            items.append(POItem(sku, quantity, cost))
        if not items:
            self.add_error("lines", _("采购单至少要有一行"))
        data["items"] = items
        return data


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200)


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("审批意见"), max_length=200, required=False,
                           help_text=gettext_lazy("驳回时必填"))


class HandOverForm(StyledFormMixin, forms.Form):
    collector = forms.CharField(label=gettext_lazy("取货人"), max_length=60)
    collector_phone = forms.CharField(label=gettext_lazy("取货人电话"), max_length=30, required=False)
    collector_signature = forms.CharField(label=gettext_lazy("取货人签名"), max_length=60,
                                          help_text=gettext_lazy("取货人在交接单上签名后录入其签名"))
    keeper_signature = forms.CharField(label=gettext_lazy("仓库交接人签名"), max_length=60)


class TermsForm(StyledFormMixin, forms.Form):
    supplier = forms.ModelChoiceField(label=gettext_lazy("供应商"), queryset=None)
    source = forms.ChoiceField(label=gettext_lazy("货源类型"), choices=SupplierSource.choices)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.visible_to(user).order_by("code")


class DefectForm(StyledFormMixin, forms.Form):
    """WMS-17: brand, code, model, name, quantity, reason. The code (SKU code or barcode) finds the
    goods; brand, model and name are filled from the catalogue when left empty."""

    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=None)
    code = forms.CharField(label=gettext_lazy("编码（SKU编码或条码）"), max_length=60,
                           widget=forms.TextInput(attrs={
                               "autofocus": True, "autocomplete": "off", "hx-get": reverse_lazy("supply:defect_lookup"),
                               "hx-trigger": "keyup changed delay:300ms, change", "hx-target": "#defect-lookup",
                               "hx-include": "[name=warehouse]"}))
    from_bin = forms.CharField(label=gettext_lazy("原库位"), max_length=30)
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=100000)
    reason = forms.CharField(label=gettext_lazy("次品原因"), max_length=200)
    brand = forms.CharField(label=gettext_lazy("品牌"), max_length=100, required=False)
    model = forms.CharField(label=gettext_lazy("型号"), max_length=60, required=False)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200, required=False)
    supplier = forms.ModelChoiceField(label=gettext_lazy("退厂供应商"), queryset=None, required=False,
                                      help_text=gettext_lazy("批次没有记录供应商时才需选择"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["supplier"].queryset = Supplier.objects.visible_to(user).order_by("code")

    def clean(self):
        data = super().clean()
        warehouse, code, bin_code = data.get("warehouse"), data.get("code"), data.get("from_bin")
        if warehouse is None:
            return data
        if code:
            visible = SKU.objects.visible_to(self.user)
            sku = (visible.filter(sku_code=code.strip()).first() or visible.filter(barcode=code.strip()).first())
            if sku is None:
                self.add_error("code", _("找不到编码或条码为 %(c)s 的商品") % {"c": code})
            data["sku"] = sku
        if bin_code:
            found = Bin.objects.filter(warehouse=warehouse, code=bin_code.strip()).first()
            if found is None:
                self.add_error("from_bin", _("仓库 %(wh)s 没有库位 %(b)s") % {"wh": warehouse.code, "b": bin_code})
            data["bin"] = found
        return data


class MaterialForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("编码"), max_length=30)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60)
    spec = forms.CharField(label=gettext_lazy("规格"), max_length=60, required=False)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=10, initial="个")
    weight_g = forms.IntegerField(label=gettext_lazy("重量（克）"), required=False, min_value=0, max_value=1_000_000,
                                  help_text=gettext_lazy("单个包材的重量，称重复核用（FUL-04）"))


class PackagingReceiptForm(StyledFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=None)
    vendor = forms.CharField(label=gettext_lazy("供货单位"), max_length=100, required=False)
    lines = forms.CharField(label=gettext_lazy("入库明细"), widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=gettext_lazy("每行一个：包材编码 数量"))
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()

    def clean_lines(self):
        found = []
        for number, parts in _rows(self.cleaned_data["lines"]):
            material = PackagingMaterial.objects.filter(code=parts[0], is_active=True).first()
            if material is None:
                raise forms.ValidationError(_("第 %(n)s 行：没有启用的包材 %(c)s") % {"n": number, "c": parts[0]})
            if len(parts) < 2:
                raise forms.ValidationError(_("第 %(n)s 行：请写“包材编码 数量”") % {"n": number})
            found.append((material, _quantity(parts[1], number)))
        if not found:
            raise forms.ValidationError(_("入库单至少要有一行"))
        return found


class ConsumeForm(StyledFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=None)
    material = forms.ModelChoiceField(label=gettext_lazy("包装材料"), queryset=None)
    quantity = forms.IntegerField(label=gettext_lazy("领用数量"), min_value=1, max_value=10**7)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["material"].queryset = PackagingMaterial.objects.filter(is_active=True).order_by("code")


class PromotionForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("大促名称"), max_length=60)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DateInput())
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)


