"""Style numbers (款号) and SKU codes (CAT-04): what they may contain, and the SKU codes generated for a
colour × size matrix.

Codes are printed on labels and scanned in the warehouse, so they are ASCII: letters, digits and
``- _ . / + #``, starting with a letter or digit. Colour and size names may be Chinese; in a generated
SKU code they appear by their ASCII letters and digits (``BLACK``, ``XL``, ``160``) or, when they have
none (黑色, 均码), by their position in the style's list (``C01``, ``S02``).
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CODE_CHARS = r"[A-Za-z0-9][A-Za-z0-9_.\-/+#]*"
STYLE_NO_MAX = 40
SKU_CODE_MAX = 64
COLOUR_MAX = 30
SIZE_MAX = 20

code_validator = RegexValidator(
    rf"^{CODE_CHARS}$", _("只能包含字母、数字和 - _ . / + #，且须以字母或数字开头")
)
_CODE = re.compile(CODE_CHARS)
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]+")


def is_code(value: str) -> bool:
    return bool(_CODE.fullmatch(value or ""))


def part(name: str, fallback_letter: str, index: int) -> str:
    """The piece of a generated SKU code standing for one colour or size."""
    token = "".join(_ASCII_ALNUM.findall(name or "")).upper()
    return token[:12] if token else f"{fallback_letter}{index:02d}"


def sku_code_for(style_no: str, colour: str, size: str, *, colour_index: int, size_index: int) -> str:
    """``{style_no}-{colour}-{size}``, sanitised; ``*_index`` (1-based) name colours and sizes without
    ASCII letters or digits."""
    pieces = [style_no]
    if colour:
        pieces.append(part(colour, "C", colour_index))
    if size:
        pieces.append(part(size, "S", size_index))
    return "-".join(pieces)[:SKU_CODE_MAX]


def clean_names(values, *, max_length: int) -> list[str]:
    """Colour or size names as typed (one per line, or separated by commas): stripped, blanks and
    repeats dropped, order kept."""
    if isinstance(values, str):
        values = re.split(r"[\n,，、;；]+", values)
    seen: dict[str, None] = {}
    for value in values:
        value = " ".join(str(value).split())
        if value and value not in seen:
            seen[value] = None
    names = list(seen)
    too_long = [v for v in names if len(v) > max_length]
    if too_long:
        raise ValueError(too_long[0])
    return names
