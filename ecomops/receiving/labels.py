"""PDF labels: barcode labels of received goods (WMS-02) and defect labels (WMS-05).

Chinese text uses the embedded CJK font (``ecomops.core.pdf.cjk_font``) so it shows in every reader;
barcodes are Code128 of the SKU barcode. One label per page (60 × 40 mm, label printers feed pages).
"""

from __future__ import annotations

import io
import math

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ecomops.core.errors import BusinessError
from ecomops.core.pdf import cjk_font

from .enums import POSTED_STATES, ReceiptState
from .models import Receipt

LABEL_SIZE = (60 * mm, 40 * mm)
MAX_LABELS = 5000  # one PDF; more needs per-carton labels


def label_plan(receipt: Receipt, per_carton: int | None = None) -> list[tuple]:
    """(line, count on the label) for every label: one per unit, or one per carton of ``per_carton``
    units (the last carton holds the rest). WMS-02: labels agree with the counted goods."""
    if per_carton is not None and (isinstance(per_carton, bool) or not isinstance(per_carton, int)
                                   or not 1 <= per_carton <= 10000):
        raise BusinessError(_("每箱件数须为 1 到 10000 之间的整数"), field="per_carton")
    plan = []
    for line in receipt.lines.select_related("sku", "sku__style").order_by("pk"):
        quantity = line.counted_quantity
        if not quantity:
            continue
        if per_carton is None:
            plan.extend((line, 1) for _i in range(quantity))
        else:
            cartons = math.ceil(quantity / per_carton)
            plan.extend((line, min(per_carton, quantity - i * per_carton)) for i in range(cartons))
        if len(plan) > MAX_LABELS:
            raise BusinessError(
                _("标签超过 %(n)s 张，请按箱打印（填写每箱件数）") % {"n": MAX_LABELS}, field="per_carton"
            )
    return plan


def _barcode(c, value: str, x: float, y: float, width: float, height: float) -> None:
    barcode = code128.Code128(value, barHeight=height, barWidth=0.8, humanReadable=True, fontSize=6)
    if barcode.width > width:  # narrow the bars to fit the label
        barcode = code128.Code128(value, barHeight=height, barWidth=0.8 * width / barcode.width,
                                  humanReadable=True, fontSize=6)
    barcode.drawOn(c, x + max(0, (width - barcode.width) / 2), y)


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def receipt_labels_pdf(receipt: Receipt, per_carton: int | None = None) -> bytes:
    """WMS-02: one barcode label per unit (or per carton with its count) of the received goods."""
    if receipt.state not in (ReceiptState.SIGNED, *POSTED_STATES):
        raise BusinessError(_("入库单签字后才能打印条码标签"), field="state")
    plan = label_plan(receipt, per_carton)
    if not plan:
        raise BusinessError(_("入库单没有实收商品，无需打印标签"), field="lines")
    font = cjk_font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=LABEL_SIZE)
    c.setTitle(_("条码标签 %(n)s") % {"n": receipt.number})
    width, height = LABEL_SIZE
    for line, count in plan:
        sku = line.sku
        c.setFont(font, 8)
        c.drawString(3 * mm, height - 5 * mm, _fit(sku.style.name, 22))
        c.setFont(font, 7)
        c.drawString(3 * mm, height - 9 * mm, _("款号 %(no)s") % {"no": sku.style.style_no})
        c.drawString(3 * mm, height - 12.5 * mm,
                     _fit(_("颜色 %(c)s  尺码 %(s)s") % {"c": sku.colour or "—", "s": sku.size or "—"}, 26))
        if per_carton is not None:
            c.setFont(font, 9)
            c.drawRightString(width - 3 * mm, height - 9 * mm, _("每箱 %(n)s 件") % {"n": count})
        _barcode(c, sku.barcode or sku.sku_code, 2 * mm, 7 * mm, width - 4 * mm, 12 * mm)
        c.setFont(font, 5.5)
        c.drawString(3 * mm, 2.5 * mm, _fit(f"{receipt.number} {receipt.lot.number if receipt.lot else ''}", 40))
        c.showPage()
    c.save()
    return buffer.getvalue()


def defect_labels_pdf(receipt: Receipt) -> bytes:
    """WMS-05: one defect label per colour-size in the defective bin: 次品, SKU, count, reason, supplier."""
    lines = [line for line in receipt.lines.select_related("sku", "sku__style").order_by("pk")
             if line.defective_quantity]
    if not lines:
        raise BusinessError(_("入库单没有次品"), field="lines")
    font = cjk_font()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=LABEL_SIZE)
    c.setTitle(_("次品标签 %(n)s") % {"n": receipt.number})
    width, height = LABEL_SIZE
    rejected = receipt.state == ReceiptState.REJECTED
    for line in lines:
        sku = line.sku
        c.setFont(font, 12)
        c.drawString(3 * mm, height - 6 * mm, _("整批拒收") if rejected else _("次品 · 待退厂"))
        c.setFont(font, 7)
        c.drawRightString(width - 3 * mm, height - 6 * mm, _("%(n)s 件") % {"n": line.defective_quantity})
        c.drawString(3 * mm, height - 10 * mm, _fit(f"{sku.style.style_no} {sku.style.name}", 26))
        c.drawString(3 * mm, height - 13.5 * mm,
                     _fit(_("颜色 %(c)s  尺码 %(s)s") % {"c": sku.colour or "—", "s": sku.size or "—"}, 26))
        c.drawString(3 * mm, height - 17 * mm, _fit(_("原因：%(r)s") % {"r": line.defect_reason or "—"}, 26))
        _barcode(c, sku.barcode or sku.sku_code, 2 * mm, 6 * mm, width - 4 * mm, 8 * mm)
        c.setFont(font, 5.5)
        c.drawString(3 * mm, 2.5 * mm, _fit(
            f"{receipt.number} {receipt.supplier.name} {timezone.localdate():%Y-%m-%d}", 40))
        c.showPage()
    c.save()
    return buffer.getvalue()
