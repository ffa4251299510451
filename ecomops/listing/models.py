"""Admission review (CAT-01), listings per store with their compliance hits and events (CAT-02, CAT-03,
LAW-02) and the new-product chain (CAT-08).

- A style passes admission review once before its first listing anywhere; a rejected style may be
  reviewed again later (a new review), a returned one goes back to the same review.
- A listing is one style in one store. Every step is a ``ListingEvent`` (who, when, from, to, note);
  every submission stores the compliance hits it found (term, position, reason) for the reviewer.
- Scoping (DAT-02) follows ``ecomops.org.scoping``: the client of the style, the store of the listing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.catalog.models import Style
from ecomops.core.events import Event
from ecomops.core.history import audited
from ecomops.org.models import Store
from ecomops.org.scoping import ScopedQuerySet
from ecomops.stores.models import Qualification
from ecomops.suppliers.models import RecallCase, SamplingCheck

from .enums import (
    AdmissionEventKind,
    AdmissionState,
    CheckItem,
    ContentField,
    ItemResult,
    ListingEventKind,
    ListingState,
)

TITLE_MAX = 60
SELLING_POINT_MAX = 100
SELLING_POINTS_MAX = 10
DESCRIPTION_MAX = 10_000
IMAGE_MAX = 300
IMAGES_MAX = 30


def _empty_list():
    return []


# --- CAT-01: admission review ----------------------------------------------------------------


class AdmissionReview(models.Model):
    """CAT-01: the admission review of one style before its first listing."""

    style = models.ForeignKey(Style, verbose_name=_("款式"), on_delete=models.PROTECT, related_name="admissions")
    status = models.CharField(_("状态"), max_length=10, choices=AdmissionState.choices,
                              default=AdmissionState.PENDING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reasons = models.TextField(_("审核意见"), max_length=2000, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "style__client"

    class Meta:
        verbose_name = _("商品准入审核")
        verbose_name_plural = _("商品准入审核")
        ordering = ["-opened_at", "-pk"]
        permissions = [("review_admissionreview", _("可审核商品准入"))]
        constraints = [
            models.UniqueConstraint(fields=["style"], condition=Q(status__in=["pending", "returned"]),
                                    name="listing_one_open_admission_per_style"),
            models.UniqueConstraint(fields=["style"], condition=Q(status="approved"),
                                    name="listing_one_approved_admission_per_style"),
        ]

    def __str__(self) -> str:
        return _("%(style)s 准入审核") % {"style": self.style.style_no}


class AdmissionItem(models.Model):
    """One line of the admission checklist, with its result, note and evidence."""

    review = models.ForeignKey(AdmissionReview, verbose_name=_("准入审核"), on_delete=models.CASCADE,
                               related_name="items")
    code = models.CharField(_("检查项目"), max_length=30, choices=CheckItem.choices)
    result = models.CharField(_("结果"), max_length=20, choices=ItemResult.choices, default=ItemResult.PENDING)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    evidence = models.ForeignKey(
        Qualification, verbose_name=_("依据证照"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("质检报告、品牌授权书或许可证（资质档案中的记录）"),
    )
    # CAT-01 "a sampling test or the supplier's quality report": the sampling check of the supplier
    # library (CAT-06), of a style of the same client; a failed check cannot pass the quality item.
    sampling_check = models.ForeignKey(
        SamplingCheck, verbose_name=_("抽检记录"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="admission_items", help_text=_("供应商库中登记的抽检（同一委托方的款式）"),
    )
    # A sampling done outside the supplier library (an outside lab's report number and its conclusion).
    sampling_reference = models.CharField(
        _("抽检说明"), max_length=200, blank=True, help_text=_("外部抽检单号与结论（无质检报告且未登记抽检时填写）")
    )
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("检查人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "review__style__client"

    class Meta:
        verbose_name = _("准入检查项目")
        verbose_name_plural = _("准入检查项目")
        ordering = ["review", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "code"], name="listing_admission_item_once")]

    def __str__(self) -> str:
        return str(self.get_code_display())


class AdmissionEvent(Event):
    review = models.ForeignKey(AdmissionReview, verbose_name=_("准入审核"), on_delete=models.CASCADE,
                               related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=AdmissionEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=10, choices=AdmissionState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, choices=AdmissionState.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=2000, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "review__style__client"

    class Meta:
        verbose_name = _("准入审核记录")
        verbose_name_plural = _("准入审核记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# --- CAT-02 / CAT-03: listings ---------------------------------------------------------------


class Listing(models.Model):
    """One style listed in one store: its content, review and publishing state."""

    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="listings")
    style = models.ForeignKey(Style, verbose_name=_("款式"), on_delete=models.PROTECT, related_name="listings")
    status = models.CharField(_("状态"), max_length=20, choices=ListingState.choices, default=ListingState.DRAFT)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    selling_points = models.JSONField(_("卖点"), default=_empty_list, blank=True)
    description = models.TextField(_("详情描述"), max_length=DESCRIPTION_MAX, blank=True)
    images = models.JSONField(_("图片"), default=_empty_list, blank=True)
    price = models.DecimalField(_("售价（元）"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(0)])
    submission = models.PositiveIntegerField(_("提交次数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("上架时间"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    delist_reason = models.CharField(_("下架原因"), max_length=500, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("商品上架")
        verbose_name_plural = _("商品上架")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_listing", _("可审核上架内容")),
            ("publish_listing", _("可发布与下架商品")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "style"], name="listing_one_listing_per_store_style"),
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.store.name} · {self.style.style_no}"

    def current_hits(self):
        return self.hits.filter(submission=self.submission)


class ListingHit(models.Model):
    """LAW-02: one barred term the automatic check found in one submission of the content."""

    listing = models.ForeignKey(Listing, verbose_name=_("商品上架"), on_delete=models.CASCADE, related_name="hits")
    submission = models.PositiveIntegerField(_("第几次提交"))
    field = models.CharField(_("位置字段"), max_length=20, choices=ContentField.choices)
    term = models.CharField(_("违禁词"), max_length=100)
    matched = models.CharField(_("命中文字"), max_length=200)
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    category = models.CharField(_("类别"), max_length=40, blank=True)
    severity = models.CharField(_("严重程度"), max_length=20, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "listing__store"
    scope_client_field = "listing__store__client"

    class Meta:
        verbose_name = _("合规命中")
        verbose_name_plural = _("合规命中")
        ordering = ["listing", "submission", "field", "start", "pk"]

    def __str__(self) -> str:
        return f"{self.term}@{self.field}:{self.start}"


class ListingEvent(Event):
    """Every step of a listing: who, when, from which status to which, and a note (CAT-03)."""

    listing = models.ForeignKey(Listing, verbose_name=_("商品上架"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=ListingEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ListingState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ListingState.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=2000, blank=True)
    # CAT-06: a delisting ordered by a delist-and-recall case names the case.
    recall_case = models.ForeignKey(
        RecallCase, verbose_name=_("下架召回单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="listing_events",
    )

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "listing__store"
    scope_client_field = "listing__store__client"

    class Meta:
        verbose_name = _("上架记录")
        verbose_name_plural = _("上架记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# --- CAT-08: the new-product chain -----------------------------------------------------------


class NewProductChain(models.Model):
    """CAT-08: a new style's goods were put away; the product department publishes it within the
    policy period, QC measures the sizes of the samples by the next day. One chain per style."""

    style = models.OneToOneField(Style, verbose_name=_("款式"), on_delete=models.PROTECT,
                                 related_name="new_product_chain")
    inbound_at = models.DateTimeField(_("入库通知时间"))
    publish_due_at = models.DateTimeField(_("上架截止时间"))
    measure_due_at = models.DateTimeField(_("量尺码截止时间"))
    published_at = models.DateTimeField(_("首次上架时间"), null=True, blank=True)
    first_listing = models.ForeignKey(Listing, verbose_name=_("首次上架"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    measured_at = models.DateTimeField(_("量尺码完成时间"), null=True, blank=True)
    measured_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("量尺码人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # CAT-08: what QC measured on the samples, size by size ("" for a style without sizes), for the
    # product department's size chart: {"M": "衣长 98 / 胸围 92 cm", ...}.
    measurements = models.JSONField(_("尺码测量结果"), default=dict, blank=True)
    measure_note = models.CharField(_("量尺码说明"), max_length=500, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "style__client"

    class Meta:
        verbose_name = _("新品上新链路")
        verbose_name_plural = _("新品上新链路")
        ordering = ["-inbound_at", "-pk"]

    def __str__(self) -> str:
        return _("%(style)s 新品上新") % {"style": self.style.style_no}

    @property
    def is_published_late(self) -> bool:
        return self.published_at is not None and self.published_at > self.publish_due_at
