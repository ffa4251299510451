"""API of admission review and listing (CAT-01, CAT-03, LAW-02): one error shape, scoped (DAT-02: 404 for
another client's records), every answer with its events and hits."""

import pytest

from .conftest import CLEAN

pytestmark = pytest.mark.django_db


def api(client, user, method, path, body=None):
    client.force_login(user)
    call = getattr(client, method)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    return call(f"/api/v1{path}", body, **kwargs) if body is not None else call(f"/api/v1{path}")


def test_cat01_cat03_walk_through_the_api(client, lst):
    review = api(client, lst.user_a, "post", "/admissions", {"style_id": lst.dress.pk})
    assert review.status_code == 201, review.content
    rid = review.json()["id"]
    for code in ("quality", "safety", "legality", "intellectual_property"):
        response = api(client, lst.reviewer, "put", f"/admissions/{rid}/items/{code}",
                       {"result": "passed", "sampling_reference": "抽检合格"})
        assert response.status_code == 200, response.content
    for code in ("brand_authorisation", "certificates"):
        api(client, lst.reviewer, "put", f"/admissions/{rid}/items/{code}", {"result": "not_applicable"})
    decided = api(client, lst.reviewer, "post", f"/admissions/{rid}/decision", {"outcome": "approved"})
    assert decided.json()["status"] == "approved"
    assert [e["kind"] for e in decided.json()["events"]][-1] == "approved"

    body = {**CLEAN, "price": "399.00", "store_id": lst.store_a1.pk, "style_id": lst.dress.pk,
            "title": "销量第一 真丝连衣裙"}
    created = api(client, lst.user_a, "post", "/listings", body)
    assert created.status_code == 201, created.content
    lid = created.json()["id"]
    submitted = api(client, lst.user_a, "post", f"/listings/{lid}/submit", {})
    data = submitted.json()
    assert data["status"] == "needs_review"
    assert [(h["field"], h["matched"], h["start"]) for h in data["hits"]] == [("title", "销量第一", 0)]
    refused = api(client, lst.user_a, "patch", f"/listings/{lid}", {"title": "x"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "wrong_state"
    api(client, lst.reviewer, "post", f"/listings/{lid}/return", {"reason": "删除销量第一"})
    api(client, lst.user_a, "patch", f"/listings/{lid}", {"title": "真丝连衣裙"})
    assert api(client, lst.user_a, "post", f"/listings/{lid}/submit", {}).json()["status"] == "awaiting_review"
    approved = api(client, lst.reviewer, "post", f"/listings/{lid}/approve", {"comment": ""})
    assert approved.json()["status"] == "approved"
    published = api(client, lst.user_a, "post", f"/listings/{lid}/publish")
    assert published.json()["status"] == "published"
    listed = api(client, lst.member_a, "get", f"/listings?status=published&store_id={lst.store_a1.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == lid


def test_dat02_another_clients_listing_is_404_and_members_cannot_change(client, lst):
    from ecomops.listing import actions

    listing = actions.create_listing(user=lst.user_a, store=lst.store_a1, style=lst.dress, **CLEAN)
    for method, path, body in (("get", f"/listings/{listing.pk}", None),
                               ("post", f"/listings/{listing.pk}/submit", {}),
                               ("patch", f"/listings/{listing.pk}", {"title": "x"})):
        response = api(client, lst.user_b, method, path, body)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api(client, lst.user_b, "get", "/listings").json()["count"] == 0
    member = api(client, lst.member_a, "post", f"/listings/{listing.pk}/submit", {})
    assert member.status_code == 403
    created = api(client, lst.user_b, "post", "/admissions", {"style_id": lst.dress.pk})
    assert created.status_code == 400 and created.json()["error"]["field"] == "style_id"
