"""The attendance month grid of a department (ORG-04, PER-13): one row per person, one cell per day.

A cell holds the day's record as a short code a clerk can type without leaving the keyboard:

    √ (or v, 1)   正常出勤            休 (or x)   休息日
    迟15 (c15)    迟到 15 分钟         早10 (z10)  早退 10 分钟       迟15早10 (c15z10) both
    假 (j)        请假                 病 (b)      病假                旷 (k)       旷工

Letters are case-insensitive and full-width characters are read as half-width. The working-day
calendar (``org.calendar``) tells which empty cells are rest days (nothing needed) and which are
working days still missing a record. Saving the grid saves every changed cell in one transaction:
either all of them, or none with every problem named by person and day.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, NotAllowed

from . import actions
from .calendar import day_info
from .enums import AttendanceKind
from .models import Attendance, Department, Staff
from .queries import month_bounds

K = AttendanceKind
SIMPLE_CODES = {
    "√": K.PRESENT, "v": K.PRESENT, "1": K.PRESENT, "✓": K.PRESENT,
    "休": K.REST, "x": K.REST,
    "假": K.LEAVE, "j": K.LEAVE,
    "病": K.SICK_LEAVE, "b": K.SICK_LEAVE,
    "旷": K.ABSENT, "k": K.ABSENT,
}
SHOWN = {K.PRESENT: "√", K.REST: "休", K.LEAVE: "假", K.SICK_LEAVE: "病", K.ABSENT: "旷"}
MINUTES = re.compile(r"^(?:(?:迟|c)(?P<late>\d{1,3}))?(?:(?:早|z)(?P<early>\d{1,3}))?$")


@dataclass(frozen=True)
class CellValue:
    kind: str
    late_minutes: int = 0
    early_leave_minutes: int = 0


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")


def parse_cell(text: str) -> CellValue | None:
    """A typed cell as a day's record; None for an empty cell. A ValueError says what is wrong."""
    code = normalise(text)
    if not code:
        return None
    if code in SIMPLE_CODES:
        return CellValue(SIMPLE_CODES[code])
    match = MINUTES.match(code)
    if match and (match["late"] or match["early"]):
        late, early = int(match["late"] or 0), int(match["early"] or 0)
        if (match["late"] and late == 0) or (match["early"] and early == 0):
            raise ValueError(_("迟到、早退分钟数须大于 0"))
        if late and early:
            return CellValue(K.LATE_AND_EARLY, late, early)
        return CellValue(K.LATE, late, 0) if late else CellValue(K.EARLY_LEAVE, 0, early)
    raise ValueError(_("无法识别“%(text)s”：可填 √ 正常、休、迟15、早10、迟15早10、假、病、旷") % {
        "text": text.strip()})


def cell_text(record: Attendance | None) -> str:
    if record is None:
        return ""
    if record.kind in SHOWN:
        return SHOWN[record.kind]
    late = f"迟{record.late_minutes}" if record.kind in (K.LATE, K.LATE_AND_EARLY) else ""
    early = f"早{record.early_leave_minutes}" if record.kind in (K.EARLY_LEAVE, K.LATE_AND_EARLY) else ""
    return late + early


# --- reading the grid ----------------------------------------------------------------------------


@dataclass
class Cell:
    day: date
    text: str
    employed: bool
    working: bool
    holiday: str
    record: Attendance | None = None
    error: str = ""

    @property
    def missing(self) -> bool:
        """A working day of employment without a record: full attendance (PER-13) waits for it."""
        return self.employed and self.working and self.record is None


@dataclass
class Row:
    staff: Staff
    cells: list[Cell] = field(default_factory=list)

    def count(self, *kinds) -> int:
        return sum(1 for c in self.cells if c.record is not None and c.record.kind in kinds)

    @property
    def present(self) -> int:
        return self.count(K.PRESENT, K.LATE, K.EARLY_LEAVE, K.LATE_AND_EARLY)

    @property
    def late(self) -> int:
        return self.count(K.LATE, K.LATE_AND_EARLY)

    @property
    def early(self) -> int:
        return self.count(K.EARLY_LEAVE, K.LATE_AND_EARLY)

    @property
    def leave(self) -> int:
        return self.count(K.LEAVE, K.SICK_LEAVE)

    @property
    def absent(self) -> int:
        return self.count(K.ABSENT)

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.missing)


def build(department: Department, month: date) -> tuple[list[date], dict, list[Row]]:
    """The month's days, their calendar facts and one row per person employed in the month in the
    department or below it (three queries whatever the size)."""
    first, last = month_bounds(month.year, month.month)
    calendar = day_info(first, last)  # every day of the month, in order
    days = list(calendar)
    people = list(Staff.objects.filter(department_id__in=department.descendant_ids(), hired_on__lte=last)
                  .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
                  .select_related("department").order_by("department__code", "employee_no"))
    records = {(r.staff_id, r.date): r for r in Attendance.objects.filter(
        staff__in=people, date__range=(first, last))}
    rows = []
    for person in people:
        row = Row(person)
        for day in days:
            record = records.get((person.pk, day))
            info = calendar[day]
            row.cells.append(Cell(day, cell_text(record),
                                  employed=person.hired_on <= day and (person.left_on is None or day <= person.left_on),
                                  working=info.working, holiday=info.name, record=record))
        rows.append(row)
    return days, calendar, rows


# --- saving the grid -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    staff_id: int
    day: date
    text: str


class GridErrors(BusinessError):
    """Some cells could not be saved; nothing was. ``problems`` maps (staff id, day) to the message."""

    def __init__(self, problems: dict[tuple[int, date], str], names: dict[int, str]):
        self.problems = problems
        lines = [_("%(name)s %(day)s：%(why)s") % {"name": names.get(s, s), "day": f"{d:%m-%d}", "why": why}
                 for (s, d), why in sorted(problems.items(), key=lambda item: (names.get(item[0][0], ""), item[0][1]))]
        super().__init__(_("有 %(n)d 处未能保存，全部修改均未保存：") % {"n": len(problems)} + "；".join(lines[:20]),
                         field="cells")


@transaction.atomic
def save(changes: list[Change], *, user, allowed_staff: set[int]) -> int:
    """Record every changed cell through ``actions.record_attendance`` (its permission and employment
    checks, an audited history row per correction) keeping a record's clock times and note; a cell
    that was emptied is refused (a record is corrected, never silently removed). All or nothing."""
    actions.require_perm(user, "org.add_attendance")  # before any cell, even one that cannot be read
    people = Staff.objects.in_bulk({c.staff_id for c in changes if c.staff_id in allowed_staff})
    names = {pk: p.name for pk, p in people.items()}
    existing = {(r.staff_id, r.date): r for r in Attendance.objects.select_for_update().filter(
        staff_id__in=list(people), date__in={c.day for c in changes})}
    problems: dict[tuple[int, date], str] = {}
    saved = 0
    for change in changes:
        key = (change.staff_id, change.day)
        person = people.get(change.staff_id)
        if person is None:
            problems[key] = _("员工不在本表中")
            continue
        try:
            value = parse_cell(change.text)
        except ValueError as error:
            problems[key] = str(error)
            continue
        record = existing.get(key)
        if value is None:
            if record is not None:
                problems[key] = _("已有考勤记录不能清空，请改填其他出勤类型")
            continue
        try:
            with transaction.atomic():
                actions.record_attendance(
                    person, user=user, day=change.day, kind=value.kind,
                    clock_in=record.clock_in if record else None, clock_out=record.clock_out if record else None,
                    late_minutes=value.late_minutes, early_leave_minutes=value.early_leave_minutes,
                    note=record.note if record else "")
        except NotAllowed:
            raise
        except BusinessError as error:
            problems[key] = error.message
            continue
        saved += 1
    if problems:
        raise GridErrors(problems, names)
    return saved
