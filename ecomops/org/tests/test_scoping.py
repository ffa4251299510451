"""DAT-02 / AGY-07: a user sees only the clients and stores granted to them."""

import pytest
from django.http import Http404

from ecomops.audit.models import DueItem
from ecomops.org.models import Client, Store
from ecomops.org.scoping import get_visible_or_404, scope_for


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_client_grant_sees_client_and_all_its_stores(org):
    assert codes(Client.objects.visible_to(org.user_a)) == ["CA"]
    assert codes(Store.objects.visible_to(org.user_a)) == ["A1", "A2"]


def test_store_grant_sees_only_that_store_and_its_client_by_name(org):
    assert codes(Store.objects.visible_to(org.user_a1)) == ["A1"]
    assert codes(Client.objects.visible_to(org.user_a1)) == ["CA"]
    # ... but not client-level records of client A
    assert not scope_for(org.user_a1).sees_client(org.client_a.pk)


def test_client_member_sees_own_client_only_even_with_other_grants(org):
    assert codes(Client.objects.visible_to(org.member_a)) == ["CA"]
    assert codes(Store.objects.visible_to(org.member_a)) == ["A1", "A2"]


def test_user_without_grants_sees_nothing(org):
    assert codes(Client.objects.visible_to(org.nobody)) == []
    assert codes(Store.objects.visible_to(org.nobody)) == []


def test_superuser_sees_everything(org):
    assert codes(Store.objects.visible_to(org.admin)) == ["A1", "A2", "B1"]


def test_other_clients_record_is_404_not_403(org):
    with pytest.raises(Http404):
        get_visible_or_404(Store, org.user_a, pk=org.store_b1.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Store, org.user_a, pk=999999)
    assert get_visible_or_404(Store, org.user_a, pk=org.store_a2.pk) == org.store_a2


def test_client_and_store_level_records_follow_the_same_rule(org):
    from django.utils import timezone

    item_a = DueItem.objects.create(kind="t", title="a", owner=org.admin, client=org.client_a,
                                    due_at=timezone.now())
    item_a1 = DueItem.objects.create(kind="t", title="a1", owner=org.admin, client=org.client_a,
                                     store=org.store_a1, due_at=timezone.now(), source_id="1")
    DueItem.objects.create(kind="t", title="b1", owner=org.admin, client=org.client_b, store=org.store_b1,
                           due_at=timezone.now(), source_id="2")
    assert set(DueItem.objects.visible_to(org.user_a)) == {item_a, item_a1}
    assert set(DueItem.objects.visible_to(org.user_a1)) == {item_a1}
    assert set(DueItem.objects.visible_to(org.member_a)) == {item_a, item_a1}
