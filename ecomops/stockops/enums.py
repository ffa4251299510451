"""States of the warehouse's own operations (WMS-08, WMS-09, WMS-12) and the moves each may make."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    SHIPPED = "shipped", _("已发货（在途）")
    DISCREPANCY = "discrepancy", _("收货有差异")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# WMS-09: request → ship (the shipping keeper signs) → receive (the receiving keeper signs) → done.
# A receipt short of what was shipped leaves the shortage in transit until it is settled.
TRANSFER_FLOW: dict[str, tuple[str, ...]] = {
    TransferState.REQUESTED: (TransferState.SHIPPED, TransferState.CANCELLED),
    TransferState.SHIPPED: (TransferState.DONE, TransferState.DISCREPANCY),
    TransferState.DISCREPANCY: (TransferState.DONE,),
    TransferState.DONE: (),
    TransferState.CANCELLED: (),
}


class CountKind(models.TextChoices):
    CYCLE = "cycle", _("循环盘点")
    FULL = "full", _("季度全盘")


class CountState(models.TextChoices):
    COUNTING = "counting", _("盘点中")
    SUBMITTED = "submitted", _("已提交待审核")
    POSTED = "posted", _("已审核过账")
    CANCELLED = "cancelled", _("已作废")


# WMS-08: count (blind) → submit (differences computed) → approve and post (someone other than the
# counters); a sheet may be cancelled before it is posted.
COUNT_FLOW: dict[str, tuple[str, ...]] = {
    CountState.COUNTING: (CountState.SUBMITTED, CountState.CANCELLED),
    CountState.SUBMITTED: (CountState.POSTED, CountState.CANCELLED),
    CountState.POSTED: (),
    CountState.CANCELLED: (),
}


class ScrapState(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批")
    POSTED = "posted", _("已过账")
    CANCELLED = "cancelled", _("已作废")


SCRAP_FLOW: dict[str, tuple[str, ...]] = {
    ScrapState.DRAFT: (ScrapState.APPROVED, ScrapState.CANCELLED),
    ScrapState.APPROVED: (ScrapState.POSTED, ScrapState.CANCELLED),
    ScrapState.POSTED: (),
    ScrapState.CANCELLED: (),
}


class LoanState(models.TextChoices):
    LENT = "lent", _("借出中")
    RETURNED = "returned", _("已归还")


# WMS-12: lent → returned (an approved extension moves the due date, not the state).
LOAN_FLOW: dict[str, tuple[str, ...]] = {
    LoanState.LENT: (LoanState.RETURNED,),
    LoanState.RETURNED: (),
}


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


EXTENSION_FLOW: dict[str, tuple[str, ...]] = {
    ExtensionState.PENDING: (ExtensionState.APPROVED, ExtensionState.REJECTED),
    ExtensionState.APPROVED: (),
    ExtensionState.REJECTED: (),
}
