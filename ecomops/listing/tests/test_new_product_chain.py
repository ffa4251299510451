"""CAT-08: when a new style's goods are put away, the product department must publish it within the
policy period and QC measures the sample sizes by the next day; the first publication closes the item."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import NotAllowed
from ecomops.listing import actions
from ecomops.org.actions import hire_staff, set_positions
from ecomops.org.models import Department, Position
from ecomops.policy import registry
from ecomops.policy.actions import change_value
from ecomops.policy.models import PolicyParameter

from .conftest import CLEAN, admit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(lst):
    lst.editor = hire_staff(user=lst.admin, username="bianji", name="王编辑", employee_no="P001",
                            department=Department.objects.get(code="product_editing"), hired_on=lst.today,
                            password=lst.password)
    lst.qc = hire_staff(user=lst.admin, username="zhijian", name="李质检", employee_no="Q001",
                        department=Department.objects.get(code="warehouse"), hired_on=lst.today,
                        password=lst.password)
    set_positions(lst.qc, user=lst.admin, positions=[Position.objects.get(code="qc_inspector")])
    return lst


def test_cat08_putaway_raises_publish_and_measure_items_from_policy(people):
    o = people
    inbound = timezone.make_aware(datetime(2030, 5, 6, 10, 30))
    chain = actions.raise_new_product_chain(o.dress, inbound, user=o.admin)
    publish = DueItem.objects.get(kind=actions.PUBLISH_DUE_KIND)
    assert publish.owner == o.editor.user and publish.clause == "CAT-08"
    assert publish.due_at == inbound + registry.value("CAT-08.publish_within", on=inbound.date())
    assert publish.due_at == inbound + timedelta(days=3)
    measure = DueItem.objects.get(kind=actions.MEASURE_DUE_KIND)
    assert measure.owner == o.qc.user
    assert timezone.localtime(measure.due_at).date() == inbound.date() + timedelta(days=1)
    assert (chain.publish_due_at, chain.measure_due_at) == (publish.due_at, measure.due_at)
    # Raised once per style: a second put-away changes nothing.
    assert actions.raise_new_product_chain(o.dress, inbound + timedelta(days=1), user=o.admin) == chain
    assert DueItem.objects.count() == 2


def test_cat08_the_period_is_the_policy_in_force(people):
    o = people
    tomorrow = timezone.localdate() + timedelta(days=1)
    change_value(PolicyParameter.objects.get(key="CAT-08.publish_within"), "5d", effective_from=tomorrow,
                 user=o.admin, reason="旺季")
    inbound = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time())) + timedelta(hours=9)
    actions.raise_new_product_chain(o.dress, inbound, user=o.admin)
    assert DueItem.objects.get(kind=actions.PUBLISH_DUE_KIND).due_at == inbound + timedelta(days=5)


def test_cat08_first_publication_completes_the_publish_item(people):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    listing = actions.submit_listing(listing, user=o.user_a)
    actions.approve_listing(listing, user=o.reviewer, publish=True)
    item = DueItem.objects.get(kind=actions.PUBLISH_DUE_KIND)
    assert item.done_at is not None and item.done_by == o.reviewer and not item.is_late
    chain.refresh_from_db()
    assert chain.first_listing == listing and chain.published_at == item.done_at
    assert DueItem.objects.get(kind=actions.MEASURE_DUE_KIND).done_at is None
    with pytest.raises(NotAllowed):
        actions.record_sizes_measured(chain, user=o.editor.user)
    actions.record_sizes_measured(chain, user=o.qc.user)
    assert DueItem.objects.get(kind=actions.MEASURE_DUE_KIND).done_by == o.qc.user


def test_cat08_without_product_staff_the_superusers_are_reminded(lst):
    actions.raise_new_product_chain(lst.longjing, timezone.now(), user=lst.admin)
    owners = set(DueItem.objects.values_list("owner__username", flat=True))
    assert owners == {"admin"}


def test_cat08_a_style_already_on_sale_needs_no_publish_item(people):
    o = people
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    actions.approve_listing(actions.submit_listing(listing, user=o.user_a), user=o.reviewer, publish=True)
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    assert chain.published_at is not None
    assert not DueItem.objects.filter(kind=actions.PUBLISH_DUE_KIND).exists()
    assert Decimal(listing.price) == CLEAN["price"]
