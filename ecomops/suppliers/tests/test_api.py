"""CAT-06 API: scoped like the pages (DAT-02: another client's supplier is 404; the company's shared
suppliers are 404 for a client's own users), the error shape, masking, sampling and recall moves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.suppliers import actions
from ecomops.suppliers.tests.conftest import make_user


def test_cat06_api_lists_only_visible_suppliers(sup, api):
    body = api(sup.clerk).get("suppliers").json()
    assert sorted(row["code"] for row in body["items"]) == ["SUP-A", "SUP-S"] and body["count"] == 2
    member = api(sup.member).get("suppliers").json()
    assert [row["code"] for row in member["items"]] == ["SUP-A"]


@pytest.mark.parametrize("path", ["suppliers/{b}", "suppliers/{b}/contacts", "suppliers/{b}/agreements",
                                  "suppliers/{b}/ratings"])
def test_cat06_api_another_clients_supplier_is_404(sup, api, path):
    response = api(sup.clerk).get(path.format(b=sup.supplier_b.pk))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_cat06_api_shared_supplier_is_404_for_client_users(sup, api):
    assert api(sup.member).get(f"suppliers/{sup.shared.pk}").status_code == 404
    assert api(sup.clerk).get(f"suppliers/{sup.shared.pk}").status_code == 200
    assert api(sup.member).patch(f"suppliers/{sup.shared.pk}", {"name": "改"}).status_code == 404


def test_cat06_api_create_and_patch_supplier(sup, org, api):
    client = api(sup.clerk)
    created = client.post("suppliers", {"client_id": org.client_a.pk, "code": "SUP-N", "name": "新茶厂",
                                        "credit_code": "91330106MA2CFX1A0B"})
    assert created.status_code == 201, created.content
    supplier_id = created.json()["id"]
    patched = client.patch(f"suppliers/{supplier_id}", {"status": "suspended"})
    assert patched.status_code == 200 and patched.json()["status"] == "suspended"
    refused = client.post("suppliers", {"client_id": org.client_b.pk, "code": "SUP-X", "name": "越权"})
    assert refused.status_code in (400, 404) and refused.json()["error"]["field"] == "client_id"
    bad = client.post("suppliers", {"code": "SUP-Y", "name": "", "extra": 1})
    assert bad.status_code == 422
    duplicate = client.post("suppliers", {"code": "SUP-N", "name": "重复"})
    assert duplicate.status_code == 400 and duplicate.json()["error"]["field"] == "code"
    assert "已被使用" in duplicate.json()["error"]["message"]


def test_cat06_api_contact_phone_is_masked_without_the_right(sup, api):
    actions.add_contact(sup.supplier_a, user=sup.clerk, name="王经理", phone="13812345678")
    masked = api(sup.clerk).get(f"suppliers/{sup.supplier_a.pk}/contacts").json()["items"][0]["phone"]
    assert masked != "13812345678" and "*" in masked
    reader = make_user("reader_a", "suppliers.view_supplier", "suppliers.view_suppliercontact",
                       actions.PHONE_PERM, client=sup.supplier_a.client)
    plain = api(reader).get(f"suppliers/{sup.supplier_a.pk}/contacts").json()["items"][0]["phone"]
    assert plain == "13812345678"


def test_cat06_api_ratings_are_appended(sup, api):
    client = api(sup.clerk)
    url = f"suppliers/{sup.supplier_a.pk}/ratings"
    assert client.post(url, {"period": "2026-Q2", "score": "88.5"}).status_code == 201
    assert client.post(url, {"period": "2026-Q3", "score": 70}).status_code == 201
    bad = client.post(url, {"period": "2026-Q3", "score": "101"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "score"
    rows = client.get(url).json()["items"]
    assert [r["period"] for r in rows] == ["2026-Q3", "2026-Q2"]
    assert client.get(f"suppliers/{sup.supplier_a.pk}").json()["current_score"] == "70.00"


def test_cat06_api_failed_sampling_opens_recall_and_moves_in_order(sup, api):
    clerk = api(sup.clerk)
    created = clerk.post("sampling-checks", {
        "supplier_id": sup.supplier_a.pk, "style_id": sup.style_a.pk, "sampled_on": timezone.localdate().isoformat(),
        "sample_size": 5, "result": "fail", "inspector": "质检部", "findings": "农残超标",
    })
    assert created.status_code == 201, created.content
    case_id = created.json()["recall_case_id"]
    assert case_id and DueItem.objects.filter(kind=actions.RECALL_DUE_KIND, clause="CAT-06").exists()
    handler = api(sup.handler)
    skipped = handler.post(f"recall-cases/{case_id}/transition", {"to_state": "closed", "note": "跳步"})
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "conflict"
    moved = handler.post(f"recall-cases/{case_id}/transition", {"to_state": "delisted"})
    assert moved.status_code == 200 and moved.json()["state"] == "delisted"
    assert [e["to_state"] for e in moved.json()["events"]] == ["opened", "delisted"]
    assert api(sup.clerk_b).get(f"recall-cases/{case_id}").status_code == 404
    assert api(sup.clerk_b).post(f"recall-cases/{case_id}/transition", {"to_state": "closed"}).status_code == 404


def test_cat06_api_sampling_refuses_another_clients_style(sup, api):
    response = api(sup.clerk).post("sampling-checks", {
        "supplier_id": sup.shared.pk, "style_id": sup.style_b.pk, "sampled_on": timezone.localdate().isoformat(),
        "sample_size": 1, "result": "pass", "inspector": "质检部",
    })
    assert response.status_code in (400, 404) and response.json()["error"]["field"] == "style_id"
    missing = api(sup.clerk).post("sampling-checks", {"supplier_id": sup.supplier_a.pk})
    assert missing.status_code == 422
