"""The order list as a real .xlsx (LAW-04, CRM-03): the rows of the user's filters, receivers masked.
A user holding ``orders.view_buyer_personal`` may ask for the plain receivers; every order exported so
is logged as a personal-data read (who, when, which order and fields, never the values).

Every text cell goes through ``core.spreadsheets`` (a buyer's nickname cannot become a formula).
Streams: the orders are read in chunks and written with openpyxl's write-only workbook into a spooled
temporary file, so memory stays flat whatever the number of rows (up to ``MAX_ROWS``)."""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit.middleware import client_ip, current_request
from ecomops.audit.models import PersonalDataAccess
from ecomops.core import spreadsheets
from ecomops.core.errors import BusinessError, NotAllowed

from .actions import PERSONAL_PERM
from .models import PERSONAL_FIELDS, ExportJob, Order, OrderLine
from .queries import masked_receiver

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
CHUNK = 2000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def export_orders(user, queryset, *, reveal: bool = False, request=None, ip: str | None = None,
                  progress: Callable[[int, int], None] | None = None, out=None):
    """A spooled file (or ``out``) holding the workbook of ``queryset`` (already scoped to ``user``),
    rewound. ``ip``: where a background export was asked from (else the request's); ``progress`` is
    called with (rows written, total) after every ``CHUNK`` rows."""
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
    if reveal and ip is None:
        ip = client_ip(request or current_request())
    chunk: list[Order] = []
    done = 0

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
        nonlocal done
        done += len(chunk)
        chunk.clear()
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    for order in orders.iterator(chunk_size=CHUNK):
        chunk.append(order)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    if out is None:
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    book.save(out)
    out.seek(0)
    return out


# --- issue 15: big exports in the background ------------------------------------------------------

PROGRESS_EVERY = CHUNK  # the job's progress is saved after every chunk of rows


def direct_export_limit() -> int:
    """Up to this many rows the export answers in the request; above, it runs as a background job."""
    return int(getattr(settings, "ORDER_EXPORT_DIRECT_ROWS", 5000))


def own_export_jobs(user):
    """The export jobs whose files ``user`` may download: their own (``core.uploads``)."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user)


def start_export_job(user, *, query: str, reveal: bool = False, total: int = 0, request=None) -> ExportJob:
    """Queue an export of the order list under ``query`` (the list's query string) for ``user``; it
    runs once the request's transaction commits."""
    from . import tasks

    if reveal and not user.has_perm(PERSONAL_PERM):
        raise NotAllowed(_("您没有查看买家个人信息的权限"))
    if total > MAX_ROWS:
        raise BusinessError(_("共 %(n)d 单，超过一次导出上限 %(max)d 单，请缩小筛选范围")
                            % {"n": total, "max": MAX_ROWS}, field="filters")
    job = ExportJob.objects.create(user=user, kind=ExportJob.KIND_ORDERS, query=query[:2000], reveal=reveal,
                                   rows_total=total,
                                   ip_address=client_ip(request or current_request()) if reveal else None)
    transaction.on_commit(lambda: tasks.run_export.enqueue(job.pk))
    return job


def _job_queryset(job: ExportJob):
    """The orders of the job's filters that its owner may see now (DAT-02: scope at run time)."""
    from django.http import QueryDict

    from .queries import search_orders
    from .views import _list_filters

    return search_orders(job.user, **_list_filters(QueryDict(job.query)))


def run_export_job(job_id: int) -> ExportJob:
    """Write the job's workbook into its file, saving the progress as it goes; a failure is recorded
    on the job with its message. A job already started is left alone."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    claimed = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, started_at=timezone.now())
    if not claimed:
        return job
    job.refresh_from_db()
    user = job.user

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        if not user.is_active or not user.has_perm("orders.view_order"):
            raise NotAllowed(_("您没有导出订单的权限"))
        with tempfile.TemporaryFile() as out:
            export_orders(user, _job_queryset(job), reveal=job.reveal, ip=job.ip_address, progress=progress, out=out)
            out.seek(0)
            job.refresh_from_db(fields=["rows_done", "rows_total"])
            job.file.save(f"{uuid.uuid4().hex}.xlsx", File(out), save=False)
        job.state = ExportJob.State.DONE
    except Exception as error:  # noqa: BLE001 - any failure ends the job with its message
        if not isinstance(error, BusinessError):
            logger.exception("export job %s failed", job.pk)
        job.refresh_from_db(fields=["rows_done", "rows_total"])
        job.state = ExportJob.State.FAILED
        job.error = getattr(error, "message", "") or str(error) or error.__class__.__name__
    job.finished_at = timezone.now()
    job.save()
    return job
