"""Carriers and their electronic waybill numbers (LOG-01, LOG-02, LAW-04).

A ``Carrier`` says where its numbers come from: a ``NumberPool`` (号段: ranges the carrier assigned,
handed out in order without gaps or reuse), numbers bought elsewhere and imported from a CSV file
(导入单号), or the carrier's network API (接口取号). Every number handed out, or imported and not yet
used, is a ``TrackingNumber``; a number is given once per carrier and an order holds at most one.
The carrier's API key is never stored: ``api_key_env`` names the environment variable that holds it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.orders.enums import Courier
from ecomops.org.scoping import ScopedQuerySet

TRACKING_NO_MAX = 40  # as Order.tracking_no
env_name_validator = RegexValidator(r"^[A-Z_][A-Z0-9_]*$", _("环境变量名只能包含大写字母、数字和下划线"))


class NumberSource(models.TextChoices):
    POOL = "pool", _("号段")
    IMPORTED = "imported", _("导入单号")
    HTTP = "http", _("接口取号")


class Carrier(models.Model):
    """A carrier (承运商), one per courier of the orders (``orders.enums.Courier``)."""

    code = models.CharField(_("编码"), max_length=20, choices=Courier.choices, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    number_source = models.CharField(_("单号来源"), max_length=10, choices=NumberSource.choices,
                                     default=NumberSource.POOL)
    api_url = models.URLField(_("接口地址"), blank=True, help_text=_("接口取号时调用的地址"))
    api_key_env = models.CharField(_("密钥环境变量"), max_length=60, blank=True, validators=[env_name_validator],
                                   help_text=_("保存接口密钥的环境变量名（系统不保存密钥本身）"))
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("承运商")
        verbose_name_plural = _("承运商")
        ordering = ["code"]
        permissions = [("assign_trackingnumber", _("可分配运单号"))]

    def __str__(self) -> str:
        return self.name


class NumberPool(models.Model):
    """A range of numbers the carrier assigned (号段): ``prefix`` + the value zero-padded to ``width``
    digits, from ``first`` to ``last``; ``next_value`` is the next one to hand out (``last + 1``: used up)."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("承运商"), on_delete=models.PROTECT, related_name="pools")
    prefix = models.CharField(_("前缀"), max_length=10, blank=True)
    first = models.PositiveBigIntegerField(_("起始号"))
    last = models.PositiveBigIntegerField(_("结束号"))
    next_value = models.PositiveBigIntegerField(_("下一个号"))
    width = models.PositiveSmallIntegerField(_("位数"), default=12)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("单号号段")
        verbose_name_plural = _("单号号段")
        ordering = ["carrier", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(first__lte=F("last")), name="logistics_pool_first_lte_last"),
            models.CheckConstraint(condition=Q(next_value__gte=F("first")) & Q(next_value__lte=F("last") + 1),
                                   name="logistics_pool_next_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.format(self.first)}–{self.format(self.last)}"

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.width}d}"

    @property
    def remaining(self) -> int:
        return self.last + 1 - self.next_value


class TrackingNumber(models.Model):
    """An electronic waybill number (运单号) of a carrier: imported and waiting (no order yet), or given
    to an order."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("承运商"), on_delete=models.PROTECT,
                                related_name="tracking_numbers")
    number = models.CharField(_("运单号"), max_length=TRACKING_NO_MAX)
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="tracking_numbers")
    source = models.CharField(_("来源"), max_length=10, choices=NumberSource.choices)
    assigned_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("分配人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("运单号")
        verbose_name_plural = _("运单号")
        ordering = ["carrier", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "number"], name="logistics_number_unique_per_carrier"),
            models.UniqueConstraint(fields=["order"], condition=Q(order__isnull=False),
                                    name="logistics_number_one_per_order"),
        ]

    def __str__(self) -> str:
        return self.number
