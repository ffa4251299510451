"""The audit pages (DAT-02): who changed what with before → after, sign-in records with the address,
reads of personal data; read-only in the product and in the admin, for everybody."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from ecomops.audit.models import AuthEvent, AuthEventKind, PersonalDataAccess
from ecomops.org import actions
from ecomops.org.models import Department
from ecomops.policy.models import PolicyVersion


def with_perms(username: str, *perms: str):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def auditor(org):
    """Reads the trail of every client (the trail is scoped like everything else, DAT-02)."""
    return with_perms("auditor", "audit.view_audit_trail", "org.access_all_clients")


def test_trail_shows_who_changed_what_before_and_after(client, org, auditor):
    client.force_login(org.user_a)
    client.post(
        reverse("org:client_edit", args=[org.client_a.pk]),
        {"code": "CA", "name": "甲品牌（更名）", "status": "active"},
        REMOTE_ADDR="10.1.2.3",
    )
    client.force_login(auditor)
    response = client.get(
        reverse("audit:trail"), {"model": "org.client", "object_id": org.client_a.pk, "action": "update"}
    )
    assert response.status_code == 200
    entries = response.context["result"].entries
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.user, entry.ip, entry.action) == (org.user_a, "10.1.2.3", "update")
    assert ("名称", "甲品牌", "甲品牌（更名）") in entry.changes
    row = response.text.split('data-testid="trail-table"')[1]
    assert "user_a" in row and "10.1.2.3" in row and "甲品牌（更名）" in row and "修改" in row


def test_trail_filters_by_user_and_dates(client, org, auditor):
    actions.update_client(org.client_a, user=org.user_a, name="甲1")
    actions.update_client(org.client_b, user=org.user_b, name="乙1")
    client.force_login(auditor)
    mine = client.get(reverse("audit:trail"), {"user": "user_b"}).context["result"].entries
    assert mine and {e.user for e in mine} == {org.user_b}
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    none = client.get(reverse("audit:trail"), {"since": tomorrow}).context["result"].entries
    assert none == []
    unknown = client.get(reverse("audit:trail"), {"user": "ghost"})
    assert "没有登录账号为“ghost”的用户" in unknown.text


def test_trail_is_scoped_to_the_clients_the_reader_may_see(client, org):
    actions.update_client(org.client_b, user=org.user_b, name="乙品牌（更名）")
    reader = with_perms("reader_a", "audit.view_audit_trail")
    from ecomops.org.models import ClientGrant

    ClientGrant.objects.create(user=reader, client=org.client_a)
    client.force_login(reader)
    response = client.get(reverse("audit:trail"), {"model": "org.client"})
    assert {e.object_id for e in response.context["result"].entries} == {str(org.client_a.pk)}
    assert "乙品牌（更名）" not in response.text


def test_sign_in_records_show_failures_with_the_address(client, org, auditor):
    client.post(reverse("login"), {"username": "user_a", "password": "wrong"}, REMOTE_ADDR="10.9.8.7")
    client.force_login(auditor)
    response = client.get(reverse("audit:logins"), {"kind": AuthEventKind.FAILED})
    events = list(response.context["events"])
    assert [(e.username, e.ip_address) for e in events] == [("user_a", "10.9.8.7")]
    assert "wrong" not in response.text  # never the password


def test_personal_data_reads_are_listed(client, org, auditor):
    staff = actions.hire_staff(
        user=org.admin,
        username="s1",
        name="王五",
        employee_no="S1",
        department=Department.objects.get(code="hr"),
        hired_on=date(2024, 1, 1),
        phone="13900001111",
    )
    client.force_login(org.admin)
    client.post(reverse("org:staff_phone", args=[staff.pk]))
    client.force_login(auditor)
    response = client.get(reverse("audit:personal_data"))
    read = response.context["reads"][0]
    assert (read.user, read.field_names, read.model_name) == (org.admin, "手机号", "员工")
    assert "13900001111" not in response.text


@pytest.mark.parametrize("name", ["audit:trail", "audit:logins", "audit:personal_data"])
def test_audit_pages_are_read_only(client, org, auditor, name):
    client.force_login(auditor)
    assert client.get(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405
    assert client.delete(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["audit:trail", "audit:logins", "audit:personal_data"])
def test_audit_pages_need_the_permission_and_are_hidden_from_client_users(client, org, name):
    client.force_login(org.user_a)
    assert client.get(reverse(name)).status_code == 403
    org.member_a.user_permissions.add(Permission.objects.get(codename="view_audit_trail"))
    client.force_login(get_user_model().objects.get(pk=org.member_a.pk))
    assert client.get(reverse(name)).status_code == 404


# --- The admin cannot rewrite the record either --------------------------------------------------


@pytest.mark.parametrize("model", ["audit/authevent", "audit/personaldataaccess", "policy/policyversion"])
def test_admin_cannot_add_change_or_delete_audit_records_even_as_superuser(client, org, model):
    client.force_login(org.admin)
    client.post(reverse("login"), {"username": "x", "password": "y"})  # one sign-in record at least
    client.force_login(org.admin)
    staff = actions.hire_staff(
        user=org.admin,
        username="s2",
        name="赵六",
        employee_no="S2",
        department=Department.objects.get(code="hr"),
        hired_on=date(2024, 1, 1),
        phone="13900002222",
    )
    client.post(reverse("org:staff_phone", args=[staff.pk]))
    record = {
        "audit/authevent": AuthEvent,
        "audit/personaldataaccess": PersonalDataAccess,
        "audit/policyversion": None,
        "policy/policyversion": PolicyVersion,
    }[model].objects.first()
    base = f"/admin/{model}/"
    assert client.get(base).status_code == 200  # readable
    assert client.get(base + "add/").status_code == 403
    change = client.get(f"{base}{record.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.text
    assert client.post(f"{base}{record.pk}/change/", {}).status_code == 403
    assert client.get(f"{base}{record.pk}/delete/").status_code == 403


def test_admin_history_cannot_be_written_back(client, org):
    actions.update_client(org.client_a, user=org.admin, name="甲品牌二")
    old = org.client_a.history.order_by("history_id").first()
    client.force_login(org.admin)
    url = f"/admin/org/client/{org.client_a.pk}/history/{old.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"code": "CA", "name": "甲品牌", "status": "active"}).status_code == 403
    org.client_a.refresh_from_db()
    assert org.client_a.name == "甲品牌二"
