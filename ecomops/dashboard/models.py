"""The dashboard's permission (DAT-01) and its summary tables.

The figures are read from the orders, stock and ledger tables (``figures``). The day-by-day sales,
orders, shipments and refunds of each store, and the units and amount of each SKU, are also kept per
closed local day (Asia/Shanghai) in the summary tables below, so a month's dashboard adds up a few
hundred summary rows instead of scanning a month of orders and their lines. The summary tables are
derived data: ``summaries.refresh`` rebuilds them from the orders (scheduler job ``dashboard.summaries``,
command ``ecomops dashboard-rebuild``) and ``summaries.differences`` checks them against the orders
(``ecomops dashboard-verify``, job ``dashboard.verify``). Nobody edits them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecomops.org.scoping import ScopedQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2}


class Dashboard(models.Model):
    """Holds ``dashboard.view_dashboard`` (no table: ``managed = False``): who sees the management
    dashboard as the home page. Given to the manager positions and the client users in the org seed;
    a client user sees their own client's stores only (DAT-02)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("可查看数据看板"))]
        verbose_name = _("数据看板")
        verbose_name_plural = _("数据看板")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class DailyStoreFigures(models.Model):
    """One store's DAT-01 figures of one closed local day: each by its own day (sales and orders by the
    day paid, shipped by the day shipped, refunds by the day refunded), as ``figures`` defines them."""

    day = models.DateField(_("日期"))
    store = models.ForeignKey("org.Store", verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    sales = models.DecimalField(_("销售额（元）"), **MONEY)
    orders = models.PositiveIntegerField(_("订单数"))
    shipped = models.PositiveIntegerField(_("发货订单数"))
    refunds = models.DecimalField(_("退款金额（元）"), **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("店铺日汇总")
        verbose_name_plural = _("店铺日汇总")
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["day", "store"], name="dashboard_store_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id}"


class DailySkuSales(models.Model):
    """Units and amount of one SKU's order lines in one store, over the orders paid on one closed local
    day (the top-SKU chart; lines not matched to a SKU are left out, as on the live figures)."""

    day = models.DateField(_("日期"))
    store = models.ForeignKey("org.Store", verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("catalog.SKU", verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="+")
    units = models.PositiveBigIntegerField(_("销量（件）"))
    amount = models.DecimalField(_("销售额（元）"), **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("商品日汇总")
        verbose_name_plural = _("商品日汇总")
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["day", "store", "sku"], name="dashboard_sku_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.store_id} {self.sku_id}"


class SummaryDay(models.Model):
    """A local day whose summary rows are built (a built day without rows had no activity). Days not
    listed here are computed from the orders when shown."""

    day = models.DateField(_("日期"), unique=True)
    built_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        verbose_name = _("已汇总日期")
        verbose_name_plural = _("已汇总日期")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return str(self.day)


class SummaryState(models.Model):
    """The one row that serialises refreshes and remembers the last one: a refresh looks for orders and
    refunds changed since the start of the previous one (less a margin)."""

    last_started_at = models.DateTimeField(_("上次汇总开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次汇总完成"), null=True, blank=True)
    last_days = models.PositiveIntegerField(_("上次重建天数"), default=0)

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return str(self.last_finished_at or "-")
