"""The pick list of a wave as a PDF with an embedded Chinese font (FUL-01): the batch total by bin in
walking order (zone, aisle, bin: bin, SKU code, title, quantity), then the sorting table (slot → order
→ items) for pick-then-sort, or the orders one by one with their bins for order-by-order picking.
Only what the user sees is printed (DAT-02); a wave is seen whole or not at all."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ecomops.core.pdf import cjk_font

from .models import PickLine, SortLine, Wave, WaveMode, WaveOrder


def pick_list_pdf(wave: Wave, *, user) -> bytes:
    font = cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    y = height - 20 * mm

    def line(text: str, *, size: int = 10, indent: float = 0) -> None:
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont(font, size)
        pdf.drawString(15 * mm + indent, y, text)
        y -= size * 0.5 * mm + 3 * mm

    line(_("拣货波次 %(no)s · %(mode)s") % {"no": wave.number, "mode": wave.get_mode_display()}, size=14)
    line(_("发货批次 %(batch)s · 仓库 %(wh)s · %(state)s") % {
        "batch": wave.batch.number, "wh": wave.warehouse.name, "state": wave.get_state_display()}, size=8)
    lines = PickLine.objects.visible_to(user).filter(wave=wave).select_related("sku", "sku__style", "lot", "order")
    entries = WaveOrder.objects.visible_to(user).filter(wave=wave, live=True).select_related("order")
    if wave.mode == WaveMode.PICK_THEN_SORT:
        line(_("一、按库位汇总拣货（拣货路线顺序）"), size=12)
        line(_("库位 · SKU · 品名 · 数量"), size=9)
        for n, pick in enumerate(lines, start=1):
            lot = f" · {_('批次')} {pick.lot.number}" if pick.lot_id else ""
            line(f"{n}. {pick.bin_code} · {pick.sku.sku_code} · {pick.sku.style.name} · × {pick.quantity}{lot}",
                 indent=4 * mm)
        line(_("二、分拣（格号 → 订单 → 商品）"), size=12)
        sorts = {}
        for row in SortLine.objects.filter(wave_order__in=entries).select_related("sku"):
            sorts.setdefault(row.wave_order_id, []).append(f"{row.sku.sku_code} × {row.quantity}")
        for entry in entries:
            line(_("格号 %(slot)s · 订单 %(no)s · %(items)s") % {
                "slot": entry.slot, "no": entry.order.platform_order_no,
                "items": "，".join(sorts.get(entry.pk, [])) or "—"}, indent=4 * mm)
    else:
        by_order = {}
        for pick in lines:
            by_order.setdefault(pick.order_id, []).append(pick)
        for entry in entries:
            line(_("%(slot)s. 订单 %(no)s") % {"slot": entry.slot, "no": entry.order.platform_order_no}, size=11)
            for pick in by_order.get(entry.order_id, []):
                line(f"{pick.bin_code} · {pick.sku.sku_code} · {pick.sku.style.name} · × {pick.quantity}",
                     indent=6 * mm)
    pdf.save()
    return buffer.getvalue()
