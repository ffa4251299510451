"""Read-side figures of the organisation, for pages and for payroll (ORG-04, ORG-05)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from .enums import AttendanceKind
from .models import Attendance, Staff


@dataclass(frozen=True)
class MonthAttendance:
    staff_id: int
    year: int
    month: int
    recorded_days: int
    present: int
    late: int
    early_leave: int
    leave: int
    sick_leave: int
    absent: int

    @property
    def full_attendance(self) -> bool:
        """PER-13: no late arrival, no early leave, no leave and no absence in the month."""
        return self.recorded_days > 0 and not (self.late or self.early_leave or self.leave or self.sick_leave
                                               or self.absent)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_attendance(staff_ids, year: int, month: int) -> dict[int, MonthAttendance]:
    first, last = month_bounds(year, month)
    late_kinds = [AttendanceKind.LATE, AttendanceKind.LATE_AND_EARLY]
    early_kinds = [AttendanceKind.EARLY_LEAVE, AttendanceKind.LATE_AND_EARLY]
    rows = (
        Attendance.objects.filter(staff_id__in=list(staff_ids), date__range=(first, last))
        .exclude(kind=AttendanceKind.REST)
        .values("staff_id")
        .annotate(
            recorded=Count("pk"),
            present=Count("pk", filter=Q(kind=AttendanceKind.PRESENT)),
            late=Count("pk", filter=Q(kind__in=late_kinds)),
            early=Count("pk", filter=Q(kind__in=early_kinds)),
            leave=Count("pk", filter=Q(kind=AttendanceKind.LEAVE)),
            sick=Count("pk", filter=Q(kind=AttendanceKind.SICK_LEAVE)),
            absent=Count("pk", filter=Q(kind=AttendanceKind.ABSENT)),
        )
    )
    result = {
        row["staff_id"]: MonthAttendance(row["staff_id"], year, month, row["recorded"], row["present"], row["late"],
                                         row["early"], row["leave"], row["sick"], row["absent"])
        for row in rows
    }
    for staff_id in staff_ids:
        result.setdefault(staff_id, MonthAttendance(staff_id, year, month, 0, 0, 0, 0, 0, 0, 0))
    return result


def salary_band_of(staff: Staff):
    """ORG-05: the base-salary band of the person's job level, or None."""
    level = staff.job_level
    return None if level is None else (level.salary_min, level.salary_max)


def missing_attendance(staff, first: date, last: date) -> dict[int, list[date]]:
    """PER-13: per person, the working days (``org.calendar``) from ``first`` to ``last`` while they are
    employed that have no attendance record, in order. Rest days need no record. Two queries, whatever
    the number of people: the calendar and the recorded days."""
    from .calendar import working_days

    people = list(staff)
    if not people:
        return {}
    working = working_days(first, last)
    recorded: dict[int, set[date]] = {p.pk: set() for p in people}
    for staff_id, day in Attendance.objects.filter(staff_id__in=list(recorded), date__range=(first, last)) \
            .order_by().values_list("staff_id", "date"):
        recorded[staff_id].add(day)
    out = {}
    for person in people:
        employed_from = max(first, person.hired_on)
        employed_to = min(last, person.left_on) if person.left_on else last
        out[person.pk] = [d for d in working if employed_from <= d <= employed_to and d not in recorded[person.pk]]
    return out


def missing_days_text(days: list[date], limit: int = 5) -> str:
    """The missing days as a clerk reads them: 缺少 11-03、11-04 共 2 个工作日的考勤记录 (up to ``limit``
    dates, then 等 N 个工作日)."""
    from django.utils.translation import gettext as _

    shown = "、".join(d.strftime("%m-%d") for d in days[:limit])
    if len(days) > limit:
        return _("缺少 %(days)s 等 %(n)d 个工作日的考勤记录") % {"days": shown, "n": len(days)}
    return _("缺少 %(days)s 共 %(n)d 个工作日的考勤记录") % {"days": shown, "n": len(days)}
