"""Pay months: a month is the date of its first day; its orders are those placed from 00:00 of that
day to 00:00 of the next month's first day, Asia/Shanghai (the project's time zone)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value, *, field: str = "month") -> date:
    """"2026-10" (or a date) → date(2026, 10, 1); anything else is a BusinessError naming ``field``."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2999 and 1 <= month <= 12:
            return date(year, month, 1)
    raise BusinessError(_("月份格式应为 YYYY-MM，如 2026-10"), field=field)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: date) -> date:
    return month_end(month) + timedelta(days=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware datetimes."""
    return local_midnight(month), local_midnight(next_month(month))


def target_deadline(month: date, day_of_month: int) -> date:
    """PER-06: targets for ``month`` are set before this day of the previous month; a month without
    that day (February for the 30th) uses its last day."""
    before = previous_month(month)
    last = calendar.monthrange(before.year, before.month)[1]
    return before.replace(day=min(max(day_of_month, 1), last))


def label(month: date) -> str:
    return f"{month:%Y-%m}"
