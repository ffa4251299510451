"""The content check (LAW-02, CAT-02): where a text uses a barred term, and why it matters.

    from ecomops.compliance.checker import check
    for hit in check(listing.description, client=store.client):
        hit.term, hit.start, hit.end, hit.matched, hit.category, hit.reason

A hit sends the content to human review; the check itself rejects nothing (LAW-02). Positions are
indexes into the text as given (Python string offsets, i.e. Unicode code points, end exclusive), so
``text[hit.start:hit.end] == hit.matched`` always holds, also for disguised forms ("最 * 佳",
"ＴＯＰ１", "No. 1"; see ``folding`` for what counts as the same characters).

Rules, in order:

1. every occurrence of every active barred term is found, overlapping ones included;
2. a hit lying wholly inside an allowed phrase (for everybody, or for the client the text is
   checked for) is no hit: "第一" inside the cleared "第一次", "极品" inside a registered trademark;
   a hit elsewhere in the same text still counts;
3. of the hits left, one lying inside another is dropped: "史上最低价" is one hit, not two.

The term and phrase lists are compiled once per version of the lists: the cache is keyed on the
number of rows and the latest ``updated_at`` of each table, read with two small queries per check,
so a change made by any process is seen by the next check everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Max

from .enums import SEVERITY_ORDER, SEVERITY_SHORT, PhraseKind, Severity, TermCategory
from .folding import MAX_GAP, Folded, fold, is_word, skeleton
from .models import AllowedPhrase, BarredTerm

# The most a text sent to the API or typed on the page may hold (characters).
MAX_TEXT_LENGTH = 20_000

_END = ""  # the trie key of "a term ends here" (skeleton characters are never empty)


@dataclass(frozen=True)
class Term:
    id: int
    term: str
    category: str
    reason: str
    severity: str


@dataclass(frozen=True)
class Phrase:
    id: int
    phrase: str
    kind: str
    client_id: int | None


@dataclass(frozen=True)
class Hit:
    """One use of a barred term: ``text[start:end] == matched``."""

    term: str
    matched: str
    start: int
    end: int
    category: str
    reason: str
    severity: str
    term_id: int

    @property
    def category_label(self) -> str:
        return str(TermCategory(self.category).label)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def severity_short(self) -> str:
        return str(SEVERITY_SHORT.get(self.severity, self.severity))


@dataclass(frozen=True)
class Cleared:
    """An allowed phrase that kept a barred term inside it from being a hit."""

    phrase: str
    kind: str
    matched: str
    start: int
    end: int
    phrase_id: int
    client_id: int | None
    terms: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(PhraseKind(self.kind).label)


@dataclass(frozen=True)
class CheckResult:
    text: str
    hits: list[Hit]
    cleared: list[Cleared] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """LAW-02: any hit sends the content to a person; none means nothing to review here."""
        return bool(self.hits)


# --- Matching --------------------------------------------------------------------------------


class Matcher:
    """A trie over the skeletons of a list of entries; finds every occurrence in a folded text."""

    def __init__(self, entries: Iterable[tuple[str, Any]]):
        self.root: dict = {}
        self.size = 0
        for key, payload in entries:
            if not key:
                continue
            node = self.root
            for ch in key:
                node = node.setdefault(ch, {})
            if _END not in node:  # the first entry of a key wins (callers put the stronger first)
                node[_END] = payload
                self.size += 1

    def find(self, folded: Folded) -> list[tuple[int, int, Any]]:
        """``(first, last, payload)`` for every occurrence, as indexes into ``folded.chars``."""
        chars, src = folded.chars, folded.src
        root, n, found = self.root, len(chars), []
        for k in range(n):
            node = root.get(chars[k])
            if node is None:
                continue
            # A Latin word does not start in the middle of another one ("bestseller" has no "seller").
            if k and src[k] - src[k - 1] <= 1 and is_word(chars[k]) and is_word(chars[k - 1]):
                continue
            j = k
            while True:
                payload = node.get(_END)
                if payload is not None:
                    after = j + 1
                    if not (after < n and src[after] - src[j] <= 1 and is_word(chars[j]) and is_word(chars[after])):
                        found.append((k, j, payload))
                j += 1
                if j == n or src[j] - src[j - 1] - 1 > MAX_GAP:
                    break
                node = node.get(chars[j])
                if node is None:
                    break
        return found


@dataclass(frozen=True)
class Library:
    """The compiled lists of one version: the barred terms and the allowed phrases by client."""

    version: tuple
    barred: Matcher
    allowed: dict[int | None, Matcher]

    @property
    def term_count(self) -> int:
        return self.barred.size


def _version() -> tuple:
    terms = BarredTerm.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    phrases = AllowedPhrase.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (terms["n"], terms["last"], phrases["n"], phrases["last"])


def compile_library(version: tuple = ()) -> Library:
    terms = sorted(
        (
            Term(pk, term, category, reason, severity)
            for pk, term, category, reason, severity in BarredTerm.objects.filter(is_active=True).values_list(
                "pk", "term", "category", "reason", "severity"
            )
        ),
        key=lambda t: (SEVERITY_ORDER.get(t.severity, 9), t.id),
    )
    barred = Matcher((skeleton(t.term), t) for t in terms)
    by_client: dict[int | None, list[Phrase]] = {}
    rows = AllowedPhrase.objects.filter(is_active=True).order_by("pk").values_list("pk", "phrase", "kind", "client_id")
    for pk, phrase, kind, client_id in rows:
        by_client.setdefault(client_id, []).append(Phrase(pk, phrase, kind, client_id))
    allowed = {
        client_id: Matcher((skeleton(p.phrase), p) for p in phrases) for client_id, phrases in by_client.items()
    }
    return Library(version, barred, allowed)


_lock = threading.Lock()
_current: Library | None = None


def library() -> Library:
    """The compiled lists, rebuilt only when a term or phrase changed since the last build."""
    global _current
    version = _version()
    current = _current
    if current is not None and current.version == version:
        return current
    with _lock:
        if _current is None or _current.version != version:
            _current = compile_library(version)
        return _current


def forget() -> None:
    """Drop the compiled lists (tests that change rows without ``updated_at``)."""
    global _current
    _current = None


# --- The check -------------------------------------------------------------------------------


def _client_id(client) -> int | None:
    if client is None:
        return None
    return client if isinstance(client, int) else client.pk


def check_text(text: str, *, client=None) -> CheckResult:
    """The hits in ``text``, and the allowed phrases that cleared terms inside them (rules above).

    ``client``: a ``Client`` (or its id) whose own allowed phrases apply too; None for everybody's only.
    The caller decides whether the user may check for that client (``Client.objects.visible_to``).
    """
    lib = library()
    folded = fold(text)
    raw = lib.barred.find(folded)
    if not raw:
        return CheckResult(text, [], [])
    src = folded.src
    hits = [
        Hit(term.term, text[src[k]:src[j] + 1], src[k], src[j] + 1, term.category, term.reason, term.severity,
            term.id)
        for k, j, term in raw
    ]
    spans = _allowed_spans(lib, folded, text, _client_id(client))
    hits, cleared = _clear(hits, spans)
    return CheckResult(text, _outermost(hits), cleared)


def check(text: str, *, client=None) -> list[Hit]:
    """The hits in ``text`` (see ``check_text``), in reading order."""
    return check_text(text, client=client).hits


def _allowed_spans(lib: Library, folded: Folded, text: str, client_id: int | None) -> list[Cleared]:
    matchers = [lib.allowed.get(None)]
    if client_id is not None:
        matchers.append(lib.allowed.get(client_id))
    src = folded.src
    spans = []
    for matcher in matchers:
        if matcher is None:
            continue
        for k, j, phrase in matcher.find(folded):
            start, end = src[k], src[j] + 1
            spans.append(Cleared(phrase.phrase, phrase.kind, text[start:end], start, end, phrase.id, phrase.client_id))
    return spans


def _clear(hits: list[Hit], spans: list[Cleared]) -> tuple[list[Hit], list[Cleared]]:
    """Drop the hits lying wholly inside an allowed span; say which spans cleared which terms."""
    if not spans:
        return hits, []
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    kept: list[Hit] = []
    cleared: dict[int, list[str]] = {}
    widest = -1  # the span reaching furthest among those starting at or before the hit
    index = 0
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        while index < len(spans) and spans[index].start <= hit.start:
            if widest < 0 or spans[index].end > spans[widest].end:
                widest = index
            index += 1
        if widest >= 0 and spans[widest].end >= hit.end:
            terms = cleared.setdefault(widest, [])
            if hit.term not in terms:
                terms.append(hit.term)
        else:
            kept.append(hit)
    return kept, [replace(spans[i], terms=tuple(terms)) for i, terms in sorted(cleared.items())]


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Reading order, without the hits that lie inside another hit ("最低价" in "史上最低价")."""
    result: list[Hit] = []
    reach = -1
    for hit in sorted(hits, key=lambda h: (h.start, -h.end, SEVERITY_ORDER.get(h.severity, 9))):
        if hit.end <= reach:
            continue
        result.append(hit)
        reach = hit.end
    return result


def line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``position`` in ``text``."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column
