"""The tracking numbers back to the platforms (ORD-01, LOG-02): a manifest's parcels as the file each
platform's seller backend takes for its batch shipment (批量发货), one file per platform.

What each file is, and how sure we are (no platform's own template was downloaded for this: a seller
who finds a difference should trust the template the platform's backend offers):

- Taobao and Tmall (千牛 批量发货): CSV, GB18030 as Excel saves it, columns 订单编号, 物流公司, 运单号.
  Believed right from use; no public template was found to check it against.
- Pinduoduo (拼多多 批量发货): .xlsx, two header rows: 订单号, 快递公司, 快递单号, then the template's
  field names order_sn, shipping_name, shipping_sn; the carrier by its Chinese name. From one public
  tool that writes this upload file (an order tool on GitHub, three versions agreeing); not confirmed
  against a downloaded template. (Was a GB18030 CSV without the second row, written from memory.)
- JD (京东 批量出库): .xlsx, columns 订单号, 物流公司, 运单号. Not confirmed against a downloaded
  template: no public template or tool writing it was found; kept as the best guess.
- Douyin (抖店 批量发货): .xlsx, columns 订单编号, 物流公司, 运单号. Not confirmed against a downloaded
  template: no public template or tool writing it was found; kept as the best guess.
- Amazon (shipping confirmation flat file, ``POST_FLAT_FILE_FULFILLMENT_DATA``): tab-separated .txt,
  UTF-8, one header row order-id, order-item-id, quantity, ship-date, carrier-code, carrier-name,
  tracking-number, ship-method. Confirmed by several independent public tools that write this file
  (US, EU, Chinese and Japanese sellers' code, all with these eight columns in this order).
  order-item-id and quantity are left blank: the whole order is confirmed shipped (Amazon's
  OrderFulfillment XSD makes the items optional, and a public seller tool confirms whole orders with
  both cells empty; Amazon's own words on the flat file were not found). carrier-code is Amazon's code
  where Amazon has one (``SF Express``, ``China Post``: both in a public list of Amazon's carrier codes,
  not checked against Amazon's own document), else ``Other`` with the carrier's English name in
  carrier-name. The Japanese marketplace's template differs (a TemplateType line, Japanese headers,
  Shift_JIS, a cod-collection-method column): not written here.
- any other platform: the Taobao columns as UTF-8 CSV with BOM.

The Chinese platforms' carrier is written with its Chinese name (the platforms match on it) whatever
the user's language. Every text cell goes through ``core.spreadsheets`` (no cell can become a formula).
Only the parcels the user may see are written (DAT-02)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone, translation

from ecomops.core import spreadsheets
from ecomops.orders.enums import Courier

from .actions import parcels_of
from .models import Handover


@dataclass(frozen=True)
class Format:
    kind: str  # "csv", "tsv" or "xlsx"
    encoding: str  # of a CSV or TSV; "" for .xlsx
    heads: tuple[str, ...]
    field_names: tuple[str, ...] = ()  # a second header row some templates carry (Pinduoduo's)


TAOBAO = Format("csv", "gb18030", ("订单编号", "物流公司", "运单号"))
FORMATS: dict[str, Format] = {
    "taobao": TAOBAO,
    "tmall": TAOBAO,
    "pinduoduo": Format("xlsx", "", ("订单号", "快递公司", "快递单号"), ("order_sn", "shipping_name", "shipping_sn")),
    "jd": Format("xlsx", "", ("订单号", "物流公司", "运单号")),
    "douyin": Format("xlsx", "", ("订单编号", "物流公司", "运单号")),
    "amazon": Format("tsv", "utf-8", ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code",
                                      "carrier-name", "tracking-number", "ship-method")),
}
OTHER = Format("csv", "utf-8-sig", TAOBAO.heads)
# Amazon's carrier codes (valid values of carrier-code); the others are "Other" with the carrier's name.
AMAZON_CARRIERS = {Courier.SF_EXPRESS: "SF Express", Courier.EMS: "China Post"}
AMAZON_NAMES = {Courier.ZTO: "ZTO Express", Courier.YTO: "YTO Express", Courier.STO: "STO Express",
                Courier.YUNDA: "Yunda Express", Courier.JT: "J&T Express", Courier.JD: "JD Logistics"}
CONTENT_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXTENSIONS = {"csv": "csv", "tsv": "txt", "xlsx": "xlsx"}


def format_of(platform_code: str) -> Format:
    return FORMATS.get(platform_code, OTHER)


def platforms_of(handover: Handover, user) -> list[tuple[str, str]]:
    """(code, name) of the platforms whose parcels of the manifest the user sees."""
    seen: dict[str, str] = {}
    for parcel in parcels_of(handover, user):
        platform = parcel.order.store.platform
        seen.setdefault(platform.code, platform.name)
    return sorted(seen.items())


def _rows(handover: Handover, user, platform_code: str, fmt: Format) -> list[list]:
    rows = []
    with translation.override("zh-hans"):
        for parcel in parcels_of(handover, user).filter(order__store__platform__code=platform_code):
            order = parcel.order
            carrier = str(Courier(handover.carrier).label)
            if fmt is FORMATS["amazon"]:
                code = AMAZON_CARRIERS.get(handover.carrier, "Other")
                name = "" if code != "Other" else AMAZON_NAMES.get(handover.carrier, carrier)
                shipped = timezone.localtime(order.shipped_at or parcel.scanned_at).date().isoformat()
                # order-item-id and quantity blank: the whole order is confirmed shipped.
                rows.append([order.platform_order_no, "", "", shipped, code, name, parcel.tracking_no, "Standard"])
            else:
                rows.append([order.platform_order_no, carrier, parcel.tracking_no])
    return rows


def batch_ship_file(handover: Handover, user, platform_code: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the platform's batch-shipment file for this manifest."""
    fmt = format_of(platform_code)
    rows = _rows(handover, user, platform_code, fmt)
    name = f"{handover.number}-{platform_code}.{EXTENSIONS[fmt.kind]}"
    if fmt.kind == "xlsx":
        book = spreadsheets.workbook()
        sheet = book.create_sheet(title="批量发货")
        sheet.append(list(fmt.heads))
        if fmt.field_names:
            sheet.append(list(fmt.field_names))
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), CONTENT_TYPES["xlsx"], name
    text = io.StringIO(newline="")
    writer = spreadsheets.csv_writer(text, delimiter="\t" if fmt.kind == "tsv" else ",", lineterminator="\r\n")
    writer.writerow(fmt.heads)
    if fmt.field_names:
        writer.writerow(fmt.field_names)
    writer.writerows(rows)
    return text.getvalue().encode(fmt.encoding), CONTENT_TYPES[fmt.kind] + f"; charset={fmt.encoding}", name
