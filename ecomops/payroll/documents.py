"""The month as an .xlsx workbook and one slip as a PDF (PER-14). The PDF embeds the project's CJK font
(Noto Sans SC, ``core.pdf.cjk_font``) so the Chinese renders in any reader."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from ecomops.core import spreadsheets
from ecomops.core.pdf import cjk_font

from .enums import LineKind, PayRole
from .models import ActivityFund, PayLine, PayrollRun, PaySlip
from .queries import run_figures, sales_by_store

KIND_ORDER = [k for k, _label in LineKind.choices]


def month_workbook(run: PayrollRun, slips, user) -> bytes:
    """Sheets: summary (a row per slip, a column per line kind), every line with its explanation and
    policy versions, the sales base by store (PER-07), the activity fund (PER-09), the run's record."""
    book = spreadsheets.workbook()  # text neutralised (names, explanations); amounts stay numbers
    slips = list(slips.order_by("employee_no"))
    lines = list(PayLine.objects.filter(slip__in=slips).select_related("slip").order_by("slip__employee_no", "seq"))
    bold = spreadsheets.bold_row

    summary = book.create_sheet(title=_("工资汇总"))
    summary.append(bold(summary, [_("工号"), _("姓名"), _("部门/小组"), _("薪酬角色"),
                                  *[LineKind(k).label for k in KIND_ORDER], _("应发合计")]))
    by_slip: dict[int, dict[str, object]] = {}
    for line in lines:
        totals = by_slip.setdefault(line.slip_id, {})
        totals[line.kind] = totals.get(line.kind, 0) + line.amount
    for slip in slips:
        totals = by_slip.get(slip.pk, {})
        summary.append([slip.employee_no, slip.name, slip.department.name, str(PayRole(slip.role).label),
                        *[totals.get(k, 0) for k in KIND_ORDER], slip.total])

    detail = book.create_sheet(title=_("工资明细"))
    detail.append(bold(detail, [_("工号"), _("姓名"), _("行号"), _("项目"), _("金额（元）"), _("计算说明"), _("条款"),
                                _("政策版本")]))
    for line in lines:
        detail.append([line.slip.employee_no, line.slip.name, line.seq, str(LineKind(line.kind).label), line.amount,
                       line.explanation, line.clause, "；".join(p["label"] for p in line.policy)])

    base = book.create_sheet(title=_("提成基数"))
    base.append(bold(base, [_("店铺"), _("计入订单数"), _("订单金额（元）"), _("计入退款数"), _("退款金额（元）"),
                            _("净销售（元）")]))
    for row in sales_by_store(user, run):
        base.append([row["store"].name, row["orders"], row["orders_amount"], row["refunds"], row["refunds_amount"],
                     row["net"]])
    figures = run_figures(user, run)  # DAT-02: the stores the user may see, unless they see every client
    base.append([str(_("合计")) if figures.all_stores else str(_("合计（您可见的店铺）")), figures.orders_count,
                 figures.orders_amount, figures.refunds_count, figures.refunds_amount, figures.net_sales])

    funds = book.create_sheet(title=_("部门活动经费"))
    funds.append(bold(funds, [_("部门"), _("销售额（元）"), _("销售目标（元）"), _("提取比例"), _("活动经费（元）"),
                              _("计算说明")]))
    # PER-09 funds are computed on every store's sales: only for a user who sees every client (DAT-02).
    for fund in ActivityFund.objects.filter(run=run).select_related("department") if figures.all_stores else []:
        funds.append([fund.department.name, fund.sales, fund.plan, fund.rate, fund.amount, fund.explanation])

    record = book.create_sheet(title=_("薪资记录"))
    record.append(bold(record, [_("时间"), _("事件"), _("操作人"), _("说明")]))
    for event in run.events.select_related("actor").order_by("at", "pk"):
        record.append([timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"), str(event.get_kind_display()),
                       event.actor.get_username() if event.actor else "", event.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, character by character (Chinese has no spaces)."""
    lines, current = [], ""
    for char in text:
        if stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def slip_pdf(slip: PaySlip) -> bytes:
    font = cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("工资单 %(month)s %(name)s") % {"month": f"{slip.run.month:%Y-%m}", "name": slip.name})
    width, height = A4
    left, right = 18 * mm, width - 18 * mm
    y = height - 20 * mm

    def need(space: float) -> None:
        nonlocal y
        if y - space < 18 * mm:
            pdf.showPage()
            y = height - 20 * mm

    def text(value: str, *, size: float = 10, x: float = left, bold: bool = False) -> None:
        nonlocal y
        need(size * 0.5 * mm)
        pdf.setFont(font, size)
        pdf.drawString(x, y, value)

    run = slip.run
    text(_("工资单 %(month)s") % {"month": f"{run.month:%Y-%m}"}, size=16)
    y -= 9 * mm
    text(f"{slip.name}（{slip.employee_no}） · {slip.department.name} · {PayRole(slip.role).label} · "
         f"{run.get_state_display()}", size=10)
    y -= 8 * mm
    pdf.setFont(font, 9)
    text_x = left + 62 * mm
    for line in slip.lines.order_by("seq"):
        wrapped = _wrap(line.explanation, font, 8, right - text_x)
        need(4 * mm * len(wrapped) + 2 * mm)
        pdf.setFont(font, 10)
        pdf.drawString(left, y, f"{line.seq}. {LineKind(line.kind).label}")
        pdf.drawRightString(text_x - 4 * mm, y, f"{line.amount:,.2f}")
        pdf.setFont(font, 8)
        for n, part in enumerate(wrapped):
            pdf.drawString(text_x, y - n * 4 * mm, part)
        y -= 4 * mm * len(wrapped) + 2.5 * mm
    need(12 * mm)
    pdf.line(left, y + 1 * mm, right, y + 1 * mm)
    y -= 4 * mm
    pdf.setFont(font, 12)
    pdf.drawString(left, y, _("应发合计"))
    pdf.drawRightString(text_x - 4 * mm, y, f"¥{slip.total:,.2f}")
    y -= 10 * mm
    text(_("提成基数（PER-07）：计入订单 %(orders)d 笔 ¥%(amount)s，扣减退款 %(refunds)d 笔 ¥%(refunded)s，"
           "净销售 ¥%(net)s") % {"orders": run.orders_count, "amount": f"{run.orders_amount:,.2f}",
                               "refunds": run.refunds_count, "refunded": f"{run.refunds_amount:,.2f}",
                               "net": f"{run.net_sales:,.2f}"}, size=8)
    y -= 5 * mm
    versions = sorted({p["label"] for line in slip.lines.all() for p in line.policy})
    for part in _wrap(_("所用政策版本：") + "；".join(versions), font, 8, right - left):
        text(part, size=8)
        y -= 4 * mm
    y -= 2 * mm
    text(_("生成时间 %(at)s · 结果指纹 %(fp)s") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "fp": run.fingerprint[:16]}, size=7)
    pdf.save()
    return buffer.getvalue()
