"""CAT-04 from the command line: `ecomops import-products FILE --client CODE [--dry-run]` prints every
error with its row number and exits 1 without importing anything, or prints the summary."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecomops.catalog.models import SKU, Style

from .conftest import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import-products", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_reimport_prints_created_then_unchanged(cat, tmp_path):
    path = tmp_path / "products.xlsx"
    path.write_bytes(xlsx_bytes([row(style_no="C1", name="甲", colour="红", size=s, unit_cost="1", price="2")
                                 for s in ("S", "M")]))
    out, _ = run(str(path), "--client", "CA")
    assert "styles 1 created" in out and "SKUs 2 created" in out
    out, _ = run(str(path), "--client", "CA")
    assert "styles 0 created, 0 updated, 1 unchanged" in out and "SKUs 0 created, 0 updated, 2 unchanged" in out
    assert SKU.objects.filter(style__style_no="C1").count() == 2
    # The history names the acting account (here the first superuser).
    assert Style.history.get(style_no="C1").history_user == cat.admin


def test_errors_are_printed_with_row_numbers_and_nothing_is_imported(cat, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(style_no="C1", name="甲", unit_cost="1", price="2"),
                                row(style_no="C2", name="乙", unit_cost="1", price="-2")], encoding="gb18030"))
    with pytest.raises(CommandError) as failed:
        run(str(path), "--client", "CA")
    assert failed.value.returncode == 1
    assert not Style.objects.exists()


def test_error_lines_name_row_and_column(cat, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(style_no="C2", name="乙", unit_cost="1", price="-2")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-products", str(path), "--client", "CA", stderr=err)
    assert err.getvalue().strip() == "第 2 行，销售价：不能为负数"


def test_dry_run_writes_nothing(cat, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes([row(style_no="C1", name="甲", unit_cost="1", price="2")], encoding="utf-8-sig"))
    out, _ = run(str(path), "--client", "CA", "--dry-run")
    assert out.startswith("dry run") and "styles 1 created" in out
    assert not Style.objects.exists()


def test_acting_user_scope_applies(cat, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes([row(style_no="C1", name="甲", unit_cost="1", price="2")]))
    with pytest.raises(CommandError):
        run(str(path), "--client", "CA", "--user", "user_b")
    with pytest.raises(CommandError):
        run(str(path), "--client", "NOPE")
    assert not Style.objects.exists()


def test_export_command_writes_the_import_format(cat, style_a, tmp_path):
    path = tmp_path / "out.csv"
    call_command("export-products", "--client", "CA", "-o", str(path), stdout=io.StringIO())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("款号,商品名称") and len(lines) == 7
