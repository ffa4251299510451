"""The content check (LAW-02, CAT-02): barred terms are found also when disguised, at their exact
place in the text, and never inside a phrase the reviewer cleared."""

from __future__ import annotations

import pytest

from ecomops.compliance import actions
from ecomops.compliance.checker import check, check_text, line_column
from ecomops.compliance.enums import PhraseKind, TermCategory
from ecomops.compliance.folding import MAX_GAP
from ecomops.compliance.models import AllowedPhrase, BarredTerm
from ecomops.policy import registry

pytestmark = pytest.mark.django_db


def spans(text: str, *, client=None) -> list[tuple[str, str, int, int]]:
    hits = check(text, client=client)
    for hit in hits:
        assert text[hit.start:hit.end] == hit.matched  # positions always point into the text as given
    return [(hit.term, hit.matched, hit.start, hit.end) for hit in hits]


def only(text: str, term: str, matched: str, *, client=None) -> None:
    """The text has exactly one hit: ``term``, found as ``matched`` where ``matched`` stands."""
    start = text.index(matched)
    assert spans(text, client=client) == [(term, matched, start, start + len(matched))]


# --- The seeded list ---------------------------------------------------------------------------


def seeded_terms() -> list[str]:
    return list(BarredTerm.objects.filter(is_active=True).order_by("pk").values_list("term", flat=True))


def test_every_term_of_the_law02_parameter_is_in_the_list():
    """LAW-02: the list starts from the policy parameter, every term of it, active."""
    listed = set(BarredTerm.objects.filter(is_active=True).values_list("term", flat=True))
    assert set(registry.value("LAW-02.barred_terms")) <= listed
    assert {"best", "number one"} <= listed  # English variants besides NO.1 and TOP1


def test_every_seeded_term_is_found_with_its_reason_law02():
    """LAW-02: each seeded term in a sentence is one hit, at its place, with category and reason."""
    terms = seeded_terms()
    assert len(terms) >= 35
    for term in terms:
        text = f"这款新茶{term}，欢迎选购"
        hits = check(text)
        assert [(h.term, h.start, h.end) for h in hits] == [(term, 4, 4 + len(term))], term
        assert hits[0].reason and hits[0].category in TermCategory.values


def test_a_term_inside_a_longer_term_is_one_hit_law02():
    only("史上最低价，仅此一天", "史上最低价", "史上最低价")
    only("全网第一的好茶", "全网第一", "全网第一")


def test_terms_overlapping_in_part_are_both_reported():
    assert [h[0] for h in spans("终极之选")] == ["终极"]
    assert [h[0] for h in spans("至尊极品")] == ["至尊", "极品"]
    assert [(h[0], h[2], h[3]) for h in spans("终极品")] == [("终极", 0, 2), ("极品", 1, 3)]


def test_hits_are_in_reading_order_with_line_and_column():
    text = "开头没有问题\n第二行：销量冠军\n第三行 TOP 1"
    hits = check(text)
    assert [h.term for h in hits] == ["销量冠军", "TOP1"]
    assert [line_column(text, h.start) for h in hits] == [(2, 5), (3, 5)]


# --- Disguised forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "matched"),
    [
        # full-width and half-width (NFKC)
        ("本店ＮＯ．１好茶", "NO.1", "ＮＯ．１"),
        ("ＴＯＰ１爆款", "TOP1", "ＴＯＰ１"),
        ("真正１００％有效！", "100%有效", "１００％有效"),
        # letter case, and the spellings of NO.1 and TOP 1
        ("好评 No.1 的茶", "NO.1", "No.1"),
        ("好评 No1 的茶", "NO.1", "No1"),
        ("好评 no. 1 的茶", "NO.1", "no. 1"),
        ("好评 N o . 1 的茶", "NO.1", "N o . 1"),
        ("人气 TOP 1 单品", "TOP1", "TOP 1"),
        ("人气 T O P 1 单品", "TOP1", "T O P 1"),
        ("人气 Top-1 单品", "TOP1", "Top-1"),
        ("The BEST tea", "best", "BEST"),
        ("the Best-seller of the year", "best", "Best"),
        ("NUMBER ONE in town", "number one", "NUMBER ONE"),
        # spaces and symbols between the characters
        ("口感最 佳", "最佳", "最 佳"),
        ("口感最*佳", "最佳", "最*佳"),
        ("口感最-佳", "最佳", "最-佳"),
        ("口感最　佳", "最佳", "最　佳"),
        ("口感最★☆佳", "最佳", "最★☆佳"),
        ("口感最\u200b佳", "最佳", "最\u200b佳"),
        ("销量第 一", "销量第一", "销量第 一"),
        ("排名第 一", "第一", "第 一"),
        ("全.网.第.一", "全网第一", "全.网.第.一"),
        ("口感最\n佳", "最佳", "最\n佳"),
        ("口感最🔥佳", "最佳", "最🔥佳"),
        # 一 written as a digit, traditional characters
        ("销量第1的茶", "销量第一", "销量第1"),
        ("全网第１", "全网第一", "全网第１"),
        ("國家級非遺", "国家级", "國家級"),
        ("獨一無二的味道", "独一无二", "獨一無二"),
    ],
)
def test_disguised_terms_are_found_at_their_place_law02(text, term, matched):
    """LAW-02: full-width, case, inserted spaces or symbols, digits for 一, traditional characters."""
    only(text, term, matched)


@pytest.mark.parametrize(
    "text",
    [
        "bestseller of the year",  # a Latin term is a word: not inside another word
        "bestow your gift",
        "TOP10 好物",  # TOP1 is not TOP10
        "型号 NO.12",  # nor NO.1 NO.12
        "2100%有效期",  # 100%有效 does not start inside a number
        "最近新品，好评如潮",  # a bare 最 is no term
        "最 -- ** 佳",  # too many symbols between two characters: no longer one word
        "次第\n\n\n\n一",
    ],
)
def test_innocent_texts_are_not_flagged(text):
    assert check(text) == []


def test_the_gap_between_two_characters_is_at_most_max_gap():
    assert [h.term for h in check("最" + "*" * MAX_GAP + "佳")] == ["最佳"]
    assert check("最" + "*" * (MAX_GAP + 1) + "佳") == []


def test_positions_point_into_text_with_characters_outside_the_basic_plane():
    text = "🍵🍵 好茶 ＴＯＰ　１ 🍵 最佳"
    hits = check(text)
    assert [(h.term, text[h.start:h.end]) for h in hits] == [("TOP1", "ＴＯＰ　１"), ("最佳", "最佳")]


# --- The allow-list ----------------------------------------------------------------------------


def test_a_hit_inside_an_allowed_phrase_is_cleared_but_not_one_elsewhere_law02():
    """LAW-02: "第一次" (an ordinal, seeded as cleared) is no ranking; "第一" later in the text is."""
    text = "第一次冲泡时注意水温。口碑第一！"
    result = check_text(text)
    assert [(h.term, h.matched) for h in result.hits] == [("第一", "第一")]
    assert result.hits[0].start == text.rindex("第一")
    assert [(c.phrase, c.matched, c.terms) for c in result.cleared] == [("第一次", "第一次", ("第一",))]


def test_allowed_phrases_are_matched_in_disguise_too():
    only("第 一 次冲泡，口感第一", "第一", "第一")
    assert check("Best Before: 2026-06-30") == []
    assert [h.term for h in check("Best tea, best before June")] == ["best"]


def test_a_registered_trademark_containing_a_barred_term_is_cleared(officer):
    """LAW-02: registered trademarks are exempt. Here one cleared for every client."""
    actions.create_allowed_phrase(user=officer, phrase="极品红", kind=PhraseKind.TRADEMARK, reference="第 12345678 号")
    assert check("极品红 正山小种 礼盒") == []
    text = "极品红正山小种，口感极品"
    assert spans(text) == [("极品", "极品", text.rindex("极品"), text.rindex("极品") + 2)]


def test_a_hit_reaching_out_of_an_allowed_phrase_still_counts(officer):
    actions.create_allowed_phrase(user=officer, phrase="一流", kind=PhraseKind.CLEARED)
    assert check("一流的服务") == []
    # "第一" starts before the cleared "一流": it is not wholly inside it.
    assert [h.term for h in check("第一流")] == ["第一"]


def test_a_clients_allowed_phrases_apply_to_that_client_only_law02(org, officer):
    """A client's trademark is cleared for texts of that client; elsewhere it is a hit as before."""
    actions.create_allowed_phrase(user=officer, phrase="至尊宝", kind=PhraseKind.TRADEMARK, client=org.client_a)
    text = "至尊宝 保温杯"
    assert check(text, client=org.client_a) == []
    assert check(text, client=org.client_a.pk) == []
    assert [h.term for h in check(text, client=org.client_b)] == ["至尊"]
    assert [h.term for h in check(text)] == ["至尊"]


def test_switched_off_entries_no_longer_count(officer):
    term = BarredTerm.objects.get(term="顶级")
    phrase = AllowedPhrase.objects.get(phrase="第一次")
    assert [h.term for h in check("顶级好茶，第一次喝")] == ["顶级"]
    actions.update_barred_term(term, user=officer, is_active=False)
    actions.update_allowed_phrase(phrase, user=officer, is_active=False)
    assert [h.term for h in check("顶级好茶，第一次喝")] == ["第一"]


def test_a_new_term_is_checked_at_once(officer):
    """The compiled list is rebuilt when the list changes: no restart, no stale cache."""
    assert check("镇店之宝") == []
    actions.create_barred_term(user=officer, term="镇店之宝", category=TermCategory.SUPERLATIVE, reason="同义说法")
    assert [h.term for h in check("本品为镇店 之宝")] == ["镇店之宝"]


def test_the_check_flags_and_never_rejects_law02():
    """LAW-02: the result is data for a human reviewer: hits with reasons, nothing refused."""
    result = check_text("全网第一")
    assert result.needs_review and result.hits[0].reason
    clean = check_text("清香回甘")
    assert not clean.needs_review and clean.hits == []


def test_an_empty_text_has_no_hits():
    assert check("") == [] and check("   \n ") == []
