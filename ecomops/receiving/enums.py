"""States of receiving and QC (WMS-01…06, WMS-25) and the moves allowed between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReceiptState(models.TextChoices):
    """入库单: counted and compared (WMS-01) → signed by the receiver and the warehouse supervisor
    (WMS-03) → booked into the inspection bin the same day → QC (WMS-04, WMS-25) → put away (WMS-05)."""

    DRAFT = "draft", _("收货中")
    RECEIVER_SIGNED = "receiver_signed", _("收货员已签字")
    SIGNED = "signed", _("已签字待记账")
    BOOKED = "booked", _("待质检")
    INSPECTED = "inspected", _("待上架")
    COMPLETED = "completed", _("已上架")
    REJECTED = "rejected", _("整批拒收")
    CANCELLED = "cancelled", _("已作废")


RECEIPT_FLOW: dict[str, tuple[str, ...]] = {
    ReceiptState.DRAFT: (ReceiptState.RECEIVER_SIGNED, ReceiptState.CANCELLED),
    ReceiptState.RECEIVER_SIGNED: (ReceiptState.SIGNED, ReceiptState.CANCELLED),
    ReceiptState.SIGNED: (ReceiptState.BOOKED, ReceiptState.CANCELLED),
    ReceiptState.BOOKED: (ReceiptState.INSPECTED, ReceiptState.REJECTED, ReceiptState.COMPLETED),
    ReceiptState.INSPECTED: (ReceiptState.COMPLETED,),
    ReceiptState.COMPLETED: (),
    ReceiptState.REJECTED: (),
    ReceiptState.CANCELLED: (),
}

# Documents the daily close waits for (WMS-13): not yet signed, booked, inspected or put away.
OPEN_STATES = (
    ReceiptState.DRAFT, ReceiptState.RECEIVER_SIGNED, ReceiptState.SIGNED, ReceiptState.BOOKED,
    ReceiptState.INSPECTED,
)
POSTED_STATES = (ReceiptState.BOOKED, ReceiptState.INSPECTED, ReceiptState.COMPLETED, ReceiptState.REJECTED)


class QcStage(models.TextChoices):
    """Where one colour-size (receipt line) stands in WMS-25 sampling."""

    NOT_RECEIVED = "not_received", _("未到货")
    FIRST_SAMPLE = "first_sample", _("待首次抽检")
    SECOND_SAMPLE = "second_sample", _("待二次抽检")
    FULL_INSPECTION = "full_inspection", _("待全检")
    ACCEPTED = "accepted", _("合格")
    INSPECTED = "inspected", _("全检完成")
    REJECTED = "rejected", _("整批拒收")


FINAL_QC_STAGES = (QcStage.NOT_RECEIVED, QcStage.ACCEPTED, QcStage.INSPECTED, QcStage.REJECTED)


class QcRecordKind(models.TextChoices):
    FIRST_SAMPLE = "first_sample", _("首次抽检")
    SECOND_SAMPLE = "second_sample", _("二次抽检")
    FULL_INSPECTION = "full_inspection", _("全检")
    REJECTION = "rejection", _("整批拒收")
