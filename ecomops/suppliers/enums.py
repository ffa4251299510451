"""Statuses of the supplier library (CAT-06)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplierState(models.TextChoices):
    ACTIVE = "active", _("合作中")
    SUSPENDED = "suspended", _("暂停合作")
    TERMINATED = "terminated", _("终止合作")


class AgreementState(models.TextChoices):
    NOT_YET_VALID = "not_yet_valid", _("未生效")
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")


class SamplingResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class RecallState(models.TextChoices):
    OPENED = "opened", _("已立案")
    DELISTED = "delisted", _("已下架")
    RECALL_IN_PROGRESS = "recall_in_progress", _("召回中")
    CLOSED = "closed", _("已结案")


# CAT-06: a failed check triggers delisting and, where sold, recall. The only moves a case may make:
# delisted goods that were never sold may be closed without a recall.
RECALL_FLOW: dict[str, tuple[str, ...]] = {
    RecallState.OPENED: (RecallState.DELISTED,),
    RecallState.DELISTED: (RecallState.RECALL_IN_PROGRESS, RecallState.CLOSED),
    RecallState.RECALL_IN_PROGRESS: (RecallState.CLOSED,),
    RecallState.CLOSED: (),
}


class AffectedOrderState(models.TextChoices):
    PENDING = "pending", _("待联系")
    CONTACTED = "contacted", _("已联系买家")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已处理")


# CAT-06: the handling of an affected order may be corrected either way while the case is open.
AFFECTED_ORDER_FLOW: dict[str, tuple[str, ...]] = {
    state: tuple(other for other in AffectedOrderState.values if other != state) for state in AffectedOrderState.values
}
