"""The working-day calendar (ORG-04, PER-13): which days are working days.

A day is a working day by the plain weekday rule (Monday to Friday work, Saturday and Sunday rest)
unless a ``CalendarDay`` row says otherwise: a statutory holiday, a make-up working day (调休上班) or
a company's own change. The statutory rows are loaded from the maintained ``chinese-calendar``
package (``load_statutory_year``); a manual row always wins and is never overwritten by a reload.

Every read here costs one query per call, whatever the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError
from ecomops.core.history import save_audited

from .enums import CalendarSource
from .models import CalendarDay

# The package names its holidays in English (``chinese_calendar.Holiday``); the calendar shows the
# names people use. Keyed by the enum's member name, so a renamed English label does not matter.
HOLIDAY_NAMES = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
MAKE_UP_SUFFIX = "调休上班"


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    name: str = ""
    source: str = ""  # "" when the weekday rule decides

    @property
    def special(self) -> bool:
        """A day that differs from the weekday rule or carries a name (a holiday on a weekend)."""
        return bool(self.source)


def weekday_rule(day: date) -> bool:
    return day.weekday() < 5


def day_info(first: date, last: date) -> dict[date, DayInfo]:
    """Every day from ``first`` to ``last`` (both included), in one query."""
    rows = {row.date: row for row in CalendarDay.objects.filter(date__range=(first, last))}
    out: dict[date, DayInfo] = {}
    day = first
    while day <= last:
        row = rows.get(day)
        if row is None:
            out[day] = DayInfo(day, weekday_rule(day))
        else:
            out[day] = DayInfo(day, row.is_working, row.name, row.source)
        day += timedelta(days=1)
    return out


def working_days(first: date, last: date) -> list[date]:
    """The working days from ``first`` to ``last`` (both included), in order."""
    return [day for day, info in day_info(first, last).items() if info.working]


def is_working_day(day: date) -> bool:
    return day_info(day, day)[day].working


def statutory_year(year: int) -> dict[date, tuple[bool, str]]:
    """The statutory holidays and make-up working days of ``year`` from ``chinese-calendar``:
    {day: (working, Chinese name)}. A year the package does not know is a BusinessError."""
    from chinese_calendar import constants

    known = {d.year for d in constants.holidays}
    if year not in known:
        raise BusinessError(_("日历数据未包含 %(year)d 年的法定节假日，请手工维护") % {"year": year},
                            field="year", code="unknown_year")
    by_label = {h.value: h.name for h in constants.Holiday}

    def chinese(label: str) -> str:
        key = by_label.get(label, "")
        return HOLIDAY_NAMES.get(key, label)

    days: dict[date, tuple[bool, str]] = {}
    for day, label in constants.holidays.items():
        if day.year == year:
            days[day] = (False, chinese(label))
    for day, label in constants.workdays.items():
        if day.year == year:
            days[day] = (True, chinese(label) + MAKE_UP_SUFFIX)
    return dict(sorted(days.items()))


def statutory_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays})


@dataclass
class LoadResult:
    year: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_manual: int = 0


@transaction.atomic
def load_statutory_year(year: int, user=None) -> LoadResult:
    """Fill ``year`` from the statutory data: holidays and make-up working days only. Idempotent (an
    unchanged day is not saved again), and a manual row is never overwritten. The permission check
    is the caller's (``actions.load_statutory_calendar``); the seed calls this without a user."""
    wanted = statutory_year(year)
    result = LoadResult(year)
    existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(date__year=year)}
    for day, (working, name) in wanted.items():
        row = existing.get(day)
        if row is None:
            row = CalendarDay(date=day, is_working=working, name=name, source=CalendarSource.STATUTORY)
            save_audited(row, user=user, reason=_("载入法定节假日"))
            result.created += 1
        elif row.source == CalendarSource.MANUAL:
            result.kept_manual += 1
        elif (row.is_working, row.name) == (working, name):
            result.unchanged += 1
        else:
            row.is_working, row.name = working, name
            save_audited(row, user=user, reason=_("载入法定节假日"))
            result.updated += 1
    return result


def seed_statutory_years(today: date | None = None) -> list[int]:
    """The seed: the previous, current and next year, those the package knows, when not loaded yet
    (a year with any statutory row counts as loaded; reloading is the page's button)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    known = set(statutory_years())
    loaded = {d.year for d in CalendarDay.objects.filter(source=CalendarSource.STATUTORY).dates("date", "year")}
    done = []
    for year in (today.year - 1, today.year, today.year + 1):
        if year in known and year not in loaded:
            load_statutory_year(year)
            done.append(year)
    return done
