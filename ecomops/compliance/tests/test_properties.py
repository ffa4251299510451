"""Properties of the content check over generated text (LAW-02, CAT-02).

- Any barred term, disguised (full-width, other case, 一 as a digit, up to MAX_GAP separators
  between its characters) and put anywhere in innocuous Chinese/English text, is a hit whose span
  is exactly the disguised term.
- Text made only of innocuous characters and separators has no hit.
- A cleared phrase suppresses the hits inside it, and only those.

"Innocuous" characters are those that occur in no active barred term and no allowed phrase, so
any hit can only come from the term that was put in.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomops.compliance.checker import check, check_text
from ecomops.compliance.folding import MAX_GAP, fold_char, is_word, skeleton
from ecomops.compliance.models import AllowedPhrase, BarredTerm

pytestmark = pytest.mark.django_db

SEPARATORS = [" ", "\u3000", "*", "-", ".", "·", "_", "/", "~", "、", "，", "。", "|", "\u200b", "★", "♥", "\t",
              "!", "…", "\n", "🔥", "（", "）", "#", "\u0301"]
CANDIDATES = (
    "清香回甘汤色明亮叶底匀整产地杭州西湖春茶采摘手工炒制包装精美送礼自饮皆宜冲泡水温约八十五度"
    "保温杯容量毫升食品级不锈钢轻便耐用适合办公旅行居家使用客服在线发货迅速"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _lists() -> tuple[list[str], list[str]]:
    terms = list(BarredTerm.objects.filter(is_active=True).order_by("pk").values_list("term", flat=True))
    phrases = list(AllowedPhrase.objects.filter(is_active=True).order_by("pk").values_list("phrase", flat=True))
    return terms, phrases


def innocuous_alphabet(terms: list[str], phrases: list[str]) -> list[str]:
    used = set("".join(skeleton(t) for t in [*terms, *phrases]))
    return sorted({ch for ch in CANDIDATES if not set(fold_char(ch)) & used})


def full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


@st.composite
def disguise(draw, term: str) -> str:
    """``term`` as somebody hiding it would write it."""
    chars = [ch for ch in term if fold_char(ch)]  # the significant characters ("NO.1" → N, O, 1)
    out = []
    for index, ch in enumerate(chars):
        if ch.isascii() and ch.isalnum():
            ch = draw(st.sampled_from([ch.lower(), ch.upper()]))
            ch = draw(st.sampled_from([ch, full_width(ch)]))
        elif ch == "一":
            ch = draw(st.sampled_from(["一", "1", "１"]))
        elif ch == "%":
            ch = draw(st.sampled_from(["%", "％", "﹪"]))
        out.append(ch)
        if index < len(chars) - 1:
            out.extend(draw(st.lists(st.sampled_from(SEPARATORS), max_size=MAX_GAP)))
    return "".join(out)


def _filler(alphabet: list[str]):
    return st.text(alphabet=st.sampled_from(alphabet + SEPARATORS), max_size=40)


def _padded(before: str, word: str, after: str) -> tuple[str, int]:
    """Join with a space where a Latin word would otherwise run on into its neighbour."""
    first, last = fold_char(word[0])[:1], fold_char(word[-1])[-1:]
    left = " " if before and first and is_word(first) else ""
    right = " " if after and last and is_word(last) else ""
    return before + left + word + right + after, len(before) + len(left)


def test_separators_and_candidates_are_what_the_properties_assume():
    assert all(fold_char(sep) == "" for sep in SEPARATORS)
    terms, phrases = _lists()
    alphabet = innocuous_alphabet(terms, phrases)
    assert len(alphabet) > 40 and any(ch.isascii() for ch in alphabet) and any(not ch.isascii() for ch in alphabet)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_disguised_term_anywhere_is_one_hit_covering_exactly_it_law02(data):
    terms, phrases = _lists()
    alphabet = innocuous_alphabet(terms, phrases)
    term = data.draw(st.sampled_from(terms), label="term")
    hidden = data.draw(disguise(term), label="disguised")
    text, start = _padded(data.draw(_filler(alphabet)), hidden, data.draw(_filler(alphabet)))
    hits = check(text)
    assert [(h.start, h.end) for h in hits] == [(start, start + len(hidden))], (term, text, hits)
    assert hits[0].matched == hidden


@PROPERTY_SETTINGS
@given(data=st.data())
def test_text_without_a_barred_term_has_no_hits(data):
    terms, phrases = _lists()
    text = data.draw(st.text(alphabet=st.sampled_from(innocuous_alphabet(terms, phrases) + SEPARATORS), max_size=300))
    assert check(text) == []


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_cleared_phrase_suppresses_the_hits_inside_it_and_no_others_law02(data):
    """"第一次" is cleared (seeded): its 第一 is no hit, however written; a term elsewhere still is."""
    terms, phrases = _lists()
    alphabet = innocuous_alphabet(terms, phrases)
    cleared = data.draw(disguise("第一次"), label="cleared")
    term = data.draw(st.sampled_from(terms), label="term")
    hidden = data.draw(disguise(term), label="disguised")
    head = data.draw(_filler(alphabet)) + cleared + "，"
    text, start = _padded(head, hidden, data.draw(_filler(alphabet)))
    result = check_text(text)
    assert [(h.start, h.end) for h in result.hits] == [(start, start + len(hidden))], (text, result.hits)
    assert [c.phrase for c in result.cleared] == ["第一次"]
