"""DAT-02 / AGY-07 on the review queues (ORD-03, ORD-04): a person's automatic review or out-of-stock
retry works only on the orders they may see (the system's runs on all); a supervisor closing another
clerk's mixed review batch gives back only their part, the rest stays with the clerk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.orders import actions, review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderState, ReviewBatchState
from ecomops.orders.models import Order
from ecomops.org.models import ClientGrant

from .conftest import CLERK, Api, at, make_user, new_order
from .test_review import _http

S = OrderState
# Client B's order: its number is long enough never to turn up by chance inside a page's random CSRF token.
B_ORDER = "MIXED-CLIENT-B-ORDER-0001"


@pytest.fixture
def sku_b(org):
    style = Style.objects.create(client=org.client_b, style_no="TEE-001", name="T恤", unit_cost=Decimal("20.00"),
                                 price=Decimal("50.00"))
    sku = SKU.objects.create(client=org.client_b, style=style, sku_code="TEE-001-M", colour="白", size="M",
                             barcode="2000000000022", barcode_source="external")
    PlatformSKU.objects.create(store=org.store_b1, sku=sku, platform_sku_code="B-1")
    return sku


def _paid(user, store, number, code, **fields):
    order = new_order(user, store, number, lines=[LineInput(quantity=1, unit_price=Decimal("100.00"),
                                                            platform_sku_code=code)], **fields)
    actions.mark_paid(order, user=user, paid_at=at(2, 10))
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def waiting(od, org, wh, sku_b):
    """One order of each client waiting for stock (the system's run found none), then stock for both."""
    mine = _paid(od.clerk, org.store_a1, "WA1", "P-1")
    theirs = _paid(od.clerk_b, org.store_b1, "WB1", "B-1")
    run = review.auto_review()
    assert run.waiting == 2
    wh.put(wh.hz_bin, 5)
    wh.put(wh.sh_bin, 5, sku=sku_b)
    return mine, theirs


def _state(order):
    order.refresh_from_db()
    return order.state, order.allocation_state


def test_dat02_retry_from_the_api_allocates_only_the_callers_orders(od, waiting):
    mine, theirs = waiting
    events = theirs.events.count()
    response = Api(od.clerk).post("orders/review/retry")
    assert response.json() == {"reviewed": 1, "manual": 0, "waiting": 0}
    assert _state(mine) == (S.REVIEWED, AllocationState.ALLOCATED)
    assert _state(theirs) == (S.AWAITING_REVIEW, AllocationState.WAITING_STOCK) and theirs.events.count() == events
    # The system's retry (stock arrived, cron) still serves the whole queue.
    assert review.retry_waiting().reviewed == 1 and _state(theirs)[0] == S.REVIEWED


def test_dat02_retry_from_the_page_allocates_only_the_users_orders(od, waiting):
    mine, theirs = waiting
    _http(od.clerk).post(reverse("orders:review_retry"))
    assert _state(mine)[0] == S.REVIEWED
    assert _state(theirs) == (S.AWAITING_REVIEW, AllocationState.WAITING_STOCK)


def test_dat02_a_persons_automatic_review_takes_only_their_orders(od, org, wh, sku_b):
    wh.put(wh.hz_bin, 5)
    wh.put(wh.sh_bin, 5, sku=sku_b)
    mine = _paid(od.clerk, org.store_a1, "RA1", "P-1")
    theirs = _paid(od.clerk_b, org.store_b1, "RB1", "B-1")
    review.auto_review(user=od.clerk)  # every order, as far as the clerk may see
    assert _state(mine)[0] == S.REVIEWED and _state(theirs)[0] == S.PAID
    Api(od.clerk).post("orders/review/auto")
    _http(od.clerk).post(reverse("orders:review_auto"))
    assert _state(theirs)[0] == S.PAID
    review.auto_review()  # the system's run (imports, cron)
    assert _state(theirs)[0] == S.REVIEWED


@pytest.fixture
def mixed_batch(od, org, sku_b):
    """A clerk granted both clients took a review batch holding two orders of A and one of B."""
    both = make_user("clerk_ab", *CLERK, client=org.client_a)
    ClientGrant.objects.create(user=both, client=org.client_b)
    orders = [_paid(od.clerk, org.store_a1, "MA1", "P-1", buyer_message="请开发票"),
              _paid(od.clerk, org.store_a2, "MA2", "P-1", buyer_message="周末送"),
              _paid(od.clerk_b, org.store_b1, B_ORDER, "B-1", buyer_message="加急")]
    review.auto_review()
    both = type(both).objects.get(pk=both.pk)
    batch = review.take_batch(user=both)
    assert batch.size == 3
    return both, batch, orders


def test_dat02_a_supervisor_closing_a_mixed_batch_gives_back_only_their_part(od, mixed_batch):
    both, batch, (a1, a2, b1) = mixed_batch
    supervisor = od.clerk  # orders.change_order, client A only
    response = Api(supervisor).post(f"orders/review/batches/{batch.pk}/close")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "open"  # B's order is still the clerk's
    assert B_ORDER not in response.content.decode()
    for order in (a1, a2):
        order.refresh_from_db()
        assert order.review_batch_id is None
    b1.refresh_from_db()
    batch.refresh_from_db()
    assert b1.review_batch_id == batch.pk and batch.state == ReviewBatchState.OPEN
    # Another clerk cannot take B's order meanwhile: it is still claimed.
    assert not review.waiting_for_person(od.clerk_b).filter(pk=b1.pk).exists()
    # The clerk closes the rest: the batch ends and B's order goes back to the pool.
    review.close_batch(batch, user=both)
    batch.refresh_from_db()
    b1.refresh_from_db()
    assert batch.state == ReviewBatchState.CLOSED and b1.review_batch_id is None


def test_dat02_closing_from_the_page_says_the_rest_stays_with_the_clerk(od, mixed_batch):
    both, batch, (a1, a2, b1) = mixed_batch
    page = _http(od.clerk).post(reverse("orders:review_batch_act", args=[batch.pk]), {"do": "close"},
                                follow=True).content.decode()
    assert "其余订单仍由 clerk_ab 审核" in page and B_ORDER not in page
    b1.refresh_from_db()
    assert b1.review_batch_id == batch.pk


def test_dat02_a_supervisor_seeing_every_unhandled_order_closes_the_batch(od, org, mixed_batch):
    both, batch, (a1, a2, b1) = mixed_batch
    # B's part handled (approved, waiting for stock: the out-of-stock queue's now): only A's is left.
    assert review.approve(batch, Order.objects.get(pk=b1.pk), user=both).allocation_state == "waiting_stock"
    review.close_batch(batch, user=od.clerk)
    batch.refresh_from_db()
    assert batch.state == ReviewBatchState.CLOSED
    assert not Order.objects.filter(pk__in=[a1.pk, a2.pk], review_batch__isnull=False).exists()
