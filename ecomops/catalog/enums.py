"""States and classes of the product catalogue (CAT-04, CAT-07, LAW-01, STO-04)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StyleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("正常")
    DISCONTINUED = "discontinued", _("已停产")


class ReturnClass(models.TextChoices):
    """LAW-01 / AFS-06: whether a product may be returned within 7 days without a reason."""

    ALLOWED = "allowed", _("支持七天无理由退货")
    EXCLUDED = "excluded", _("不支持七天无理由退货")
    EXCLUDED_WITH_CONFIRMATION = "excluded_with_confirmation", _("经买家确认不支持七天无理由退货")


class BarcodeSource(models.TextChoices):
    EXTERNAL = "external", _("商品条码（EAN/UPC）")
    INTERNAL_EAN13 = "internal_ean13", _("店内码（EAN-13）")
    INTERNAL_CODE128 = "internal_code128", _("内部码（Code128）")


class SpecialGoods(models.TextChoices):
    """STO-04: special goods need their licence on file before they may be listed."""

    NONE = "none", _("普通商品")
    FOOD = "food", _("食品")
    DRUG = "drug", _("药品")
    MEDICAL_DEVICE = "medical_device", _("医疗器械")
    COSMETICS = "cosmetics", _("化妆品")
