"""The policy pages: browse by clause group, history with what is in force and what is pending,
the value on a date (POL-01), changing a value (POL-02, permission-guarded, audited), and regulation
versions signed by every staff member (ORG-06) with who has not signed yet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.org.actions import hire_staff
from ecomops.org.models import Department
from ecomops.policy import actions, registry
from ecomops.policy.models import PolicyParameter, PolicyVersion, RegulationVersion

TIERS = "PER-08.commission_rates"
SAMPLE = "WMS-25.first_sample_rate"
PER_ACCOUNT = "DAT-02.login_max_failures_per_account_address"


def with_perms(username: str, *perms: str):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def reader(org):
    return with_perms("reader", "policy.view_policyparameter")


@pytest.fixture
def owner(org):
    return with_perms("owner", "policy.view_policyparameter", "policy.change_policy_value")


@pytest.fixture
def hr(org):
    return with_perms(
        "hr",
        "policy.view_regulationversion",
        "policy.add_regulationversion",
        "policy.change_regulationversion",
        "org.view_staff",
    )


def hire(org, username: str, name: str, department: str = "warehouse"):
    return hire_staff(
        user=org.admin,
        username=username,
        name=name,
        employee_no=username.upper(),
        department=Department.objects.get(code=department),
        hired_on=date(2024, 1, 2),
    )


# --- Browsing --------------------------------------------------------------------------------


def test_parameters_browse_by_clause_group_with_counts(client, org, reader):
    client.force_login(reader)
    response = client.get(reverse("policy:parameters"), {"group": "DAT"})
    assert response.status_code == 200
    groups = {g["code"]: g["count"] for g in response.context["groups"]}
    assert groups["DAT"] == PolicyParameter.objects.filter(group="DAT").count()
    keys = [p.key for p in response.context["parameters"]]
    assert PER_ACCOUNT in keys and all(key.startswith("DAT-") for key in keys)


def test_parameters_search_by_clause_key_or_name(client, org, reader):
    client.force_login(reader)
    by_clause = client.get(reverse("policy:parameters"), {"q": "WMS-25"})
    assert {p.clause for p in by_clause.context["parameters"]} == {"WMS-25"}
    by_name = client.get(reverse("policy:parameters"), {"q": "提成比例"})
    assert TIERS in [p.key for p in by_name.context["parameters"]]


def test_tier_table_is_shown_as_a_table_with_bounds(client, org, reader):
    client.force_login(reader)
    text = client.get(reverse("policy:parameter_detail", args=[TIERS])).text
    assert "30% &lt; r ≤ 50%" in text and "r ≥ 120%" in text
    assert "客服组" in text and "1.5%" in text


def test_policy_pages_need_the_view_permission(client, org):
    client.force_login(org.user_a)
    assert client.get(reverse("policy:parameters")).status_code == 403
    assert client.get(reverse("policy:parameter_detail", args=[SAMPLE])).status_code == 403


def test_client_members_never_see_policy_pages(client, org):
    org.member_a.user_permissions.add(Permission.objects.get(codename="view_policyparameter"))
    client.force_login(get_user_model().objects.get(pk=org.member_a.pk))
    assert client.get(reverse("policy:parameters")).status_code == 404
    assert client.get(reverse("policy:regulations")).status_code == 404


def test_history_marks_the_version_in_force_and_the_pending_one(client, org, owner, reader):
    parameter = PolicyParameter.objects.get(key=SAMPLE)
    later = timezone.localdate() + timedelta(days=30)
    actions.change_value(parameter, "15", effective_from=later, reason="新版制度", user=owner)
    client.force_login(reader)
    response = client.get(reverse("policy:parameter_detail", args=[SAMPLE]))
    statuses = {v.number: v.status for v in response.context["versions"]}
    assert statuses == {1: "current", 2: "pending"}
    assert "当前生效" in response.text and "待生效" in response.text and "新版制度" in response.text


def test_value_on_a_date_lookup_is_an_htmx_partial(client, org, owner, reader):
    parameter = PolicyParameter.objects.get(key=SAMPLE)
    later = timezone.localdate() + timedelta(days=30)
    actions.change_value(parameter, "15", effective_from=later, reason="新版制度", user=owner)
    client.force_login(reader)
    url = reverse("policy:parameter_value_on", args=[SAMPLE])
    future = client.get(url, {"on": later.isoformat()}, HTTP_HX_REQUEST="true")
    assert future.status_code == 200 and "<html" not in future.text
    assert "15%" in future.text and "第 2 版" in future.text
    today = client.get(url, {"on": timezone.localdate().isoformat()}, HTTP_HX_REQUEST="true")
    assert "10%" in today.text and "第 1 版" in today.text
    before = client.get(url, {"on": "2000-01-01"}, HTTP_HX_REQUEST="true")
    assert "该日期还没有生效的版本" in before.text
    plain = client.get(url, {"on": later.isoformat()})  # without htmx: a whole page
    assert "<html" in plain.text and "15%" in plain.text


# --- Changing a value ------------------------------------------------------------------------


def test_change_value_through_the_page_creates_a_version(client, org, owner):
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(owner)
    form = client.get(reverse("policy:parameter_change", args=[SAMPLE]))
    assert form.context["form"]["value"].value() == "10"  # the value in force, as people type it
    response = client.post(
        reverse("policy:parameter_change", args=[SAMPLE]),
        {
            "value": "12%",
            "effective_from": tomorrow.isoformat(),
            "reason": "抽检比例上调",
        },
    )
    assert response.status_code == 302
    version = PolicyVersion.objects.get(parameter__key=SAMPLE, number=2)
    assert (version.value, version.effective_from, version.created_by) == ("0.12", tomorrow, owner)
    assert registry.value(SAMPLE) == Decimal("0.10")  # today is unchanged
    assert registry.value(SAMPLE, on=tomorrow) == Decimal("0.12")
    assert version.history.first().history_user == owner  # in the audit trail (DAT-02)


def test_change_value_errors_are_chinese_and_on_their_field(client, org, owner):
    client.force_login(owner)
    url = reverse("policy:parameter_change", args=[SAMPLE])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {"value": "abc", "effective_from": yesterday.isoformat(), "reason": ""})
    errors = response.context["form"].errors
    assert "生效日期不能早于今天" in errors["effective_from"][0]
    assert errors["reason"] == ["这个字段是必填项。"]
    response = client.post(
        url, {"value": "250", "effective_from": timezone.localdate().isoformat(), "reason": "试试"}
    )
    assert "百分比必须在" in response.context["form"].errors["value"][0]  # from policy.actions
    assert PolicyVersion.objects.filter(parameter__key=SAMPLE).count() == 1


def test_change_tier_table_through_the_grid(client, org, owner):
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(owner)
    url = reverse("policy:parameter_change", args=[TIERS])
    page = client.get(url)
    rows = page.context["tier_rows"]
    assert rows[1]["lower"] == "30" and rows[1]["values"] == ["0.5", "1", "2"]  # percent, as people read it
    data = {"tier-count": "3", "effective_from": tomorrow.isoformat(), "reason": "两档简化"}
    grid = [
        ("0", "1", "50", "1", ["0", "0", "0"]),
        ("50", "", "", "", ["1", "2", "3"]),
        ("", "", "", "", ["", "", ""]),
    ]
    for i, (lower, lower_inc, upper, upper_inc, values) in enumerate(grid):
        data.update({f"tier-{i}-lower": lower, f"tier-{i}-upper": upper, f"tier-{i}-values": values})
        if lower_inc:
            data[f"tier-{i}-lower_inclusive"] = "1"
        if upper_inc:
            data[f"tier-{i}-upper_inclusive"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    table = registry.value(TIERS, on=tomorrow)
    assert table.rate(Decimal("0.50"), "promotion") == 0
    assert table.rate(Decimal("0.51"), "supervisor") == Decimal("0.03")


def test_tier_table_overlap_is_refused_on_the_value_field(client, org, owner):
    client.force_login(owner)
    data = {
        "tier-count": "2",
        "effective_from": timezone.localdate().isoformat(),
        "reason": "重叠",
        "tier-0-lower": "0",
        "tier-0-lower_inclusive": "1",
        "tier-0-upper": "60",
        "tier-0-upper_inclusive": "1",
        "tier-0-values": ["0", "0", "0"],
        "tier-1-lower": "50",
        "tier-1-upper": "",
        "tier-1-values": ["1", "1", "1"],
    }
    response = client.post(reverse("policy:parameter_change", args=[TIERS]), data)
    assert "重叠" in response.context["form"].errors["value"][0]
    assert PolicyVersion.objects.filter(parameter__key=TIERS).count() == 1


def test_change_page_needs_the_change_permission(client, org, reader):
    client.force_login(reader)
    assert client.get(reverse("policy:parameter_change", args=[SAMPLE])).status_code == 403
    response = client.post(
        reverse("policy:parameter_change", args=[SAMPLE]),
        {"value": "12", "effective_from": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 403
    assert "修改取值" not in client.get(reverse("policy:parameter_detail", args=[SAMPLE])).text


# --- Regulations and commitments (ORG-06) ------------------------------------------------------


def test_create_publish_acknowledge_and_follow_up(client, org, hr):
    signer = hire(org, "signer", "签字人")
    other = hire(org, "other", "未签人", department="ecom")
    effective = timezone.localdate() + timedelta(days=14)
    client.force_login(hr)
    response = client.post(
        reverse("policy:regulation_create"),
        {
            "code": "2030-01",
            "title": "运营管理制度（2030 版）",
            "title_en": "",
            "effective_from": effective.isoformat(),
            "announcement": "第一条 ……",
        },
    )
    regulation = RegulationVersion.objects.get(code="2030-01")
    assert response.status_code == 302 and regulation.published_at is None
    assert client.post(reverse("policy:regulation_publish", args=[regulation.pk])).status_code == 302
    regulation.refresh_from_db()
    assert regulation.published_at is not None
    assert DueItem.objects.open().filter(owner__in=[signer.user, other.user]).count() == 2

    client.force_login(signer.user)
    page = client.get(reverse("policy:regulation_detail", args=[regulation.pk]))
    assert "我已阅读并承诺遵守" in page.text
    assert "未签署的员工" not in page.text  # no follow-up list without the permissions
    signed = client.post(
        reverse("policy:regulation_acknowledge", args=[regulation.pk]), HTTP_HX_REQUEST="true"
    )
    assert signed.status_code == 200 and "签署本版本的承诺书" in signed.text and "<html" not in signed.text
    item = DueItem.objects.get(owner=signer.user)
    assert item.done_at is not None and item.done_by == signer.user  # the home page item is done (DAT-04)

    client.force_login(hr)
    follow_up = client.get(reverse("policy:regulation_detail", args=[regulation.pk]))
    missing = [person.name for person in follow_up.context["missing"]]
    assert "未签人" in missing and "签字人" not in missing
    assert "电子商务部" in follow_up.text.split("未签署的员工")[1]


def test_acknowledge_without_htmx_redirects_with_a_message(client, org, hr):
    signer = hire(org, "signer", "签字人")
    regulation = actions.create_regulation(
        code="R-2", title="制度", announcement="……", effective_from=timezone.localdate(), user=hr
    )
    actions.publish_regulation(regulation, user=hr)
    client.force_login(signer.user)
    response = client.post(reverse("policy:regulation_acknowledge", args=[regulation.pk]), follow=True)
    assert "已签署 R-2 的承诺书" in response.text


def test_drafts_are_hidden_from_staff_and_creation_is_guarded(client, org, hr):
    signer = hire(org, "signer", "签字人")
    draft = actions.create_regulation(
        code="R-3",
        title="草稿",
        announcement="……",
        effective_from=timezone.localdate() + timedelta(days=5),
        user=hr,
    )
    client.force_login(signer.user)
    assert client.get(reverse("policy:regulation_detail", args=[draft.pk])).status_code == 404
    assert "R-3" not in client.get(reverse("policy:regulations")).text
    assert client.get(reverse("policy:regulation_create")).status_code == 403
    assert client.post(reverse("policy:regulation_publish", args=[draft.pk])).status_code == 403


def test_regulation_form_refuses_a_past_date_and_a_duplicate_code(client, org, hr):
    actions.create_regulation(
        code="R-4", title="已有", announcement="……", effective_from=timezone.localdate(), user=hr
    )
    client.force_login(hr)
    response = client.post(
        reverse("policy:regulation_create"),
        {
            "code": "R-4",
            "title": "重复",
            "effective_from": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "announcement": "……",
        },
    )
    errors = response.context["form"].errors
    assert "已存在" in errors["code"][0]
    assert "生效日期不能早于今天" in errors["effective_from"][0]
