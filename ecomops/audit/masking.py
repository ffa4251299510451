"""Masking of personal data (LAW-04, CRM-03) and the log of every unmasked read (DAT-02).

    mask_phone("13812345678")  -> "138******78"   (hides LAW-04.phone_mask_digits digits, default 6)
    mask_name("张三丰")         -> "张*丰"
    mask_address("杭州市西湖区文三路 100 号 3 单元 502 室") -> unit and room hidden

Screens and exports call ``personal_value(user, obj, field, perm)``: it returns the plain value for a
role that needs it (and logs the read) and the masked value for everybody else.
"""

from __future__ import annotations

from ecomops.core import addresses
from ecomops.policy import registry

PHONE_DIGITS = "LAW-04.phone_mask_digits"
NAME_CHARS = "LAW-04.name_mask_min_chars"
MASK = "*"


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if not digits:
        return ""
    hide = registry.value(PHONE_DIGITS)
    if len(digits) <= hide:
        return MASK * len(digits)
    keep = len(digits) - hide
    head = (keep + 1) // 2 if len(digits) < 11 else 3
    head = min(head, keep)
    tail = keep - head
    return digits[:head] + MASK * hide + (digits[-tail:] if tail else "")


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    hide = max(registry.value(NAME_CHARS), 1)
    if len(name) == 1:
        return MASK
    if len(name) == 2:
        return name[0] + MASK
    # Keep the first and last characters, hide the middle (at least `hide` characters).
    middle = max(len(name) - 2, hide)
    keep_tail = max(len(name) - 1 - middle, 0)
    return name[0] + MASK * middle + (name[-keep_tail:] if keep_tail else "")


def mask_address(address: str) -> str:
    """Hide the unit and room numbers of an address (LAW-04, national e-waybill standard); the rules
    (rooms written without 室, dashed numbers, the number an address ends with) are in ``addresses``."""
    return addresses.mask_address(address)


MASKERS = {"phone": mask_phone, "name": mask_name, "address": mask_address}


def personal_value(user, obj, field: str, *, perm: str, kind: str = "phone", request=None,
                   purpose: str = "") -> str:
    """The value of ``obj.field`` as ``user`` may see it; unmasked reads are logged."""
    value = getattr(obj, field) or ""
    if not value:
        return ""
    if user is not None and user.has_perm(perm):
        from ecomops.audit.access import log_personal_read

        log_personal_read(user, obj, [field], request=request, purpose=purpose)
        return value
    return MASKERS[kind](value)
