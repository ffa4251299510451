"""Import of time-clock monthly attendance reports (ORG-04, PER-13, issue 16).

The layouts of 钉钉 and 企业微信 exports are data (``seed/attendance_formats.toml``, explained there).
A file is read once, streamed (openpyxl read-only), into a plan of days; any error (an unknown person,
a cell no pattern explains, a day outside the period or outside the person's employment, a file that
is not a workbook) stops the whole file: nothing is written, and an error report (the rows of the file
with the messages next to them) can be downloaded. Without errors, each day is created or corrected
through ``actions.record_attendance`` (a correction is a history row); a day whose record already says
the same is left alone, so importing the same file again changes nothing.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.spreadsheets import check_xlsx_archive

from .enums import AttendanceKind
from .models import Attendance, Staff

FORMATS_FILE = Path(__file__).with_name("seed") / "attendance_formats.toml"
HEADER_SEARCH_ROWS = 10
MAX_ERRORS = 500

K = AttendanceKind
# The strongest result of a day wins (see the formats file).
STRENGTH = {K.ABSENT: 6, K.SICK_LEAVE: 5, K.LEAVE: 4, K.LATE: 3, K.EARLY_LEAVE: 3, K.PRESENT: 2, K.REST: 1}


# --- the formats ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRule:
    pattern: re.Pattern
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Format:
    code: str
    name: str
    sheets: tuple[str, ...]
    detect: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    period: re.Pattern
    header_rows: int
    day_header: re.Pattern
    empty: frozenset[str]
    separator: re.Pattern
    cells: tuple[CellRule, ...]


def _norm(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _key(text: str) -> str:
    """Headers compared without spaces and case."""
    return re.sub(r"\s+", "", text).lower()


@cache
def formats() -> dict[str, Format]:
    with FORMATS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    out = {}
    for row in data["format"]:
        cells = []
        for rule in row["cell"]:
            if rule["kind"] not in AttendanceKind.values:
                raise ValueError(f"{row['code']}: unknown attendance kind {rule['kind']!r}")
            cells.append(CellRule(re.compile(rule["pattern"]), rule["kind"], rule.get("note", "")))
        out[row["code"]] = Format(
            code=row["code"], name=row["name"], sheets=tuple(row.get("sheets", ())),
            detect=tuple(row.get("detect", ())),
            columns={k: tuple(v) for k, v in row["columns"].items()},
            period=re.compile(row["period"]), header_rows=int(row.get("header_rows", 2)),
            day_header=re.compile(row["day_header"]), empty=frozenset(row.get("empty", [""])),
            separator=re.compile(row.get("separator", r"[,，;；\n]+")), cells=tuple(cells))
    return out


def format_choices() -> list[tuple[str, str]]:
    return [(f.code, f.name) for f in formats().values()]


# --- reading ----------------------------------------------------------------------------------------


Source = Callable[[], BinaryIO]


@dataclass
class Problem:
    row: int | None  # the Excel row number, None for the file as a whole
    message: str


@dataclass
class DayEntry:
    staff: Staff
    day: date
    kind: str
    late: int = 0
    early: int = 0
    note: str = ""


@dataclass
class PersonResult:
    staff: Staff
    created: int = 0
    corrected: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    format: Format | None = None
    first: date | None = None
    last: date | None = None
    problems: list[Problem] = field(default_factory=list)
    people: list[PersonResult] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(p, k) for p in self.people) for k in ("created", "corrected", "unchanged")}


def _open_book(source: Source):
    from openpyxl import load_workbook

    handle = source()
    head = handle.read(8)
    handle.seek(0)
    if not head:
        handle.close()
        raise BusinessError(_("文件是空的，请重新导出后上传"), field="file", code="empty")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        handle.close()
        raise BusinessError(_("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后上传"),
                            field="file", code="bad_file")
    try:
        check_xlsx_archive(handle)  # before openpyxl inflates anything (zip bombs)
        book = load_workbook(handle, read_only=True, data_only=True)
    except BusinessError:
        handle.close()
        raise
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        handle.close()
        raise BusinessError(_("无法读取 Excel 文件：请上传考勤机导出的 .xlsx 文件"), field="file",
                            code="bad_file") from error
    return handle, book


def _sheet(book, fmt: Format | None):
    names = list(fmt.sheets) if fmt else [n for f in formats().values() for n in f.sheets]
    for name in names:
        if name in book.sheetnames:
            return book[name]
    return book.worksheets[0] if book.worksheets else None


def _rows(source: Source, fmt: Format | None) -> Iterator[tuple[int, list]]:
    """(Excel row number, cell values) of the format's sheet, streamed."""
    handle, book = _open_book(source)
    try:
        sheet = _sheet(book, fmt)
        if sheet is None:
            return
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except Exception as error:  # a truncated or damaged workbook fails in many ways while read
                raise BusinessError(_("Excel 文件已损坏或不完整（读到一半出错），请重新导出后上传"),
                                    field="file", code="bad_file") from error
            number += 1
            yield number, list(row)
    finally:
        book.close()
        handle.close()


def detect_format(source: Source) -> Format | None:
    """The format whose ``detect`` headers all appear in the first rows of the file."""
    seen: set[str] = set()
    rows = _rows(source, None)
    try:
        for number, row in rows:
            seen.update(_key(_norm(v)) for v in row if v is not None)
            if number >= HEADER_SEARCH_ROWS:
                break
    finally:
        rows.close()
    for fmt in formats().values():
        if fmt.detect and all(_key(h) in seen for h in fmt.detect):
            return fmt
    return None


def _parse_date(text: str) -> date | None:
    match = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class Layout:
    fields: dict[str, int]  # our field → column index
    days: dict[int, date]  # column index → day
    header_labels: dict[int, str]  # column index → its header text (for messages)
    data_from: int  # the first Excel row of data


def _layout(fmt: Format, head: list[tuple[int, list]], first: date, last: date,
            problems: list[Problem]) -> Layout | None:
    names = {_key(h) for h in fmt.columns.get("name", ())}
    index = next((i for i, (_n, row) in enumerate(head) if any(_key(_norm(v)) in names for v in row)), None)
    if index is None or index + fmt.header_rows > len(head):
        problems.append(Problem(None, _("找不到表头行（含“姓名”）：请确认文件是“%(format)s”导出的原始文件")
                                % {"format": fmt.name}))
        return None
    upper_row = head[index][1]
    lower_row = head[index + 1][1] if fmt.header_rows > 1 else []
    width = max(len(upper_row), len(lower_row))
    upper, lower = [], []
    for col in range(width):
        upper.append(_norm(upper_row[col]) if col < len(upper_row) else "")
        lower.append(_norm(lower_row[col]) if col < len(lower_row) else "")
    wanted = {field_name: {_key(h) for h in headers} for field_name, headers in fmt.columns.items()}
    fields: dict[str, int] = {}
    days: dict[int, date] = {}
    labels: dict[int, str] = {}
    span_days = {first.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)}
    by_day_number: dict[int, list[date]] = defaultdict(list)
    for d in sorted(span_days):
        by_day_number[d.day].append(d)
    for col in range(width):
        for text in (upper[col], lower[col]):
            if not text:
                continue
            for field_name, keys in wanted.items():
                if _key(text) in keys and field_name not in fields:
                    fields[field_name] = col
        if any(col == c for c in fields.values()):
            labels[col] = upper[col] or lower[col]
            continue
        for text in (upper[col], lower[col]):
            match = fmt.day_header.match(text) if text else None
            if not match:
                continue
            day_number, month = int(match["day"]), match.groupdict().get("month")
            label = " ".join(t for t in (upper[col], lower[col]) if t)
            labels[col] = label
            if month:
                candidates = [d for d in span_days if d.month == int(month) and d.day == day_number]
                if not candidates:
                    # a month and day outside the period: tell the year from the period's
                    year = first.year if int(month) >= first.month else last.year
                    try:
                        outside = date(year, int(month), day_number)
                    except ValueError:
                        outside = None
                    problems.append(Problem(head[index][0], _(
                        "第 %(col)s 列“%(label)s”（%(day)s）不在统计周期 %(first)s 至 %(last)s 内") % {
                        "col": _column_letter(col), "label": label, "day": outside or label,
                        "first": first, "last": last}))
                    break
                days[col] = candidates[0]
            else:
                candidates = by_day_number.get(day_number, [])
                if len(candidates) != 1:
                    problems.append(Problem(head[index][0], _(
                        "第 %(col)s 列“%(label)s”不在统计周期 %(first)s 至 %(last)s 内") % {
                        "col": _column_letter(col), "label": label, "first": first, "last": last}))
                    break
                days[col] = candidates[0]
            break
    missing = [fmt.columns[f][0] for f in ("name",) if f not in fields]
    if "employee_no" not in fields and "name" not in fields:
        missing.append(fmt.columns["employee_no"][0])
    if missing:
        problems.append(Problem(None, _("表头缺少“%(columns)s”列") % {"columns": "、".join(missing)}))
    if not days:
        problems.append(Problem(None, _("找不到按日的考勤列（表头为日期，如 1、2、… 或 11-01）")))
    if problems:
        return None
    return Layout(fields, days, labels, head[index][0] + fmt.header_rows)


def _column_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col + 1)


def _cell(fmt: Format, text: str) -> tuple[str, int, int, str] | None:
    """One day's cell → (kind, late minutes, early minutes, note), or None when no rule explains it."""
    parts = [p.strip() for p in fmt.separator.split(text) if p.strip()]
    if not parts:
        return None
    kinds, late, early, notes = [], 0, 0, []
    for part in parts:
        rule = next((r for r in fmt.cells if r.pattern.match(part)), None)
        if rule is None:
            return None
        match = rule.pattern.match(part)
        groups = match.groupdict()
        if groups.get("late"):
            late += int(groups["late"])
        if groups.get("early"):
            early += int(groups["early"])
        kinds.append(rule.kind)
        if rule.note == "text":
            notes.append(part)
        elif rule.note:
            notes.append(rule.note)
    strongest = max(kinds, key=lambda k: STRENGTH[k])
    if STRENGTH[strongest] == STRENGTH[K.LATE]:
        if late and early:
            strongest = K.LATE_AND_EARLY
        elif late:
            strongest = K.LATE
        else:
            strongest = K.EARLY_LEAVE
    if strongest not in (K.LATE, K.LATE_AND_EARLY):
        late = 0 if strongest != K.ABSENT else late
    if strongest not in (K.EARLY_LEAVE, K.LATE_AND_EARLY):
        early = 0 if strongest != K.ABSENT else early
    return str(strongest), late, early, "、".join(dict.fromkeys(notes))[:200]


class People:
    """Staff by 工号, falling back to a unique name; read once."""

    def __init__(self):
        self.by_no = {}
        self.by_name: dict[str, list[Staff]] = defaultdict(list)
        for person in Staff.objects.all():
            self.by_no[_key(person.employee_no)] = person
            self.by_name[person.name.strip()].append(person)

    def find(self, employee_no: str, name: str) -> Staff | None:
        if employee_no and _key(employee_no) in self.by_no:
            return self.by_no[_key(employee_no)]
        same = self.by_name.get(name.strip(), [])
        return same[0] if len(same) == 1 else None


def read_plan(source: Source, fmt: Format | None = None, *, month: date | None = None
              ) -> tuple[ImportResult, list[DayEntry]]:
    """Read the whole file into the days it would record; any problem is on ``result.problems``."""
    result = ImportResult()
    entries: list[DayEntry] = []
    rows = None
    try:
        fmt = fmt or detect_format(source)
        if fmt is None:
            result.problems.append(Problem(None, _("无法识别文件格式：请选择考勤机（钉钉或企业微信）后重试，"
                                                   "或确认上传的是月度汇总/月报原始文件")))
            return result, entries
        result.format = fmt
        rows = _rows(source, fmt)
        head: list[tuple[int, list]] = []
        for number, row in rows:
            head.append((number, row))
            if number >= HEADER_SEARCH_ROWS:
                break
        if not head:
            result.problems.append(Problem(None, _("文件中没有内容，请重新导出后上传")))
            return result, entries
        first = last = None
        for _number, row in head:
            text = " ".join(_norm(v) for v in row if v is not None)
            match = fmt.period.search(text)
            if match:
                first, last = _parse_date(match["first"]), _parse_date(match["last"])
                break
        if first is None or last is None or last < first or (last - first).days > 31:
            result.problems.append(Problem(None, _("找不到统计周期（标题行应含“统计日期：2026-11-01 至 2026-11-30”）")))
            return result, entries
        result.first, result.last = first, last
        if month is not None and (first.year, first.month) != (month.year, month.month):
            result.problems.append(Problem(None, _("文件的统计周期 %(first)s 至 %(last)s 不是所选月份 %(month)s") % {
                "first": first, "last": last, "month": month.strftime("%Y-%m")}))
            return result, entries
        layout = _layout(fmt, head, first, last, result.problems)
        if layout is None:
            return result, entries
        people = People()
        seen: dict[int, int] = {}

        def data_rows():
            for number, row in head:
                if number >= layout.data_from:
                    yield number, row
            yield from rows

        for number, row in data_rows():
            values = [_norm(v) for v in row]
            if not any(values):
                continue
            result.rows += 1

            def value(field_name, values=values):
                col = layout.fields.get(field_name)
                return values[col] if col is not None and col < len(values) else ""

            name, employee_no = value("name"), value("employee_no")
            person = people.find(employee_no, name)
            who = f"{name}（{employee_no}）" if employee_no else name
            if person is None:
                message = _("第 %(row)d 行：找不到员工 %(who)s（按工号，其次按唯一的姓名）")
                result.problems.append(Problem(number, message % {"row": number, "who": who or "—"}))
                continue
            if person.pk in seen:
                result.problems.append(Problem(number, _("第 %(row)d 行：员工 %(who)s 已在第 %(other)d 行出现") % {
                    "row": number, "who": who, "other": seen[person.pk]}))
                continue
            seen[person.pk] = number
            for col, day in layout.days.items():
                text = values[col] if col < len(values) else ""
                if text in fmt.empty:
                    continue
                parsed = _cell(fmt, text)
                where = {"row": number, "who": who, "col": _column_letter(col), "day": day.strftime("%m-%d"),
                         "text": text}
                if parsed is None:
                    result.problems.append(Problem(number, _(
                        "第 %(row)d 行 %(who)s，%(col)s 列（%(day)s）：无法识别“%(text)s”") % where))
                    continue
                if day < person.hired_on or (person.left_on is not None and day > person.left_on):
                    result.problems.append(Problem(number, _(
                        "第 %(row)d 行 %(who)s，%(col)s 列（%(day)s）：该日期员工不在职（入职 %(hired)s%(left)s）")
                        % {**where, "hired": person.hired_on,
                           "left": _("，离职 %(d)s") % {"d": person.left_on} if person.left_on else ""}))
                    continue
                kind, late, early, note = parsed
                entries.append(DayEntry(person, day, kind, late, early, note))
            if len(result.problems) >= MAX_ERRORS:
                result.problems.append(Problem(None, _("错误过多，只列出前 %(n)d 条") % {"n": MAX_ERRORS}))
                break
        if not result.rows:
            result.problems.append(Problem(None, _("文件中没有员工的考勤行")))
    except BusinessError as error:
        result.problems.append(Problem(None, error.message))
    finally:
        if rows is not None:
            rows.close()
    return result, entries


def import_file(source: Source, *, user, fmt: Format | None = None, month: date | None = None) -> ImportResult:
    """Read, and when the whole file is right, record every day (all or nothing)."""
    from . import actions

    actions.require_perm(user, "org.add_attendance")
    actions.require_internal(user)
    result, entries = read_plan(source, fmt, month=month)
    if not result.ok:
        return result
    by_person: dict[int, PersonResult] = {}
    try:
        _write(entries, result, by_person, user)
    except NotAllowed:
        raise
    except BusinessError as error:  # refused while writing: the transaction is rolled back, nothing stays
        result.problems.append(Problem(None, error.message))
        return result
    result.people = sorted(by_person.values(), key=lambda p: p.staff.employee_no)
    return result


def _write(entries: list[DayEntry], result: ImportResult, by_person: dict[int, PersonResult], user) -> None:
    from . import actions

    with transaction.atomic():
        staff_ids = {e.staff.pk for e in entries}
        existing = {(a.staff_id, a.date): a for a in Attendance.objects.filter(
            staff_id__in=staff_ids, date__range=(result.first, result.last))}
        for entry in entries:
            person = by_person.setdefault(entry.staff.pk, PersonResult(entry.staff))
            record = existing.get((entry.staff.pk, entry.day))
            if record is not None and (record.kind, record.late_minutes, record.early_leave_minutes,
                                       record.note) == (entry.kind, entry.late, entry.early, entry.note):
                person.unchanged += 1
                continue
            actions.record_attendance(
                entry.staff, user=user, day=entry.day, kind=entry.kind, late_minutes=entry.late,
                early_leave_minutes=entry.early, note=entry.note,
                clock_in=record.clock_in if record else None, clock_out=record.clock_out if record else None)
            if record is None:
                person.created += 1
            else:
                person.corrected += 1


def error_report(source: Source, result: ImportResult) -> bytes:
    """The file's rows again, each with the messages about it in a first column 错误; the messages
    about the file as a whole on top."""
    from ecomops.core import spreadsheets

    by_row: dict[int, list[str]] = defaultdict(list)
    general = []
    for problem in result.problems:
        (by_row[problem.row].append if problem.row else general.append)(problem.message)
    book = spreadsheets.workbook()
    sheet = book.create_sheet(title=_("错误报告"))
    sheet.append(spreadsheets.bold_row(sheet, [_("错误"), _("原文件第几行"), _("原文件内容")]))
    for message in general:
        sheet.append([message, "", ""])
    try:
        for number, row in _rows(source, result.format):
            messages = by_row.get(number, [])
            sheet.append(["\n".join(messages), number, *[_norm(v) for v in row]])
    except BusinessError:
        pass  # a file that cannot be read: the general messages say so
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
