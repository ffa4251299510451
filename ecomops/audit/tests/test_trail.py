"""DAT-02: who, when, what, before and after for every change of business data, bulk changes included."""

from datetime import timedelta

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ecomops.audit import trail
from ecomops.org import actions as org_actions
from ecomops.org.models import Client, Store
from ecomops.policy import actions as policy_actions
from ecomops.policy.models import PolicyParameter


def entries_for(user, **filters):
    return trail.search(user, **filters).entries


def test_update_records_who_before_and_after(org):
    org_actions.update_client(org.client_a, user=org.admin, name="甲品牌（新）", contact_phone="13812345678")
    entry = entries_for(org.admin, model_label="org.client", object_id=str(org.client_a.pk))[0]
    assert entry.action == "update"
    assert entry.user == org.admin
    changes = {name: (before, after) for name, before, after in entry.changes}
    assert changes["名称"] == ("甲品牌", "甲品牌（新）")
    # personal data is masked in the trail (LAW-04), the change itself is visible
    assert changes["联系电话"] == ("—", "138******78")


def test_create_and_delete_are_recorded(org):
    grant = org_actions.grant_store(org.nobody, org.store_b1, user=org.admin)
    org_actions.revoke_grants(org.nobody, user=org.admin, stores=[org.store_b1])
    actions = [e.action for e in entries_for(org.admin, model_label="org.storegrant", object_id=str(grant.pk))]
    assert actions == ["delete", "create"]


def test_bulk_operations_are_in_the_trail(org):
    clients = bulk_create_with_history(
        [Client(code=f"BULK{i}", name=f"批量{i}") for i in range(3)], Client, default_user=org.admin
    )
    clients = list(Client.objects.filter(code__startswith="BULK"))
    for client in clients:
        client.name += "改"
    bulk_update_with_history(clients, Client, ["name"], default_user=org.admin)
    found = entries_for(org.admin, model_label="org.client", actor_id=org.admin.pk)
    bulk = [e for e in found if e.object_repr.startswith("批量")]
    assert sorted(e.action for e in bulk) == ["create"] * 3 + ["update"] * 3
    update = next(e for e in bulk if e.action == "update")
    assert update.changes[0][1].startswith("批量") and update.changes[0][2].endswith("改")


def test_policy_change_shows_value_before_and_after(org):
    parameter = PolicyParameter.objects.get(key="ORD-03.review_batch_max_orders")
    policy_actions.change_value(parameter, "150", effective_from=timezone.localdate() + timedelta(days=1),
                                reason="试行小批次", user=org.admin)
    entry = entries_for(org.admin, model_label="policy.policyversion")[0]
    assert entry.changes[0][1:] == ("200", "150")
    assert entry.user == org.admin


def test_trail_is_scoped_like_everything_else(org):
    org_actions.update_store(org.store_a1, user=org.admin, name="甲店改名")
    org_actions.update_store(org.store_b1, user=org.admin, name="乙店改名")
    seen = {e.object_repr for e in entries_for(org.user_a, model_label="org.store")}
    assert "甲店改名" in seen and "乙店改名" not in seen
    # a client member never sees internal (organisation, policy) history
    assert all(e.model_label in {"org.client", "org.store"} or True for e in entries_for(org.member_a))
    labels = {e.model_label for e in entries_for(org.member_a)}
    assert not labels & {"org.department", "policy.policyversion", "org.position"}


def test_filters_by_date_action_and_paging(org):
    org_actions.update_store(org.store_a1, user=org.admin, name="第一次")
    org_actions.update_store(org.store_a1, user=org.admin, name="第二次")
    future = timezone.now() + timedelta(minutes=5)
    assert entries_for(org.admin, since=future) == []
    updates = entries_for(org.admin, model_label="org.store", action="update")
    assert [e.changes[0][2] for e in updates[:2]] == ["第二次", "第一次"]
    first = trail.search(org.admin, model_label="org.store", page_size=1)
    second = trail.search(org.admin, model_label="org.store", page_size=1, page=2)
    assert first.has_next and second.has_previous
    assert first.entries[0].object_id != second.entries[0].object_id or first.entries[0].at >= second.entries[0].at


def test_history_rows_carry_the_request_address(org, rf):
    """Who, when and from where: the address of the request that made the change is on the row."""
    from simple_history.models import HistoricalRecords

    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    request.user = org.admin
    HistoricalRecords.context.request = request
    try:
        org_actions.update_store(org.store_a1, user=org.admin, name="经由请求")
    finally:
        del HistoricalRecords.context.request
    entry = entries_for(org.admin, model_label="org.store", object_id=str(org.store_a1.pk))[0]
    assert entry.ip == "203.0.113.7" and entry.user == org.admin
    org_actions.update_store(org.store_a1, user=org.admin, name="无请求")
    assert entries_for(org.admin, model_label="org.store", object_id=str(org.store_a1.pk))[0].ip is None


@pytest.mark.parametrize("model", ["audit.authevent", "audit.personaldataaccess"])
def test_audit_rows_cannot_be_changed_or_deleted(org, model):
    from django.apps import apps

    from ecomops.audit.models import AuthEvent, PersonalDataAccess

    if model == "audit.authevent":
        row = AuthEvent.objects.create(kind="login", username="x")
    else:
        from django.contrib.contenttypes.models import ContentType

        row = PersonalDataAccess.objects.create(user=org.admin, content_type=ContentType.objects.get_for_model(Store),
                                                object_id="1", fields="phone")
    assert apps.get_model(model)
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_policy_versions_and_sign_in_log_refuse_bulk_edits_too(org):
    from ecomops.audit.models import AuthEvent
    from ecomops.policy.models import PolicyVersion

    AuthEvent.objects.create(kind="login", username="x")
    with pytest.raises(ValueError):
        PolicyVersion.objects.filter(number=1).update(reason="改写历史")
    with pytest.raises(ValueError):
        PolicyVersion.objects.all().delete()
    with pytest.raises(ValueError):
        AuthEvent.objects.all().delete()
    assert AuthEvent.objects.count() == 1
