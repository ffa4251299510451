from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import StyledFormMixin
from ecomops.org.models import Platform, Store

from .models import ImportFormat


class UploadForm(StyledFormMixin, forms.Form):
    store = forms.ModelChoiceField(
        label=_("店铺"), queryset=Store.objects.none(),
        error_messages={"required": _("请选择店铺"), "invalid_choice": _("请选择您有权限的店铺")})
    format = forms.ModelChoiceField(label=_("导入格式"), queryset=ImportFormat.objects.filter(is_active=True),
                                    required=False, empty_label=_("按店铺平台自动选择"))
    file = forms.FileField(label=_("订单导出文件"), help_text=_("平台导出的 .csv / .txt（制表符分隔）/ .xlsx；"
                                                         "UTF-8、带 BOM 的 UTF-8 或 GB18030 编码均可"),
                           error_messages={"required": _("请选择文件")})
    # ORD-02: Taobao/Tmall export two files (订单报表 + 宝贝报表); either one may go in either field, they
    # are told apart by their headers. A .zip holding both goes in the first field alone.
    second_file = forms.FileField(
        label=_("第二个文件（淘宝/天猫的宝贝报表）"), required=False,
        help_text=_("淘宝、天猫导出订单报表和宝贝报表两个文件：两个都选上（顺序不限），或在上面上传装有两者的 .zip"))
    confirm_platform = forms.BooleanField(
        label=_("确认平台不同"), required=False,
        help_text=_("所选导入格式与店铺的平台不同时（例如抖店文件导入拼多多店铺），须勾选确认"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.visible_to(user).order_by("code")

    def clean(self):
        data = super().clean()
        store = data.get("store")
        if store is not None and data.get("format") is None:
            found = ImportFormat.objects.filter(platform=store.platform, is_active=True).order_by("code").first()
            if found is None:
                self.add_error("format", _("店铺所在平台没有导入格式，请选择一个"))
            data["format"] = found
        return data


class SampleForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("样例文件"), help_text=_("平台导出的文件；只读取表头和前几行，不保存、不导入"),
                           error_messages={"required": _("请选择文件")})


class JSONField(forms.CharField):
    widget = forms.Textarea

    def __init__(self, *args, kind=dict, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return self.kind()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(_("不是有效的 JSON：第 %(line)d 行 %(msg)s")
                                        % {"line": error.lineno, "msg": error.msg}) from None
        if not isinstance(parsed, self.kind):
            raise forms.ValidationError(_("须为 JSON 对象") if self.kind is dict else _("须为 JSON 数组"))
        return parsed


class FormatForm(StyledFormMixin, forms.Form):
    code = forms.SlugField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=100)
    platform = forms.ModelChoiceField(label=_("平台"), queryset=Platform.objects.order_by("code"), required=False)
    delimiter = forms.CharField(label=_("分隔符"), max_length=2, initial=",", strip=False,
                                help_text=_("CSV 的列分隔符；制表符写 \\t"))
    columns = JSONField(label=_("列映射"), help_text=_("字段 → 表头名称列表，例如 {\"order_no\": [\"订单编号\"]}"))
    line_columns = JSONField(label=_("明细文件列映射"), required=False,
                             help_text=_("两个文件的格式（淘宝/天猫 订单报表+宝贝报表）：宝贝报表的 order_no "
                                         "和商品行字段 → 表头名称列表；单个文件的格式留空"))
    statuses = JSONField(label=_("状态映射"),
                         help_text=_("平台状态文字 → unpaid/paid/shipped/received/completed/cancelled"))
    aggregate = JSONField(label=_("多行订单的金额"), required=False,
                          help_text=_("订单级金额在多行订单中相加或取第一行，例如 {\"paid_amount\": \"sum\"}"))
    datetime_formats = JSONField(label=_("时间格式"), kind=list, required=False,
                                 help_text=_("额外的时间格式，例如 [\"%Y.%m.%d %H:%M\"]"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
