"""DAT-01 through the API: the dashboard's figures for the caller's scope (a client user's own client;
a client or store outside it is a 404, never a wider view), the same numbers as the page, and a bad
period refused naming the parameter."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ecomops.core.tests.conftest import ApiClient, assert_error
from ecomops.dashboard.figures import build_dashboard
from ecomops.dashboard.shapes import Period
from ecomops.org.scoping import ALL_SCOPE

pytestmark = pytest.mark.django_db


def api(user) -> ApiClient:
    http = Client()
    http.force_login(user)
    return ApiClient(http)


@pytest.fixture
def viewer(org):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_dashboard")
    for user in (org.admin, org.member_a, org.user_a):
        user.user_permissions.add(perm)
    return org


def kpis(response) -> dict:
    assert response.status_code == 200, response.content
    return {k["key"]: k for k in response.json()["kpis"]}


def test_figures_of_a_day_for_the_whole_company(shop, viewer):
    response = api(viewer.admin).get("dashboard", {"period": "day", "day": "2026-03-10"})
    figures = kpis(response)
    assert figures["sales"]["value"] == "1150.43" and figures["sales"]["previous"] == "50.05"
    assert figures["orders"]["value"] == 4 and figures["refund_rate"]["value"] == "0.0261"
    assert figures["sales"]["change"] == "21.9856" and figures["sales"]["clause"] == "DAT-01"
    body = response.json()
    assert body["period"] == {"kind": "day", "start": "2026-03-10", "end": "2026-03-10"}
    board = build_dashboard(ALL_SCOPE, Period.of("day", date(2026, 3, 10)))
    top = next(c for c in body["charts"] if c["key"] == "top_skus")
    assert top["rows"] == [[name, units, str(amount)] for name, units, amount in board.chart("top_skus").rows]


def test_a_client_user_gets_their_own_stores_and_nothing_wider(shop, viewer):
    own = kpis(api(viewer.member_a).get("dashboard", {"period": "day", "day": "2026-03-10"}))
    assert own["sales"]["value"] == "150.43"  # client A's stores only (client B's 1000.00 left out)
    assert_error(api(viewer.member_a).get("dashboard", {"day": "2026-03-10", "store": viewer.store_b1.pk}), 404)
    assert_error(api(viewer.member_a).get("dashboard", {"client": viewer.client_b.pk}), 404)
    one_store = kpis(api(viewer.admin).get("dashboard", {"day": "2026-03-10", "store": viewer.store_a1.pk}))
    assert one_store["sales"]["value"] == "120.10" and one_store["stock_value"]["value"] is None
    assert_error(api(viewer.nobody).get("dashboard"), 403)  # no dashboard permission


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"period": "year"}, 422, "period"),  # not one of the four: the schema's own check
    ({"period": "custom", "start": "2026-03-10"}, 400, "end"),
    ({"period": "custom", "start": "2026-03-11", "end": "2026-03-10"}, 400, "start"),
    ({"period": "custom", "start": "2020-01-01", "end": "2026-03-10"}, 400, "end"),
    ({"period": "day", "day": "2026-02-30"}, 422, "day"),  # not a date at all: the schema's own check
    ({"period": "week", "day": "0001-01-01"}, 400, "day"),  # a date, but not one the dashboard answers for
    ({"period": "custom", "start": "2099-12-01", "end": "9999-12-31"}, 400, "end"),
])
def test_a_bad_period_is_refused_naming_the_parameter(viewer, params, status, field):
    assert_error(api(viewer.admin).get("dashboard", params), status, field=field)
