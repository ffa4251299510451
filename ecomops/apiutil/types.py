"""Field types with explicit limits, so that bad input is a 4xx and never reaches the database.

Every string has a maximum length and refuses control characters (PostgreSQL cannot store NUL);
every integer has bounds that fit a 64-bit column; codes follow the models' code pattern.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictBool, StringConstraints, WithJsonSchema

MAX_ID = 2**63 - 1  # the largest value a BigAutoField can hold, on SQLite and PostgreSQL
MAX_PAGE = 100_000

CODE_PATTERN = r"^[A-Za-z0-9_.\-]+$"
PHONE_PATTERN = r"^[0-9+\- ()]*$"
USERNAME_PATTERN = r"^[A-Za-z0-9@.+_\-]+$"
EMAIL_PATTERN = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"
CLAUSE_PATTERN = r"^[A-Z]{2,4}-[0-9]{2}$"
POLICY_KEY_PATTERN = r"^[A-Z]{2,4}-[0-9]{2}\.[a-z0-9_]+$"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: str) -> str:
    if _CONTROL_ONE_LINE.search(value):
        raise ValueError(_("不能包含换行或控制字符"))
    return value


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("不能包含控制字符"))
    return value


# How the schema documents "no control characters" when no stricter pattern is given.
_NO_CONTROL_DOC = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
_ONE_LINE_DOC = r"^[^\u0000-\u001f\u007f]*$"


def Text(max_length: int, *, min_length: int = 0, multiline: bool = False, pattern: str | None = None):  # noqa: N802
    """A stripped string of at most ``max_length`` characters without control characters."""
    documented = {} if pattern else {"pattern": _NO_CONTROL_DOC if multiline else _ONE_LINE_DOC}
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern),
        AfterValidator(_multi_line if multiline else _one_line),
        Field(json_schema_extra=documented),
    ]


def Code(max_length: int):  # noqa: N802
    """A code as the models accept it: letters, digits, ``_``, ``.`` and ``-``."""
    return Text(max_length, min_length=1, pattern=CODE_PATTERN)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """Dates travel as "YYYY-MM-DD" text only: no timestamps, no times (the schema says format: date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(_("日期格式应为 YYYY-MM-DD"))
    return value


_CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_CLOCK = re.compile(_CLOCK_PATTERN)


def _clock_text(value: Any) -> Any:
    """Times of day travel as "HH:MM" or "HH:MM:SS" text only: no time zone, no fractions, no numbers."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise ValueError(_("时间格式应为 HH:MM 或 HH:MM:SS"))
    return value


# In the path and the query string everything arrives as text, so numbers there are parsed from it.
# Request bodies are JSON and typed: a number must be a number, a boolean true/false (no "1", no 0).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RefId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = StrictBool
Day = Annotated[date, BeforeValidator(_iso_date_text)]
Clock = Annotated[time, BeforeValidator(_clock_text),
                  WithJsonSchema({"type": "string", "pattern": _CLOCK_PATTERN, "description": "HH:MM 或 HH:MM:SS"})]
Name = Text(60, min_length=1)
Phone = Text(20, pattern=PHONE_PATTERN)
Email = Text(254, pattern=EMAIL_PATTERN)
Username = Text(150, min_length=1, pattern=USERNAME_PATTERN)
Search = Text(100)
SortOrder = Annotated[int, Strict(), Field(ge=0, le=2_147_483_647)]
