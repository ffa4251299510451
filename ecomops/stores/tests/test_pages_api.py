"""Pages and API of STO-02/03/04: another client's application, qualification or change request is a
404 (DAT-02); a client's own user reads its qualifications and changes nothing; the profile change
request flow (STO-03, STO-05) applies approved values and keeps what they replaced."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ecomops.core.errors import BusinessError
from ecomops.org.enums import StoreState
from ecomops.org.models import Store
from ecomops.stores import actions
from ecomops.stores.enums import ApplicationState, ChangeState, HolderKind, QualificationKind
from ecomops.stores.models import ApplicationDocument, ProfileChangeRequest, Qualification, StoreProfile

from .conftest import DECIDE, PROFILE, make_user, pdf, png


def body(response) -> dict:
    return json.loads(response.content)


@pytest.fixture
def app_b(org, people):
    return actions.create_application(user=people.applicant_b, store=org.store_b1)


@pytest.fixture
def qual_b(org, people):
    return actions.create_qualification(user=people.applicant_b, holder_kind=HolderKind.CLIENT, client=org.client_b,
                                        kind=QualificationKind.FOOD_LICENCE, number="B-FOOD",
                                        valid_to=timezone.localdate() + timedelta(days=3))


# --- scoping: pages ----------------------------------------------------------------------------

def test_another_clients_application_and_qualification_pages_are_404(client, org, people, app_b, qual_b):
    client.force_login(people.applicant)
    document = app_b.documents.first()
    for url in (
        reverse("stores:application_detail", args=[app_b.pk]),
        reverse("stores:document_file", args=[app_b.pk, document.pk]),
        reverse("stores:store_profile", args=[org.store_b1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(people.clerk)
    for url in (reverse("stores:qualification_detail", args=[qual_b.pk]),
                reverse("stores:qualification_file", args=[qual_b.pk]),
                reverse("stores:qualification_edit", args=[qual_b.pk])):
        assert client.get(url).status_code == 404, url
    client.force_login(people.applicant)
    response = client.post(reverse("stores:application_step", args=[app_b.pk, "submit"]))
    assert response.status_code == 404
    response = client.post(reverse("stores:document_upload", args=[app_b.pk, document.pk]), {"file": pdf()})
    assert response.status_code == 404
    document.refresh_from_db()
    assert not document.file


def test_qualification_list_shows_own_scope_and_highlights_expiring(client, org, people, qual_b):
    mine = actions.create_qualification(user=people.clerk, holder_kind=HolderKind.STORE, store=org.store_a1,
                                        kind=QualificationKind.FOOD_LICENCE, number="A-FOOD",
                                        valid_to=timezone.localdate())
    client.force_login(people.clerk)
    response = client.get(reverse("stores:qualifications"))
    html = response.content.decode()
    assert "A-FOOD" in html and "B-FOOD" not in html
    assert "table-warning" in html
    response = client.get(reverse("stores:qualifications"), {"status": "expired"})
    assert "A-FOOD" not in response.content.decode()
    assert client.get(reverse("stores:qualification_detail", args=[mine.pk])).status_code == 200


def test_client_member_reads_own_qualifications_and_cannot_change_them(client, org, people, qual_b):
    from django.contrib.auth.models import Permission

    own = actions.create_qualification(user=people.clerk, holder_kind=HolderKind.CLIENT, client=org.client_a,
                                       kind=QualificationKind.BUSINESS_LICENCE, number="A-BL")
    org.member_a.user_permissions.add(Permission.objects.get(codename="view_qualification"))
    client.force_login(org.member_a)
    html = client.get(reverse("stores:qualifications")).content.decode()
    assert "A-BL" in html and "B-FOOD" not in html
    assert client.get(reverse("stores:qualification_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("stores:qualification_detail", args=[qual_b.pk])).status_code == 404
    assert client.get(reverse("stores:qualification_edit", args=[own.pk])).status_code == 404
    assert client.get(reverse("stores:qualification_create")).status_code == 404


def test_onboarding_through_the_pages(client, org, people):
    client.force_login(people.applicant)
    response = client.post(reverse("stores:application_create"), {"store": org.store_a1.pk})
    application = org.store_a1.onboarding_application
    assert response.status_code == 302
    response = client.post(reverse("stores:application_step", args=[application.pk, "submit"]), follow=True)
    assert "还缺少必须提供的资料" in response.content.decode()
    for document in application.documents.filter(is_required=True):
        client.post(reverse("stores:document_upload", args=[application.pk, document.pk]), {"file": pdf()})
    bad = application.documents.filter(is_required=False).first()
    response = client.post(reverse("stores:document_upload", args=[application.pk, bad.pk]),
                           {"file": pdf("x.gif", b"GIF89a")}, follow=True)
    assert "类型不支持" in response.content.decode()
    client.post(reverse("stores:application_step", args=[application.pk, "submit"]))
    application.refresh_from_db()
    assert application.status == ApplicationState.SUBMITTED
    page = client.get(reverse("stores:application_detail", args=[application.pk]))
    assert page.status_code == 200 and "资料清单" in page.content.decode()
    document = application.documents.exclude(file="").first()
    file_response = client.get(reverse("stores:document_file", args=[application.pk, document.pk]))
    assert file_response.status_code == 200 and b"".join(file_response.streaming_content).startswith(b"%PDF")


# --- scoping and workflow: API -----------------------------------------------------------------

def test_api_another_clients_records_are_404(api, org, people, app_b, qual_b):
    a = api(people.applicant)
    assert a.get(f"store-applications/{app_b.pk}").status_code == 404
    assert a.post(f"store-applications/{app_b.pk}/submit").status_code == 404
    assert api(people.clerk).get(f"qualifications/{qual_b.pk}").status_code == 404
    assert api(people.clerk).patch(f"qualifications/{qual_b.pk}", {"number": "X"}).status_code == 404
    assert a.get(f"stores/{org.store_b1.pk}/may-sell", {"special_goods": "food"}).status_code == 404
    response = a.post("store-applications", {"store_id": org.store_b1.pk})
    assert response.status_code == 400 and body(response)["error"]["field"] == "store_id"
    listed = body(api(people.clerk).get("qualifications"))
    assert qual_b.pk not in {row["id"] for row in listed["items"]}


def test_api_workflow_refuses_out_of_order_steps(api, org, people):
    created = api(people.applicant).post("store-applications", {"store_id": org.store_a1.pk})
    assert created.status_code == 201
    data = body(created)
    assert [d["code"] for d in data["documents"]][:1] == ["business_licence"]
    pk = data["id"]
    response = api(people.applicant).post(f"store-applications/{pk}/submit")
    assert response.status_code == 400 and body(response)["error"]["field"] == "documents"
    response = api(people.approver).post(f"store-applications/{pk}/approve")
    assert response.status_code == 400 and body(response)["error"]["code"] == "wrong_state"
    for document in ApplicationDocument.objects.filter(application_id=pk, is_required=True):
        actions.upload_document(document, pdf(), user=people.applicant)
    assert api(people.applicant).post(f"store-applications/{pk}/submit").status_code == 200
    assert api(people.reviewer).post(f"store-applications/{pk}/start-review").status_code == 200
    for document in ApplicationDocument.objects.filter(application_id=pk).exclude(file=""):
        response = api(people.reviewer).post(f"store-applications/{pk}/documents/{document.pk}/review",
                                             {"complete": True, "authentic": True, "valid": True})
        assert response.status_code == 200
    response = api(people.approver).post(f"store-applications/{pk}/agreement",
                                         {"signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 400
    assert api(people.approver).post(f"store-applications/{pk}/approve", {"comment": "齐全"}).status_code == 200
    response = api(people.approver).post(f"store-applications/{pk}/agreement",
                                         {"signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and body(response)["status"] == "activated"
    assert Store.objects.get(pk=org.store_a1.pk).status == StoreState.ACTIVE


def test_api_qualifications_with_status_filter_and_may_sell(api, org, people):
    today = timezone.localdate()
    clerk = api(people.clerk)
    response = clerk.post("qualifications", {"holder_kind": "store", "store_id": org.store_a1.pk,
                                             "kind": "food_licence", "number": "JY1",
                                             "valid_to": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 201 and body(response)["status"] == "expired"
    assert body(response)["special_goods"] == ["food"]
    expired = body(clerk.get("qualifications", {"status": "expired"}))
    assert [row["number"] for row in expired["items"]] == ["JY1"]
    assert body(clerk.get("qualifications", {"status": "valid"}))["count"] == 0
    answer = body(clerk.get(f"stores/{org.store_a1.pk}/may-sell", {"special_goods": "food"}))
    assert answer["allowed"] is False and "过期" in answer["reason"]
    pk = body(response)["id"]
    response = clerk.patch(f"qualifications/{pk}", {"valid_to": (today + timedelta(days=400)).isoformat()})
    assert response.status_code == 200 and body(response)["status"] == "valid"
    assert body(clerk.get(f"stores/{org.store_a1.pk}/may-sell", {"special_goods": "food"}))["allowed"] is True
    response = clerk.post("qualifications", {"holder_kind": "store", "kind": "food_licence", "number": "X"})
    assert response.status_code == 400 and body(response)["error"]["field"] == "store_id"
    response = clerk.post("qualifications", {"holder_kind": "store", "store_id": org.store_a1.pk,
                                             "kind": "food_licence", "number": "X", "colour": "red"})
    assert response.status_code == 422


# --- STO-03 / STO-05: profile changes ------------------------------------------------------------

def test_profile_change_applies_on_approval_and_keeps_history(org, people):
    change = actions.request_profile_change(
        user=people.requester, store=org.store_a1, reason="品牌升级",
        proposed={"name": "甲品牌官方旗舰店", "main_category": "茶叶", "introduction": "西湖龙井",
                  "contact_phone": "0571-88886666"},
        logo=png(),
    )
    assert Store.objects.get(pk=org.store_a1.pk).name == "甲品牌淘宝店"  # nothing applied before approval
    with pytest.raises(BusinessError, match="待审批"):
        actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "又一个名字"})
    both = make_user("both_rights", *PROFILE, *DECIDE, client=org.client_a)
    own = actions.request_profile_change(user=both, store=org.store_a2, proposed={"main_category": "茶具"})
    with pytest.raises(BusinessError, match="不能审批自己提交的变更申请"):
        actions.approve_profile_change(own, user=both)
    approved = actions.approve_profile_change(change, user=people.decider, comment="同意")
    store = Store.objects.get(pk=org.store_a1.pk)
    assert (store.name, store.main_category) == ("甲品牌官方旗舰店", "茶叶")
    profile = StoreProfile.objects.get(store=store)
    assert profile.introduction == "西湖龙井" and profile.contact_phone == "0571-88886666" and profile.logo
    assert approved.previous["name"] == "甲品牌淘宝店" and approved.previous["main_category"] == ""
    assert approved.status == ChangeState.APPROVED and approved.decided_by == people.decider
    with pytest.raises(BusinessError, match="不能再审批"):
        actions.reject_profile_change(approved, user=people.decider, comment="晚了")
    assert store.history.count() >= 2 and profile.history.exists()


def test_profile_change_refusals(org, people):
    with pytest.raises(BusinessError, match="没有要变更的内容"):
        actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "甲品牌淘宝店"})
    with pytest.raises(BusinessError) as refused:
        actions.request_profile_change(user=people.requester, store=org.store_a1,
                                       proposed={"contact_email": "not-an-email"})
    assert refused.value.field == "contact_email"
    with pytest.raises(BusinessError) as refused:
        actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "新"},
                                       logo=pdf("logo.pdf"))
    assert refused.value.field == "logo"
    change = actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "新名"})
    with pytest.raises(BusinessError) as refused:
        actions.reject_profile_change(change, user=people.decider, comment="")
    assert refused.value.field == "comment"
    actions.reject_profile_change(change, user=people.decider, comment="名称不符合平台规范")
    assert Store.objects.get(pk=org.store_a1.pk).name == "甲品牌淘宝店"


def test_profile_change_api_and_scope(api, org, people):
    response = api(people.requester).post(f"stores/{org.store_b1.pk}/profile-changes", {"name": "越权"})
    assert response.status_code == 404
    response = api(people.requester).post(f"stores/{org.store_a1.pk}/profile-changes",
                                          {"main_category": "茶叶", "reason": "主营调整"})
    assert response.status_code == 201
    pk = body(response)["id"]
    assert body(response)["proposed"] == {"main_category": "茶叶"}
    assert api(people.applicant_b).post(f"store-profile-changes/{pk}/approve").status_code in (403, 404)
    response = api(people.decider).post(f"store-profile-changes/{pk}/approve", {"comment": "同意"})
    assert response.status_code == 200 and body(response)["previous"] == {"main_category": ""}
    assert Store.objects.get(pk=org.store_a1.pk).main_category == "茶叶"
    assert not ProfileChangeRequest.objects.filter(status=ChangeState.PENDING).exists()


def test_store_profile_page_shows_licences_and_changes(client, org, people):
    actions.create_qualification(user=people.clerk, holder_kind=HolderKind.CLIENT, client=org.client_a,
                                 kind=QualificationKind.BUSINESS_LICENCE, number="BL-A")
    actions.create_qualification(user=people.clerk, holder_kind=HolderKind.STORE, store=org.store_a1,
                                 kind=QualificationKind.FOOD_LICENCE, number="FOOD-OLD",
                                 valid_to=timezone.localdate() - timedelta(days=1))
    actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"main_category": "茶叶"})
    client.force_login(people.clerk)
    html = client.get(reverse("stores:store_profile", args=[org.store_a1.pk])).content.decode()
    assert "BL-A" in html and "FOOD-OLD" not in html
    client.force_login(people.decider)
    html = client.get(reverse("stores:store_profile", args=[org.store_a1.pk])).content.decode()
    assert "茶叶" in html and "批准" in html
    assert Qualification.objects.count() == 2


def test_every_page_renders_for_a_superuser(client, org, people):
    application = actions.create_application(user=people.applicant, store=org.store_a1)
    q = actions.create_qualification(user=people.clerk, holder_kind=HolderKind.STORE, store=org.store_a1,
                                     kind=QualificationKind.FOOD_LICENCE, number="JY", file=pdf())
    change = actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "新名"})
    client.force_login(org.admin)
    urls = [
        reverse("stores:document_types"), reverse("stores:applications"), reverse("stores:application_create"),
        reverse("stores:application_detail", args=[application.pk]), reverse("stores:qualifications"),
        reverse("stores:qualification_create"), reverse("stores:qualification_create") + f"?replaces={q.pk}",
        reverse("stores:qualification_detail", args=[q.pk]), reverse("stores:qualification_edit", args=[q.pk]),
        reverse("stores:qualification_file", args=[q.pk]), reverse("stores:store_profile", args=[org.store_a1.pk]),
        reverse("stores:change_create", args=[org.store_a2.pk]), reverse("stores:changes"),
        reverse("stores:changes") + "?status=all",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert change.pk in [c.pk for c in client.get(reverse("stores:changes")).context["changes"]]
    home = client.get(reverse("home")).content.decode()
    assert reverse("stores:qualifications") in home  # the navigation entry


def test_qualification_form_files_a_scan_and_reports_errors_on_the_field(client, org, people):
    client.force_login(people.clerk)
    data = {"holder_kind": "store", "store": org.store_a1.pk, "kind": "food_licence", "number": "JY-FORM",
            "valid_to": (timezone.localdate() + timedelta(days=5)).isoformat()}
    response = client.post(reverse("stores:qualification_create"), {**data, "file": pdf("scan.txt", b"hello")})
    assert response.status_code == 200 and "类型不支持" in response.content.decode()
    assert not Qualification.objects.exists()
    response = client.post(reverse("stores:qualification_create"), {**data, "file": pdf("scan.pdf")})
    q = Qualification.objects.get(number="JY-FORM")
    assert response.status_code == 302 and q.file and q.special_goods == ["food"]
    # Issue 15: the page names the special goods (食品), never their code.
    page = client.get(reverse("stores:qualification_detail", args=[q.pk])).content.decode()
    assert "食品" in page and ">food<" not in page and "food" not in page.split("涉及特殊商品", 1)[1][:200]
    response = client.post(reverse("stores:qualification_edit", args=[q.pk]),
                           {**data, "valid_from": "2030-01-01", "valid_to": "2029-01-01"})
    assert response.status_code == 200 and "有效期至不能早于有效期起" in response.content.decode()


def test_dat02_stored_scans_follow_the_record_scope_also_at_their_media_address(client, org, people):
    """Every stored file's own address (``FieldFile.url``, as the admin links it) checks the same scope as
    the store pages: client A's people read A's scans, B's are 404 like an unknown name."""
    q = actions.create_qualification(user=people.clerk, holder_kind=HolderKind.STORE, store=org.store_a1,
                                     kind=QualificationKind.FOOD_LICENCE, number="JY-A", file=pdf("甲-食品证.pdf"))
    change = actions.request_profile_change(user=people.requester, store=org.store_a1, proposed={"name": "新名"},
                                            logo=png())
    for field, reader in ((q.file, people.clerk), (change.logo, people.decider)):
        assert field.url.startswith("/media/stores/") and "甲" not in field.url
        client.force_login(reader)
        assert client.get(field.url).status_code == 200
        client.force_login(people.applicant_b)
        assert client.get(field.url).status_code == 404
    client.force_login(people.reviewer)  # client A, but without the qualification right
    assert client.get(q.file.url).status_code == 404
