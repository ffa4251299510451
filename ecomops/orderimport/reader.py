"""Reading platform exports row by row in constant memory (ORD-02).

CSV: the encoding is told from the first megabyte (a UTF-8 byte-order mark, valid UTF-8, else
GB18030, which is what Chinese Excel saves and a superset of GBK/GB2312); the file is then read by the
standard csv module straight from disk. XLSX: openpyxl's read-only mode streams the first sheet.

Rows are numbered as a spreadsheet shows them: the header is row 1 (or wherever it is), data below.
Cells are cleaned of what exports wrap around numbers so Excel keeps them as text (``="123"``, a
leading apostrophe, tabs).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError

SNIFF_BYTES = 1 << 20
csv.field_size_limit(1 << 20)


def sniff_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def clean(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO text, Excel's text wrappers off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = str(value).replace("\t", "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    elif text.startswith("'"):
        text = text[1:].strip()
    return text


@dataclass
class Sheet:
    encoding: str
    header_row: int
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (row number, raw cells) after the header


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list]:
    with open(path, encoding=encoding, newline="") as handle:
        try:
            yield from csv.reader(handle, delimiter=delimiter)
        except UnicodeDecodeError as error:
            raise BusinessError(_("文件编码无法识别（既不是 UTF-8 也不是 GB18030），请另存为 UTF-8 CSV 后重试"),
                                field="file") from error
        except csv.Error as error:
            raise BusinessError(_("CSV 文件格式有误：%(error)s") % {"error": error}, field="file") from error


def _xlsx_rows(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise BusinessError(_("无法读取 Excel 文件：请上传 .xlsx 格式"), field="file") from error
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def raw_rows(path: Path, kind: str, *, delimiter: str = ",", encoding: str = "") -> Iterator[list]:
    if kind == "xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path, encoding or sniff_encoding(path), delimiter)


def open_sheet(path: Path, kind: str, *, delimiter: str = ",") -> Sheet:
    """The header (the first non-empty row) and an iterator over the numbered rows below it."""
    encoding = "" if kind == "xlsx" else sniff_encoding(path)
    rows = raw_rows(path, kind, delimiter=delimiter, encoding=encoding)
    number = 0
    for cells in rows:
        number += 1
        header = [clean(c) for c in cells]
        if any(header):
            start = number

            def body(first=start):
                n = first
                for raw in rows:
                    n += 1
                    yield n, raw

            return Sheet(encoding=encoding, header_row=start, header=header, rows=body())
    raise BusinessError(_("文件是空的：没有表头行"), field="file")


def count_rows(path: Path, kind: str, *, delimiter: str = ",") -> int:
    """How many non-empty data rows the file has (one streaming pass; for the progress bar)."""
    total = -1  # the header
    for cells in raw_rows(path, kind, delimiter=delimiter):
        if any(clean(c) for c in cells):
            total += 1
    return max(total, 0)
