"""Periodic management reports (DAT-01): the company's figures of a day, a week or a month, as an .xlsx
workbook and a PDF, kept for download and mailed to those who receive them.

One report per kind and period (``unique (kind, period_start)``): generating the same period again
replaces its two files (new random names; the old files are deleted once the new ones are committed)
and counts the generation in ``generation``; ``fingerprint`` tells whether the figures changed.

The figures are the whole company's (every client), so only users who see every client may list or
download them (DAT-02, AGY-07): ``visible_reports``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    DAILY = "daily", _("日报")
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")


# The dashboard's period kind of each report kind (ecomops.dashboard.shapes.Period).
PERIOD_KIND = {ReportKind.DAILY: "day", ReportKind.WEEKLY: "week", ReportKind.MONTHLY: "month"}


class MailStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("未发送")
    NOT_CONFIGURED = "not_configured", _("未配置邮件")
    NO_RECIPIENTS = "no_recipients", _("无收件人")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


def report_file_name(instance, filename: str) -> str:
    """A random name under reports/<kind>/ keeping the extension; the download gets a readable name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/{instance.kind}/{uuid.uuid4().hex}.{extension}"


class ManagementReport(models.Model):
    kind = models.CharField(_("报表类型"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generation = models.PositiveIntegerField(_("生成次数"), default=1)
    xlsx_file = models.FileField(_("Excel 文件"), upload_to=report_file_name, max_length=200, blank=True)
    pdf_file = models.FileField(_("PDF 文件"), upload_to=report_file_name, max_length=200, blank=True)
    fingerprint = models.CharField(_("数据指纹"), max_length=64, blank=True)
    summary = models.JSONField(_("主要指标"), default=list, blank=True)
    mail_status = models.CharField(_("邮件状态"), max_length=20, choices=MailStatus.choices,
                                   default=MailStatus.NOT_SENT)
    mailed_to = models.TextField(_("收件人"), blank=True)
    mailed_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    mail_error = models.TextField(_("邮件错误"), blank=True)

    class Meta:
        verbose_name = _("经营报表")
        verbose_name_plural = _("经营报表")
        ordering = ["-period_start", "kind"]
        permissions = [("receive_managementreport", _("接收经营报表邮件"))]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], name="reports_one_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="reports_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.DAILY:
            return f"{self.period_start:%Y-%m-%d}"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.period_start:%Y-%m}"
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"

    def download_name(self, extension: str) -> str:
        """经营日报-2026-12-06.xlsx, 经营周报-2026-11-30.pdf, 经营月报-2026-11.xlsx"""
        start = f"{self.period_start:%Y-%m}" if self.kind == ReportKind.MONTHLY else f"{self.period_start:%Y-%m-%d}"
        return f"{_('经营%(kind)s') % {'kind': self.get_kind_display()}}-{start}.{extension}"

    @property
    def recipients(self) -> list[str]:
        return [address for address in self.mailed_to.split(",") if address]
