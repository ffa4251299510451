"""The pages of content compliance (LAW-02, CAT-02): 内容检测 for every staff member, 合规词库 for the
compliance owner; a client's own user finds neither (404, AGY-07)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.compliance import actions
from ecomops.compliance.models import AllowedPhrase, BarredTerm

pytestmark = pytest.mark.django_db


def browser(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


PAGES = ["compliance:check", "compliance:terms", "compliance:term_create", "compliance:phrases",
         "compliance:phrase_create"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_answer_by_role(org, officer, writer, name):
    """200 for the compliance officer; a client's user gets 404 (AGY-07); anonymous must sign in."""
    url = reverse(name)
    assert browser(officer).get(url).status_code == 200
    assert browser(org.member_a).get(url).status_code == 404
    assert HttpClient().get(url).status_code == 302
    expected = 200 if name == "compliance:check" else 403
    assert browser(writer).get(url).status_code == expected


def test_edit_and_toggle_pages_need_their_permissions(org, officer, writer):
    term = BarredTerm.objects.get(term="最佳")
    phrase = AllowedPhrase.objects.get(phrase="第一次")
    for url in (reverse("compliance:term_edit", args=[term.pk]), reverse("compliance:phrase_edit", args=[phrase.pk])):
        assert browser(officer).get(url).status_code == 200
        assert browser(writer).get(url).status_code == 403
        assert browser(org.member_a).get(url).status_code == 404
    posts = [reverse("compliance:term_toggle", args=[term.pk]), reverse("compliance:phrase_toggle", args=[phrase.pk]),
             reverse("compliance:term_import")]
    for url in posts:
        assert browser(writer).post(url).status_code == 403
        assert browser(org.member_a).post(url).status_code == 404
    assert BarredTerm.objects.get(pk=term.pk).is_active and AllowedPhrase.objects.get(pk=phrase.pk).is_active


def test_the_navigation_offers_content_compliance_to_staff_only(org, writer):
    assert reverse("compliance:check") in browser(writer).get(reverse("home")).text
    assert reverse("compliance:check") not in browser(org.member_a).get(reverse("home")).text


# --- 内容检测 ------------------------------------------------------------------------------------


def test_checking_text_highlights_each_hit_with_its_reason_law02(org, writer):
    text = "清香回甘<b>\n全网第一，口感最 * 佳。第一次冲泡"
    response = browser(writer).post(reverse("compliance:check"), {"text": text})
    assert response.status_code == 200
    page = response.text
    assert "发现 2 处禁用词" in page
    assert '<mark class="eo-hit eo-sev-high"' in page and "最 * 佳</mark>" in page
    assert "&lt;b&gt;" in page and "<b>\n" not in page  # the text is shown, never interpreted
    assert "第 2 行第 1 列" in page and "排名用语" in page
    assert 'class="eo-cleared"' in page and "第一次" in page  # the cleared ordinal is shown as such
    assert "放行" not in page.split('data-testid="hit-table"')[1].split("</table>")[0]  # no right to clear


def test_htmx_gets_only_the_result(org, officer):
    htmx = {"HX-Request": "true"}
    response = browser(officer).post(reverse("compliance:check"), {"text": "TOP 1 好物"}, headers=htmx)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="check-result"')
    assert "<html" not in response.text
    # the officer may clear a hit: the link carries the matched text
    assert reverse("compliance:phrase_create") + "?phrase=TOP%201" in response.text


def test_an_empty_or_too_long_text_is_refused_on_the_form(org, writer):
    page = browser(writer).post(reverse("compliance:check"), {"text": "   "}).text
    assert "请输入要检测的文字" in page
    response = browser(writer).post(reverse("compliance:check"), {"text": "x" * 20_001}, headers={"HX-Request": "true"})
    assert "要检测的文字" in response.text and "20000" in response.text


def test_a_client_outside_the_scope_cannot_be_chosen(org, writer):
    page = browser(writer).post(reverse("compliance:check"), {"text": "至尊宝", "client": org.client_b.pk}).text
    assert "发现" not in page and "is-invalid" in page


def test_checking_for_a_client_applies_its_phrases(org, officer):
    actions.create_allowed_phrase(user=officer, phrase="至尊宝", client=org.client_a)
    page = browser(officer).post(reverse("compliance:check"), {"text": "至尊宝", "client": org.client_a.pk}).text
    assert "未发现禁用词" in page and "甲品牌" in page


# --- 合规词库 ------------------------------------------------------------------------------------


def test_the_term_list_searches_and_filters(org, officer):
    page = browser(officer).get(reverse("compliance:terms"), {"q": "第一"}).text
    assert "全网第一" in page and "销量第一" in page and "顶级" not in page
    actions.update_barred_term(BarredTerm.objects.get(term="顶级"), user=officer, is_active=False)
    page = browser(officer).get(reverse("compliance:terms"), {"active": "0"}).text
    assert "顶级" in page and "全网第一" not in page


def test_a_term_is_added_through_the_form(org, officer):
    url = reverse("compliance:term_create")
    data = {"term": "镇店之宝", "category": "superlative", "severity": "high", "reason": "最高级的同义说法"}
    response = browser(officer).post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("compliance:terms")
    assert BarredTerm.objects.get(term="镇店之宝").created_by == officer
    again = browser(officer).post(url, {**data, "term": "镇店 之宝"})
    assert again.status_code == 200 and "与已有禁用词“镇店之宝”" in again.text and "is-invalid" in again.text


def test_a_term_is_edited_and_switched_off(org, officer):
    term = BarredTerm.objects.get(term="首发")
    url = reverse("compliance:term_edit", args=[term.pk])
    data = {"term": "首发", "category": term.category, "severity": "low", "reason": "须注明时间与平台"}
    assert browser(officer).post(url, data).status_code == 302
    term.refresh_from_db()
    assert (term.severity, term.reason) == ("low", "须注明时间与平台")
    next_url = reverse("compliance:terms") + "?q=%E9%A6%96"
    response = browser(officer).post(reverse("compliance:term_toggle", args=[term.pk]), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    term.refresh_from_db()
    assert term.is_active is False
    response = browser(officer).post(reverse("compliance:term_toggle", args=[term.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("compliance:terms")


def test_importing_the_policy_terms_reports_what_it_did(org, officer):
    response = browser(officer).post(reverse("compliance:term_import"), follow=True)
    assert "都已在词库中" in response.text


def test_phrases_of_another_client_are_not_found(org, officer):
    theirs = actions.create_allowed_phrase(user=org.admin, phrase="乙方王牌", client=org.client_b)
    assert "乙方王牌" not in browser(officer).get(reverse("compliance:phrases")).text
    assert browser(officer).get(reverse("compliance:phrase_edit", args=[theirs.pk])).status_code == 404
    assert browser(officer).post(reverse("compliance:phrase_toggle", args=[theirs.pk])).status_code == 404
    assert AllowedPhrase.objects.get(pk=theirs.pk).is_active


def test_a_phrase_is_cleared_from_a_hit_for_the_client(org, officer):
    form = browser(officer).get(reverse("compliance:phrase_create"), {"phrase": "至尊宝", "client": org.client_a.pk})
    assert 'value="至尊宝"' in form.text
    assert f'<option value="{org.client_b.pk}"' not in form.text  # only clients seen whole
    response = browser(officer).post(reverse("compliance:phrase_create"), {
        "phrase": "至尊宝", "kind": "trademark", "client": org.client_a.pk, "reference": "第 1 号", "note": "",
    })
    assert response.status_code == 302
    phrase = AllowedPhrase.objects.get(phrase="至尊宝")
    assert (phrase.client, phrase.kind, phrase.cleared_by) == (org.client_a, "trademark", officer)
    page = browser(officer).get(reverse("compliance:phrases"), {"client": str(org.client_a.pk)}).text
    assert "至尊宝" in page and "第一次" not in page


def test_the_marked_up_text_is_the_text_itself_cut_at_every_hit():
    """Overlapping hits ("终极" and "极品" in "终极品") and cleared phrases: every character shown once."""
    from ecomops.compliance.checker import check_text
    from ecomops.compliance.views import segments

    text = "终极品，第一次，ＴＯＰ１"
    result = check_text(text)
    cut = segments(text, result.hits, result.cleared)
    assert "".join(seg.text for seg in cut) == text
    assert [(seg.text, seg.hits, seg.starts) for seg in cut if seg.hits] == [
        ("终", [1], [1]), ("极", [1, 2], [2]), ("品", [2], []), ("ＴＯＰ１", [3], [3]),
    ]
    assert [seg.text for seg in cut if seg.cleared] == ["第一次"]
