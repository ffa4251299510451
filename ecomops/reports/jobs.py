"""The scheduled reports (DAT-01), registered from ``ReportsConfig.ready``: each ``func(at) -> str``
generates the last whole period before ``at`` (Asia/Shanghai) and mails it, and returns the run's
one-line summary. A run again for the same period regenerates the files and mails only when the
report was not mailed yet or its figures changed since (``models.MailStatus``)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from .build import generate, last_complete_day, local_today, period_for, period_text, report_title
from .mail import send_report
from .models import MailStatus, ReportKind


def run_report(kind: str, at: datetime) -> str:
    day = last_complete_day(kind, local_today(at))
    report = generate(kind, day, now=at)
    what = f"{report_title(kind)} {period_text(period_for(kind, day))}"
    if report.mail_status != MailStatus.SENT:
        send_report(report, now=at)
        mail = {
            MailStatus.SENT: _("已发送给 %(n)d 人") % {"n": len(report.recipients)},
            MailStatus.FAILED: _("邮件发送失败：%(error)s") % {"error": report.mail_error},
            MailStatus.NO_RECIPIENTS: _("没有收件人（需有接收经营报表邮件的权限、可见全部委托方并填写邮箱）"),
            MailStatus.NOT_CONFIGURED: _("未配置邮件"),
        }[report.mail_status]
    else:
        mail = _("数据未变，此前已发送，不再重发")
    return _("%(what)s 已生成（第 %(n)d 次）；%(mail)s") % {"what": what, "n": report.generation, "mail": mail}


def daily(at: datetime) -> str:
    return run_report(ReportKind.DAILY, at)


def weekly(at: datetime) -> str:
    return run_report(ReportKind.WEEKLY, at)


def monthly(at: datetime) -> str:
    return run_report(ReportKind.MONTHLY, at)
