"""DAT-02 / AGY-07 through the API: a user sees and changes only the clients and stores granted to
them; anything else is a 404 with the error shape, for reading and for changing alike."""

from __future__ import annotations

import pytest

from ecomops.org.models import Client, Store

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture(params=["session", "token"])
def as_user(request, session_api, token_api):
    """Every scoping test runs with both kinds of authentication."""
    return session_api if request.param == "session" else token_api


def test_user_a_cannot_read_client_b_or_its_store(org, as_user):
    api = as_user(org.user_a)
    assert_error(api.get(f"clients/{org.client_b.pk}"), 404, "not_found", None)
    assert_error(api.get(f"stores/{org.store_b1.pk}"), 404, "not_found", None)
    # ... and the answer is the same as for a record that does not exist at all.
    assert api.get(f"stores/{org.store_b1.pk}").json() == api.get("stores/999999").json()


def test_user_a_cannot_change_client_b_or_its_store(org, as_user):
    api = as_user(org.user_a)
    assert_error(api.patch(f"clients/{org.client_b.pk}", {"name": "改名"}), 404, "not_found", None)
    assert_error(api.patch(f"stores/{org.store_b1.pk}", {"name": "改名"}), 404, "not_found", None)
    assert Client.objects.get(pk=org.client_b.pk).name == "乙品牌"
    assert Store.objects.get(pk=org.store_b1.pk).name == "乙品牌淘宝店"


def test_user_a_cannot_move_a_store_to_client_b_or_open_one_there(org, as_user):
    api = as_user(org.user_a)
    assert_error(api.patch(f"stores/{org.store_a1.pk}", {"client_id": org.client_b.pk}), 400, "not_found",
                 "client_id")
    taobao = org.store_a1.platform_id
    assert_error(api.post("stores", {"code": "B9", "name": "乙店", "client_id": org.client_b.pk,
                                     "platform_id": taobao}), 400, "not_found", "client_id")
    # The refusal reads exactly like a client that does not exist.
    missing = api.post("stores", {"code": "B9", "name": "乙店", "client_id": 999999, "platform_id": taobao})
    assert_error(missing, 400, "not_found", "client_id")
    assert not Store.objects.filter(code="B9").exists()


def test_lists_show_only_granted_clients_and_stores(org, as_user):
    assert codes(as_user(org.user_a).get("clients")) == ["CA"]
    assert codes(as_user(org.user_a).get("stores")) == ["A1", "A2"]
    assert codes(as_user(org.user_b).get("clients")) == ["CB"]
    assert codes(as_user(org.user_b).get("stores")) == ["B1"]
    assert codes(as_user(org.nobody).get("clients")) == []
    assert codes(as_user(org.admin).get("stores")) == ["A1", "A2", "B1"]


def test_filters_never_widen_the_scope(org, as_user):
    api = as_user(org.user_a)
    assert codes(api.get("stores", {"client_id": org.client_b.pk})) == []
    assert codes(api.get("stores", {"platform": "taobao"})) == ["A1"]
    assert codes(api.get("stores", {"q": "乙"})) == []
    assert api.get("stores", {"client_id": org.client_b.pk}).json()["count"] == 0


def test_store_grant_sees_that_store_only(org, as_user):
    api = as_user(org.user_a1)
    assert codes(api.get("stores")) == ["A1"]
    assert_error(api.get(f"stores/{org.store_a2.pk}"), 404, "not_found")


def test_client_member_sees_only_their_client_whatever_else_is_granted(org, as_user):
    api = as_user(org.member_a)
    assert codes(api.get("clients")) == ["CA"]
    assert codes(api.get("stores")) == ["A1", "A2"]
    assert_error(api.get(f"clients/{org.client_b.pk}"), 404, "not_found")
    assert_error(api.get(f"stores/{org.store_b1.pk}"), 404, "not_found")


def test_client_member_cannot_read_internal_organisation(org, as_user):
    from django.contrib.auth.models import Permission

    # Even holding the view permissions, a client's own user does not see the company's internals.
    org.member_a.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_department", "view_position", "view_staff", "view_policyparameter",
                      "view_regulationversion"]))
    api = as_user(type(org.member_a).objects.get(pk=org.member_a.pk))
    for path in ["departments", "positions", "staff", f"departments/{org.department.pk}", "policies",
                 "regulations"]:
        assert_error(api.get(path), 403, "forbidden", None)


def test_user_a_can_read_and_change_own_client_and_store(org, as_user):
    api = as_user(org.user_a)
    assert api.get(f"clients/{org.client_a.pk}").json()["code"] == "CA"
    response = api.patch(f"stores/{org.store_a1.pk}", {"name": "甲品牌天猫店", "status": "active"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "甲品牌天猫店" and body["status"] == "active"
    assert body["client"] == {"id": org.client_a.pk, "code": "CA", "name": "甲品牌"}
    store = Store.objects.get(pk=org.store_a1.pk)
    assert store.name == "甲品牌天猫店"
    assert store.history.first().history_user == org.user_a  # DAT-02: who changed it


def test_new_store_under_own_client(org, as_user):
    api = as_user(org.user_a)
    response = api.post("stores", {"code": "A3", "name": "甲品牌拼多多店", "client_id": org.client_a.pk,
                                   "platform_id": org.store_a2.platform_id})
    assert response.status_code == 201, response.content
    assert response.json()["client"]["code"] == "CA"
    assert codes(api.get("stores")) == ["A1", "A2", "A3"]
