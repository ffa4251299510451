"""Electronic waybills (电子面单, LOG-02, LAW-04): one label per page, in the two sizes of the national
standard for thermal printers, 76 × 130 mm and 100 × 180 mm, with the embedded Chinese font.

A label carries the carrier and its service, the tracking number as a Code 128 barcode (with its digits
under it), the destination in large type (province, city, district: the sorting centre reads it), the
receiver and the sender, the order's reference, the number of items and the weight, and a tear-off
stub with the number again. The receiver is printed masked as the standard asks (LAW-04: the policy's
``LAW-04.name_mask_min_chars`` characters of the name, ``LAW-04.phone_mask_digits`` digits of the
phone, the unit and room of the address); the carrier's own system holds the full address.

``render(labels, size=...)`` draws labels from plain ``Label`` values, so the same drawing serves
orders, parcels and tests; ``label_for_order`` builds one from an order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ecomops.audit.masking import mask_address, mask_name, mask_phone
from ecomops.core.pdf import cjk_font
from ecomops.policy import registry

from .services import service_for

# The sizes of GB/T 41833-2022 for one-part thermal labels (width × height).
SIZES: dict[str, tuple[float, float]] = {"76x130": (76 * mm, 130 * mm), "100x180": (100 * mm, 180 * mm)}
DEFAULT_SIZE = "100x180"
GOODS_CHARS = 40  # the goods line is cut (with …) beyond this many characters


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str               # the street address (without province, city, district)
    province: str = ""
    city: str = ""
    district: str = ""

    def region(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district) if p)


@dataclass(frozen=True)
class Label:
    tracking_no: str
    carrier: str               # the carrier's name, as printed
    service: str               # 标准快递, 特快 …
    receiver: Party
    sender: Party
    order_ref: str             # the platform order number (or the parcel number)
    store: str = ""
    items: int = 0
    weight_kg: Decimal | None = None
    printed_at: datetime | None = None
    goods: str = ""            # what is inside, short ("西湖龙井 250g ×2；…")


def masked(party: Party) -> Party:
    """The receiver as a waybill shows it (LAW-04). Province, city and district stay: the parcel is
    sorted by them."""
    return Party(name=mask_name(party.name), phone=mask_phone(party.phone), address=mask_address(party.address),
                 province=party.province, city=party.city, district=party.district)


class _Page:
    """Draws one label on a page of ``width`` × ``height``; every length is a fraction of the 100 mm
    label, so the 76 mm one is the same label scaled."""

    def __init__(self, pdf: canvas.Canvas, font: str, width: float, height: float):
        self.pdf, self.font, self.width, self.height = pdf, font, width, height
        self.k = width / (100 * mm)
        self.margin = 3 * mm * self.k

    def u(self, value_mm: float) -> float:
        return value_mm * mm * self.k

    def text(self, x_mm: float, y: float, value: str, size: float, *, right: bool = False,
             max_width_mm: float | None = None) -> None:
        size = size * self.k
        limit = self.u(max_width_mm) if max_width_mm else self.width - 2 * self.margin
        # Shrink a long line rather than cut it (no glyph of the font is wider than its size: a short
        # line needs no measuring).
        while size > 5 and len(value) * size > limit and self.pdf.stringWidth(value, self.font, size) > limit:
            size -= 0.5
        self.pdf.setFont(self.font, size)
        if right:
            self.pdf.drawRightString(self.width - self.margin, y, value)
        else:
            self.pdf.drawString(self.margin + self.u(x_mm), y, value)

    def rule(self, y: float) -> None:
        self.pdf.setLineWidth(0.6 * self.k)
        self.pdf.line(self.margin, y, self.width - self.margin, y)

    def barcode(self, value: str, y: float, height_mm: float, width_mm: float) -> None:
        code = Code128(value, barWidth=1, barHeight=1, quiet=False)  # its width is then its modules
        code.barWidth = min(self.u(width_mm) / code.width, 0.5 * mm * self.k)  # the widest bars that fit
        code.barHeight = self.u(height_mm)
        code.computeSize()
        code.drawOn(self.pdf, (self.width - code.width) / 2, y)

    def party(self, y: float, mark: str, who: Party, *, mark_size: float, name_size: float, address_size: float,
              gap_mm: float) -> float:
        """The receiver's or the sender's block (收/寄: name and phone, then the address) and the rule
        under it; returns where the rule is."""
        self.text(0, y, mark, mark_size)
        self.text(8, y, f"{who.name}  {who.phone}", name_size, max_width_mm=86)
        y -= self.u(gap_mm)
        self.text(8, y, f"{who.region()} {who.address}".strip(), address_size, max_width_mm=86)
        y -= self.u(4)
        self.rule(y)
        return y

    def draw(self, label: Label) -> None:
        to, by = masked(label.receiver), label.sender
        top = self.height - self.margin
        y = top - self.u(8)
        self.text(0, y, label.carrier, 15)
        self.text(0, y, label.service, 11, right=True)
        y -= self.u(3)
        self.rule(y)
        y -= self.u(24)
        self.barcode(label.tracking_no, y, 20, 88)
        y -= self.u(5)
        self.pdf.setFont(self.font, 10 * self.k)
        self.pdf.drawCentredString(self.width / 2, y, " ".join(label.tracking_no[i:i + 4]
                                                              for i in range(0, len(label.tracking_no), 4)))
        y -= self.u(3)
        self.rule(y)
        y -= self.u(11)
        self.text(0, y, to.region() or "—", 20)  # 大头笔: the destination, for the sorting centre
        y -= self.u(4)
        self.rule(y)
        y = self.party(y - self.u(7), _("收"), to, mark_size=12, name_size=12, address_size=9, gap_mm=6)
        y = self.party(y - self.u(6), _("寄"), by, mark_size=10, name_size=9, address_size=8, gap_mm=5)
        y -= self.u(6)
        self.text(0, y, _("订单 %(ref)s") % {"ref": label.order_ref}, 9, max_width_mm=60)
        self.text(0, y, label.store, 8, right=True)
        y -= self.u(5)
        weight = "—" if label.weight_kg is None else f"{label.weight_kg:.2f} kg"
        printed = timezone.localtime(label.printed_at or timezone.now()).strftime("%Y-%m-%d %H:%M")
        self.text(0, y, _("件数 %(n)s · 重量 %(w)s · 打印 %(at)s") % {"n": label.items, "w": weight, "at": printed}, 8)
        y -= self.u(4)
        self.rule(y)
        y -= self.u(6)
        goods = label.goods if len(label.goods) <= GOODS_CHARS else label.goods[:GOODS_CHARS - 1] + "…"
        self.text(0, y, _("物品：%(goods)s") % {"goods": goods or "—"}, 8)
        y -= self.u(12)
        self.text(0, y, _("签收人：______________    签收时间：______________"), 8)
        # The stub the courier tears off: the number once more, for the pick-up scan.
        stub = self.margin + self.u(16)
        self.pdf.setDash(2, 2)
        self.pdf.line(self.margin, stub + self.u(4), self.width - self.margin, stub + self.u(4))
        self.pdf.setDash()
        self.barcode(label.tracking_no, stub - self.u(9), 9, 60)
        self.pdf.setFont(self.font, 7 * self.k)
        self.pdf.drawCentredString(self.width / 2, stub - self.u(12.5), f"{label.carrier} {label.tracking_no}")


def render(labels: Iterable[Label], *, size: str = DEFAULT_SIZE) -> bytes:
    """The labels as one PDF, one label per page of ``size`` ("76x130" or "100x180")."""
    if size not in SIZES:
        raise ValueError(f"unknown waybill size {size!r}; choose one of {', '.join(SIZES)}")
    labels = list(labels)
    if not labels:
        raise ValueError("no waybill to print")
    width, height = SIZES[size]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(_("电子面单"))
    page = _Page(pdf, cjk_font(), width, height)
    with registry.cached():
        for label in labels:
            page.draw(label)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def label_for_order(order, *, service: str | None = None, weight_kg: Decimal | None = None,
                    at: datetime | None = None) -> Label:
    """The waybill of an order that has its carrier and tracking number (ORD-01: set when it ships).
    The sender is the store, at the address of the warehouse the order ships from. Without ``service``
    it is the carrier's service for the order's province (``services.service_for``), else 标准快递."""
    if not order.tracking_no or not order.courier:
        raise ValueError(f"order {order.platform_order_no} has no carrier and tracking number yet")
    warehouse = order.warehouse
    sender = Party(name=order.store.name, phone="", address=warehouse.address if warehouse else "")
    receiver = Party(name=order.receiver_name, phone=order.receiver_phone, address=order.receiver_address,
                     province=order.province, city=order.city, district=order.district)
    lines = list(order.lines.select_related("sku__style").order_by("line_no"))
    items = sum(line.quantity for line in lines)
    goods = "；".join(f"{_line_title(line)} ×{line.quantity}" for line in lines)
    if not service:
        found = service_for(order.courier, order.province)
        service = found.name if found is not None else _("标准快递")
    return Label(tracking_no=order.tracking_no, carrier=order.get_courier_display(),
                 service=service, receiver=receiver, sender=sender, order_ref=order.platform_order_no,
                 store=order.store.name, items=items, weight_kg=weight_kg, printed_at=at, goods=goods)


def _line_title(line) -> str:
    """The product's own name (with its colour and size unless the name says them), else the platform's."""
    if line.sku_id:
        name = line.sku.style.name
        extra = [v for v in (line.sku.colour, line.sku.size) if v and v not in name]
        return " ".join([name, *extra])
    return line.title or line.platform_sku_code
