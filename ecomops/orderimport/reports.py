"""The error report of an import job as a real .xlsx: row number, column, order number, reason."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import ImportJob, ImportRowError


def error_workbook(job: ImportJob) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("错误行"))
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["D"].width = 70
    from openpyxl.cell import WriteOnlyCell

    def bold(text):
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        return cell

    sheet.append([bold(_("行号")), bold(_("列")), bold(_("平台订单号")), bold(_("原因"))])
    rows = ImportRowError.objects.filter(job=job).order_by("row_no", "pk").values_list(
        "row_no", "column", "order_no", "reason")
    for row_no, column, order_no, reason in rows.iterator(chunk_size=2000):
        sheet.append([row_no, column, order_no, reason])
    info = book.create_sheet(title=_("导入任务"))
    for label, value in ((_("任务"), str(job)), (_("店铺"), job.store.name), (_("文件"), job.original_name),
                         (_("导入格式"), job.format.name), (_("错误行数"), job.rows_failed)):
        info.append([str(label), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
