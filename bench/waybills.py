"""Benchmark: electronic waybills (issue 18, LOG-02 / LAW-04).

    .venv/bin/python bench/waybills.py [--labels 2000] [--size 100x180]

Renders ``--labels`` waybills through ``logistics.waybills.render`` (the receiver masked through the
LAW-04 policy values, long lines fitted, the Code 128 sized to the label) and, as the raw limit of the
same work, bare reportlab drawing the very same page: the same font, strings (already masked),
rules and barcodes at fixed places, with none of the product's code in between. Prints labels per
second of each and the ratio (render ÷ bare, in time per label).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script


def labels(count: int):
    from ecomops.logistics.waybills import Label, Party

    sender = Party(name="山岚茶业旗舰店", phone="0571-88886666", address="仓前街道文一西路 1500 号 3 号库",
                   province="浙江省", city="杭州市", district="余杭区")
    at = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    return [Label(tracking_no=f"SF14{n:011d}", carrier="顺丰速运", service="标准快递",
                  receiver=Party(name="欧阳娜娜", phone=f"138{n % 10**8:08d}",
                                 address=f"世纪大道100号中环国际广场{2200 + n % 99}",
                                 province="上海市", city="上海市", district="浦东新区"),
                  sender=sender, order_ref=f"TB2026120700{n:04d}", store="山岚茶业旗舰店", items=3,
                  weight_kg=Decimal("1.25"), printed_at=at, goods="西湖龙井 250g ×2；青瓷茶杯 ×1")
            for n in range(count)]


def bare(values, size: str) -> bytes:
    """The same page with reportlab alone: fixed positions, strings masked beforehand (by hand)."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from ecomops.core.pdf import cjk_font
    from ecomops.logistics.waybills import SIZES

    width, height = SIZES[size]
    k = width / (100 * mm)
    font = cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    for label in values:
        phone = label.receiver.phone[:3] + "******" + label.receiver.phone[-2:]
        y = height - 14 * mm * k
        pdf.setFont(font, 15 * k)
        pdf.drawString(3 * mm * k, y, label.carrier)
        pdf.setFont(font, 11 * k)
        pdf.drawRightString(width - 3 * mm * k, y, label.service)
        for rule in (17, 46, 62, 77, 94, 107, 121):
            pdf.line(3 * mm * k, height - rule * mm * k, width - 3 * mm * k, height - rule * mm * k)
        code = Code128(label.tracking_no, barWidth=0.45 * mm * k, barHeight=20 * mm * k, quiet=False)
        code.drawOn(pdf, (width - code.width) / 2, height - 41 * mm * k)
        pdf.setFont(font, 10 * k)
        pdf.drawCentredString(width / 2, height - 44 * mm * k, label.tracking_no)
        pdf.setFont(font, 20 * k)
        pdf.drawString(3 * mm * k, height - 57 * mm * k, "上海市 上海市 浦东新区")
        pdf.setFont(font, 12 * k)
        pdf.drawString(11 * mm * k, height - 69 * mm * k, f"欧**娜  {phone}")
        pdf.setFont(font, 9 * k)
        pdf.drawString(11 * mm * k, height - 75 * mm * k, "上海市 上海市 浦东新区 世纪大道100号中环国际广场***")
        pdf.drawString(11 * mm * k, height - 83 * mm * k, f"{label.sender.name}  {label.sender.phone}")
        pdf.setFont(font, 8 * k)
        pdf.drawString(11 * mm * k, height - 88 * mm * k, f"{label.sender.region()} {label.sender.address}")
        pdf.drawString(3 * mm * k, height - 100 * mm * k, f"订单 {label.order_ref}")
        pdf.drawString(3 * mm * k, height - 105 * mm * k, "件数 3 · 重量 1.25 kg · 打印 2026-12-07 09:30")
        pdf.drawString(3 * mm * k, height - 114 * mm * k, f"物品：{label.goods}")
        pdf.drawString(3 * mm * k, height - 126 * mm * k, "签收人：______________    签收时间：______________")
        stub = Code128(label.tracking_no, barWidth=0.3 * mm * k, barHeight=9 * mm * k, quiet=False)
        stub.drawOn(pdf, (width - stub.width) / 2, 10 * mm * k)
        pdf.setFont(font, 7 * k)
        pdf.drawCentredString(width / 2, 6.5 * mm * k, f"{label.carrier} {label.tracking_no}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=2000)
    parser.add_argument("--size", default="100x180", choices=["100x180", "76x130"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"database: {common.setup(DJANGO_DEBUG='false')}")
    from ecomops.logistics.waybills import render

    values = labels(args.labels)
    render(values[:2], size=args.size)  # the font registered, the policy read once before timing
    bare(values[:2], args.size)
    ours = best(lambda: render(values, size=args.size), args.repeat)
    raw = best(lambda: bare(values, args.size), args.repeat)
    print(f"{args.labels:,} labels of {args.size} mm")
    print(f"bare reportlab, the same page: {args.labels / raw:,.0f} labels/s")
    print(f"logistics.waybills.render:     {args.labels / ours:,.0f} labels/s")
    print(f"ratio render / bare (time per label): {ours / raw:.2f}")


if __name__ == "__main__":
    main()
