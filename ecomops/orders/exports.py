"""The order list as a real .xlsx (LAW-04, CRM-03): the rows of the user's filters, receivers masked.
A user holding ``orders.view_buyer_personal`` may ask for the plain receivers; every order exported so
is logged as a personal-data read (who, when, which order and fields, never the values).

Every text cell goes through ``core.spreadsheets`` (a buyer's nickname cannot become a formula).
Streams: the orders are read in chunks and written with openpyxl's write-only workbook into a spooled
temporary file, so memory stays flat whatever the number of rows (up to ``MAX_ROWS``)."""

from __future__ import annotations

import tempfile
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit.middleware import client_ip, current_request
from ecomops.audit.models import PersonalDataAccess
from ecomops.core import spreadsheets
from ecomops.core.errors import BusinessError, NotAllowed

from .actions import PERSONAL_PERM
from .models import PERSONAL_FIELDS, Order, OrderLine
from .queries import masked_receiver

MAX_ROWS = 100_000
CHUNK = 2000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def export_orders(user, queryset, *, reveal: bool = False, request=None):
    """A spooled file holding the workbook of ``queryset`` (already scoped to ``user``), rewound."""
    if reveal and not user.has_perm(PERSONAL_PERM):
        raise NotAllowed(_("您没有查看买家个人信息的权限"))
    total = queryset.count()
    if total > MAX_ROWS:
        raise BusinessError(_("共 %(n)d 单，超过一次导出上限 %(max)d 单，请缩小筛选范围")
                            % {"n": total, "max": MAX_ROWS}, field="filters")
    book = spreadsheets.workbook()  # every text cell neutralised: a nickname "=cmd|…" stays text
    sheet = book.create_sheet(title=_("订单"))
    widths = (22, 14, 10, 14, 10, 16, 8, 8, 8, 36, 17, 17, 11, 10, 18, 16, 40, 24)
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    heads = [_("平台订单号"), _("店铺"), _("状态"), _("买家昵称"), _("收货人"), _("收货人手机"), _("省份"),
             _("城市"), _("区县"), _("收货详细地址"), _("下单时间"), _("付款时间"), _("实付金额（元）"),
             _("快递公司"), _("运单号"), _("发货批次"), _("商品"), _("异常原因")]
    sheet.append(spreadsheets.bold_row(sheet, heads))
    orders = (queryset.select_related("store", "ship_entry__batch").order_by("-placed_at", "-pk"))
    content_type = ContentType.objects.get_for_model(Order) if reveal else None
    ip = client_ip(request or current_request()) if reveal else None
    chunk: list[Order] = []

    def flush():
        lines = defaultdict(list)
        for line in (OrderLine.objects.filter(order_id__in=[o.pk for o in chunk]).select_related("sku")
                     .order_by("order_id", "line_no")):
            lines[line.order_id].append(f"{line.sku.sku_code if line.sku else line.platform_sku_code}×{line.quantity}")
        for order in chunk:
            if reveal:
                name, phone, address = order.receiver_name, order.receiver_phone, order.receiver_address
            else:
                shown = masked_receiver(order)
                name, phone, address = shown.name, shown.phone, shown.address
            entry = getattr(order, "ship_entry", None)
            sheet.append([order.platform_order_no, order.store.name, order.get_state_display(), order.buyer_nick,
                          name, phone, order.province, order.city, order.district, address, _local(order.placed_at),
                          _local(order.paid_at), order.paid_amount, order.get_courier_display(), order.tracking_no,
                          entry.batch.number if entry else "", "；".join(lines[order.pk]), order.exception_reason])
        if reveal:
            # CRM-03: every order whose receiver left the system unmasked is a logged read.
            PersonalDataAccess.objects.bulk_create([
                PersonalDataAccess(user=user, ip_address=ip, content_type=content_type, object_id=str(order.pk),
                                   fields=",".join(PERSONAL_FIELDS), purpose="order export")
                for order in chunk])
        chunk.clear()

    for order in orders.iterator(chunk_size=CHUNK):
        chunk.append(order)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    book.save(out)
    out.seek(0)
    return out
