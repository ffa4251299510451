"""CAT-08: when a new style's goods are put away, the product department must publish it within the
policy period and QC measures the sample sizes by the next day; the first publication closes the item."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.catalog import actions as catalog_actions
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.listing import actions
from ecomops.org.actions import hire_staff, set_positions
from ecomops.org.models import ClientGrant, Department, Position
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
    # DAT-02: the items go to people who see the style's client (A).
    for staff in (lst.editor, lst.qc):
        ClientGrant.objects.create(user=staff.user, client=lst.client_a)
    return lst


def test_dat02_cat08_items_never_go_to_people_who_do_not_see_the_client(people):
    """The product department and QC of another client are not given A's items; nobody of A's there:
    the superusers get them (never the whole department regardless of scope)."""
    o = people
    ClientGrant.objects.filter(user__in=[o.editor.user, o.qc.user]).update(client=o.client_b)
    actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    assert set(DueItem.objects.values_list("kind", "owner__username")) == {
        (actions.PUBLISH_DUE_KIND, "admin"), (actions.MEASURE_DUE_KIND, "admin")}


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
        actions.record_sizes_measured(chain, user=o.editor.user, measurements={"S": "衣长 95 cm"})
    actions.record_sizes_measured(chain, user=o.qc.user, measurements={"S": "衣长 95 cm"})
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


# --- CAT-08: QC records what was measured, size by size ---------------------------------------------


def test_cat08_measurements_are_recorded_per_size_and_complete_the_qc_item(people):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    chain = actions.record_sizes_measured(chain, user=o.qc.user, note="样衣 1 号",
                                          measurements={"M": " 衣长 98  / 胸围 92 cm ", "S": "衣长 95 / 胸围 88 cm"})
    chain.refresh_from_db()
    # Spaces tidied. (PostgreSQL's jsonb does not keep key order; the page lists sizes in the style's order.)
    assert chain.measurements == {"S": "衣长 95 / 胸围 88 cm", "M": "衣长 98 / 胸围 92 cm"}
    assert (chain.measured_by, chain.measure_note) == (o.qc.user, "样衣 1 号")
    item = DueItem.objects.get(kind=actions.MEASURE_DUE_KIND)
    assert item.done_by == o.qc.user and item.done_at == chain.measured_at
    with pytest.raises(BusinessError, match="已登记量尺码"):
        actions.record_sizes_measured(chain, user=o.qc.user, measurements={"S": "再量一次"})


@pytest.mark.parametrize(
    ("measurements", "message"),
    [
        ({}, "至少填写一个尺码"),
        ({"S": "   "}, "至少填写一个尺码"),
        ({"XXL": "衣长 110 cm"}, "没有尺码“XXL”"),
        ({"S": "长" * 301}, "最多 300 字"),
    ],
)
def test_cat08_measurements_must_name_sizes_of_the_style(people, measurements, message):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    with pytest.raises(BusinessError, match=message) as refused:
        actions.record_sizes_measured(chain, user=o.qc.user, measurements=measurements)
    assert refused.value.field == "measurements"
    chain.refresh_from_db()
    assert chain.measured_at is None
    assert DueItem.objects.get(kind=actions.MEASURE_DUE_KIND).done_at is None


def test_cat08_style_without_sizes_is_measured_as_one(people):
    o = people
    tea = catalog_actions.create_style(user=o.admin, client=o.client_a, style_no="T009", name="白茶饼",
                                       unit_cost=Decimal("50.00"), price=Decimal("120.00"))
    chain = actions.raise_new_product_chain(tea, timezone.now(), user=o.admin)
    assert actions.sizes_to_measure(tea) == [""]
    chain = actions.record_sizes_measured(chain, user=o.qc.user, measurements={"": "直径 20 cm，厚 2 cm"})
    assert chain.measurements == {"": "直径 20 cm，厚 2 cm"}


def test_cat08_the_measuring_item_leads_qc_to_the_measuring_page(people):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    item = DueItem.objects.get(kind=actions.MEASURE_DUE_KIND)
    assert item.link == reverse("listing:chain_measure", args=[chain.pk])
    publish = DueItem.objects.get(kind=actions.PUBLISH_DUE_KIND)
    assert publish.link == reverse("catalog:style_detail", args=[o.dress.pk])


def _page(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_cat08_qc_records_sizes_on_the_page_without_catalogue_rights(people):
    """The QC inspector holds no catalogue rights: the item given to them opens the page."""
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    url = reverse("listing:chain_measure", args=[chain.pk])
    qc = _page(o.qc.user)
    page = qc.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="m-size_0"' in html and 'name="m-size_1"' in html and "登记量尺码" in html
    refused = qc.post(url, {"m-size_0": "", "m-size_1": " ", "m-note": ""})
    assert refused.status_code == 400 and "请至少填写一个尺码的测量结果" in refused.content.decode()
    done = qc.post(url, {"m-size_0": "衣长 95 cm", "m-size_1": "衣长 98 cm", "m-note": "样衣"})
    assert done.status_code == 302 and done["Location"] == url
    chain.refresh_from_db()
    assert chain.measurements == {"S": "衣长 95 cm", "M": "衣长 98 cm"} and chain.measured_by == o.qc.user
    assert DueItem.objects.get(kind=actions.MEASURE_DUE_KIND).done_at is not None
    shown = qc.get(url).content.decode()
    assert "衣长 98 cm" in shown and 'name="m-size_0"' not in shown
    assert qc.get(reverse("listing:chains")).status_code == 200


def test_cat08_measuring_page_is_read_only_for_product_staff_and_scoped(people):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    url = reverse("listing:chain_measure", args=[chain.pk])
    editor = _page(o.user_a)  # product editor of client A: may follow the chain, not measure
    page = editor.get(url)
    assert page.status_code == 200 and 'name="m-size_0"' not in page.content.decode()
    assert editor.post(url, {"m-size_0": "衣长 95 cm"}).status_code == 403
    assert _page(o.user_b).get(url).status_code == 404  # client B's editor: another client's style
    assert _page(o.member_a).get(url).status_code == 404  # client users never see internal pages
    assert _page(o.nobody).get(url).status_code == 404
    chain.refresh_from_db()
    assert chain.measured_at is None


def test_cat08_style_page_links_the_measuring_page(people):
    o = people
    chain = actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    html = _page(o.user_a).get(reverse("catalog:style_detail", args=[o.dress.pk])).content.decode()
    assert reverse("listing:chain_measure", args=[chain.pk]) in html and "待量尺码" in html


def test_cat08_publish_item_goes_to_the_editors_of_the_styles_client(people):
    """The product department's editor who works for the client gets the item, not the other client's."""
    from ecomops.org.actions import grant_client

    o = people
    ClientGrant.objects.filter(user=o.editor.user).delete()  # the fixture's editor: no client here
    dept = Department.objects.get(code="product_editing")
    editor_a = hire_staff(user=o.admin, username="bianji_a", name="甲编辑", employee_no="P002", department=dept,
                          hired_on=o.today, password=o.password)
    editor_b = hire_staff(user=o.admin, username="bianji_b", name="乙编辑", employee_no="P003", department=dept,
                          hired_on=o.today, password=o.password)
    grant_client(editor_a.user, o.client_a, user=o.admin)
    grant_client(editor_b.user, o.client_b, user=o.admin)
    actions.raise_new_product_chain(o.dress, timezone.now(), user=o.admin)
    owners = set(DueItem.objects.filter(kind=actions.PUBLISH_DUE_KIND).values_list("owner__username", flat=True))
    assert owners == {"bianji_a"}
