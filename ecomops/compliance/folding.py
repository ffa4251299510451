"""Text folding for the content check (LAW-02): what counts as "the same characters".

People disguise barred terms so that a plain search misses them: full-width letters (ＮＯ．１, ＴＯＰ１),
other letter case (No1, top1), spaces or symbols between the characters (最 佳, 最*佳, T O P 1,
No. 1), traditional characters (國家級), an Arabic digit for 一 (销量第1). Folding maps a text to its
*skeleton*: only the significant characters, each in one canonical form, with the position in the
original text every skeleton character came from, so a hit found in the skeleton is reported at
its exact place in the text as given.

Per character of the original text:

1. NFKC compatibility folding: full-width → half-width, ① → 1, № → No, the ideographic space → a space;
2. case folding (TOP, Top, ｔｏｐ → top);
3. the traditional forms of the characters of the seeded term and phrase lists → simplified (國 → 国);
4. 一 → 1, so 第一, 第1 and 第１ are one term;
5. what is left is kept when it is a letter, a digit or ``%`` (100%有效); everything else (spaces,
   line breaks, punctuation, symbols, emoji, zero-width and combining marks) is *ignorable*.

A term matches when its skeleton characters follow one another with at most ``MAX_GAP`` ignorable
characters between two of them. Latin words keep their word boundaries: a term that begins (ends)
with a Latin letter or digit does not match right after (before) another one with nothing in
between, so ``best`` is found in "the best tea" and "best-seller", not in "bestseller" or
"bestow", and ``TOP1`` is not found in "TOP10".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# At most this many ignorable characters between two characters of a term ("最 * 佳" has 3). More
# would join words across sentences ("次第。\n\n……一"); fewer would miss "T - O - P 1".
MAX_GAP = 3

# Traditional forms of the characters in the seeded lists (seed/library.toml and LAW-02.barred_terms).
# A term added later with other characters should be listed in its traditional form too.
TRADITIONAL = {
    "國": "国", "級": "级", "價": "价", "網": "网", "銷": "销", "獨": "独", "無": "无", "頂": "顶",
    "極": "极", "終": "终", "絕": "绝", "僅": "仅", "萬": "万", "個": "个", "選": "选", "發": "发",
    "領": "领", "導": "导", "軍": "军", "錯": "错", "過": "过", "瘋": "疯", "搶": "抢", "賞": "赏",
    "飲": "饮",
}
NUMERALS = {"一": "1"}

_KEEP = frozenset("%")
_CJK_START = "\u2e80"  # CJK radicals, kana, hangul and ideographs: no word boundaries between them

_cache: dict[str, str] = {}


def fold_char(ch: str) -> str:
    """The significant characters ``ch`` stands for ("" when it is ignorable)."""
    found = _cache.get(ch)
    if found is None:
        folded = unicodedata.normalize("NFKC", ch).casefold()
        kept = []
        for part in folded:
            part = TRADITIONAL.get(part, part)
            part = NUMERALS.get(part, part)
            if part.isalnum() or part in _KEEP:
                kept.append(part)
        found = _cache[ch] = "".join(kept)
    return found


def is_word(ch: str) -> bool:
    """A character of a Latin (or Greek, Cyrillic …) word: letters and digits outside CJK."""
    return ch < _CJK_START and ch.isalnum()


@dataclass(frozen=True)
class Folded:
    """A text's skeleton ``chars`` and, for each of them, the index in the original text (``src``)."""

    chars: str
    src: list[int]

    def __len__(self) -> int:
        return len(self.chars)


def fold(text: str) -> Folded:
    chars: list[str] = []
    src: list[int] = []
    cache = _cache
    for index, ch in enumerate(text):
        found = cache.get(ch)
        if found is None:
            found = fold_char(ch)
        if not found:
            continue
        if len(found) == 1:
            chars.append(found)
            src.append(index)
        else:
            chars.extend(found)
            src.extend([index] * len(found))
    return Folded("".join(chars), src)


def skeleton(text: str) -> str:
    """The folded form of a term or phrase: what makes two spellings the same entry."""
    return fold(text).chars
