"""The papers of the station, as PDFs with the embedded Chinese font (``core.pdf.cjk_font``):

- the packing list (发货清单, FUL-03) that goes into the parcel: the order, its store, every item with
  its SKU, title and quantity, who verified and packed it; no receiver data (the waybill carries the
  masked receiver, LAW-04);
- the handover manifest (交接单) the carrier's person signs: carrier, warehouse, every tracking number
  with its order and weight, the count, and the signatures. A manifest is shared by every client's
  parcels: the list holds the parcels the user may see (DAT-02, like the pick list)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ecomops.core.pdf import cjk_font

from .actions import parcels_of
from .models import Handover, PackCheck


class _Writer:
    def __init__(self, size):
        self.font = cjk_font()
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=size)
        self.width, self.height = size
        self.y = self.height - 15 * mm

    def line(self, text: str, *, size: int = 10, indent: float = 0) -> None:
        if self.y < 20 * mm:
            self.pdf.showPage()
            self.y = self.height - 15 * mm
        self.pdf.setFont(self.font, size)
        self.pdf.drawString(12 * mm + indent, self.y, text)
        self.y -= size * 0.5 * mm + 3 * mm

    def done(self) -> bytes:
        self.pdf.save()
        return self.buffer.getvalue()


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _person(user) -> str:
    if user is None:
        return "—"
    staff = getattr(user, "staff", None)
    return getattr(staff, "name", "") or user.get_full_name() or user.get_username()


def packing_list_pdf(check: PackCheck) -> bytes:
    order = check.order
    page = _Writer(A5)
    page.line(_("发货清单"), size=16)
    page.line(_("订单号 %(no)s · %(store)s") % {"no": order.platform_order_no, "store": order.store.name}, size=11)
    page.line(_("快递 %(c)s · 运单号 %(t)s") % {"c": order.get_courier_display() or "—", "t": order.tracking_no or "—"})
    page.line(_("下单时间 %(at)s") % {"at": _when(order.placed_at)}, size=9)
    page.y -= 2 * mm
    total = 0
    for n, line in enumerate(order.lines.select_related("sku").order_by("line_no"), start=1):
        code = line.sku.sku_code if line.sku else line.platform_sku_code
        title = (line.title or "")[:28]
        page.line(f"{n}. {code}  {title}  × {line.quantity}", indent=2 * mm)
        total += line.quantity
    page.y -= 2 * mm
    page.line(_("合计 %(n)d 件") % {"n": total}, size=11)
    page.line(_("验货：%(who)s %(at)s") % {"who": _person(check.started_by), "at": _when(check.verified_at)}, size=9)
    page.line(_("打包：%(who)s %(at)s") % {"who": _person(check.packed_by), "at": _when(check.packed_at)}, size=9)
    return page.done()


def handover_pdf(handover: Handover, *, user) -> bytes:
    page = _Writer(A4)
    page.line(_("快递交接单 %(no)s") % {"no": handover.number}, size=16)
    page.line(_("快递公司 %(c)s · 仓库 %(w)s · 创建 %(at)s")
              % {"c": handover.get_carrier_display(), "w": handover.warehouse.name, "at": _when(handover.created_at)})
    page.y -= 2 * mm
    parcels = list(parcels_of(handover, user))
    weight = 0
    for n, parcel in enumerate(parcels, start=1):
        grams = parcel.weight_g or 0
        weight += grams
        page.line(f"{n:>4}.  {parcel.tracking_no:<24} {parcel.order.platform_order_no:<24} "
                  f"{(str(grams) + ' g') if parcel.weight_g else '—'}", size=10, indent=2 * mm)
    page.y -= 3 * mm
    page.line(_("共 %(n)d 件包裹，总重 %(kg)s 千克") % {"n": len(parcels), "kg": f"{weight / 1000:.2f}"}, size=12)
    page.y -= 6 * mm
    page.line(_("仓库交接人：%(who)s") % {"who": _person(handover.closed_by) if handover.closed_by else "________"})
    page.line(_("快递收件人：%(who)s") % {"who": handover.receiver_name or "________"})
    page.line(_("交接时间：%(at)s") % {"at": _when(handover.closed_at) if handover.closed_at else "________"})
    page.line(_("签字：") + "______________________", size=11)
    return page.done()
