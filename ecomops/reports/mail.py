"""Mail a management report to those who receive it (DAT-01): both files attached, a short Chinese body
with the key figures. SMTP comes from the environment (``ECOMOPS_SMTP_*``, ecomops/settings.py); without
a host no mail is sent and the report says 未配置邮件. A refused or unreachable server never loses the
report: the error is kept on it and the job's summary says so. Passwords are never logged or stored.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.dashboard.shapes import Period

from .build import period_text, report_title
from .models import PERIOD_KIND, MailStatus, ManagementReport, ReportKind
from .queries import recipients

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def mail_configured() -> bool:
    return bool(getattr(settings, "ECOMOPS_MAIL_ENABLED", False))


def message_for(report: ManagementReport, to: list[str]) -> EmailMessage:
    period = Period(PERIOD_KIND[ReportKind(report.kind)], report.period_start, report.period_end)
    title = report_title(report.kind)
    subject = f"{title} {period_text(period)}"
    lines = [_("%(title)s（%(period)s，全部委托方）主要指标：") % {"title": title, "period": period_text(period)}, ""]
    for kpi in report.summary:
        lines.append(_("%(label)s：%(value)s（上期 %(previous)s，变化 %(change)s）") % kpi)
    lines += ["", _("完整报表见附件（Excel 与 PDF），也可在系统的“经营报表”页面下载。")]
    message = EmailMessage(subject=subject, body="\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    for field, extension, content_type in ((report.xlsx_file, "xlsx", XLSX_TYPE),
                                           (report.pdf_file, "pdf", "application/pdf")):
        with field.open("rb") as handle:
            message.attach(report.download_name(extension), handle.read(), content_type)
    return message


def send_report(report: ManagementReport, *, now=None) -> ManagementReport:
    """Mail ``report`` to every receiver and record the outcome on it (never raises for a mail error)."""
    now = now or timezone.now()
    if not mail_configured():
        status, to, error = MailStatus.NOT_CONFIGURED, [], ""
    else:
        to = [user.email for user in recipients()]
        status, error = (MailStatus.NO_RECIPIENTS, "") if not to else (MailStatus.SENT, "")
        if to:
            try:
                with get_connection(fail_silently=False) as connection:
                    connection.send_messages([message_for(report, to)])
            except (OSError, smtplib.SMTPException) as exc:
                status = MailStatus.FAILED
                error = f"{type(exc).__name__}: {exc}"[:500]
                # the server's answer only: the settings (user, password) are never put in the log
                logger.warning("management report %s: mail failed (%s)", report.pk, type(exc).__name__)
    report.mail_status = status
    report.mail_error = error
    if status in (MailStatus.SENT, MailStatus.FAILED):
        report.mailed_to = ",".join(to)
        report.mailed_at = now
    report.save(update_fields=["mail_status", "mail_error", "mailed_to", "mailed_at"])
    return report
