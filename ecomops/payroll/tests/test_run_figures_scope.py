"""DAT-02 / AGY-07 on pay runs (PER-07, PER-14): the run's totals of orders, refunds and the sales base
cover every store only for a viewer who sees every client; anyone else sees the sums over their own
stores — in the API, on the run and runs pages and in the export. The figures of the run themselves,
and each slip's commission base, stay those of every store."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.payroll import actions
from ecomops.payroll.models import PaySlip

from .conftest import MONTH


@pytest.fixture
def run(world):
    world.all_sales_targets("10000.00")
    world.order("6000.00")
    world.refund(world.order("500.00"), "500.00")
    world.order("4000.00", store=world.org.store_b1)
    return actions.compute_run(MONTH, user=world.admin).run


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_dat02_the_run_keeps_every_stores_figures(run):
    assert (run.orders_count, run.orders_amount, run.net_sales) == (3, Decimal("10500.00"), Decimal("10000.00"))


def test_dat02_api_run_totals_are_the_callers_stores_unless_they_see_every_client(world, run):
    mine = _http(world.supervisor.user).get("/api/v1/payroll/runs/2026-03").json()  # client A only
    assert (mine["orders_count"], mine["orders_amount"], mine["refunds_count"], mine["net_sales"]) == \
        (2, "6500.00", 1, "6000.00")
    assert mine["all_stores"] is False and mine["total"] is None
    listed = _http(world.supervisor.user).get("/api/v1/payroll/runs").json()
    assert listed[0]["net_sales"] == "6000.00"
    everything = _http(world.finance_user).get("/api/v1/payroll/runs/2026-03").json()
    assert (everything["orders_count"], everything["net_sales"], everything["all_stores"]) == (3, "10000.00", True)


def test_dat02_run_and_runs_pages_show_the_users_stores_only(world, run):
    http = _http(world.supervisor.user)
    page = http.get(reverse("payroll:run", args=["2026-03"])).content.decode()
    assert "¥6,000.00" in page and "¥10,000.00" not in page and "¥10,500.00" not in page
    assert 'data-testid="run-scope-note"' in page
    assert 'data-testid="funds-hidden"' in page  # PER-09 funds are computed on every store's sales
    runs = http.get(reverse("payroll:runs")).content.decode()
    assert "¥10,000.00" not in runs and "¥6,000.00" in runs
    finance = _http(world.finance_user).get(reverse("payroll:run", args=["2026-03"])).content.decode()
    assert "¥10,000.00" in finance and 'data-testid="run-scope-note"' not in finance


def test_dat02_the_export_total_row_is_the_users_stores_only(world, run):
    response = _http(world.supervisor.user).get(reverse("payroll:run_export", args=["2026-03"]))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    base = [row for row in book["提成基数"].iter_rows(values_only=True)]
    assert base[-1][0].startswith("合计") and base[-1][1:] == (2, 6500, 1, 500, 6000)
    assert len(list(book["部门活动经费"].iter_rows(values_only=True))) == 1  # the heading only


def test_per07_a_slip_keeps_the_commission_base_of_every_store(world, run):
    """A person's own slip explains their pay: the base it was computed on, every store (PER-07)."""
    own = PaySlip.objects.get(run=run, staff=world.cs[0])
    page = _http(world.cs[0].user).get(reverse("payroll:slip", args=[own.pk])).content.decode()
    assert "¥10,000.00" in page
