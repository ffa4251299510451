"""States of purchasing and supplier returns (WMS-01, WMS-14, WMS-16, WMS-17)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class POState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已下单")
    PARTIALLY_RECEIVED = "partially_received", _("部分到货")
    RECEIVED = "received", _("已到齐")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


OPEN_PO_STATES = (POState.CONFIRMED, POState.PARTIALLY_RECEIVED)


class ReturnState(models.TextChoices):
    COLLECTING = "collecting", _("收集中")
    READY = "ready", _("待供应商取回")
    COLLECTED = "collected", _("已退回")
    CANCELLED = "cancelled", _("已取消")


class ReturnReason(models.TextChoices):
    QC_REJECTED = "qc_rejected", _("来货整批拒收")
    QC_DEFECT = "qc_defect", _("质检次品")
    SHIPPING_DEFECT = "shipping_defect", _("发货时发现次品")
    OTHER = "other", _("其他")
