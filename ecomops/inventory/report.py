"""The monthly in/out/balance report per SKU (进销存月报, WMS-19) as a real ``.xlsx``.

The figures come from ``closing.movement_totals``: GROUP BY in the database over the ledger, one row
per SKU, so the cost does not grow with the number of movements in Python. The workbook is written
in openpyxl's write-only mode (``catalog.sheets.write_xlsx``), row by row.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.utils.translation import gettext as _

from ecomops.catalog.sheets import write_xlsx
from ecomops.core.errors import BusinessError
from ecomops.org.scoping import scope_for

from .closing import Totals, movement_totals
from .models import Warehouse

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_month(text: str) -> tuple[date, date]:
    """"2026-11" → (first day, last day); a clear message otherwise."""
    found = MONTH_PATTERN.match((text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise BusinessError(_("月份格式应为 YYYY-MM，例如 2026-11"), field="month")
    year, month = int(found.group(1)), int(found.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def visible_client_ids(user, client_id: int | None = None) -> list[int] | None:
    """The clients whose stock ``user`` may report on (None: all), narrowed to ``client_id``."""
    scope = scope_for(user)
    if scope.all:
        return None if client_id is None else [client_id]
    ids = set(scope.client_ids)
    if client_id is not None:
        ids &= {client_id}
    return sorted(ids)


def monthly_rows(user, warehouse: Warehouse, month: str, client_id: int | None = None) -> list[Totals]:
    start, end = parse_month(month)
    return movement_totals(warehouse, start, end, client_ids=visible_client_ids(user, client_id))


HEADERS = ("SKU编码", "款号", "品名", "颜色", "尺码", "期初结存", "本月入库", "本月出库", "期末结存")


def write_monthly_xlsx(warehouse: Warehouse, month: str, rows: list[Totals], out) -> None:
    """Write the report: one sheet of SKU rows with a total line, one sheet saying what it is."""
    headers = [_(h) for h in HEADERS]

    def body():
        totals = [0, 0, 0, 0]
        for r in rows:
            figures = (r.opening, r.inbound, r.outbound, r.closing)
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
            yield (r.sku_code, r.style_no, r.name, r.colour, r.size, *figures)
        yield (_("合计"), "", "", "", "", *totals)

    about = [
        (_("仓库"), f"{warehouse.code} {warehouse.name}"),
        (_("月份"), month),
        (_("口径"), _("按库存流水汇总：入库 = 从外部或其他仓库进入本仓；出库 = 离开本仓；仓内移库不计（WMS-19）")),
    ]
    write_xlsx(
        [
            (_("进销存月报"), headers, body(), {"text_columns": (0, 1), "widths": (22, 14, 24, 8, 8, 12, 12, 12, 12)}),
            (_("说明"), [_("项目"), _("内容")], about, {"widths": (12, 80), "freeze": False}),
        ],
        out,
    )
