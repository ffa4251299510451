"""Spreadsheets in and out, safely: every .xlsx and CSV EcomOps writes goes through here, and every
uploaded .xlsx is checked here before anything opens it.

Writing (formula injection, OWASP "CSV injection"): a text cell that starts with ``= + - @``, a tab or
a carriage return is run by Excel, WPS or LibreOffice as a formula (``=cmd|' /C calc'!A0`` in a buyer's
nickname). ``neutralise`` puts an apostrophe in front of such text, the usual mark of "this is text";
numbers stay numbers (a negative amount is a number cell, and a plain number written as text, such as
``-5``, is left as it is: no spreadsheet runs it). ``workbook()`` and ``csv_writer()`` apply it to every
cell, so a writer cannot forget it:

    book = spreadsheets.workbook()
    sheet = book.create_sheet(title="订单")
    sheet.append(spreadsheets.bold_row(sheet, ["平台订单号", "买家昵称"]))
    sheet.append([order.platform_order_no, order.buyer_nick])   # neutralised here
    book.save(out)

    writer = spreadsheets.csv_writer(out)
    writer.writerow([...])                                      # neutralised here

``restore`` undoes the mark when a file we wrote comes back (the catalogue's export → edit → import).

Reading (zip bombs): an .xlsx is a zip archive. A 4.5 MB file can declare 1.1 GB of XML, which a
reader spends a minute of CPU and gigabytes of memory on (openpyxl keeps the shared strings in memory
even in read-only mode). ``check_xlsx_archive`` reads only the archive's directory and refuses a file
whose entries declare more than these limits allow (Django settings, or environment variables, of
these names):

- ``ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES`` (1 GiB): all entries together, uncompressed;
- ``ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES`` (256 MiB): the shared-strings part, held in memory;
- ``ECOMOPS_XLSX_MAX_RATIO`` (100): uncompressed ÷ compressed size of any entry above 1 MiB
  (real workbooks compress 5–30 times; deflate bombs hundreds to a thousand times);
- ``ECOMOPS_XLSX_MAX_ENTRIES`` (10,000): the number of entries.

A real export of tens of MB passes. The declared sizes can be trusted: Python's zipfile never
inflates an entry past the size its directory declares, so a lying archive cannot get more through.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import BusinessError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# What openpyxl refuses in a cell (C0 controls other than tab, LF and CR).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

XLSX_LIMITS = {
    "ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES": 1 << 30,
    "ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES": 256 << 20,
    "ECOMOPS_XLSX_MAX_RATIO": 100,
    "ECOMOPS_XLSX_MAX_ENTRIES": 10_000,
}
RATIO_FLOOR = 1 << 20  # entries smaller than this are not judged by their ratio


# --- writing ---------------------------------------------------------------------------------------


def neutralise(value):
    """``value`` made safe for a spreadsheet cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe; anything that is not text (numbers, dates, None) is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def restore(text: str) -> str:
    """Undo ``neutralise`` on a cell read back from a file we wrote."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _xlsx_value(value):
    value = neutralise(value)
    if isinstance(value, str) and _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)  # openpyxl refuses these; a nickname must not break the export
    return value


def cell(sheet, value, *, font=None, number_format: str | None = None, alignment=None):
    """A write-only cell holding ``value`` neutralised; text is always a text cell, never a formula
    (nor an error value such as ``#N/A``)."""
    from openpyxl.cell import WriteOnlyCell

    result = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if isinstance(result.value, str):
        result.data_type = "s"
    if font is not None:
        result.font = font
    if number_format is not None:
        result.number_format = number_format
    if alignment is not None:
        result.alignment = alignment
    return result


def bold_row(sheet, values: Iterable) -> list:
    """A header row: each value as bold text."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    return [cell(sheet, str(value), font=bold) for value in values]


class SafeSheet:
    """A write-only worksheet whose ``append`` neutralises every value (and the value of a cell made
    elsewhere); everything else is the worksheet's own."""

    def __init__(self, sheet):
        object.__setattr__(self, "_sheet", sheet)

    def append(self, values: Iterable) -> None:
        from openpyxl.cell.cell import Cell  # what WriteOnlyCell() makes

        row = []
        for value in values:
            if isinstance(value, Cell):
                if isinstance(value.value, str):
                    value.value = _xlsx_value(value.value)
                    value.data_type = "s"
                row.append(value)
            else:
                row.append(cell(self._sheet, value))
        self._sheet.append(row)

    def __getattr__(self, name):
        return getattr(self._sheet, name)

    def __setattr__(self, name, value):  # freeze_panes and the like belong to the worksheet
        setattr(self._sheet, name, value)


class SafeWorkbook:
    """openpyxl's write-only workbook (streams, constant memory) handing out ``SafeSheet``s."""

    def __init__(self):
        from openpyxl import Workbook

        self._book = Workbook(write_only=True)

    def create_sheet(self, title: str | None = None) -> SafeSheet:
        return SafeSheet(self._book.create_sheet(title=title))

    def save(self, out) -> None:
        self._book.save(out)


def workbook() -> SafeWorkbook:
    return SafeWorkbook()


class SafeCsvWriter:
    """``csv.writer`` that neutralises every text cell of every row."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Sequence):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Sequence]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> SafeCsvWriter:
    return SafeCsvWriter(out, **options)


# --- reading ---------------------------------------------------------------------------------------


def _limit(name: str) -> int:
    """A Django setting of that name, else the environment variable, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or XLSX_LIMITS[name]
    return int(value)


def _size_text(size: int) -> str:
    return f"{size / (1 << 30):.1f} GB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MB"


def check_xlsx_archive(source, *, field: str = "file") -> None:
    """Refuse an .xlsx whose archive declares too much (see the module's notes) before anything
    inflates it. ``source`` is a path or a seekable binary file (rewound afterwards). Reads only the
    archive's central directory: milliseconds whatever the file declares."""
    position = None if isinstance(source, str | Path) else source.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise BusinessError(_("无法读取 Excel 文件：文件不是有效的 .xlsx，请确认文件未损坏且未加密"),
                            field=field, code="bad_file") from None
    finally:
        if position is not None:
            source.seek(position)

    def refuse(reason: str):
        raise BusinessError(_("Excel 文件被拒绝：%(reason)s。这不像平台或 Excel 保存的正常表格（可能是“压缩炸弹”），"
                              "请重新导出，或另存为 CSV 后上传") % {"reason": reason}, field=field, code="bad_file")

    if len(entries) > _limit("ECOMOPS_XLSX_MAX_ENTRIES"):
        refuse(_("压缩包内有 %(n)d 个文件，上限 %(max)d 个")
               % {"n": len(entries), "max": _limit("ECOMOPS_XLSX_MAX_ENTRIES")})
    total = sum(entry.file_size for entry in entries)
    if total > _limit("ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES"):
        refuse(_("解压后共 %(size)s，上限 %(max)s")
               % {"size": _size_text(total), "max": _size_text(_limit("ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES"))})
    ratio = _limit("ECOMOPS_XLSX_MAX_RATIO")
    for entry in entries:
        name = entry.filename.lower()
        if name.endswith("sharedstrings.xml") and entry.file_size > _limit("ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES"):
            refuse(_("共享文字部分解压后 %(size)s，上限 %(max)s")
                   % {"size": _size_text(entry.file_size),
                      "max": _size_text(_limit("ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES"))})
        if entry.file_size > RATIO_FLOOR and entry.file_size > max(entry.compress_size, 1) * ratio:
            refuse(_("“%(name)s”压缩比 %(ratio)d 倍，上限 %(max)d 倍")
                   % {"name": entry.filename[:60], "ratio": entry.file_size // max(entry.compress_size, 1),
                      "max": ratio})
