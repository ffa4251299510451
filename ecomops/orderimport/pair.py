"""Two-file platform exports (ORD-02, LAW-04): Taobao's and Tmall's 订单报表 + 宝贝报表, one import.

Taobao and Tmall export an order-level file (``ExportOrderList<time>.csv``: one row per order, with the
buyer, the receiver, the amounts, the status and the times) and a line-level file
(``ExportOrderDetailList<time>.csv``: one row per item, with its 标题, 价格, 购买数量, 商家编码 and
商品属性). A format with ``line_columns`` is such a pair: ``columns`` map the order file,
``line_columns`` the line file, both with their own aliases, joined on ``order_no``.

- Which file is which is told by its header (the order file has the order's required columns, the line
  file the line's), never by its name or by the order of the upload. One file of a pair alone is
  refused saying which one is missing (订单报表 or 宝贝报表).
- A .zip holding both (as sellers keep them) is read member by member from the encrypted upload, never
  extracted anywhere; its directory is checked first (declared sizes and ratio: no zip bombs).
- The join stays flat in memory whatever the size (a busy shop's month is ~100k orders): the line file
  is indexed by order number in a temporary SQLite file (only the line file's cells: no buyer's name,
  phone or address; deleted when the run ends), then the order file is streamed in its own order and
  each order takes its lines from the index.
- Each joined order is one ``PairGroup``: the ordinary engine checks, chunks, upserts, checkpoints and
  resumes it like an order of a single file. The line title is the line file's 标题 (never the order
  file's 宝贝标题); 商品属性 is kept on the line.
- An order in the order file without lines, lines whose order is not in the order file, an order
  number twice in the order file: refused with the file, row and column.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError

from . import files, reader
from .engine import Checker, Group, ImportFailed, Mapping, RowProblem, _delimiter, find_columns
from .enums import LINE_FIELDS, FileKind
from .models import ImportFormat, ImportJob

ORDER_REQUIRED = ("order_no", "placed_at")
LINE_REQUIRED = ("order_no", "sku_code", "quantity")
LINE_ROW = 1_000_000_000  # a line-file row inside a group is LINE_ROW + its row (apart from order-file rows)
DATA_SUFFIXES = {".csv": FileKind.CSV, ".txt": FileKind.CSV, ".tsv": FileKind.CSV, ".xlsx": FileKind.XLSX}
# The same limits as an uploaded .xlsx (core.spreadsheets): settings or environment variables.
ZIP_LIMITS = {"ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES": 1 << 30, "ECOMOPS_XLSX_MAX_RATIO": 100}
RATIO_FLOOR = 1 << 20


def _limit(name: str) -> int:
    import os

    value = getattr(settings, name, None)
    return int(value if value is not None else os.environ.get(name) or ZIP_LIMITS[name])


# --- a .zip holding both files -----------------------------------------------------------------------


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the seller's computer wrote it (Chinese Windows zips GBK names unflagged)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return PurePosixPath(name).name


def zip_members(handle, *, field: str = "file") -> list[zipfile.ZipInfo]:
    """The table files in a .zip (LAW-04/ORD-02), after checking its directory only (nothing inflated):
    every declared size and ratio within the limits, exactly two tables (the 订单报表 and the 宝贝报表)."""
    position = handle.tell() if hasattr(handle, "tell") else None
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise BusinessError(_("无法读取压缩包：文件不是有效的 .zip，请确认文件未损坏且未加密"), field=field,
                            code="bad_file") from None
    finally:
        if position is not None:
            handle.seek(position)

    def refuse(reason: str):
        raise BusinessError(_("压缩包被拒绝：%(reason)s。请直接上传订单报表和宝贝报表两个文件") % {"reason": reason},
                            field=field, code="bad_file")

    if any(entry.flag_bits & 0x1 for entry in entries):
        refuse(_("压缩包设置了密码"))
    total = sum(entry.file_size for entry in entries)
    if total > _limit("ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES") or len(entries) > 1000:
        refuse(_("解压后共 %(size)d MB，或文件过多") % {"size": total >> 20})
    ratio = _limit("ECOMOPS_XLSX_MAX_RATIO")
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > max(entry.compress_size, 1) * ratio:
            refuse(_("“%(name)s”压缩比 %(ratio)d 倍，上限 %(max)d 倍")
                   % {"name": _member_name(entry)[:60], "ratio": entry.file_size // max(entry.compress_size, 1),
                      "max": ratio})
    tables = [entry for entry in entries if not entry.is_dir() and not entry.filename.startswith("__MACOSX/")
              and not _member_name(entry).startswith(".")
              and PurePosixPath(entry.filename).suffix.lower() in DATA_SUFFIXES]
    if len(tables) != 2:
        refuse(_("压缩包里有 %(n)d 个表格文件（.csv/.txt/.xlsx），应为订单报表和宝贝报表两个") % {"n": len(tables)})
    return tables


class _Member(io.BufferedIOBase):
    """A member of the job's encrypted .zip as a binary file; closing it closes the archive too."""

    def __init__(self, job: ImportJob, filename: str):
        super().__init__()
        self._outer = files.open_plain(job)
        try:
            self._archive = zipfile.ZipFile(self._outer)
            self._handle = self._archive.open(filename)
        except Exception:
            self._outer.close()
            raise

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._handle.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._handle.read1(size)

    def seekable(self) -> bool:
        return self._handle.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        if not self.closed:
            try:
                self._handle.close()
                self._archive.close()
            finally:
                self._outer.close()
        super().close()


@dataclass
class Part:
    """One file of the pair as uploaded: its name (the upload's or the zip member's), kind and bytes."""

    name: str
    kind: str
    source: reader.Source


def parts(job: ImportJob) -> list[Part]:
    if job.file_kind == FileKind.ZIP:
        with files.open_plain(job) as handle:
            members = zip_members(handle)
        return [Part(_member_name(info), DATA_SUFFIXES[PurePosixPath(info.filename).suffix.lower()],
                     lambda filename=info.filename: _Member(job, filename)) for info in members]
    found = [Part(job.original_name, job.file_kind, files.source(job))]
    if job.second_name:
        found.append(Part(job.second_name, job.second_kind or FileKind.CSV, files.source(job, "second_file")))
    return found


# --- telling the files apart and joining them --------------------------------------------------------


@dataclass
class PairGroup(Group):
    """An order of the order file with its lines from the line file. ``rows`` hold the joined cells
    (order cells then line cells) under LINE_ROW + the line's row; ``refusal``: why it cannot be
    imported at all (no lines, no order, twice), with the file and row of each problem."""

    order_row: int = 0
    order_file: str = ""
    line_file: str = ""
    order_headers: frozenset = frozenset()
    refusal: list = field(default_factory=list)
    rows_of_files: int = 0

    @property
    def first_row(self) -> int:
        return self.order_row

    @property
    def last_row(self) -> int:
        return self.order_row

    @property
    def size(self) -> int:
        return self.rows_of_files

    def locate(self, problem: RowProblem) -> tuple[str, int]:
        if problem.file:
            return problem.file, problem.row_no - LINE_ROW if problem.row_no >= LINE_ROW else problem.row_no
        if problem.row_no >= LINE_ROW and problem.column not in self.order_headers:
            return self.line_file, problem.row_no - LINE_ROW
        return self.order_file, self.order_row


class PairChecker(Checker):
    def parse(self, group):
        if isinstance(group, PairGroup) and group.refusal:
            return None, list(group.refusal)
        return super().parse(group)


@dataclass
class _Opened:
    part: Part
    sheet: reader.Sheet
    order_map: Mapping
    line_map: Mapping

    @property
    def is_order(self) -> bool:
        return all(name in self.order_map.columns for name in ORDER_REQUIRED)

    @property
    def is_line(self) -> bool:
        return all(name in self.line_map.columns for name in LINE_REQUIRED)


def _aliases(spec_columns: dict, names) -> str:
    shown = []
    for name in names:
        spec = (spec_columns or {}).get(name) or [name]
        aliases = spec.get("join", []) if isinstance(spec, dict) else ([spec] if isinstance(spec, str) else spec)
        shown.append(" / ".join(aliases))
    return "；".join(shown)


def _neither(item: _Opened, wants: dict) -> str:
    return (_("文件“%(name)s”缺少必需的列：既不是订单报表也不是宝贝报表"
              "（格式“%(format)s”：订单报表须有列 %(order)s；宝贝报表须有列 %(line)s）")
            % {**wants, "name": item.part.name})


def recognise(opened: list[_Opened], fmt: ImportFormat) -> tuple[_Opened, _Opened]:
    """(order file, line file) of the uploaded files, by their headers; else why not, in Chinese."""
    wants = {"order": _aliases(fmt.columns, ORDER_REQUIRED), "line": _aliases(fmt.line_columns, LINE_REQUIRED),
             "format": fmt.name}
    both = _("格式“%(format)s”须同时导入订单报表和宝贝报表：请两个文件一起上传，或上传装有两者的 .zip") % wants
    if len(opened) == 1:
        only = opened[0]
        if only.is_line and not only.is_order:
            raise ImportFailed(_("只收到了宝贝报表“%(name)s”，缺少订单报表（ExportOrderList…）。%(both)s")
                               % {"name": only.part.name, "both": both})
        if only.is_order:
            raise ImportFailed(_("只收到了订单报表“%(name)s”，缺少宝贝报表（ExportOrderDetailList…）。%(both)s")
                               % {"name": only.part.name, "both": both})
        raise ImportFailed(_neither(only, wants))
    first, second = opened
    choices = [(a, b) for a, b in ((first, second), (second, first)) if a.is_order and b.is_line]
    if choices:
        # A file that could be either (a merged export) is the order file only if the other cannot be.
        choices.sort(key=lambda pair: pair[0].is_line)
        return choices[0]
    if not any(o.is_order for o in opened):
        raise ImportFailed(_("缺少订单报表：“%(a)s”和“%(b)s”都不是订单报表（订单报表须有列 %(order)s）")
                           % {**wants, "a": first.part.name, "b": second.part.name})
    if not any(o.is_line for o in opened):
        raise ImportFailed(_("缺少宝贝报表：“%(a)s”和“%(b)s”都不是宝贝报表（宝贝报表须有列 %(line)s）")
                           % {**wants, "a": first.part.name, "b": second.part.name})
    stranger = next(o for o in opened if not o.is_order and not o.is_line)
    raise ImportFailed(_neither(stranger, wants))


def _blank(cells) -> bool:
    return not any(c not in (None, "") and (not isinstance(c, str) or c.strip()) for c in cells)


def _text(cell) -> str:
    return cell if isinstance(cell, str) else reader.clean(cell)


class Pairing:
    """One run's join of a pair job: ``groups()`` in the order file's order, then the lines no order
    took; ``checker`` for the joined cells. ``close()`` removes the temporary index."""

    def __init__(self, job: ImportJob, fmt: ImportFormat):
        self.job, self.fmt = job, fmt
        self._tmp = tempfile.TemporaryDirectory(prefix="ecomops-pair-")
        self._db: sqlite3.Connection | None = None
        delimiter = _delimiter(fmt)
        opened = []
        for part in parts(job):
            sheet = reader.open_sheet(part.source, part.kind, delimiter=delimiter)
            opened.append(_Opened(part, sheet, find_columns(sheet.header, fmt.columns),
                                  find_columns(sheet.header, fmt.line_columns)))
        try:
            self.orders, self.lines = recognise(opened, fmt)
        except ImportFailed:
            for item in opened:
                item.sheet.rows.close()
            raise
        encoding = self.orders.sheet.encoding
        if encoding and job.encoding != encoding:
            job.encoding = encoding
            job.save(update_fields=["encoding"])
        self.width = len(self.orders.sheet.header)
        order_map, line_map = self.orders.order_map, self.lines.line_map
        columns = {name: where for name, where in order_map.columns.items() if name not in LINE_FIELDS}
        headers = {name: text for name, text in order_map.headers.items() if name not in LINE_FIELDS}
        sums = {name for name in order_map.sums if name not in LINE_FIELDS}
        fallbacks = {name: where for name, where in order_map.fallbacks.items() if name not in LINE_FIELDS}
        for name in LINE_FIELDS:
            if name in line_map.columns:
                columns[name] = [self.width + index for index in line_map.columns[name]]
                headers[name] = line_map.headers[name]
                if name in line_map.sums:
                    sums.add(name)
                if name in line_map.fallbacks:
                    fallbacks[name] = [self.width + index for index in line_map.fallbacks[name]]
        self.mapping = Mapping(columns=columns, headers=headers, sums=frozenset(sums), fallbacks=fallbacks)
        self.checker = PairChecker(fmt, self.mapping)
        self.order_headers = frozenset(text for name, text in headers.items() if name not in LINE_FIELDS)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        for item in (getattr(self, "orders", None), getattr(self, "lines", None)):
            if item is not None:
                item.sheet.rows.close()
        self._tmp.cleanup()

    def _index_lines(self) -> int:
        """The line file into the temporary index (order number, row, cells); its row count."""
        self._db = sqlite3.connect(str(Path(self._tmp.name) / "lines.sqlite3"))
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE line (no TEXT NOT NULL, row INTEGER NOT NULL, cells TEXT NOT NULL)")
        self._db.execute("CREATE TABLE seen (no TEXT PRIMARY KEY, row INTEGER NOT NULL)")
        line_map, count = self.lines.line_map, 0

        def rows():
            nonlocal count
            for row_no, cells in self.lines.sheet.rows:
                if _blank(cells):
                    continue
                count += 1
                yield (line_map.get(cells, "order_no"), row_no,
                       json.dumps([_text(c) for c in cells], ensure_ascii=False))

        self._db.executemany("INSERT INTO line VALUES (?, ?, ?)", rows())
        self._db.execute("CREATE INDEX line_no ON line (no, row)")
        self._db.commit()
        return count

    def _group(self, number: str, order_row: int, **values) -> PairGroup:
        return PairGroup(number=number, order_row=order_row, order_file=self.orders.part.name,
                         line_file=self.lines.part.name, order_headers=self.order_headers, **values)

    def groups(self):
        line_count = self._index_lines()
        job = self.job
        if not job.rows_total:
            order_count = reader.count_rows(self.orders.part.source, self.orders.part.kind,
                                            delimiter=_delimiter(self.fmt))
            job.rows_total = order_count + line_count
            job.save(update_fields=["rows_total"])
        order_map, line_map = self.orders.order_map, self.lines.line_map
        order_no_column = order_map.headers.get("order_no", "")
        line_no_column = line_map.headers.get("order_no", "")
        db = self._db
        last_order_row = 0
        for row_no, cells in self.orders.sheet.rows:
            if _blank(cells):
                continue
            last_order_row = row_no
            number = order_map.get(cells, "order_no")
            if not number:
                yield self._group("", row_no, rows_of_files=1, refusal=[RowProblem(
                    row_no, order_no_column, _("订单号为空"), self.orders.part.name)])
                continue
            before = db.execute("SELECT row FROM seen WHERE no = ?", (number,)).fetchone()
            if before is not None:
                yield self._group(number, row_no, rows_of_files=1, refusal=[RowProblem(
                    row_no, order_no_column, _("订单 %(no)s 在订单报表中重复：第 %(row)d 行已有")
                    % {"no": number, "row": before[0]}, self.orders.part.name)])
                continue
            db.execute("INSERT INTO seen VALUES (?, ?)", (number, row_no))
            found = db.execute("SELECT row, cells FROM line WHERE no = ? ORDER BY row", (number,)).fetchall()
            if not found:
                yield self._group(number, row_no, rows_of_files=1, refusal=[RowProblem(
                    row_no, order_no_column, _("订单 %(no)s 在宝贝报表“%(file)s”中没有商品行：两个文件须是同一次导出的")
                    % {"no": number, "file": self.lines.part.name}, self.orders.part.name)])
                continue
            head = ([_text(c) for c in cells] + [""] * self.width)[:self.width]
            yield self._group(number, row_no, rows_of_files=1 + len(found),
                              rows=[(LINE_ROW + line_row, head + json.loads(line_cells))
                                    for line_row, line_cells in found])
        # Lines whose order is not in the order file: refused, each line with its row.
        strays = db.execute("SELECT no, MIN(row) FROM line WHERE no NOT IN (SELECT no FROM seen) "
                            "GROUP BY no ORDER BY MIN(row)")
        for index, (number, _first) in enumerate(strays.fetchall(), start=1):
            rows = db.execute("SELECT row FROM line WHERE no = ? ORDER BY row", (number,)).fetchall()
            reason = (_("订单 %(no)s 不在订单报表“%(file)s”中：两个文件须是同一次导出的")
                      % {"no": number, "file": self.orders.part.name}) if number else _("订单号为空")
            yield self._group(number, last_order_row + index, rows_of_files=len(rows),
                              rows=[(LINE_ROW + row, []) for (row,) in rows], refusal=[
                RowProblem(LINE_ROW + row, line_no_column, reason, self.lines.part.name) for (row,) in rows])
