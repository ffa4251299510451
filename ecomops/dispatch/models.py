"""Ship batches (ORD-05): the day's print-and-ship waves, one per cut-off time of the policy.

A reviewed order (stock reserved, ORD-04) joins the batch of the first cut-off at or after the moment
it was reviewed; after the last cut-off it joins the next day's first. Printing a batch checks payment
(ORD-04) and moves its orders to "awaiting shipment". ``LateFlag`` records an order placed before the
same-day cut-off that was not reviewed and printed by the day's last cut-off, against its clerk.

A wave is shared by every client (one batch per day and cut-off), so printing is recorded per entry
(DAT-02, AGY-07): a user prints only the orders they may see; the batch is "printed" once every entry
is, and its ``printed_at`` is the moment the last part was printed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.org.scoping import ScopedQuerySet


class BatchState(models.TextChoices):
    OPEN = "open", _("接单中")
    CLOSED = "closed", _("已截单")
    PRINTED = "printed", _("已打印")


# ORD-05: a wave takes orders until its cut-off (closed) and is printed once all of it is; nothing follows.
BATCH_FLOW: dict[str, tuple[str, ...]] = {
    BatchState.OPEN: (BatchState.CLOSED, BatchState.PRINTED),
    BatchState.CLOSED: (BatchState.PRINTED,),
    BatchState.PRINTED: (),
}


class ShipBatch(models.Model):
    number = models.CharField(_("批次号"), max_length=30, unique=True)
    day = models.DateField(_("日期"), db_index=True)
    seq = models.PositiveSmallIntegerField(_("第几批"))
    cutoff = models.TimeField(_("截单时间"))
    is_last = models.BooleanField(_("当日最后一批"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=BatchState.choices, default=BatchState.OPEN)
    cutoff_citation = models.CharField(_("政策依据"), max_length=200, blank=True)
    printed_at = models.DateTimeField(_("打印时间"), null=True, blank=True)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("打印人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("发货批次")
        verbose_name_plural = _("发货批次")
        ordering = ["-day", "seq"]
        constraints = [models.UniqueConstraint(fields=["day", "seq"], name="dispatch_batch_unique_day_seq")]
        permissions = [("print_shipbatch", _("可打印发货批次"))]

    def __str__(self) -> str:
        return self.number


class BatchOrder(models.Model):
    """An order in a ship batch (one batch per order)."""

    batch = models.ForeignKey(ShipBatch, verbose_name=_("发货批次"), on_delete=models.PROTECT, related_name="entries")
    order = models.OneToOneField("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                                 related_name="ship_entry")
    joined_at = models.DateTimeField(_("加入时间"))
    printed_at = models.DateTimeField(_("打印时间"), null=True, blank=True)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("打印人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("批次订单")
        verbose_name_plural = _("批次订单")
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return f"{self.batch} {self.order}"


class LateFlag(models.Model):
    """ORD-05: placed before the same-day cut-off, not reviewed and printed by the last cut-off."""

    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                              related_name="late_flags")
    day = models.DateField(_("日期"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=300)
    flagged_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("发货逾期标记")
        verbose_name_plural = _("发货逾期标记")
        ordering = ["-day", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "day"], name="dispatch_lateflag_unique")]

    def __str__(self) -> str:
        return f"{self.order} {self.day}"
