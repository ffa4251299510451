"""Spreadsheets in and out: real ``.xlsx`` (openpyxl, read-only and write-only modes, so a large file is
streamed and never held twice) and CSV in UTF-8, UTF-8 with BOM, UTF-16 or GB18030 (what Excel and
WPS save on a Chinese Windows).

Every cell written goes through ``core.spreadsheets`` (no formula injection), and an uploaded .xlsx is
checked there before openpyxl opens it (no zip bombs); ``restore`` undoes the first when an export
comes back.

Reading gives a ``Table``: the header row as written, and the data rows with their spreadsheet row
numbers (the header is row 1 of the sheet it came from, so "第 5 行" is the row a person sees).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from ecomops.core import spreadsheets
from ecomops.core.errors import BusinessError

MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_CELL = 1_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    name: str = ""


def cell_text(value) -> str:
    """A cell as text, the way a person reads it: 6901234567892 (not 6.90123456789e12), 12.5, 2026-05-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _refuse(message: str):
    raise BusinessError(message, field="file", code="bad_file")


def read_table(data: bytes, *, filename: str = "") -> Table:
    """The first sheet of an .xlsx file, or a CSV file; anything else is refused with a message."""
    if not data:
        _refuse(_("文件是空的"))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, filename)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse(_("不支持旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入"))
    return _read_csv(data, filename)


def _read_xlsx(data: bytes, filename: str) -> Table:
    from openpyxl import load_workbook

    spreadsheets.check_xlsx_archive(io.BytesIO(data))  # before anything inflates it
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        _refuse(_("无法读取该 .xlsx 文件，请确认文件未损坏且未加密"))
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # files from some tools declare a wrong size; read what is there
        rows = sheet.iter_rows(values_only=True)
        return _collect(((number, [unquote(cell_text(v)) for v in row])
                         for number, row in enumerate(rows, start=1)), filename)
    finally:
        workbook.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 — in that order."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        _refuse(_("无法识别文件编码，请另存为 UTF-8 或 GB18030（GBK）编码的 CSV，或 .xlsx"))


def _read_csv(data: bytes, filename: str) -> Table:
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        _refuse(_("无法识别文件编码，请另存为 UTF-8 或 GB18030（GBK）编码的 CSV，或 .xlsx"))
    if "\x00" in text:
        _refuse(_("文件不是 CSV 或 .xlsx 表格"))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect(((number, [unquote(cell.strip()) for cell in row])
                         for number, row in enumerate(reader, start=1)), filename)
    except csv.Error:
        _refuse(_("CSV 格式不正确（引号未闭合等），请检查文件"))


def _collect(numbered_rows: Iterable[tuple[int, list[str]]], filename: str) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered_rows:
        if not any(cells):
            continue
        if headers is None:
            if len(cells) > MAX_COLUMNS:
                cells = cells[:MAX_COLUMNS]
            headers = [header_key(c) for c in cells]
            continue
        if len(rows) >= MAX_ROWS:
            _refuse(_("文件超过 %(n)s 行，请分批导入") % {"n": MAX_ROWS})
        rows.append((number, [c[:MAX_CELL] for c in cells[: len(headers)]]))
    if headers is None:
        _refuse(_("文件中没有表头和数据"))
    return Table(headers=headers, rows=rows, name=filename)


def header_key(text: str) -> str:
    """A header as matched against the template: spaces and the required-mark ``*`` removed."""
    return re.sub(r"[\s*＊]+", "", text or "")


# --- files whose columns go by several names ------------------------------------------------------------


def _alias_key(text: str) -> str:
    return header_key(text).replace("（", "(").replace("）", ")").lower()


@dataclass(frozen=True)
class Columns:
    """Where each wanted column is in a file whose headers vary by sender (a carrier's bill, its
    tracking export): key → column index, or None for an optional column the file lacks."""

    at: dict[str, int | None]

    def cell(self, cells: list[str], key: str) -> str:
        index = self.at.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def find_columns(headers: Sequence[str], aliases: dict[str, tuple[str, ...]], *, optional: Iterable[str] = (),
                 missing: str) -> Columns:
    """The columns of ``aliases`` (key → the header names it goes by, the first being the one named in
    messages) among ``headers``, matched without spaces, ``*`` marks, case or full-width brackets. A
    required column that is absent is refused with ``missing`` (a message with ``%(col)s``)."""
    keys = [_alias_key(h) for h in headers]
    optional = set(optional)
    at: dict[str, int | None] = {}
    for key, names in aliases.items():
        found = next((keys.index(_alias_key(n)) for n in names if _alias_key(n) in keys), None)
        if found is None and key not in optional:
            raise BusinessError(missing % {"col": names[0]}, field="file")
        at[key] = found
    return Columns(at)


def parse_rows(table: Table, parse, *, empty: str, shown: int = 20) -> list:
    """``parse(row_number, cells)`` for every data row of ``table``, all or nothing: every row it refuses
    (``BusinessError``) is named as "第 n 行：…" (the first ``shown`` of them, then the count), and no row
    at all is refused with ``empty``."""
    rows, problems = [], []
    for number, cells in table.rows:
        try:
            rows.append(parse(number, cells))
        except BusinessError as error:
            problems.append(_("第 %(row)d 行：%(why)s") % {"row": number, "why": error.message})
    if problems:
        more = _("……共 %(n)d 处错误") % {"n": len(problems)} if len(problems) > shown else ""
        raise BusinessError("；".join(problems[:shown]) + more, field="file")
    if not rows:
        raise BusinessError(empty, field="file")
    return rows


# --- writing -------------------------------------------------------------------------------------


def unquote(value: str) -> str:
    """Undo the neutralising of a cell when a file we wrote comes back (``core.spreadsheets.restore``)."""
    return spreadsheets.restore(value)


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence], dict]], out) -> None:
    """Write ``(title, headers, rows, options)`` sheets to ``out`` in write-only mode. Options:
    ``text_columns`` (indexes written as text, e.g. barcodes), ``widths``."""
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = spreadsheets.workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for title, headers, rows, options in sheets:
        sheet = workbook.create_sheet(title=title)
        text_columns = set(options.get("text_columns", ()))
        for index, width in enumerate(options.get("widths", ())):
            sheet.column_dimensions[_column_letter(index)].width = width
        if options.get("freeze", True):
            sheet.freeze_panes = "A2"
        header_cells = []
        for text in headers:
            cell = spreadsheets.cell(sheet, text, font=bold)
            cell.fill = fill
            header_cells.append(cell)
        sheet.append(header_cells)
        wrap = Alignment(wrap_text=True, vertical="top") if options.get("wrap") else None
        for row in rows:
            sheet.append([spreadsheets.cell(sheet, value, number_format="@" if index in text_columns else None,
                                            alignment=wrap)
                          for index, value in enumerate(row)])
    workbook.save(out)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence], out) -> None:
    """CSV in UTF-8 with BOM, so that Excel on Windows opens the Chinese correctly."""
    out.write("\ufeff")
    writer = spreadsheets.csv_writer(out)  # text that a spreadsheet would run gets its apostrophe
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
