"""The demo company's pay (issue 6): targets and KPI actuals for its people, last month's run locked,
next month's targets due for the supervisor, and the pages open for the demo logins."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from ecomops.audit.models import DueItem
from ecomops.demo import org as demo
from ecomops.payroll.enums import LineKind, RunState
from ecomops.payroll.models import PayrollRun, PaySlip, Target


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            result = demo.build()
            yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_has_a_locked_past_month_with_explained_slips(company):
    run = PayrollRun.objects.get()
    assert run.state == RunState.LOCKED and run.slip_count == 7 and run.orders_count > 0
    assert (run.month.year, run.month.month) == company.month
    assert [e.kind for e in run.events.order_by("at", "pk")] == ["computed", "checked", "approved", "locked"]
    for slip in PaySlip.objects.filter(run=run):
        assert slip.total == sum(x.amount for x in slip.lines.all())
    cs = PaySlip.objects.get(run=run, staff__user__username="yangsiqi")
    assert cs.lines.get(kind=LineKind.OVER_BONUS).amount == Decimal("80.00")
    assert "客服组提成比例 1.5%" in cs.lines.get(kind=LineKind.COMMISSION).explanation  # 112.4% of the target
    assert Target.objects.filter(late=True).count() == 1
    assert DueItem.objects.filter(owner__username="zhuguan", clause="PER-06", done_at__isnull=True).exists()
    assert company.counts["pay_runs"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "slips"), [("zhuguan", 7), ("fengshufen", 7), ("lijunjie", 1)])
def test_demo_logins_open_the_pay_pages(company, username, slips):
    http = HttpClient()
    http.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD})
    assert http.get(reverse("payroll:index"), follow=True).status_code == 200
    month = PayrollRun.objects.get().month.strftime("%Y-%m")
    response = http.get(f"/api/v1/payroll/runs/{month}/slips")
    assert response.status_code == 200 and len(response.json()) == slips
    slip = response.json()[0]["id"]
    assert http.get(reverse("payroll:slip_pdf", args=[slip])).content.startswith(b"%PDF")
