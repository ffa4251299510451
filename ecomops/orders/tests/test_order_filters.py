"""The order list's filters beyond store, state and dates: by ship batch (ORD-05) or review batch (ORD-03)
number, and by what an order is stuck on — held, unmatched lines (ORD-02), waiting for stock (ORD-04), a
review rule (ORD-03) — on the page and in the API, with bad values refused by name."""

from __future__ import annotations

from decimal import Decimal

from ecomops.orders import review
from ecomops.orders.actions import LineInput

from .conftest import Api, new_order
from .test_review import _http, paid


def _numbers(response) -> set[str]:
    return {item["platform_order_no"] for item in response.json()["items"]}


def test_ord05_ord03_orders_filtered_by_batch_and_by_what_holds_them(od, org, wh, django_capture_on_commit_callbacks):
    wh.put(wh.hz_bin, 2)
    clean = paid(od, org, "FX1001")
    noted = paid(od, org, "FX1002", buyer_message="周末送货")
    short = paid(od, org, "FX1003", qty=5)
    unmatched = new_order(od.clerk, org.store_a1, "FX1004",
                          lines=[LineInput(quantity=1, unit_price=Decimal("9.00"), platform_sku_code="NOPE")])
    with django_capture_on_commit_callbacks(execute=True):
        run = review.auto_review(user=od.clerk)
    assert (run.reviewed, run.manual, run.waiting) == (1, 1, 1)
    clean.refresh_from_db()
    ship_no = clean.ship_entry.batch.number
    batch = review.take_batch(user=od.clerk)
    assert noted.pk in set(batch.orders.values_list("pk", flat=True))

    api = Api(od.clerk)
    assert _numbers(api.get("orders", {"batch": ship_no})) == {"FX1001"}
    assert _numbers(api.get("orders", {"batch": batch.number})) == {"FX1002"}
    assert _numbers(api.get("orders", {"batch": "SB19990101-1"})) == set()
    assert _numbers(api.get("orders", {"reason": "rule:no_notes"})) == {"FX1002"}
    assert _numbers(api.get("orders", {"reason": "waiting_stock"})) == {"FX1003"}
    assert _numbers(api.get("orders", {"reason": "unmatched"})) == {"FX1004"}
    assert _numbers(api.get("orders", {"reason": "held"})) == {"FX1004"}
    assert short.pk and unmatched.pk

    refused = api.get("orders", {"reason": "rule:nonsense"})
    assert refused.status_code == 400
    assert "reason" in refused.content.decode()

    # The page: same filters; the batch column names the ship batch, and links it for a clerk who may
    # open ship batches (issue 15: never a link to a page that would answer 403).
    http = _http(od.clerk)
    page = http.get("/orders/", {"batch": ship_no}).content.decode()
    batch_link = f"/dispatch/{clean.ship_entry.batch_id}/"
    assert ">FX1001<" in page and ">FX1002<" not in page and ship_no in page and batch_link not in page
    from django.contrib.auth.models import Permission

    od.clerk.user_permissions.add(Permission.objects.get(codename="view_shipbatch"))
    http = _http(type(od.clerk).objects.get(pk=od.clerk.pk))
    page = http.get("/orders/", {"batch": ship_no}).content.decode()
    assert ">FX1001<" in page and ">FX1002<" not in page and batch_link in page
    page = http.get("/orders/", {"reason": "rule:no_notes"}).content.decode()
    assert ">FX1002<" in page and ">FX1001<" not in page
    # An unknown reason on the page is ignored (all orders), never an error.
    assert http.get("/orders/", {"reason": "zzz"}).status_code == 200


def test_ord05_batch_filter_respects_scope(od, org, wh, django_capture_on_commit_callbacks):
    wh.put(wh.hz_bin, 2)
    clean = paid(od, org, "GX1001")
    with django_capture_on_commit_callbacks(execute=True):
        review.auto_review(user=od.clerk)
    clean.refresh_from_db()
    assert _numbers(Api(od.clerk_b).get("orders", {"batch": clean.ship_entry.batch.number})) == set()
