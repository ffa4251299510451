"""The compliance API (LAW-02, CAT-02): the content check for any text, and the two lists, with the
API's one error shape, explicit limits and client scoping (DAT-02)."""

from __future__ import annotations

import pytest

from ecomops.compliance import actions
from ecomops.compliance.checker import MAX_TEXT_LENGTH
from ecomops.compliance.enums import PhraseKind
from ecomops.compliance.models import AllowedPhrase, BarredTerm

from .helpers import assert_error

pytestmark = pytest.mark.django_db


# --- POST /compliance/check --------------------------------------------------------------------


def test_check_answers_each_hit_with_term_position_and_reason_law02(org, writer, api):
    text = "清香回甘\n全网销量ＮＯ．１，口感最 * 佳。第一次冲泡请用85度水"
    response = api(writer).post("/compliance/check", {"text": text})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["needs_review"] is True and body["hit_count"] == 2 and body["length"] == len(text)
    first, second = body["hits"]
    assert (first["term"], first["matched"], first["line"], first["column"]) == ("NO.1", "ＮＯ．１", 2, 5)
    assert text[first["start"]:first["end"]] == "ＮＯ．１"
    assert (second["term"], second["matched"]) == ("最佳", "最 * 佳")
    assert second["category"] == "superlative" and second["category_label"] and "广告法" in second["reason"]
    assert [(c["phrase"], c["terms"]) for c in body["cleared"]] == [("第一次", ["第一"])]


def test_a_clean_text_needs_no_review(org, writer, api):
    body = api(writer).post("/compliance/check", {"text": "清香回甘，欢迎品尝"}).json()
    assert (body["needs_review"], body["hits"], body["hit_count"]) == (False, [], 0)


def test_the_text_is_checked_as_sent_without_stripping(org, writer, api):
    text = "   \n  顶级"
    hit = api(writer).post("/compliance/check", {"text": text}).json()["hits"][0]
    assert (hit["start"], hit["line"], hit["column"]) == (6, 2, 3)


def test_check_with_a_client_applies_its_allowed_phrases(org, officer, writer, api):
    actions.create_allowed_phrase(user=officer, phrase="至尊宝", kind=PhraseKind.TRADEMARK, client=org.client_a)
    as_writer = api(writer)
    assert as_writer.post("/compliance/check", {"text": "至尊宝", "client_id": org.client_a.pk}).json()["hits"] == []
    assert as_writer.post("/compliance/check", {"text": "至尊宝", "client_id": None}).json()["hit_count"] == 1
    as_admin = api(org.admin)
    assert as_admin.post("/compliance/check", {"text": "至尊宝", "client_id": org.client_b.pk}).json()["hit_count"] == 1


def test_check_for_a_client_outside_the_scope_is_not_found_dat02(org, writer, api):
    for client_id in (org.client_b.pk, 999_999):
        response = api(writer).post("/compliance/check", {"text": "顶级", "client_id": client_id})
        assert_error(response, 404, "not_found", "client_id")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": None}, "text"),
        ({"text": 123}, "text"),
        ({"text": ["顶级"]}, "text"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "顶级", "client_id": "1"}, "client_id"),
        ({"text": "顶级", "client_id": 0}, "client_id"),
        ({"text": "顶级", "client_id": 1.5}, "client_id"),
        ({"text": "顶级", "store": 1}, "store"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(org, writer, api, payload, field):
    assert_error(api(writer).post("/compliance/check", payload), 422, "invalid", field)


def test_the_longest_allowed_text_is_checked(org, writer, api):
    text = ("清香回甘" * (MAX_TEXT_LENGTH // 4 - 1)) + "顶级好茶"
    assert len(text) == MAX_TEXT_LENGTH
    body = api(writer).post("/compliance/check", {"text": text}).json()
    assert [h["start"] for h in body["hits"]] == [MAX_TEXT_LENGTH - 4]


def test_a_body_that_is_not_json_is_refused(org, writer, api):
    assert_error(api(writer).post("/compliance/check", raw="text=顶级"), 400, "malformed")


def test_check_needs_a_signed_in_agency_user(org, api):
    assert_error(api(None).post("/compliance/check", {"text": "顶级"}), 401, "unauthenticated")
    assert_error(api(org.member_a).post("/compliance/check", {"text": "顶级"}), 403, "forbidden")


# --- /compliance/terms -------------------------------------------------------------------------


def test_the_term_list_needs_the_view_permission(org, officer, writer, api):
    assert_error(api(writer).get("/compliance/terms"), 403, "forbidden")
    assert_error(api(org.member_a).get("/compliance/terms"), 403, "forbidden")
    body = api(officer).get("/compliance/terms", {"q": "第一", "page_size": 2}).json()
    assert body["count"] >= 3 and len(body["items"]) == 2 and body["page_size"] == 2
    assert all("第一" in item["term"] or "第一" in item["reason"] for item in body["items"])


def test_terms_are_added_changed_and_switched_off_by_the_owner(org, officer, writer, api):
    as_officer = api(officer)
    payload = {"term": "镇店之宝", "category": "superlative", "reason": "最高级的同义说法"}
    assert_error(api(writer).post("/compliance/terms", payload), 403, "forbidden")
    response = as_officer.post("/compliance/terms", payload)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["term"], created["severity"], created["origin"], created["created_by"]) == (
        "镇店之宝", "high", "manual", "officer"
    )
    changed = as_officer.patch(f"/compliance/terms/{created['id']}", {"term": "镇店 之宝", "severity": "medium"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["term"], changed.json()["severity"]) == ("镇店 之宝", "medium")
    off = as_officer.patch(f"/compliance/terms/{created['id']}", {"is_active": False}).json()
    assert off["is_active"] is False and BarredTerm.objects.get(pk=created["id"]).is_active is False
    assert as_officer.get(f"/compliance/terms/{created['id']}").json()["updated_by"] == "officer"


def test_term_input_errors_name_the_field(org, officer, api):
    as_officer = api(officer)
    assert_error(as_officer.post("/compliance/terms", {"term": "No 1", "category": "ranking", "reason": "x"}),
                 409, "conflict", "term")
    assert_error(as_officer.post("/compliance/terms", {"term": "镇店之宝", "category": "wow", "reason": "x"}),
                 422, "invalid", "category")
    assert_error(as_officer.post("/compliance/terms", {"term": "镇店之宝", "category": "ranking"}),
                 422, "invalid", "reason")
    assert_error(as_officer.post("/compliance/terms", {"term": "#", "category": "ranking", "reason": "x"}),
                 400, "invalid", "term")
    term_id = BarredTerm.objects.get(term="最佳").pk
    assert_error(as_officer.patch(f"/compliance/terms/{term_id}", {"is_active": None}), 422, "invalid", "is_active")
    assert_error(as_officer.patch(f"/compliance/terms/{term_id}", {"origin": "manual"}), 422, "invalid", "origin")
    assert_error(as_officer.patch("/compliance/terms/999999", {"is_active": False}), 404, "not_found")


# --- /compliance/allowed-phrases ---------------------------------------------------------------


def test_allowed_phrases_are_scoped_to_the_users_clients_dat02(org, officer, api):
    mine = actions.create_allowed_phrase(user=org.admin, phrase="至尊宝", client=org.client_a)
    theirs = actions.create_allowed_phrase(user=org.admin, phrase="乙方王牌", client=org.client_b)
    as_officer = api(officer)
    items = as_officer.get("/compliance/allowed-phrases", {"page_size": 200}).json()["items"]
    listed = {item["phrase"] for item in items}
    assert "至尊宝" in listed and "第一次" in listed and "乙方王牌" not in listed
    assert as_officer.get(f"/compliance/allowed-phrases/{mine.pk}").json()["client"]["code"] == "CA"
    assert_error(as_officer.get(f"/compliance/allowed-phrases/{theirs.pk}"), 404, "not_found")
    assert_error(as_officer.patch(f"/compliance/allowed-phrases/{theirs.pk}", {"is_active": False}), 404, "not_found")
    assert AllowedPhrase.objects.get(pk=theirs.pk).is_active
    for_everyone = as_officer.get("/compliance/allowed-phrases", {"for_everyone": "true"}).json()["items"]
    assert for_everyone and all(item["client"] is None for item in for_everyone)


def test_phrases_are_cleared_for_a_client_in_scope_only(org, officer, api):
    as_officer = api(officer)
    response = as_officer.post("/compliance/allowed-phrases",
                               {"phrase": "极品红", "kind": "trademark", "client_id": org.client_a.pk,
                                "reference": "第 12345678 号"})
    assert response.status_code == 201, response.content
    assert (response.json()["cleared_by"], response.json()["client"]["id"]) == ("officer", org.client_a.pk)
    refused = as_officer.post("/compliance/allowed-phrases", {"phrase": "极品红", "client_id": org.client_b.pk})
    assert_error(refused, 404, "not_found", "client_id")
    assert_error(as_officer.post("/compliance/allowed-phrases", {"phrase": "极品 红", "client_id": org.client_a.pk}),
                 409, "conflict", "phrase")
    assert_error(as_officer.post("/compliance/allowed-phrases", {"phrase": "x", "kind": "brand"}),
                 422, "invalid", "kind")
    phrase_id = response.json()["id"]
    assert_error(as_officer.patch(f"/compliance/allowed-phrases/{phrase_id}", {"client_id": org.client_a.pk}),
                 422, "invalid", "client_id")
    off = as_officer.patch(f"/compliance/allowed-phrases/{phrase_id}", {"is_active": False, "note": "商标已过期"})
    assert off.status_code == 200 and off.json()["is_active"] is False and off.json()["note"] == "商标已过期"


def test_a_store_grant_does_not_open_a_clients_phrases(org, api):
    from django.contrib.auth.models import Permission

    for codename in ("view_allowedphrase", "add_allowedphrase"):
        org.user_a1.user_permissions.add(Permission.objects.get(codename=codename))
    user = type(org.user_a1).objects.get(pk=org.user_a1.pk)
    actions.create_allowed_phrase(user=org.admin, phrase="至尊宝", client=org.client_a)
    as_user = api(user)
    items = as_user.get("/compliance/allowed-phrases", {"page_size": 200}).json()["items"]
    listed = {item["phrase"] for item in items}
    assert "至尊宝" not in listed
    assert_error(as_user.post("/compliance/allowed-phrases", {"phrase": "甲方王牌", "client_id": org.client_a.pk}),
                 404, "not_found", "client_id")
    # ... but checking a text of the store's client applies that client's phrases.
    body = as_user.post("/compliance/check", {"text": "至尊宝", "client_id": org.client_a.pk}).json()
    assert body["hits"] == []
