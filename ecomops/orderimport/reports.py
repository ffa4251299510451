"""The error report of an import job as a real .xlsx: row number, column, order number, reason."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from ecomops.core import spreadsheets

from .models import ImportJob, ImportRowError


def error_workbook(job: ImportJob) -> bytes:
    """Text from the file (order numbers, reasons quoting a cell) is neutralised by ``core.spreadsheets``:
    a hostile cell in an upload cannot come back as a formula in the report."""
    book = spreadsheets.workbook()
    sheet = book.create_sheet(title=_("错误行"))
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["D"].width = 70
    # ORD-02: the errors of a pair (订单报表 + 宝贝报表) name their file in a first column.
    with_file = ImportRowError.objects.filter(job=job).exclude(file="").exists()
    head = [_("行号"), _("列"), _("平台订单号"), _("原因")]
    sheet.append(spreadsheets.bold_row(sheet, [_("文件"), *head] if with_file else head))
    rows = ImportRowError.objects.filter(job=job).order_by("file", "row_no", "pk").values_list(
        "file", "row_no", "column", "order_no", "reason")
    for file, row_no, column, order_no, reason in rows.iterator(chunk_size=2000):
        sheet.append([file, row_no, column, order_no, reason] if with_file else [row_no, column, order_no, reason])
    info = book.create_sheet(title=_("导入任务"))
    for label, value in ((_("任务"), str(job)), (_("店铺"), job.store.name), (_("文件"), job.file_names),
                         (_("导入格式"), job.format.name), (_("错误行数"), job.rows_failed)):
        info.append([str(label), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
