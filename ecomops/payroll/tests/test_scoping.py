"""PER-14 / DAT-02: a person sees only their own slip, a supervisor their department's, finance all;
a client's own user sees nothing of pay. The same on the pages and in the API; the PER-07 order list
shows only the stores the user may see."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.org.models import ClientMember, Department
from ecomops.payroll import actions, queries
from ecomops.payroll.enums import PayRole
from ecomops.payroll.models import PaySlip

from .conftest import MONTH, make_user


@pytest.fixture
def run(world):
    world.all_sales_targets("10000.00")
    world.order("6000.00")
    world.order("4000.00", store=world.org.store_b1)
    outsider_department = Department.objects.get(code="warehouse")
    world.outsider = world.person("wh", outsider_department, PayRole.SUPERVISOR)  # another department's supervisor
    return actions.compute_run(MONTH, user=world.admin).run


def names(user):
    return sorted(queries.visible_slips(user).values_list("name", flat=True))


def test_per14_a_member_sees_only_their_own_slip(world, run):
    assert names(world.cs[0].user) == ["cs1"]
    assert names(world.promoters[1].user) == ["pro2"]


def test_per14_a_supervisor_sees_their_department_and_its_groups(world, run):
    assert names(world.supervisor.user) == ["cs1", "cs2", "cs3", "pro1", "pro2", "sup"]
    world.outsider.user.user_permissions.add(*world.supervisor.user.user_permissions.all())
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.get(pk=world.outsider.user.pk)
    assert names(outsider) == ["wh"]


def test_per14_finance_sees_all_and_client_users_see_nothing(world, run):
    assert len(names(world.finance_user)) == 7
    assert names(world.org.admin) == names(world.finance_user)
    client_user = make_user("client_x", "payroll.view_all_payslips")
    ClientMember.objects.create(user=client_user, client=world.org.client_a)
    assert names(client_user) == []
    assert names(make_user("no_staff")) == []


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_slip_pages_answer_404_outside_the_scope(world, run):
    own = PaySlip.objects.get(run=run, staff=world.cs[0])
    other = PaySlip.objects.get(run=run, staff=world.cs[1])
    http = _http(world.cs[0].user)
    assert http.get(reverse("payroll:slip", args=[own.pk])).status_code == 200
    assert http.get(reverse("payroll:slip", args=[other.pk])).status_code == 404
    assert http.get(reverse("payroll:slip_pdf", args=[other.pk])).status_code == 404
    assert _http(world.supervisor.user).get(reverse("payroll:slip", args=[other.pk])).status_code == 200
    assert _http(world.outsider.user).get(reverse("payroll:slip", args=[other.pk])).status_code == 404


def test_api_slips_follow_the_same_scope(world, run):
    http = _http(world.cs[0].user)
    listed = http.get("/api/v1/payroll/runs/2026-03/slips").json()
    assert [s["name"] for s in listed] == ["cs1"]
    other = PaySlip.objects.get(run=run, staff=world.cs[1])
    assert http.get(f"/api/v1/payroll/slips/{other.pk}").status_code == 404
    detail = http.get(f"/api/v1/payroll/slips/{listed[0]['id']}").json()
    assert [x["kind"] for x in detail["lines"]][:3] == ["base", "performance", "commission"]
    assert detail["lines"][2]["policy_versions"][0].startswith("PER-08.commission_rates v1")
    assert len(_http(world.finance_user).get("/api/v1/payroll/runs/2026-03/slips").json()) == 7
    client_user = make_user("client_y")
    ClientMember.objects.create(user=client_user, client=world.org.client_a)
    assert _http(client_user).get("/api/v1/payroll/my-slips").status_code == 403


def test_per07_counted_orders_are_listed_only_for_visible_stores(world, run):
    from ecomops.org.models import ClientGrant

    ClientGrant.objects.filter(user=world.supervisor.user).delete()
    ClientGrant.objects.create(user=world.supervisor.user, client=world.org.client_b)
    rows = queries.sales_by_store(world.supervisor.user, run)
    assert [r["store"].code for r in rows] == ["B1"]
    assert [r["store"].code for r in queries.sales_by_store(world.finance_user, run)] == ["A1", "B1"]
    page = _http(world.supervisor.user).get(reverse("payroll:run_orders", args=["2026-03"]))
    assert page.status_code == 200 and "A1" not in json.dumps([r["store"].code for r in page.context["stores"]])
