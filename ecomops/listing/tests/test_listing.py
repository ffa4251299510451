"""CAT-02, CAT-03, LAW-02: listing content is checked automatically, reviewed by a person, then published;
delisting and re-listing are recorded; special goods need their licence in force (STO-04)."""

from decimal import Decimal

import pytest

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.listing import actions
from ecomops.listing.enums import ListingEventKind, ListingState
from ecomops.listing.models import Listing
from ecomops.org.enums import StoreState

from .conftest import CLEAN, admit, food_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def admitted(lst):
    admit(lst.dress, opener=lst.user_a, reviewer=lst.reviewer)
    return lst


def kinds(listing):
    return [e.kind for e in listing.events.order_by("at", "pk")]


def test_cat03_clean_content_goes_to_awaiting_review_then_approval_publishes(admitted):
    o = admitted
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    assert listing.status == ListingState.DRAFT
    listing = actions.submit_listing(listing, user=o.user_a)
    assert listing.status == ListingState.AWAITING_REVIEW
    assert not listing.current_hits().exists()
    listing = actions.approve_listing(listing, user=o.reviewer, comment="内容属实")
    assert (listing.status, listing.reviewed_by) == (ListingState.APPROVED, o.reviewer)
    listing = actions.publish_listing(listing, user=o.user_a)
    assert listing.status == ListingState.PUBLISHED and listing.published_at is not None
    assert kinds(listing) == ["created", "submitted", "compliance", "approved", "published"]
    event = listing.events.get(kind="published")
    assert (event.actor, event.from_state, event.to_state) == (o.user_a, "approved", "published")


def test_law02_hits_send_to_human_review_with_positions_never_a_silent_reject(admitted):
    o = admitted
    content = {**CLEAN, "title": "全网第一 真丝连衣裙", "description": "这是史上最低价的裙子"}
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **content)
    listing = actions.submit_listing(listing, user=o.user_a)
    assert listing.status == ListingState.NEEDS_REVIEW
    hits = {(h.field, h.matched): h for h in listing.current_hits()}
    title_hit = hits[("title", "全网第一")]
    assert (title_hit.start, title_hit.end) == (0, 4) and title_hit.reason
    desc_hit = hits[("description", "史上最低价")]
    assert content["description"][desc_hit.start:desc_hit.end] == "史上最低价"
    note = listing.events.get(kind=ListingEventKind.COMPLIANCE).note
    assert "全网第一" in note and "标题第 1 字" in note
    # Approving content with hits needs the reviewer's reason (LAW-02 exemptions), not silence.
    with pytest.raises(BusinessError, match="须写明理由"):
        actions.approve_listing(listing, user=o.reviewer)
    listing = actions.return_listing(listing, user=o.reviewer, reasons="删除绝对化用语")
    assert listing.status == ListingState.RETURNED and listing.review_comment == "删除绝对化用语"
    listing = actions.update_content(listing, user=o.user_a, title="真丝连衣裙 夏季新款", description="桑蚕丝面料")
    listing = actions.submit_listing(listing, user=o.user_a)
    assert listing.status == ListingState.AWAITING_REVIEW and listing.submission == 2
    assert listing.hits.filter(submission=1).count() == 2  # the first round's hits are kept
    assert not listing.current_hits().exists()


def test_cat03_out_of_order_steps_are_refused(admitted):
    o = admitted
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    for step in (
        lambda: actions.approve_listing(listing, user=o.reviewer),
        lambda: actions.return_listing(listing, user=o.reviewer, reasons="x"),
        lambda: actions.publish_listing(listing, user=o.user_a),
        lambda: actions.delist_listing(listing, user=o.user_a, reason="x"),
        lambda: actions.relist_listing(listing, user=o.user_a),
    ):
        with pytest.raises(BusinessError):
            step()
    listing = actions.submit_listing(listing, user=o.user_a)
    with pytest.raises(BusinessError, match="不能变为"):
        actions.submit_listing(listing, user=o.user_a)
    with pytest.raises(BusinessError, match="内容不能修改"):
        actions.update_content(listing, user=o.user_a, title="新标题")
    with pytest.raises(BusinessError, match="不能变为"):
        actions.publish_listing(listing, user=o.user_a)
    listing = actions.approve_listing(listing, user=o.reviewer)
    with pytest.raises(BusinessError, match="不能变为"):
        actions.approve_listing(listing, user=o.reviewer)
    listing = actions.publish_listing(listing, user=o.user_a)
    with pytest.raises(BusinessError, match="不能变为"):
        actions.publish_listing(listing, user=o.user_a)
    with pytest.raises(BusinessError, match="须写明原因"):
        actions.delist_listing(listing, user=o.user_a, reason=" ")
    assert Listing.objects.get(pk=listing.pk).status == ListingState.PUBLISHED


def test_cat03_delist_with_reason_and_relist_through_review_again(admitted):
    o = admitted
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    listing = actions.submit_listing(listing, user=o.user_a)
    listing = actions.approve_listing(listing, user=o.reviewer, publish=True)
    listing = actions.delist_listing(listing, user=o.user_a, reason="断码")
    assert (listing.status, listing.delist_reason) == (ListingState.DELISTED, "断码")
    listing = actions.update_content(listing, user=o.user_a, price=Decimal("359.00"))
    listing = actions.relist_listing(listing, user=o.user_a, note="补货到位")
    assert listing.status == ListingState.AWAITING_REVIEW
    listing = actions.approve_listing(listing, user=o.reviewer, publish=True)
    assert listing.status == ListingState.PUBLISHED and listing.delisted_at is None
    assert kinds(listing) == ["created", "submitted", "compliance", "approved", "published", "delisted", "edited",
                              "relisted", "compliance", "approved", "published"]
    delisted = listing.events.get(kind="delisted")
    assert (delisted.actor, delisted.note, delisted.from_state) == (o.user_a, "断码", "published")
    assert listing.history.count() >= 5


def test_sto04_expired_food_licence_blocks_listing_in_its_category(lst):
    o = lst
    licence = food_licence(o, days_left=200)
    admit(o.longjing, opener=o.user_a, reviewer=o.reviewer, evidence={"certificates": licence})
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.longjing,
                                     title="西湖龙井 明前特级", price=Decimal("588.00"))
    listing = actions.submit_listing(listing, user=o.user_a)
    listing = actions.approve_listing(listing, user=o.reviewer)
    # The licence expires before the listing is published: publishing is refused, with the reason.
    licence.valid_to = o.today.replace(year=o.today.year - 1)
    licence.valid_from = None
    licence.save()
    with pytest.raises(BusinessError, match="食品经营许可证 JY13301060000001 已于 .* 过期，不能销售食品"):
        actions.publish_listing(listing, user=o.user_a)
    assert Listing.objects.get(pk=listing.pk).status == ListingState.APPROVED
    # Another draft in the same category cannot even be submitted; clothing is not affected.
    other = actions.create_listing(user=o.user_a, store=o.store_a2, style=o.longjing, title="龙井", price="100")
    with pytest.raises(BusinessError, match="须具备许可证"):
        actions.submit_listing(other, user=o.user_a)
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    dress = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    assert actions.submit_listing(dress, user=o.user_a).status == ListingState.AWAITING_REVIEW
    # A store's own licence in force lets that store list food again.
    food_licence(o, days_left=30, store=o.store_a1, number="JY-STORE-A1")
    assert actions.publish_listing(listing, user=o.user_a).status == ListingState.PUBLISHED


def test_cat03_store_must_be_active(admitted):
    o = admitted
    o.store_a1.status = StoreState.SUSPENDED
    o.store_a1.save()
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    with pytest.raises(BusinessError, match="已暂停"):
        actions.submit_listing(listing, user=o.user_a)


def test_cat02_content_is_validated_with_field_names(admitted):
    o = admitted
    with pytest.raises(BusinessError) as too_long:
        actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **{**CLEAN, "title": "裙" * 61})
    assert too_long.value.field == "title"
    for price in ("-1", "1.234", "abc", None):
        with pytest.raises(BusinessError) as bad:
            actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **{**CLEAN, "price": price})
        assert bad.value.field == "price"
    with pytest.raises(BusinessError) as bad_image:
        actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, images=["a b.jpg"],
                               **{k: v for k, v in CLEAN.items()})
    assert bad_image.value.field == "images"
    with pytest.raises(BusinessError, match="不属于同一委托方"):
        actions.create_listing(user=o.admin, store=o.store_b1, style=o.dress, **CLEAN)
    actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    with pytest.raises(BusinessError, match="已有此款式"):
        actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)


def test_dat02_listing_actions_are_scoped_and_client_users_only_read(admitted):
    o = admitted
    listing = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    with pytest.raises(BusinessError, match="店铺不存在"):
        actions.submit_listing(listing, user=o.user_b)
    with pytest.raises(BusinessError, match="店铺不存在"):
        actions.create_listing(user=o.user_b, store=o.store_a2, style=o.dress, **CLEAN)
    with pytest.raises(NotAllowed):
        actions.submit_listing(listing, user=o.member_a)
    with pytest.raises(NotAllowed):
        actions.approve_listing(listing, user=o.user_a)  # editors do not review their own content
    assert list(Listing.objects.visible_to(o.member_a)) == [listing]
    assert not Listing.objects.visible_to(o.user_b).exists()
