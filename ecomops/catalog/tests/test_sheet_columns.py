"""The shared reader of files whose columns go by several names (a carrier's bill, its tracking export):
headers matched loosely, optional columns, every bad row named and nothing returned half."""

from __future__ import annotations

import pytest

from ecomops.catalog.sheets import Table, find_columns, parse_rows
from ecomops.core.errors import BusinessError

ALIASES = {"no": ("运单号", "快递单号"), "kg": ("计费重量(kg)", "重量"), "note": ("备注",)}


def test_headers_match_without_spaces_marks_case_or_full_width_brackets():
    columns = find_columns(["*快递单号", "计费重量（KG）", "x"], ALIASES, optional=("note",), missing="缺少%(col)s")
    assert columns.at == {"no": 0, "kg": 1, "note": None}
    assert columns.cell([" SF1 ", "1.5"], "no") == "SF1"
    assert columns.cell(["SF1"], "kg") == "" and columns.cell(["SF1", "1"], "note") == ""


def test_a_required_column_missing_is_named_by_its_first_name():
    with pytest.raises(BusinessError) as error:
        find_columns(["运单号"], ALIASES, optional=("note",), missing="账单缺少“%(col)s”列")
    assert error.value.message == "账单缺少“计费重量(kg)”列" and error.value.field == "file"


def _parse(number, cells):
    if cells[0] == "bad":
        raise BusinessError("坏了")
    return cells[0]


def test_rows_are_all_or_nothing_and_every_bad_row_is_named():
    good = Table(headers=["a"], rows=[(2, ["x"]), (3, ["y"])])
    assert parse_rows(good, _parse, empty="空") == ["x", "y"]
    with pytest.raises(BusinessError) as error:
        parse_rows(Table(headers=["a"], rows=[(2, ["x"]), (3, ["bad"]), (5, ["bad"])]), _parse, empty="空")
    assert error.value.message == "第 3 行：坏了；第 5 行：坏了" and error.value.field == "file"
    many = Table(headers=["a"], rows=[(n, ["bad"]) for n in range(2, 30)])
    with pytest.raises(BusinessError) as error:
        parse_rows(many, _parse, empty="空")
    assert error.value.message.count("坏了") == 20 and "共 28 处错误" in error.value.message
    with pytest.raises(BusinessError, match="^空$"):
        parse_rows(Table(headers=["a"]), _parse, empty="空")
