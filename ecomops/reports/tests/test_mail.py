"""DAT-01: the reports are mailed through a real SMTP server (aiosmtpd on 127.0.0.1) to the users who
receive them; a refused server keeps the report with the error; without SMTP nothing is sent."""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.org.models import ClientGrant, ClientMember
from ecomops.reports import build, jobs
from ecomops.reports.mail import send_report
from ecomops.reports.models import MailStatus, ManagementReport
from ecomops.reports.queries import recipients

NOW = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 07:30 Monday 7 December 2026, Asia/Shanghai


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.ECOMOPS_MAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "reports@ecomops.test"
    yield inbox
    controller.stop()


def _perm(user, *names):
    for name in names:
        app, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))


@pytest.fixture
def people(org):
    User = get_user_model()
    receive, everyone = "reports.receive_managementreport", "org.access_all_clients"
    made = {}
    for name, mail, perms in (("boss", "boss@ecomops.test", (receive, everyone)),
                              ("finance", "finance@ecomops.test", (receive, everyone)),
                              ("nomail", "", (receive, everyone)),
                              ("granted", "granted@ecomops.test", (receive,)),   # sees client A only
                              ("gone", "gone@ecomops.test", (receive, everyone)),
                              ("member", "member@ecomops.test", (receive, everyone)),
                              ("bystander", "bystander@ecomops.test", (everyone,))):
        made[name] = User.objects.create_user(username=name, email=mail, password="x" * 12)
        _perm(made[name], *perms)
    ClientGrant.objects.create(user=made["granted"], client=org.client_a)
    ClientMember.objects.create(user=made["member"], client=org.client_a)
    made["gone"].is_active = False
    made["gone"].save()
    org.admin.email = "admin@ecomops.test"
    org.admin.save()
    return made


@pytest.mark.django_db
def test_recipients_hold_the_permission_see_every_client_and_have_an_address(people):
    assert [u.username for u in recipients()] == ["admin", "boss", "finance"]


@pytest.mark.django_db
def test_report_is_mailed_with_both_files_and_the_key_figures(fake_figures, people, smtp):
    report = build.generate("daily", date(2026, 12, 6), now=NOW)
    send_report(report, now=NOW)
    report.refresh_from_db()
    assert report.mail_status == MailStatus.SENT and report.mail_error == ""
    assert report.recipients == ["admin@ecomops.test", "boss@ecomops.test", "finance@ecomops.test"]
    assert report.mailed_at == NOW
    [(to, message)] = smtp.messages
    assert sorted(to) == ["admin@ecomops.test", "boss@ecomops.test", "finance@ecomops.test"]
    assert message["Subject"] == "经营日报 2026-12-06"
    assert message["From"] == "reports@ecomops.test"
    body = message.get_body(("plain",)).get_content()
    assert "销售额：¥12,345.67（上期 ¥10,000.00，变化 +23.46%）" in body
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"经营日报-2026-12-06.xlsx", "经营日报-2026-12-06.pdf"}
    with report.xlsx_file.open("rb") as xlsx, report.pdf_file.open("rb") as pdf:
        assert files["经营日报-2026-12-06.xlsx"].get_content() == xlsx.read()
        assert files["经营日报-2026-12-06.pdf"].get_content() == pdf.read()
    assert files["经营日报-2026-12-06.pdf"].get_content_type() == "application/pdf"


@pytest.mark.django_db
def test_a_refused_smtp_port_keeps_the_report_with_the_error(fake_figures, people, settings, caplog):
    settings.ECOMOPS_MAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "reports", "Sm7p-Secret-Pw"
    settings.EMAIL_TIMEOUT = 5
    summary = jobs.daily(NOW)
    report = ManagementReport.objects.get()
    assert report.mail_status == MailStatus.FAILED
    assert "ConnectionRefusedError" in report.mail_error
    assert report.recipients == ["admin@ecomops.test", "boss@ecomops.test", "finance@ecomops.test"]
    assert report.xlsx_file and report.pdf_file  # the report itself is kept
    assert "经营日报 2026-12-06 已生成" in summary and "邮件发送失败" in summary
    assert "Sm7p-Secret-Pw" not in caplog.text and "Sm7p-Secret-Pw" not in report.mail_error
    assert "mail failed" in caplog.text


@pytest.mark.django_db
def test_without_smtp_settings_nothing_is_sent(fake_figures, people, settings):
    settings.ECOMOPS_MAIL_ENABLED = False
    summary = jobs.daily(NOW)
    report = ManagementReport.objects.get()
    assert report.mail_status == MailStatus.NOT_CONFIGURED and report.mailed_at is None
    assert summary.endswith("未配置邮件")


@pytest.mark.django_db
def test_nobody_to_receive_is_said(fake_figures, settings, smtp):
    summary = jobs.weekly(NOW)
    assert ManagementReport.objects.get().mail_status == MailStatus.NO_RECIPIENTS
    assert "没有收件人" in summary and smtp.messages == []


@pytest.mark.django_db
def test_jobs_report_the_last_whole_period_and_do_not_mail_twice(fake_figures, people, smtp):
    first = jobs.weekly(NOW)
    assert "经营周报 2026-11-30 至 2026-12-06 已生成（第 1 次）" in first and "已发送给 3 人" in first
    again = jobs.weekly(NOW)
    assert "第 2 次" in again and "不再重发" in again
    assert len(smtp.messages) == 1
    fake_figures.state["sales"] = "99.00"  # figures changed since: mailed again
    assert "已发送给 3 人" in jobs.weekly(NOW)
    assert len(smtp.messages) == 2
    monthly = jobs.monthly(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 1 January 2027, 00:00 local
    assert "经营月报 2026-12-01 至 2026-12-31" in monthly
    assert ManagementReport.objects.get(kind="monthly").period_end == date(2026, 12, 31)
    assert fake_figures.calls[-1].kind == "month"


def test_jobs_are_registered_with_their_default_times():
    from django.utils.module_loading import import_string

    from ecomops.scheduling.registry import registered

    jobs_by_code = registered()
    expected = {"reports.daily": ("30 7 * * *", jobs.daily), "reports.weekly": ("0 8 * * 1", jobs.weekly),
                "reports.monthly": ("30 8 1 * *", jobs.monthly)}
    for code, (cron, func) in expected.items():
        spec = jobs_by_code[code]
        assert spec.cron == cron and spec.clause == "DAT-01"
        assert import_string(spec.func) is func


def _settings_in(env: dict) -> dict:
    """The mail settings ecomops/settings.py reads from this environment (in a fresh interpreter)."""
    code = ("import json, ecomops.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
            "'ECOMOPS_MAIL_ENABLED', 'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', "
            "'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'DEFAULT_FROM_EMAIL')}))")
    base = {k: v for k, v in os.environ.items() if not k.startswith("ECOMOPS_SMTP") and k != "ECOMOPS_MAIL_FROM"}
    result = subprocess.run([sys.executable, "-c", code], env={**base, **env},  # noqa: S603 - our own interpreter
                            capture_output=True, text=True, check=False)
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout)


def test_smtp_settings_come_from_the_environment():
    off = _settings_in({})
    assert off["ECOMOPS_MAIL_ENABLED"] is False and off["EMAIL_BACKEND"].endswith("dummy.EmailBackend")
    on = _settings_in({"ECOMOPS_SMTP_HOST": "smtp.example.com", "ECOMOPS_SMTP_USER": "ops@example.com",
                       "ECOMOPS_SMTP_PASSWORD": "pw", "ECOMOPS_SMTP_SECURITY": "ssl"})
    assert on["EMAIL_BACKEND"].endswith("smtp.EmailBackend") and on["EMAIL_HOST"] == "smtp.example.com"
    assert (on["EMAIL_PORT"], on["EMAIL_USE_SSL"], on["EMAIL_USE_TLS"]) == (465, True, False)
    assert on["DEFAULT_FROM_EMAIL"] == "ops@example.com" and on["EMAIL_HOST_PASSWORD"] == "pw"
    tls = _settings_in({"ECOMOPS_SMTP_HOST": "mail", "ECOMOPS_MAIL_FROM": "报表 <r@example.com>"})
    assert (tls["EMAIL_PORT"], tls["EMAIL_USE_TLS"]) == (587, True)
    assert tls["DEFAULT_FROM_EMAIL"] == "报表 <r@example.com>"
    assert "ECOMOPS_SMTP_SECURITY" in _settings_in({"ECOMOPS_SMTP_HOST": "mail",
                                                    "ECOMOPS_SMTP_SECURITY": "tls13"})["error"]
    assert "whole numbers" in _settings_in({"ECOMOPS_SMTP_HOST": "mail", "ECOMOPS_SMTP_PORT": "x"})["error"]
