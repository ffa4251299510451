"""The pick list of a printed ship batch as a PDF with an embedded Chinese font: orders in print order
(SF Express first in the day's last batch, ORD-05), each with its lines and the bins they are taken
from. Receivers are not printed here; waybills are the fulfilment module's. A wave is shared by every
client: the list holds only the printed orders the user may see (DAT-02, AGY-07)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ecomops.core.pdf import cjk_font
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import ReservationAllocation

from .actions import ordered_entries
from .models import BatchOrder, ShipBatch


def pick_list_pdf(batch: ShipBatch, *, user) -> bytes:
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

    line(_("拣货单 %(no)s · 截单 %(cutoff)s") % {"no": batch.number, "cutoff": batch.cutoff.strftime("%H:%M")}, size=14)
    line(f"{batch.day:%Y-%m-%d} · {batch.cutoff_citation}", size=8)
    entries = ordered_entries(batch, BatchOrder.objects.visible_to(user).filter(batch=batch, printed_at__isnull=False))
    order_ids = [str(e.order_id) for e in entries]
    bins: dict[tuple[str, int], list[str]] = {}
    for row in (ReservationAllocation.objects.filter(reservation__doc_kind=DocKind.ORDER,
                                                     reservation__doc_id__in=order_ids)
                .exclude(reservation__state=ReservationState.RELEASED)
                .values_list("reservation__doc_id", "reservation__sku_id", "balance__bin__code")):
        bins.setdefault((row[0], row[1]), []).append(row[2])
    for n, entry in enumerate(entries, start=1):
        order = entry.order
        line(f"{n}. {order.platform_order_no} · {order.store.name} · {order.get_courier_display() or '—'}", size=11)
        for item in order.lines.select_related("sku").order_by("line_no"):
            where = "、".join(sorted(set(bins.get((str(order.pk), item.sku_id), [])))) or "—"
            code = item.sku.sku_code if item.sku else item.platform_sku_code
            line(f"{code} × {item.quantity}   {_('库位')} {where}", indent=6 * mm)
    pdf.save()
    return buffer.getvalue()
