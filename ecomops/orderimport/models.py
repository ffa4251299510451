"""Platform order exports coming in (ORD-02).

- ``ImportFormat``: how one platform's export looks, as data: which header (or any of several
  aliases) holds which of our fields, which status texts mean what, how dates are written. An
  administrator adds a platform format on a page, without code.
- ``ImportJob``: one uploaded file for one store (kept encrypted, then deleted: ``files``). It runs
  in the background in chunked transactions; ``checkpoint_row`` (the last file row whose order is
  committed) moves in the same transaction as the orders, so a job that crashed resumes after it
  without duplicates.
- ``ImportRowError``: a row the job could not take, with its column and reason; the orders of those
  rows were not written at all.
- ``ImportedOrder``: for each (store, platform order number), the order and a hash of what the file
  said last time, so a re-import skips unchanged orders without touching them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.org.models import Platform, Store
from ecomops.org.scoping import ScopedQuerySet

from . import files
from .enums import FileKind, JobState


class ImportFormat(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    platform = models.ForeignKey(Platform, verbose_name=_("平台"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="import_formats")
    delimiter = models.CharField(_("分隔符"), max_length=2, default=",",
                                 help_text=_("CSV 的列分隔符；制表符写 \\t"))
    columns = models.JSONField(_("列映射"), default=dict,
                               help_text=_("字段 → 表头名称列表（任一匹配即可）"))
    statuses = models.JSONField(
        _("状态映射"), default=dict,
        help_text=_("平台订单状态文字 → 系统状态（unpaid/paid/shipped/received/completed/cancelled）"))
    # ORD-02: a two-file export (Taobao/Tmall 订单报表 + 宝贝报表): ``columns`` map the order file, these the
    # line file, joined on order_no (``pair``). Empty: a single file with everything.
    line_columns = models.JSONField(_("明细文件列映射"), default=dict, blank=True,
                                    help_text=_("两个文件的格式（如淘宝订单报表+宝贝报表）：宝贝报表的字段 → "
                                                "表头名称列表；单个文件的格式留空"))
    datetime_formats = models.JSONField(_("时间格式"), default=list, blank=True)
    aggregate = models.JSONField(
        _("多行订单的金额"), default=dict, blank=True,
        help_text=_("订单级金额字段 → sum（各明细行相加）或 first（取第一行）；未写即 first"))
    # The hash of what the seed wrote (``seed.py``): a format still equal to it was not edited, so a
    # later seed may update it; an edited one is left alone.
    seed_hash = models.CharField(_("初始数据摘要"), max_length=64, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("订单导入格式")
        verbose_name_plural = _("订单导入格式")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pair(self) -> bool:
        """An order file and a line file joined on the order number (ORD-02)."""
        return bool(self.line_columns)


class ImportJob(models.Model):
    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="import_jobs")
    format = models.ForeignKey(ImportFormat, verbose_name=_("导入格式"), on_delete=models.PROTECT,
                               related_name="jobs")
    # LAW-04: encrypted, under a random name, never served; deleted after the keep period (files.py).
    file = models.FileField(_("文件"), upload_to=files.import_file_path, blank=True, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    file_kind = models.CharField(_("文件类型"), max_length=10, choices=FileKind.choices)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    # ORD-02 pair formats: the other file of the pair (LAW-04: encrypted and purged like ``file``). Which
    # is the order file and which the line file is told by their headers, not by the upload's order.
    second_file = models.FileField(_("第二个文件"), upload_to=files.import_file_path, blank=True, max_length=200)
    second_name = models.CharField(_("第二个文件的原文件名"), max_length=200, blank=True)
    second_kind = models.CharField(_("第二个文件的类型"), max_length=10, choices=FileKind.choices, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED,
                             db_index=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    checkpoint_row = models.PositiveIntegerField(_("已提交到第几行"), default=0)
    orders_created = models.PositiveIntegerField(_("新增订单"), default=0)
    orders_updated = models.PositiveIntegerField(_("更新订单"), default=0)
    orders_unchanged = models.PositiveIntegerField(_("未变化订单"), default=0)
    orders_held = models.PositiveIntegerField(_("转入异常的订单"), default=0)
    orders_failed = models.PositiveIntegerField(_("未导入订单"), default=0)
    rows_failed = models.PositiveIntegerField(_("错误行数"), default=0)
    failure = models.CharField(_("失败原因"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("运行次数"), default=0)
    file_purged_at = models.DateTimeField(_("原文件删除时间"), null=True, blank=True)
    file_keep_days = models.PositiveIntegerField(_("原文件保存天数"), null=True, blank=True)
    file_purge_policy = models.CharField(_("删除依据的政策版本"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("订单导入任务")
        verbose_name_plural = _("订单导入任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"IMP-{self.pk:06d}" if self.pk else "IMP"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def file_names(self) -> str:
        return " + ".join(n for n in (self.original_name, self.second_name) if n)

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, verbose_name=_("导入任务"), on_delete=models.CASCADE, related_name="errors")
    # ORD-02 pair formats: which of the two files (or .zip members) the row is in; empty for a single file.
    file = models.CharField(_("文件"), max_length=200, blank=True)
    row_no = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=60, blank=True)
    order_no = models.CharField(_("平台订单号"), max_length=64, blank=True)
    reason = models.CharField(_("原因"), max_length=300)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "job__store"
    scope_client_field = "job__store__client"

    class Meta:
        verbose_name = _("导入错误行")
        verbose_name_plural = _("导入错误行")
        ordering = ["job", "row_no", "pk"]

    def __str__(self) -> str:
        return f"{self.job} #{self.row_no}"


class ImportedOrder(models.Model):
    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="+")
    platform_order_no = models.CharField(_("平台订单号"), max_length=64)
    order = models.OneToOneField("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                                 related_name="imported")
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    last_job = models.ForeignKey(ImportJob, verbose_name=_("最近导入任务"), on_delete=models.PROTECT,
                                 related_name="+")
    last_row = models.PositiveIntegerField(_("最近导入行号"), default=0)

    class Meta:
        verbose_name = _("已导入订单")
        verbose_name_plural = _("已导入订单")
        constraints = [models.UniqueConstraint(fields=["store", "platform_order_no"],
                                               name="orderimport_imported_unique_no")]

    def __str__(self) -> str:
        return self.platform_order_no
