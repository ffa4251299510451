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


# Allowed moves of a supplier return (WMS-16): collect → ready → handed over; cancel only while nothing
# has left the warehouse.
RETURN_FLOW = {
    ReturnState.COLLECTING: (ReturnState.READY, ReturnState.CANCELLED),
    ReturnState.READY: (ReturnState.COLLECTED, ReturnState.COLLECTING),
    ReturnState.COLLECTED: (),
    ReturnState.CANCELLED: (),
}

# Allowed moves of a purchase order (WMS-01): confirmed, then received in one or more receipts (a
# further partial receipt keeps the state); cancelled only before anything arrived.
PO_FLOW = {
    POState.DRAFT: (POState.CONFIRMED, POState.CANCELLED),
    POState.CONFIRMED: (POState.PARTIALLY_RECEIVED, POState.RECEIVED, POState.CANCELLED),
    POState.PARTIALLY_RECEIVED: (POState.RECEIVED, POState.CLOSED),
    POState.RECEIVED: (POState.CLOSED,),
    POState.CLOSED: (),
    POState.CANCELLED: (),
}


class SupplierSource(models.TextChoices):
    """Where a supplier's goods come from, which sets how often defects go back (WMS-16): goods from the
    manufacturer are returned daily, purchased (traded) goods weekly."""

    MANUFACTURER = "manufacturer", _("厂家直供（每日退厂）")
    TRADER = "trader", _("采购货品（每周退厂）")


# WMS-16 "daily" / "weekly": the words of the clause, as days between two pick-ups.
RETURN_RHYTHM_DAYS = {SupplierSource.MANUFACTURER: 1, SupplierSource.TRADER: 7}


class PlanState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


PLAN_FLOW = {
    PlanState.PENDING: (PlanState.APPROVED, PlanState.REJECTED),
    PlanState.APPROVED: (),
    PlanState.REJECTED: (),
}


class ReplenishmentRule(models.TextChoices):
    """Which branch of WMS-14 a plan line came from."""

    HERO = "hero", _("主推组")
    HERO_FAST = "hero_fast", _("主推组快销单品")
    OTHER = "other", _("其他商品")


class PackagingMoveKind(models.TextChoices):
    RECEIPT = "receipt", _("包材入库")
    CONSUMPTION = "consumption", _("包材领用")


class PackagingReceiptState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    POSTED = "posted", _("已过账")


PACKAGING_RECEIPT_FLOW = {
    PackagingReceiptState.DRAFT: (PackagingReceiptState.POSTED,),
    PackagingReceiptState.POSTED: (),
}
