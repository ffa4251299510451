"""Kinds and states of the warehouse core (WMS-07, WMS-10, WMS-13)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BinKind(models.TextChoices):
    """What a bin holds (WMS-05, WMS-07, WMS-12, WMS-18, FUL-05). Only ``normal`` bins and the
    pre-packed parcels of ``prepack`` bins feed sales and reservations; the others hold goods that are
    not for sale."""

    NORMAL = "normal", _("正常库位")
    INSPECTION = "inspection", _("待检区")
    DEFECTIVE = "defective", _("次品区")
    RETURNS = "returns", _("退货区")
    SAMPLES = "samples", _("样品区")
    PACKAGING = "packaging", _("包材区")
    TRANSIT = "transit", _("在途")
    PREPACK = "prepack", _("预包区")


# Pre-packed parcels (FUL-05) are still the SKU's sellable stock: they are reserved last, except by
# single-unit orders, which take them first (``reservations.reserve(prefer_prepacked=True)``).
SELLABLE_BIN_KINDS = (BinKind.NORMAL, BinKind.PREPACK)


class DocKind(models.TextChoices):
    """The documents a stock movement can be posted against (WMS-10: no movement without one)."""

    RECEIPT = "receipt", _("入库单")
    PUTAWAY = "putaway", _("上架单")
    BIN_MOVE = "bin_move", _("移库单")
    TRANSFER = "transfer", _("调拨单")
    OUTBOUND = "outbound", _("出库单")
    ORDER = "order", _("订单")
    COUNT = "count", _("盘点单")
    SCRAP = "scrap", _("报废单")
    SUPPLIER_RETURN = "supplier_return", _("退厂单")
    SAMPLE_LOAN = "sample_loan", _("样品借出单")
    CUSTOMER_RETURN = "customer_return", _("退货入库单")
    DEFECT = "defect", _("次品登记单")
    REVERSAL = "reversal", _("冲销单")
    OPENING = "opening", _("期初")
    PREPACK = "prepack", _("预打包单")


class OutboundReason(models.TextChoices):
    SALE = "sale", _("销售出库")
    SUPPLIER_RETURN = "supplier_return", _("退厂出库")
    INTERNAL_USE = "internal_use", _("内部领用")
    OTHER = "other", _("其他出库")


class ReservationState(models.TextChoices):
    ACTIVE = "active", _("占用中")
    RELEASED = "released", _("已释放")
    CONSUMED = "consumed", _("已出库")


RESERVATION_FLOW: dict[str, tuple[str, ...]] = {
    ReservationState.ACTIVE: (ReservationState.RELEASED, ReservationState.CONSUMED),
    ReservationState.RELEASED: (),
    ReservationState.CONSUMED: (),
}


class DocState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    POSTED = "posted", _("已过账")


DOC_FLOW: dict[str, tuple[str, ...]] = {
    DocState.DRAFT: (DocState.POSTED,),
    DocState.POSTED: (),
}


class HoldState(models.TextChoices):
    """A customer hold by sales staff (WMS-11): active until released by hand, expired by the daily
    clean-up, or consumed by the order that took the goods."""

    ACTIVE = "active", _("留货中")
    RELEASED = "released", _("已释放")
    EXPIRED = "expired", _("已到期释放")


HOLD_FLOW: dict[str, tuple[str, ...]] = {
    HoldState.ACTIVE: (HoldState.RELEASED, HoldState.EXPIRED),
    HoldState.RELEASED: (),
    HoldState.EXPIRED: (),
}


HOLD_DOC_KIND = "hold"  # the DocRef kind of a customer hold's reservation (WMS-11)
