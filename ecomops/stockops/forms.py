"""Forms of the warehouse operation pages (WMS-08, WMS-09, WMS-12). They check and show input; every
change goes through ``stockops.actions``. Lines are typed one per row ("SKU 数量", "库位 SKU 数量"),
which also works with a barcode scanner (scan, type the quantity, Enter)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.catalog.forms import clients_whole
from ecomops.catalog.models import SKU
from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.inventory.enums import BinKind
from ecomops.inventory.models import Bin, Warehouse, Zone

from .enums import CountKind

LINES_HELP = gettext_lazy("每行一个商品：SKU 编码或条码，空格，数量。例如：DRESS1-BK-M 5")
BIN_LINES_HELP = gettext_lazy("每行：库位编码 SKU 编码或条码 数量。例如：BAD-01 DRESS1-BK-M 2")


def _warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


def find_sku(client, code: str) -> SKU | None:
    return SKU.objects.filter(client=client).filter(sku_code=code).first() or \
        SKU.objects.filter(client=client, barcode=code).first()


def parse_lines(text: str, client, *, with_bin: Warehouse | None = None) -> list[tuple]:
    """Rows of "SKU qty" (or "bin SKU qty" with ``with_bin``); a ValidationError names the row."""
    rows = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        expected = 3 if with_bin is not None else 2
        if len(parts) != expected:
            raise forms.ValidationError(_("第 %(n)s 行：格式应为“%(fmt)s”") % {
                "n": number, "fmt": _("库位 SKU 数量") if with_bin is not None else _("SKU 数量")})
        *codes, qty_text = parts
        try:
            quantity = int(qty_text)
        except ValueError:
            raise forms.ValidationError(_("第 %(n)s 行：数量“%(q)s”不是整数") % {"n": number, "q": qty_text}) from None
        if quantity < 1:
            raise forms.ValidationError(_("第 %(n)s 行：数量须为正整数") % {"n": number})
        sku = find_sku(client, codes[-1])
        if sku is None:
            raise forms.ValidationError(_("第 %(n)s 行：找不到该委托方的 SKU“%(c)s”") % {"n": number, "c": codes[-1]})
        if with_bin is not None:
            bin_ = Bin.objects.filter(warehouse=with_bin, code=codes[0]).first()
            if bin_ is None:
                raise forms.ValidationError(_("第 %(n)s 行：仓库 %(wh)s 没有库位“%(c)s”")
                                            % {"n": number, "wh": with_bin.code, "c": codes[0]})
            rows.append((sku, bin_, quantity, None))
        else:
            rows.append((sku, quantity))
    if not rows:
        raise forms.ValidationError(_("请至少填写一行商品"))
    return rows


class _ClientForm(StyledFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_whole(user)
        self.fields["client"].label_from_instance = loc

    def _lines(self, name: str = "lines", *, warehouse_field: str | None = None):
        client = self.cleaned_data.get("client")
        if client is None:
            return None
        warehouse = self.cleaned_data.get(warehouse_field) if warehouse_field else None
        if warehouse_field and warehouse is None:
            return None
        return parse_lines(self.cleaned_data.get(name, ""), client, with_bin=warehouse)


class TransferForm(_ClientForm):
    from_warehouse = forms.ModelChoiceField(label=gettext_lazy("调出仓库"), queryset=Warehouse.objects.none())
    to_warehouse = forms.ModelChoiceField(label=gettext_lazy("调入仓库"), queryset=Warehouse.objects.none())
    lines = forms.CharField(label=gettext_lazy("调拨商品"), widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=LINES_HELP)
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = _warehouses()
        self.fields["to_warehouse"].queryset = _warehouses()

    def clean_lines(self):
        return self._lines()


class ReceiveForm(StyledFormMixin, forms.Form):
    """One bin, quantity and (when it differs) reason per line of the transfer."""

    def __init__(self, *args, transfer, **kwargs):
        super().__init__(*args, **kwargs)
        bins = Bin.objects.filter(warehouse=transfer.to_warehouse, is_active=True).exclude(kind=BinKind.TRANSIT)
        self.rows = []
        for line in transfer.lines.select_related("sku"):
            key = line.sku_id
            self.fields[f"bin_{key}"] = forms.ModelChoiceField(
                label=_("%(sku)s 收入库位") % {"sku": line.sku.sku_code}, queryset=bins)
            self.fields[f"qty_{key}"] = forms.IntegerField(
                label=_("%(sku)s 实收数量") % {"sku": line.sku.sku_code}, min_value=0, initial=line.shipped)
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("%(sku)s 差异原因") % {"sku": line.sku.sku_code}, required=False, max_length=200)
            self.rows.append((line, self[f"bin_{key}"], self[f"qty_{key}"], self[f"reason_{key}"]))

    def counts(self):
        return [(line.sku, self.cleaned_data[f"bin_{line.sku_id}"], self.cleaned_data[f"qty_{line.sku_id}"])
                for line, *_rest in self.rows]

    def reasons(self):
        return {line.sku_id: self.cleaned_data[f"reason_{line.sku_id}"] for line, *_rest in self.rows}


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class CountForm(_ClientForm):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("盘点类型"), choices=CountKind.choices)
    zone = forms.ModelChoiceField(label=gettext_lazy("库区"), queryset=Zone.objects.none(), required=False)
    bins = forms.CharField(label=gettext_lazy("库位"), required=False, max_length=2000,
                           help_text=gettext_lazy("只盘部分库位时填写库位编码，空格分隔；留空表示按库区或整个仓库"))
    skus = forms.CharField(label=gettext_lazy("SKU"), required=False, max_length=2000,
                           help_text=gettext_lazy("只盘部分 SKU 时填写 SKU 编码，空格分隔"))
    finance_participant = forms.ModelChoiceField(label=gettext_lazy("财务监盘人"), required=False,
                                                 queryset=get_user_model().objects.none(),
                                                 help_text=gettext_lazy("季度全盘须有财务人员监盘（WMS-08）"))
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()
        self.fields["zone"].queryset = Zone.objects.filter(is_active=True).select_related("warehouse")
        self.fields["finance_participant"].queryset = get_user_model().objects.filter(is_active=True).order_by(
            "username")

    def clean(self):
        data = super().clean()
        warehouse, client = data.get("warehouse"), data.get("client")
        if warehouse is None or client is None:
            return data
        bins = []
        for code in data.get("bins", "").split():
            found = Bin.objects.filter(warehouse=warehouse, code=code).first()
            if found is None:
                self.add_error("bins", _("仓库 %(wh)s 没有库位“%(c)s”") % {"wh": warehouse.code, "c": code})
            bins.append(found)
        skus = []
        for code in data.get("skus", "").split():
            found = find_sku(client, code)
            if found is None:
                self.add_error("skus", _("找不到该委托方的 SKU“%(c)s”") % {"c": code})
            skus.append(found)
        data["bin_list"], data["sku_list"] = bins, skus
        return data


class CountEntryForm(StyledFormMixin, forms.Form):
    bin = forms.CharField(label=gettext_lazy("库位编码"), max_length=30)
    sku = forms.CharField(label=gettext_lazy("SKU 编码或条码"), max_length=60)
    lot = forms.CharField(label=gettext_lazy("批次号"), max_length=40, required=False,
                          help_text=gettext_lazy("同一库位有多个批次时须填写"))
    quantity = forms.IntegerField(label=gettext_lazy("实盘数量"), min_value=0)


class ScanForm(forms.Form):
    code = forms.CharField(max_length=80, required=False)
    bin = forms.IntegerField(required=False)
    lot = forms.IntegerField(required=False)


class ScrapForm(_ClientForm):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    reason = forms.CharField(label=gettext_lazy("报废原因"), max_length=200)
    lines = forms.CharField(label=gettext_lazy("报废商品"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=BIN_LINES_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()

    def clean(self):
        data = super().clean()
        if "lines" in data:
            try:
                data["rows"] = self._lines(warehouse_field="warehouse")
            except forms.ValidationError as error:
                self.add_error("lines", error)
        return data


class LoanForm(_ClientForm):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("仓库"), queryset=Warehouse.objects.none())
    borrower = forms.CharField(label=gettext_lazy("借用人"), max_length=60)
    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=200, required=False)
    lent_on = forms.DateField(label=gettext_lazy("借出日期"), widget=DateInput())
    lines = forms.CharField(label=gettext_lazy("借出样品"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=LINES_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _warehouses()

    def clean_lines(self):
        return self._lines()


class ExtensionForm(StyledFormMixin, forms.Form):
    new_due_on = forms.DateField(label=gettext_lazy("延至"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("延期说明"), max_length=200)
