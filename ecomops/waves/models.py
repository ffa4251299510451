"""Wave picking (FUL-01): a printed ship batch becomes a wave per warehouse.

- ``Wave``: the printed orders of one ship batch and one warehouse that its creator may see (DAT-02,
  AGY-07: a batch is shared by every client; a wave holds only what its creator sees). Picked either
  as the batch total by bin in walking order and then sorted per order (pick-then-sort, 先拣后分) or,
  for a small batch, order by order (按单拣货, ``FUL-01.order_by_order_max_orders``).
- ``WaveOrder``: an order of the wave with its sorting slot (分拣格号 1..n); one live wave per order.
- ``PickLine``: what to take from one bin (SKU × lot), exactly what the ledger reserved for the orders
  (``inventory.ReservationAllocation``); per order in order-by-order mode.
- ``SortLine``: the units of one SKU an order of a pick-then-sort wave needs, and how many were sorted
  into its slot.
A wave is visible to a user who sees every one of its orders (``WaveQuerySet.visible_to``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.org.scoping import ScopedQuerySet, scope_for, scope_q

USER = settings.AUTH_USER_MODEL


class WaveMode(models.TextChoices):
    PICK_THEN_SORT = "pick_then_sort", _("先拣后分")
    ORDER_BY_ORDER = "order_by_order", _("按单拣货")


class WaveState(models.TextChoices):
    OPEN = "open", _("待拣货")
    PICKING = "picking", _("拣货中")
    PICKED = "picked", _("已拣货")
    SORTED = "sorted", _("已分拣")
    CANCELLED = "cancelled", _("已取消")


# FUL-01: picked, then (pick-then-sort only) sorted per order; cancelled before it is sorted.
WAVE_FLOW: dict[str, tuple[str, ...]] = {
    WaveState.OPEN: (WaveState.PICKING, WaveState.PICKED, WaveState.CANCELLED),
    WaveState.PICKING: (WaveState.PICKED, WaveState.CANCELLED),
    WaveState.PICKED: (WaveState.SORTED, WaveState.CANCELLED),
    WaveState.SORTED: (),
    WaveState.CANCELLED: (),
}
LIVE_STATES = (WaveState.OPEN, WaveState.PICKING, WaveState.PICKED)


class PickState(models.TextChoices):
    PENDING = "pending", _("待拣")
    PICKED = "picked", _("已拣")
    SHORT = "short", _("缺货")


class WaveQuerySet(models.QuerySet):
    def visible_to(self, user) -> WaveQuerySet:
        """A wave is seen by a user who sees every one of its orders (DAT-02): one order of another
        client in it and the whole wave is not found."""
        condition = scope_q(WaveOrder, scope_for(user))
        if condition is None:
            return self
        outside = WaveOrder.objects.exclude(condition).values("wave_id")
        return self.exclude(pk__in=outside)


class Wave(models.Model):
    number = models.CharField(_("波次号"), max_length=30, unique=True)
    batch = models.ForeignKey("dispatch.ShipBatch", verbose_name=_("发货批次"), on_delete=models.PROTECT,
                              related_name="waves")
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("仓库"), on_delete=models.PROTECT,
                                  related_name="waves")
    mode = models.CharField(_("拣货方式"), max_length=20, choices=WaveMode.choices)
    mode_citation = models.CharField(_("政策依据"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=WaveState.choices, default=WaveState.OPEN)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    picker = models.ForeignKey(USER, verbose_name=_("拣货人"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    started_at = models.DateTimeField(_("开始拣货时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("拣货完成时间"), null=True, blank=True)
    sorted_at = models.DateTimeField(_("分拣完成时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = audited()

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("拣货波次")
        verbose_name_plural = _("拣货波次")
        ordering = ["-created_at", "-pk"]
        permissions = [("pick_wave", _("可拣货与分拣"))]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class WaveOrder(models.Model):
    wave = models.ForeignKey(Wave, verbose_name=_("拣货波次"), on_delete=models.CASCADE, related_name="orders")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                              related_name="wave_entries")
    slot = models.PositiveIntegerField(_("分拣格号"), validators=[MinValueValidator(1)])
    live = models.BooleanField(_("在波次中"), default=True)
    left_reason = models.CharField(_("移出原因"), max_length=200, blank=True)
    sorted_at = models.DateTimeField(_("分拣完成时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("波次订单")
        verbose_name_plural = _("波次订单")
        ordering = ["wave", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "slot"], name="waves_order_unique_slot"),
            # One live wave per order (a wave that is cancelled or sorted lets it go).
            models.UniqueConstraint(fields=["order"], condition=Q(live=True), name="waves_order_one_live_wave"),
        ]

    def __str__(self) -> str:
        return f"{self.wave} #{self.slot}"


class PickLine(models.Model):
    wave = models.ForeignKey(Wave, verbose_name=_("拣货波次"), on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              help_text=_("按单拣货时为该订单的拣货行"))
    bin = models.ForeignKey("inventory.Bin", verbose_name=_("库位"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("inventory.Lot", verbose_name=_("批次"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("应拣数量"), validators=[MinValueValidator(1)])
    picked = models.PositiveIntegerField(_("已拣数量"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=PickState.choices, default=PickState.PENDING)
    zone_code = models.CharField(_("库区"), max_length=20, blank=True)
    pick_order = models.PositiveIntegerField(_("拣货顺序"), default=0)
    bin_code = models.CharField(_("库位编码"), max_length=30)
    short_reason = models.CharField(_("缺货原因"), max_length=200, blank=True)
    picked_by = models.ForeignKey(USER, verbose_name=_("拣货人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    picked_at = models.DateTimeField(_("拣货时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "sku__client"

    class Meta:
        verbose_name = _("拣货明细")
        verbose_name_plural = _("拣货明细")
        # FUL-01: walking order — zone, aisle (the bin's pick order), bin.
        ordering = ["wave", "zone_code", "pick_order", "bin_code", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(picked__lte=models.F("quantity")), name="waves_pickline_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.bin_code} {self.sku} × {self.quantity}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.picked if self.state == PickState.PENDING else 0


class SortLine(models.Model):
    """FUL-01 pick-then-sort: the units of one SKU an order of the wave needs, sorted into its slot."""

    wave_order = models.ForeignKey(WaveOrder, verbose_name=_("波次订单"), on_delete=models.CASCADE,
                                   related_name="sort_lines")
    sku = models.ForeignKey("catalog.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("应分数量"), validators=[MinValueValidator(1)])
    sorted = models.PositiveIntegerField(_("已分数量"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "wave_order__order__store"
    scope_client_field = "wave_order__order__store__client"

    class Meta:
        verbose_name = _("分拣明细")
        verbose_name_plural = _("分拣明细")
        ordering = ["wave_order", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["wave_order", "sku"], name="waves_sortline_unique"),
            models.CheckConstraint(condition=Q(sorted__lte=models.F("quantity")), name="waves_sortline_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.wave_order} {self.sku} {self.sorted}/{self.quantity}"
