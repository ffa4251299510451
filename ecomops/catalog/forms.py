"""Forms of the catalogue pages. They check and show input; every change goes through catalog.actions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.org.models import Client, Store
from ecomops.org.scoping import scope_for

from . import codes
from .enums import StyleState
from .models import SKU, Brand, Category, Style


def clients_whole(user):
    """Clients the user may add products to: those granted whole (DAT-02)."""
    scope = scope_for(user)
    clients = Client.objects.order_by("code")
    return clients if scope.all else clients.filter(pk__in=scope.client_ids)


def category_choices(*, active_only: bool = True):
    """Categories as an indented outline, parents first."""
    categories = Category.objects.order_by("sort_order", "code")
    categories = list(categories.filter(is_active=True) if active_only else categories)
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    known = {c.pk for c in categories}
    out: list[tuple[int, str]] = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            out.append((category.pk, "\u3000" * depth + f"{loc(category)}（{category.code}）"))
            walk(category.pk, depth + 1)

    walk(None, 0)
    for category in categories:  # below an inactive parent: still offered, at the top level
        if category.parent_id is not None and category.parent_id not in known:
            out.append((category.pk, f"{loc(category)}（{category.code}）"))
    return out


class StyleFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    client = forms.ModelChoiceField(label=gettext_lazy("委托方"), queryset=Client.objects.none(), required=False,
                                    empty_label=gettext_lazy("全部委托方"))
    brand = forms.ModelChoiceField(label=gettext_lazy("品牌"), queryset=Brand.objects.none(), required=False,
                                   empty_label=gettext_lazy("全部品牌"))
    category = forms.TypedChoiceField(label=gettext_lazy("类目"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态")), *StyleState.choices])
    hero = forms.ChoiceField(label=gettext_lazy("主推款"), required=False,
                             choices=[("", gettext_lazy("全部")), ("1", gettext_lazy("主推款")),
                                      ("0", gettext_lazy("非主推款"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("code")
        self.fields["client"].label_from_instance = loc
        self.fields["brand"].queryset = Brand.objects.readable_by(user).order_by("name")
        self.fields["category"].choices = [("", _("全部类目")), *category_choices()]


def _attributes_text(attributes: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (attributes or {}).items())


class StyleForm(StyledFormMixin, forms.ModelForm):
    """A style with the colours and sizes whose SKUs are generated (CAT-04)."""

    attributes_text = forms.CharField(
        label=gettext_lazy("属性"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "产地: 杭州\n面料: 真丝"}),
        help_text=gettext_lazy("每行一项，“属性项: 值”"),
    )
    colours = forms.CharField(
        label=gettext_lazy("颜色"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "黑色, 白色, 卡其"}),
        help_text=gettext_lazy("用逗号或换行分隔；与尺码组合生成 SKU，已有的 SKU 不变"),
    )
    sizes = forms.CharField(
        label=gettext_lazy("尺码"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "S, M, L, XL"}),
        help_text=gettext_lazy("无颜色尺码的商品（如茶叶）可都留空，生成一个 SKU"),
    )
    reason = forms.CharField(label=gettext_lazy("改价原因"), required=False, max_length=100,
                             help_text=gettext_lazy("修改成本价或销售价时填写，记入价格历史（CAT-07）"))

    class Meta:
        model = Style
        fields = ["client", "style_no", "name", "brand", "category", "status", "unit_cost", "price", "is_hero",
                  "return_class"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        editing = self.instance.pk is not None
        if editing:
            del self.fields["client"]
            self.fields["brand"].queryset = Brand.objects.filter(client_id=self.instance.client_id).order_by("name")
            self.fields["attributes_text"].initial = _attributes_text(self.instance.attributes)
            if not user.has_perm("catalog.change_style_price"):
                for name in ("unit_cost", "price", "reason"):
                    self.fields[name].disabled = True
                self.fields["price"].help_text = _("您没有改价权限（CAT-07）")
        else:
            del self.fields["reason"]
            self.fields["client"].queryset = clients_whole(user)
            self.fields["client"].label_from_instance = loc
            self.fields["brand"].queryset = Brand.objects.visible_to(user).filter(is_active=True).order_by("name")
            self.fields["brand"].label_from_instance = lambda b: f"{b.name}（{b.client.code}）"
        self.fields["category"].queryset = Category.objects.order_by("sort_order", "code")
        self.fields["category"].choices = [("", gettext_lazy("请选择")), *category_choices()]
        self.fields["unit_cost"].widget.attrs["step"] = "0.01"
        self.fields["price"].widget.attrs["step"] = "0.01"

    def clean_style_no(self):
        value = self.cleaned_data["style_no"].strip()
        if not codes.is_code(value):
            raise forms.ValidationError(_("只能包含字母、数字和 - _ . / + #，且须以字母或数字开头"))
        return value

    def clean_attributes_text(self):
        attributes = {}
        for number, line in enumerate(self.cleaned_data["attributes_text"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.replace("：", ":").partition(":")
            if not sep or not key.strip():
                raise forms.ValidationError(_("第 %(n)s 行应为“属性项: 值”") % {"n": number})
            attributes[key.strip()[:30]] = value.strip()[:200]
        return attributes

    def _names(self, field, limit):
        try:
            return codes.clean_names(self.cleaned_data[field], max_length=limit)
        except ValueError as error:
            message = _("“%(v)s”过长（最多 %(n)s 个字）") % {"v": error.args[0], "n": limit}
            raise forms.ValidationError(message) from None

    def clean_colours(self):
        return self._names("colours", codes.COLOUR_MAX)

    def clean_sizes(self):
        return self._names("sizes", codes.SIZE_MAX)

    def clean(self):
        data = super().clean()
        colours, sizes = data.get("colours") or [], data.get("sizes") or []
        if len(colours or [""]) * len(sizes or [""]) > 500:
            raise forms.ValidationError(_("一次最多生成 500 个 SKU"))
        return data

    def _post_clean(self):
        pass  # the action validates the model (and names the field); the form only checks the input

    def style_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["attributes"] = data.pop("attributes_text")
        for name in ("colours", "sizes", "reason", "client"):
            data.pop(name, None)
        if self.instance.pk and not self.user.has_perm("catalog.change_style_price"):
            data.pop("unit_cost", None)
            data.pop("price", None)
        return data


class SkuForm(StyledFormMixin, forms.ModelForm):
    reason = forms.CharField(label=gettext_lazy("改价原因"), required=False, max_length=100)
    barcode = forms.CharField(label=gettext_lazy("条码"), max_length=48,
                              help_text=gettext_lazy("EAN-13/UPC 须校验位正确；内部码用字母数字"))

    class Meta:
        model = SKU
        fields = ["colour", "size", "barcode", "unit_cost", "price", "weight_g", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("unit_cost", "price"):
            self.fields[name].widget.attrs["step"] = "0.01"
            self.fields[name].validators.append(MinValueValidator(Decimal("0")))
            if not user.has_perm("catalog.change_style_price"):
                self.fields[name].disabled = True
        if not user.has_perm("catalog.change_style_price"):
            self.fields["reason"].disabled = True

    def _post_clean(self):
        pass


class PlatformCodesForm(StyledFormMixin, forms.Form):
    store = forms.ModelChoiceField(label=gettext_lazy("店铺"), queryset=Store.objects.none())
    codes = forms.CharField(
        label=gettext_lazy("平台SKU编码"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("该 SKU 在该店铺的全部编码，逗号或换行分隔；留空则清除"),
    )

    def __init__(self, *args, user, sku, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.visible_to(user).filter(client_id=sku.client_id).order_by("code")
        self.fields["store"].label_from_instance = lambda s: f"{s.name}（{s.code}）"

    def clean_codes(self):
        import re

        return [c for c in re.split(r"[\s,，;；]+", self.cleaned_data["codes"]) if c]


class ImportForm(StyledFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("导入到委托方"), queryset=Client.objects.none())
    file = forms.FileField(label=gettext_lazy("文件"), help_text=gettext_lazy("导入模板格式的 .xlsx 或 CSV"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅校验，不导入"), required=False)

    MAX_BYTES = 20 * 1024 * 1024

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_whole(user)
        self.fields["client"].label_from_instance = loc

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件过大（最多 20 MB），请分批导入"))
        return upload



class CategoryForm(StyledFormMixin, forms.ModelForm):
    """A category of the shared tree (CAT-04, STO-04 special goods). The action checks the rest."""

    attribute_names = forms.CharField(
        label=gettext_lazy("属性项"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "产地, 净含量, 保质期"}),
        help_text=gettext_lazy("本类目商品须填写的属性，逗号或换行分隔，每项最多 30 字"),
    )
    parent = forms.TypedChoiceField(label=gettext_lazy("上级类目"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "special_goods", "sort_order", "is_active"]
        help_texts = {"code": gettext_lazy("字母、数字和 - _ .，创建后用于导入文件的“类目”列")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.instance.pk
        self.fields["parent"].choices = [("", gettext_lazy("（顶级类目）"))] + [
            (pk, label) for pk, label in category_choices(active_only=False) if pk != own]
        if own:
            self.fields["parent"].initial = self.instance.parent_id
            self.fields["attribute_names"].initial = "\n".join(self.instance.attribute_names or [])
        self.fields["special_goods"].help_text = gettext_lazy(
            "食品、药品、医疗器械、化妆品须具备相应许可证方可上架；留“普通商品”则沿用上级类目的类别")
        self.order_fields(["code", "name", "name_en", "parent", "special_goods", "attribute_names",
                           "sort_order", "is_active"])

    def clean_code(self):
        value = self.cleaned_data["code"].strip()
        if not codes.is_code(value):
            raise forms.ValidationError(_("只能包含字母、数字和 - _ . / + #，且须以字母或数字开头"))
        return value

    def clean_attribute_names(self):
        import re

        return [part for part in re.split(r"[\n,，、;；]+", self.cleaned_data["attribute_names"]) if part.strip()]

    def category_fields(self) -> dict:
        data = dict(self.cleaned_data)
        parent = data.pop("parent")
        data["parent"] = Category.objects.filter(pk=parent).first() if parent else None
        return data

    def _post_clean(self):
        pass  # the action validates the model (and names the field)


class BrandForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Brand
        fields = ["client", "name", "name_en", "trademark_no", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["client"]  # a brand stays with its client
        else:
            del self.fields["is_active"]
            self.fields["client"].queryset = clients_whole(user)
            self.fields["client"].label_from_instance = loc

    def _post_clean(self):
        pass  # the action validates (and names the field)
