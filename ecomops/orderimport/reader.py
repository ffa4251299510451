"""Reading platform exports row by row in constant memory (ORD-02).

A source is a path or a callable that opens the file's plain bytes afresh (an import job's file is
stored encrypted: ``files.source(job)`` decrypts it as it is read, never holding it whole).

CSV: the encoding is told from the first megabyte (a UTF-8 byte-order mark, valid UTF-8, else
GB18030, which is what Chinese Excel saves and a superset of GBK/GB2312); the file is then read by the
standard csv module as a stream. XLSX: the archive is checked first (``core.spreadsheets``: no zip
bombs), then openpyxl's read-only mode streams the first sheet.

Rows are numbered as a spreadsheet shows them: the header is row 1 (or wherever it is), data below.
Cells are cleaned of what exports wrap around numbers so Excel keeps them as text (``="123"``, a
leading apostrophe, tabs).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from ecomops.core.crypto import DecryptionError
from ecomops.core.errors import BusinessError
from ecomops.core.spreadsheets import check_xlsx_archive

SNIFF_BYTES = 1 << 20
csv.field_size_limit(1 << 20)

Source = Path | str | Callable[[], BinaryIO]


def _open(source: Source) -> BinaryIO:
    if isinstance(source, Path | str):
        return open(source, "rb")  # noqa: SIM115 - closed by the caller
    return source()


def sniff_encoding(source: Source) -> str:
    with _open(source) as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


# What sellers and platforms put in a cell that means "nothing" (ORD-02, real exports): such a cell is
# empty, never a merchant note, a buyer message or a code. Compared case-insensitively.
PLACEHOLDERS = frozenset({"-", "--", "---", "—", "——", "－", "/", "无", "暂无", "null", "none", "nil", "n/a", "#n/a",
                          "nan"})


def clean(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO text, Excel's text wrappers off
    (``="…"``, a leading apostrophe, tabs, full-width spaces), placeholders (``PLACEHOLDERS``) empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    # NUL never belongs in a cell (and PostgreSQL refuses it in text): dropped like the tabs and a BOM.
    text = str(value).replace("\t", "").replace("\ufeff", "").replace("\x00", "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    elif text.startswith("'"):
        text = text[1:].strip()
    if text.casefold() in PLACEHOLDERS:
        return ""
    return text


def header_key(name: str) -> str:
    """A header as it is compared with a format's aliases: Excel's wrappers and the BOM off, full-width
    characters as their half-width forms (NFKC: "（元）" = "(元)", U+3000 = a space), no spaces at all
    (Taobao's "收货地址 " and "订单付款时间 " have a trailing one), case aside ("商品id" = "商品ID")."""
    text = unicodedata.normalize("NFKC", clean(name) if not isinstance(name, str) else name)
    text = text.replace("\ufeff", "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return "".join(text.split()).casefold()


@dataclass
class Sheet:
    encoding: str
    header_row: int
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (row number, raw cells) after the header


def _csv_rows(source: Source, encoding: str, delimiter: str) -> Iterator[list]:
    with io.TextIOWrapper(_open(source), encoding=encoding, newline="") as handle:
        try:
            yield from csv.reader(handle, delimiter=delimiter)
        except UnicodeDecodeError as error:
            raise BusinessError(_("文件编码无法识别（既不是 UTF-8 也不是 GB18030），请另存为 UTF-8 CSV 后重试"),
                                field="file") from error
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise BusinessError(_("CSV 文件中有超过 %(n)d 个字符的单元格，不像平台导出的订单文件；请检查文件后重试")
                                    % {"n": csv.field_size_limit()}, field="file") from error
            raise BusinessError(_("CSV 文件格式有误：%(error)s") % {"error": error}, field="file") from error


def _xlsx_rows(source: Source) -> Iterator[list]:
    from openpyxl import load_workbook

    with _open(source) as handle:
        check_xlsx_archive(handle)  # before openpyxl inflates anything (zip bombs)
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
            raise BusinessError(_("无法读取 Excel 文件：请上传 .xlsx 格式"), field="file") from error
        try:
            rows = book.worksheets[0].iter_rows(values_only=True) if book.worksheets else iter(())
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except (BusinessError, DecryptionError):
                    raise
                except Exception as error:  # a truncated or damaged workbook fails in many ways while read
                    raise BusinessError(_("Excel 文件已损坏或不完整（读到一半出错），请重新导出后上传"),
                                        field="file", code="bad_file") from error
                yield list(row)
        finally:
            book.close()


def raw_rows(source: Source, kind: str, *, delimiter: str = ",", encoding: str = "") -> Iterator[list]:
    if kind == "xlsx":
        return _xlsx_rows(source)
    return _csv_rows(source, encoding or sniff_encoding(source), delimiter)


def open_sheet(source: Source, kind: str, *, delimiter: str = ",") -> Sheet:
    """The header (the first non-empty row) and an iterator over the numbered rows below it."""
    encoding = "" if kind == "xlsx" else sniff_encoding(source)
    rows = raw_rows(source, kind, delimiter=delimiter, encoding=encoding)
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


def count_rows(source: Source, kind: str, *, delimiter: str = ",") -> int:
    """How many non-empty data rows the file has (one streaming pass; for the progress bar)."""
    total = -1  # the header
    for cells in raw_rows(source, kind, delimiter=delimiter):
        if any(clean(c) for c in cells):
            total += 1
    return max(total, 0)
