"""Barcodes of SKUs (CAT-04): check digits of EAN-13 / EAN-8 / UPC-A, in-store EAN-13 numbers, and the
free-text internal codes printed as Code128.

Pure functions only; handing out internal numbers (a counter in the database) is done by
``actions.allocate_internal_barcodes``.

- A numeric code of 8, 12 or 13 digits is a GTIN (EAN-8, UPC-A, EAN-13): its last digit must be the
  GS1 check digit. A wrong one is refused, never "corrected", because it is almost always a typo.
- EAN-13 numbers starting with 20–29 are GS1's in-store range: free for a company's own use, never
  printed on goods by a brand owner. Numbers we generate live there: ``prefix`` (two digits, 20–29)
  + a 10-digit counter + the check digit.
- Anything else is an internal code printed as Code128; it is restricted to a charset that every
  label printer and scanner handles the same way (letters, digits and ``- . _ / +``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .enums import BarcodeSource

GTIN_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}
INTERNAL_PREFIXES = tuple(str(n) for n in range(20, 30))
COUNTER_DIGITS = 10
COUNTER_MAX = 10**COUNTER_DIGITS - 1
CODE128_MAX_LENGTH = 40
_DIGITS = re.compile(r"[0-9]+")
_CODE128 = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-._/+]*")


class BarcodeError(ValueError):
    """A barcode that cannot be accepted; the message says why, in Chinese."""


def check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (the code without its last digit): weights 3 and 1 alternate,
    starting with 3 on the rightmost digit."""
    if not _DIGITS.fullmatch(body):
        raise ValueError("digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    return bool(_DIGITS.fullmatch(code)) and len(code) in GTIN_LENGTHS and int(code[-1]) == check_digit(code[:-1])


def internal_ean13(prefix: str, number: int) -> str:
    """The in-store EAN-13 number ``number`` of the series ``prefix`` (20–29)."""
    if prefix not in INTERNAL_PREFIXES:
        raise ValueError(f"in-store prefix must be 20-29, not {prefix!r}")
    if not 0 <= number <= COUNTER_MAX:
        raise ValueError(f"counter out of range: {number}")
    body = f"{prefix}{number:0{COUNTER_DIGITS}d}"
    return body + str(check_digit(body))


def is_internal_ean13(code: str) -> bool:
    return len(code) == 13 and code[:2] in INTERNAL_PREFIXES and is_valid_gtin(code)


def classify(code: str) -> tuple[str, str]:
    """``(source, code)`` for a barcode typed or imported by a person; ``BarcodeError`` if unusable."""
    code = (code or "").strip()
    if not code:
        raise BarcodeError(_("条码不能为空"))
    if _DIGITS.fullmatch(code) and len(code) in GTIN_LENGTHS:
        expected = check_digit(code[:-1])
        if int(code[-1]) != expected:
            raise BarcodeError(
                _("%(kind)s 条码 %(code)s 的校验位错误（应为 %(digit)s），请核对")
                % {"kind": GTIN_LENGTHS[len(code)], "code": code, "digit": expected}
            )
        if is_internal_ean13(code):
            return BarcodeSource.INTERNAL_EAN13, code
        return BarcodeSource.EXTERNAL, code
    if len(code) > CODE128_MAX_LENGTH:
        raise BarcodeError(_("条码最多 %(n)s 个字符") % {"n": CODE128_MAX_LENGTH})
    if not _CODE128.fullmatch(code):
        raise BarcodeError(_("条码只能包含字母、数字和 - . _ / +，且须以字母或数字开头"))
    return BarcodeSource.INTERNAL_CODE128, code
