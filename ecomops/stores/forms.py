"""Forms of the onboarding, qualification and store profile pages. They only parse input; the
actions decide (and their refusals are shown on the field they name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.org.enums import StoreState
from ecomops.org.models import Client, Platform, Store

from .enums import HolderKind, QualificationKind, QualificationState, SpecialGoods
from .models import PlatformDocumentType, StoreApplication

ALL = ""


class DocumentTypeForm(StyledFormMixin, forms.ModelForm):
    """STO-01: a document a platform's onboarding asks for. The platform is chosen when it is created."""

    class Meta:
        model = PlatformDocumentType
        fields = ["platform", "code", "name", "name_en", "description", "is_required", "sort_order", "is_active"]
        help_texts = {
            "code": _("字母、数字和 - _ .，同一平台内不重复"),
            "is_required": _("必须提供的资料齐全且审核通过，入驻申请才能提交审批"),
            "is_active": _("停用后新的入驻申请不再列入；已有申请的资料清单不变"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["platform"]
        else:
            self.fields["platform"].queryset = Platform.objects.order_by("sort_order", "code")
            self.fields["platform"].label_from_instance = lambda p: f"{p.name}（{p.code}）"
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 2, "maxlength": 300})
        self.fields["description"].widget.attrs["class"] = "form-control"

    def _post_clean(self):
        pass  # the action validates the model (and names the field)

    def document_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("platform", None)
        data["code"] = data["code"].strip()
        return data


class ApplicationCreateForm(StyledFormMixin, forms.Form):
    store = forms.ModelChoiceField(label=_("店铺"), queryset=Store.objects.none(),
                                   help_text=_("只列出“入驻中”且尚无入驻申请的店铺"))
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = (
            Store.objects.visible_to(user)
            .filter(status=StoreState.ONBOARDING)
            .exclude(pk__in=StoreApplication.objects.values("store_id"))
            .select_related("platform")
            .order_by("code")
        )
        self.fields["store"].label_from_instance = lambda s: f"{s.code} · {s.name}（{s.platform.name}）"


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择要上传的文件")})


class ReviewForm(StyledFormMixin, forms.Form):
    complete = forms.BooleanField(label=_("完整"), required=False)
    authentic = forms.BooleanField(label=_("真实"), required=False)
    valid = forms.BooleanField(label=_("有效"), required=False)
    comment = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("意见"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class AgreementForm(StyledFormMixin, forms.Form):
    signed_on = forms.DateField(label=_("平台协议签署日期"), widget=DateInput(),
                                error_messages={"required": _("请填写平台协议签署日期")})


class QualificationFilterForm(StyledFormMixin, forms.Form):
    compact = True
    q = forms.CharField(required=False, max_length=100)
    holder_kind = forms.ChoiceField(required=False, choices=[(ALL, _("全部持有方"))] + HolderKind.choices)
    kind = forms.ChoiceField(required=False, choices=[(ALL, _("全部类型"))] + QualificationKind.choices)
    status = forms.ChoiceField(required=False, choices=[(ALL, _("全部状态"))] + QualificationState.choices)
    client = forms.ModelChoiceField(required=False, queryset=Client.objects.none(), empty_label=_("全部委托方"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("code")


class QualificationForm(StyledFormMixin, forms.Form):
    holder_kind = forms.ChoiceField(label=_("持有方类型"), choices=HolderKind.choices)
    holder_name = forms.CharField(label=_("品牌或供应商名称"), max_length=100, required=False)
    client = forms.ModelChoiceField(label=_("委托方"), queryset=Client.objects.none(), required=False)
    store = forms.ModelChoiceField(label=_("店铺"), queryset=Store.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("资质类型"), choices=QualificationKind.choices)
    title = forms.CharField(label=_("证照名称"), max_length=100, required=False)
    number = forms.CharField(label=_("证照编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机关"), max_length=100, required=False)
    scope = forms.CharField(label=_("许可范围"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    valid_from = forms.DateField(label=_("有效期起"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("有效期至"), required=False, widget=DateInput(),
                               help_text=_("留空表示长期有效"))
    special_goods = forms.MultipleChoiceField(
        label=_("涉及特殊商品"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[c for c in SpecialGoods.choices if c[0] != SpecialGoods.NONE],
    )
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
    file = forms.FileField(label=_("扫描件"), required=False, help_text=_("PDF、JPG 或 PNG"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("code")
        self.fields["store"].queryset = Store.objects.visible_to(user).order_by("code")

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        return data


class ProfileChangeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("店铺名称"), max_length=100)
    main_category = forms.CharField(label=_("主营类目"), max_length=60, required=False,
                                    help_text=_("每个店铺只有一个主营类目（STO-05）"))
    introduction = forms.CharField(label=_("店铺简介"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    contact_email = forms.CharField(label=_("联系邮箱"), max_length=254, required=False)
    logo = forms.FileField(label=_("新店铺标志"), required=False, help_text=_("JPG 或 PNG；不更换请留空"))
    reason = forms.CharField(label=_("变更原因"), max_length=500, required=False)

    def proposed(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("logo", "reason")}
