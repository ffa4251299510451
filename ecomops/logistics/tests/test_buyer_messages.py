"""LOG-02: the buyer message of a logistics case as editable data (issue 18). One template per kind of
case, seeded with the built-in text; the logistics supervisor edits it (kept on its history); a case
informed without a typed message gets its kind's template filled with the order, courier and
tracking number; a missing or inactive template falls back to the built-in text."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.utils import translation

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.logistics import buyer_texts, seed, tracking
from ecomops.logistics.models import BuyerMessageTemplate, CaseKind, CaseState
from ecomops.orders.tests.conftest import make_user
from ecomops.org.models import ClientMember, Position

from .test_carriage import LOGISTICS, shipped

pytestmark = pytest.mark.django_db

TEMPLATES = ("logistics.view_buyermessagetemplate", "logistics.change_buyermessagetemplate")
# The texts buyer_message sent before they became data, for order TB1001 shipped by ZTO as ZT1.
CURRENT = {
    CaseKind.DELAYED: "您好，您的订单 TB1001（中通快递 ZT1）配送比承诺时间晚了，我们已联系快递加急处理，"
                      "给您带来不便非常抱歉。",
    CaseKind.LOST: "您好，您的订单 TB1001（中通快递 ZT1）在运输途中丢失，我们将为您补发或退款，请告诉我们您的选择。",
    CaseKind.DAMAGED: "您好，您的订单 TB1001（中通快递 ZT1）运输中发生破损，请拍照联系我们，我们将为您补发或退款。",
    CaseKind.RETURNED: "您好，您的订单 TB1001（中通快递 ZT1）被快递退回，请确认收货地址和电话，我们将重新为您发出。",
}


@pytest.fixture
def lg(od, org):
    """Client A's orders (``od``) and ``user``: handles client A's logistics cases, not the templates."""
    d = type("LG", (), {})()
    d.od = od
    d.user = make_user("logi_a", *LOGISTICS, client=org.client_a, position="statistician")
    return d


@pytest.fixture
def supervisor(org):
    """Edits the templates by position (reference.toml: the warehouse supervisor, who also handles the
    logistics cases and the carriers), not by permissions of its own."""
    user = make_user("wl_zhuguan", position="warehouse_supervisor")
    user.groups.add(Position.objects.get(code="warehouse_supervisor").group)
    return get_user_model().objects.get(pk=user.pk)


def _template(kind) -> BuyerMessageTemplate:
    return BuyerMessageTemplate.objects.get(kind=kind)


def test_every_kind_is_seeded_with_its_built_in_text_once_and_edits_survive_the_seed(supervisor):
    assert set(buyer_texts.DEFAULT_TEXTS) == set(CaseKind.values)
    assert {t.kind: t.text for t in BuyerMessageTemplate.objects.all()} == buyer_texts.DEFAULT_TEXTS
    assert all(t.is_active and t.history.count() == 1 for t in BuyerMessageTemplate.objects.all())
    tracking.update_template(_template(CaseKind.LOST), user=supervisor, text="您的包裹 {运单号} 丢失了", active=False)
    _template(CaseKind.DAMAGED).delete()
    assert seed.seed_buyer_message_templates() == 1  # only the missing one
    assert seed.seed_buyer_message_templates() == 0
    lost = _template(CaseKind.LOST)
    assert (lost.text, lost.is_active) == ("您的包裹 {运单号} 丢失了", False)
    assert _template(CaseKind.DAMAGED).text == buyer_texts.DEFAULT_TEXTS[CaseKind.DAMAGED]


@pytest.mark.parametrize("kind", CaseKind.values)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_default_message_is_the_text_sent_before_for_each_kind(lg, kind, language):
    """The buyer is Chinese: the message (and the courier's name in it) is Chinese whatever language
    the user's pages are in."""
    case = tracking.open_case(shipped(lg.od.a1), kind, reason="x")
    with translation.override(language):
        assert tracking.buyer_message(case) == CURRENT[kind]


def test_a_missing_inactive_or_emptied_template_falls_back_to_the_built_in_text(lg, supervisor):
    case = tracking.open_case(shipped(lg.od.a1), CaseKind.LOST, reason="x")
    tracking.update_template(_template(CaseKind.LOST), user=supervisor, text="丢了 {订单号}", active=False)
    assert tracking.buyer_message(case) == CURRENT[CaseKind.LOST]
    BuyerMessageTemplate.objects.filter(kind=CaseKind.LOST).update(text=" ", is_active=True)
    assert tracking.buyer_message(case) == CURRENT[CaseKind.LOST]
    BuyerMessageTemplate.objects.all().delete()
    assert tracking.buyer_message(case) == CURRENT[CaseKind.LOST]


def test_an_edited_template_is_what_inform_buyer_sends_and_a_typed_message_still_wins(lg, supervisor):
    template = tracking.update_template(
        _template(CaseKind.DAMAGED), user=supervisor, active=True,
        text="亲，订单 {订单号} 的包裹（{快递公司}，运单 {运单号}）破损了。\n请回复“补发”或“退款”。")
    assert template.text.startswith("亲，订单")
    case = tracking.open_case(shipped(lg.od.a1), CaseKind.DAMAGED, reason="外箱破损")
    case = tracking.inform_buyer(case, user=lg.user)
    assert case.state == CaseState.INFORMED
    assert case.message == "亲，订单 TB1001 的包裹（中通快递，运单 ZT1）破损了。\n请回复“补发”或“退款”。"
    other = tracking.open_case(shipped(lg.od.a2, tracking_no="ZT2"), CaseKind.DAMAGED, reason="x")
    assert tracking.inform_buyer(other, user=lg.user, message="电话已沟通").message == "电话已沟通"


def test_filling_is_a_plain_replacement_never_a_format_string():
    """No attribute access, indexing or format spec is evaluated; values are not filled twice."""
    values = {"订单号": "{运单号}", "快递公司": "中通快递", "运单号": "ZT1"}
    text = "{订单号} {快递公司!r} {0} {__class__} {运单号.__class__} %(order)s %s {{运单号}}"
    assert (buyer_texts.fill(text, values)
            == "{运单号} {快递公司!r} {0} {__class__} {运单号.__class__} %(order)s %s {ZT1}")


@pytest.mark.parametrize(("text", "says"), [
    ("", "请填写模板内容"), ("   \n ", "请填写模板内容"),
    ("您好 {订单编号}", "未知的占位符 {订单编号}"), ("您好 {订单号} {0} {__class__}", "未知的占位符 {0}、{__class__}"),
    ("您好 {订单号!r}", "未知的占位符"), ("您好 {订单号", "花括号"), ("您好 订单号}", "花括号"),
    ("长" * 1001, "最多 1000 个字符"),
])
def test_an_empty_or_unknown_placeholder_text_is_refused_naming_text_and_nothing_is_saved(supervisor, text, says):
    template = _template(CaseKind.DELAYED)
    with pytest.raises(BusinessError, match=re.escape(says)) as refused:
        tracking.update_template(template, user=supervisor, text=text, active=False)
    assert refused.value.field == "text"
    template.refresh_from_db()
    assert (template.text, template.is_active) == (buyer_texts.DEFAULT_TEXTS[CaseKind.DELAYED], True)
    assert template.history.count() == 1


def test_without_the_permission_or_as_a_clients_user_the_edit_is_refused(lg, org):
    template = _template(CaseKind.LOST)
    with pytest.raises(NotAllowed):
        tracking.update_template(template, user=lg.user, text="{订单号}", active=True)  # cases, not templates
    client_user = make_user("kehu_wl", *TEMPLATES, client=org.client_a)
    ClientMember.objects.create(user=client_user, client=org.client_a)
    client_user = get_user_model().objects.get(pk=client_user.pk)
    with pytest.raises(NotAllowed):
        tracking.update_template(template, user=client_user, text="{订单号}", active=True)
    template.refresh_from_db()
    assert template.text == buyer_texts.DEFAULT_TEXTS[CaseKind.LOST]


def test_each_change_is_on_the_templates_history_with_the_user(supervisor):
    template = tracking.update_template(_template(CaseKind.RETURNED), user=supervisor,
                                        text="订单 {订单号} 被退回", active=True)
    tracking.update_template(template, user=supervisor, text=" 订单 {订单号} 被退回 ", active=True)  # the same
    history = list(template.history.order_by("history_date", "history_id"))
    assert len(history) == 2
    assert history[0].history_user is None and history[0].text == buyer_texts.DEFAULT_TEXTS[CaseKind.RETURNED]
    assert (history[1].history_user, history[1].text, history[1].history_type) == (supervisor, "订单 {订单号} 被退回",
                                                                                     "~")
    assert history[1].history_change_reason == "修改买家告知模板"


def test_the_page_lists_the_templates_with_a_preview_and_the_form_saves_or_refuses(supervisor, lg):
    browser = HttpClient()
    browser.force_login(supervisor)
    page = browser.get("/logistics/message-templates/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "您好，您的订单 TB2026110100001（中通快递 ZT7800000000001）在运输途中丢失" in html
    assert 'data-testid="template-delayed"' in html and "<form" in html
    lost = _template(CaseKind.LOST)
    saved = browser.post(f"/logistics/message-templates/{lost.pk}/",
                         {"text": "订单 {订单号} 丢件，运单 {运单号}", "is_active": "on"}, follow=True)
    assert saved.status_code == 200
    assert "订单 TB2026110100001 丢件，运单 ZT7800000000001" in saved.content.decode()
    lost.refresh_from_db()
    assert lost.text == "订单 {订单号} 丢件，运单 {运单号}" and lost.history.latest().history_user == supervisor
    refused = browser.post(f"/logistics/message-templates/{lost.pk}/", {"text": "订单 {单号}", "is_active": "on"},
                           follow=True)
    assert "未知的占位符 {单号}" in refused.content.decode()
    browser.post(f"/logistics/message-templates/{lost.pk}/", {"text": "订单 {订单号} 丢件，运单 {运单号}"})
    lost.refresh_from_db()
    assert lost.is_active is False  # the box left unticked
    # a user who handles cases sees no templates tab; reading without the change right shows no form
    reader = make_user("wl_reader", "logistics.view_buyermessagetemplate", "logistics.view_logisticscase")
    browser.force_login(reader)
    page = browser.get("/logistics/message-templates/")
    assert page.status_code == 200 and "<textarea" not in page.content.decode()
    assert browser.post(f"/logistics/message-templates/{lost.pk}/", {"text": "x"}).status_code == 403
    browser.force_login(lg.user)
    assert browser.get("/logistics/message-templates/").status_code == 403
    assert "message-templates" not in browser.get("/logistics/cases/").content.decode()


def test_api_lists_and_updates_the_templates_and_validates(supervisor, lg):
    from ecomops.apiutil.tokens import issue_token

    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=supervisor, name='t').plain}")
    listed = api.get("/api/v1/logistics/message-templates")
    assert listed.status_code == 200, listed.content
    by_kind = {row["kind"]: row for row in listed.json()}
    assert set(by_kind) == set(CaseKind.values)
    assert by_kind["lost"]["text"] == buyer_texts.DEFAULT_TEXTS["lost"] and by_kind["lost"]["is_active"]
    assert by_kind["lost"]["preview"].startswith("您好，您的订单 TB2026110100001（中通快递 ZT7800000000001）")

    def put(kind, body):
        return api.put(f"/api/v1/logistics/message-templates/{kind}", json.dumps(body),
                       content_type="application/json")

    updated = put("delayed", {"text": "订单 {订单号} 晚到了", "is_active": True})
    assert updated.status_code == 200, updated.content
    assert updated.json()["preview"] == "订单 TB2026110100001 晚到了"
    assert _template(CaseKind.DELAYED).history.latest().history_user == supervisor
    bad = put("delayed", {"text": "订单 {order}", "is_active": True})
    assert bad.status_code == 400, bad.content
    assert bad.json()["error"]["field"] == "text" and "{order}" in bad.json()["error"]["message"]
    empty = put("delayed", {"text": "  ", "is_active": True})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "text"
    assert _template(CaseKind.DELAYED).text == "订单 {订单号} 晚到了"
    assert put("missing", {"text": "x"}).status_code == 422
    BuyerMessageTemplate.objects.filter(kind=CaseKind.RETURNED).delete()
    assert put("returned", {"text": "x"}).status_code == 404

    reader = HttpClient(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=lg.user, name='t').plain}")
    assert reader.get("/api/v1/logistics/message-templates").status_code == 403
    assert reader.put("/api/v1/logistics/message-templates/lost", json.dumps({"text": "x"}),
                                       content_type="application/json").status_code == 403
