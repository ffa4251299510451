"""POL-01, POL-02, ORG-06 through the API: read a parameter and its history, the value in force on a
date, change it from an effective date (permission-guarded, validated), and acknowledge regulations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.policy import actions, registry
from ecomops.policy.models import PolicyParameter, PolicyVersion

from .conftest import assert_error

pytestmark = pytest.mark.django_db
User = get_user_model()

RATE = "WMS-25.first_sample_rate"  # a percentage, seeded at 10 %


@pytest.fixture
def owner(org):
    """A policy owner: may read and change policy values, nothing else."""
    user = User.objects.create_user(username="policy_owner", password=org.password)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="policy", codename__in=["view_policyparameter", "change_policy_value"]))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def reader(org):
    user = User.objects.create_user(username="policy_reader", password=org.password)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="policy",
                                                     codename="view_policyparameter"))
    return User.objects.get(pk=user.pk)


def test_policies_are_listed_by_group_with_the_value_in_force(org, session_api, reader):
    body = session_api(reader).get("policies", {"group": "WMS", "page_size": 200}).json()
    assert body["count"] == PolicyParameter.objects.filter(group="WMS").count() > 0
    assert {p["group"] for p in body["items"]} == {"WMS"}
    rate = next(p for p in body["items"] if p["key"] == RATE)
    assert rate["clause"] == "WMS-25" and rate["kind"] == "percentage"
    assert rate["current"]["value"] == "0.1" and rate["current"]["display"] == "10%"
    by_clause = session_api(reader).get("policies", {"clause": "WMS-25"}).json()["items"]
    assert {p["clause"] for p in by_clause} == {"WMS-25"}


def test_reading_policies_needs_the_permission(org, session_api):
    assert_error(session_api(org.nobody).get("policies"), 403, "forbidden")
    assert_error(session_api(org.nobody).get(f"policies/{RATE}"), 403, "forbidden")


def test_new_version_takes_over_from_its_effective_date_and_the_old_stays_readable(org, session_api, owner):
    """POL-01: a change is a new version from a date on; code asks for the value in force on date D."""
    today = timezone.localdate()
    next_week = today + timedelta(days=7)
    api = session_api(owner)
    response = api.post(f"policies/{RATE}/versions",
                        {"value": "0.2", "effective_from": next_week.isoformat(), "reason": "抽检加严"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["number"] == 2 and created["value"] == "0.2" and created["created_by"] == "policy_owner"

    def value_on(day):
        return api.get(f"policies/{RATE}/value", {"on": day.isoformat()}).json()

    assert value_on(today)["value"] == "0.1"
    assert value_on(next_week - timedelta(days=1))["value"] == "0.1"
    assert value_on(next_week)["value"] == "0.2" and value_on(next_week)["version"] == 2
    assert "WMS-25" in value_on(next_week)["citation"]
    assert str(registry.value(RATE, on=next_week)) == "0.2"  # the registry code uses agrees

    detail = api.get(f"policies/{RATE}").json()
    assert detail["current"]["number"] == 1  # today the old value is still in force
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert detail["versions"][0]["reason"] == "抽检加严"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (RATE, "abc"),                       # not a number
        (RATE, "5"),                         # 500 %: out of the parameter's range
        (RATE, {"rate": "0.1"}),             # wrong JSON type
        ("PER-01.base_salary_member", "1e30"),   # a number too large for money to the fen
        ("PER-01.base_salary_member", "12.345"),  # money has at most two decimals
        ("DAT-02.login_failure_window", {"amount": -1, "unit": "minutes"}),
    ],
)
def test_bad_value_is_4xx_naming_value_and_writes_nothing(org, session_api, owner, key, value):
    before = PolicyVersion.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = session_api(owner).post(f"policies/{key}/versions",
                                 {"value": value, "effective_from": tomorrow.isoformat(), "reason": "测试"})
    assert_error(response, 400, "invalid", "value")
    assert PolicyVersion.objects.count() == before


def test_past_effective_date_and_missing_reason_are_refused(org, session_api, owner):
    api = session_api(owner)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert_error(api.post(f"policies/{RATE}/versions",
                          {"value": "0.2", "effective_from": yesterday.isoformat(), "reason": "补录"}),
                 400, "invalid", "effective_from")
    assert_error(api.post(f"policies/{RATE}/versions",
                          {"value": "0.2", "effective_from": timezone.localdate().isoformat(), "reason": " "}),
                 422, "invalid", "reason")


def test_changing_a_value_needs_the_permission(org, session_api, reader):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = session_api(reader).post(f"policies/{RATE}/versions",
                                  {"value": "0.2", "effective_from": tomorrow.isoformat(), "reason": "x"})
    assert_error(response, 403, "forbidden")
    assert PolicyVersion.objects.filter(parameter__key=RATE).count() == 1


def test_unknown_key_is_404_and_a_bad_key_is_422(org, session_api, reader):
    assert_error(session_api(reader).get("policies/NOPE-01.nothing"), 404, "not_found")
    assert_error(session_api(reader).get("policies/a%00b"), 422, "invalid", "key")
    assert_error(session_api(reader).get(f"policies/{RATE}/value", {"on": "1900-01-01"}), 400, "not_found", "on")


# --- regulations (ORG-06) --------------------------------------------------------------------

@pytest.fixture
def regulation(org):
    version = actions.create_regulation(code="R-2025", title="运营制度 2025 版", announcement="全文……",
                                        effective_from=timezone.localdate() + timedelta(days=3), user=org.admin)
    return version


def test_staff_acknowledge_the_published_regulation_and_their_due_item_closes(org, session_api, regulation):
    from ecomops.org.actions import hire_staff

    staff = hire_staff(user=org.admin, username="zhao.liu", name="赵六", employee_no="E2001",
                       department=org.department, hired_on=timezone.localdate() - timedelta(days=30),
                       password=org.password)
    user = User.objects.get(pk=staff.user_id)
    user.user_permissions.add(Permission.objects.get(codename="view_regulationversion"))
    user = User.objects.get(pk=user.pk)
    api = session_api(user)
    assert_error(api.get(f"regulations/{regulation.pk}"), 404, "not_found")  # a draft is not shown
    actions.publish_regulation(regulation, user=org.admin)

    listed = api.get("regulations").json()["items"]
    assert [r["code"] for r in listed] == ["R-2025"] and listed[0]["acknowledged_at"] is None
    assert [d["title"] for d in api.get("me/due-items", {"open": "true"}).json()["items"]] \
        == ["签署制度承诺书：R-2025 运营制度 2025 版"]

    response = api.post(f"regulations/{regulation.pk}/acknowledge")
    assert response.status_code == 200, response.content
    assert api.get(f"regulations/{regulation.pk}").json()["acknowledged_at"] is not None
    assert DueItem.objects.open().filter(owner=user).count() == 0
    assert api.post(f"regulations/{regulation.pk}/acknowledge").status_code == 200  # signing twice is harmless


def test_only_staff_acknowledge(org, session_api, regulation):
    actions.publish_regulation(regulation, user=org.admin)
    assert_error(session_api(org.admin).post(f"regulations/{regulation.pk}/acknowledge"), 400, "invalid")
