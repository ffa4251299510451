"""API of the order import (ORD-02): platform formats, upload (multipart) of an export into a store,
jobs with their progress, the rows left out, resume, and re-matching held orders.

Thin: jobs are read through scoped querysets (another store's job is a 404); writes go through
``orderimport.actions``. The upload runs in the background; poll the job for progress.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, Ref
from ecomops.apiutil.types import Code, Id
from ecomops.core.errors import BusinessError
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404

from . import actions
from .enums import JobState
from .models import ImportFormat, ImportJob, ImportRowError

router = Router(tags=["order-imports"])
VIEW = "orderimport.view_importjob"


class OrderImportFormatOut(Schema):
    id: int
    code: str
    name: str
    platform: str
    delimiter: str
    columns: dict
    line_columns: dict = Field(description="两个文件的格式（淘宝/天猫 订单报表+宝贝报表）：宝贝报表的列映射；"
                                           "单个文件为空")
    statuses: dict
    aggregate: dict
    is_active: bool

    @staticmethod
    def resolve_platform(obj) -> str:
        return obj.platform.code if obj.platform_id else ""


class OrderImportJobOut(Schema):
    id: int
    number: str
    store: Ref
    format: str = Field(validation_alias="format.code")
    original_name: str
    second_name: str = Field(description="两个文件的格式：第二个文件的原文件名")
    file_kind: str
    encoding: str
    state: JobState
    percent: int
    rows_total: int
    rows_done: int
    orders_created: int
    orders_updated: int
    orders_unchanged: int
    orders_held: int
    orders_failed: int
    rows_failed: int
    failure: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    errors_xlsx_url: str
    file_kept: bool = Field(description="原文件是否仍（加密）保存；过了 LAW-04 保存期限即删除")
    file_purged_at: datetime | None

    @staticmethod
    def resolve_file_kept(obj) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_errors_xlsx_url(obj) -> str:
        return reverse("orderimport:job_errors", args=[obj.pk])


class OrderImportRowErrorOut(Schema):
    file: str = Field(description="两个文件的格式：所在文件（订单报表或宝贝报表的文件名）")
    row_no: int
    column: str
    order_no: str
    reason: str


class OrderImportJobFilters(PageQuery):
    store_id: Id | None = None
    state: JobState | None = None


class OrderImportRematchIn(InputSchema):
    store_id: Id


class OrderImportRematchOut(Schema):
    lines: int
    released: int


def _job(request, job_id: int) -> ImportJob:
    return get_visible_or_404(ImportJob.objects.select_related("store", "format"), request.auth, pk=job_id)


@router.get("/order-import-formats", response=list[OrderImportFormatOut], summary="订单导入格式（各平台导出列的对应）")
def orderimport_list_formats(request):
    require_perm(request.auth, VIEW, internal=True)
    return list(ImportFormat.objects.select_related("platform").order_by("code"))


class OrderImportSampleMappedOut(Schema):
    field: str
    label: str
    header: str
    examples: list[str] = Field(description="前几行的值（个人信息已脱敏）")


class OrderImportSampleMissingOut(Schema):
    field: str
    label: str
    wanted: str
    required: bool


class OrderImportSampleOut(Schema):
    encoding: str
    header_row: int
    headers: list[str]
    mapped: list[OrderImportSampleMappedOut]
    missing: list[OrderImportSampleMissingOut]
    left_out: list[str] = Field(description="文件中没有用上的表头")


@router.post("/order-import-formats/{format_id}/sample", response=OrderImportSampleOut,
             summary="样例文件对照：表头对应到哪个字段、哪些表头没有用上（不保存文件）")
def orderimport_sample_format(request, format_id: Path[Id], file: File[UploadedFile]):
    from . import sample

    require_perm(request.auth, "orderimport.view_importformat", internal=True)
    fmt = get_object_or_404(ImportFormat.objects.select_related("platform"), pk=format_id)
    return sample.describe(fmt, file, name=file.name or "").as_dict()


@router.get("/order-imports", response=Page[OrderImportJobOut], summary="订单导入任务（仅限授权店铺）")
def orderimport_list_jobs(request, filters: Query[OrderImportJobFilters]):
    require_perm(request.auth, VIEW, internal=True)
    jobs = ImportJob.objects.visible_to(request.auth).select_related("store", "format")
    if filters.store_id is not None:
        jobs = jobs.filter(store_id=filters.store_id)
    if filters.state:
        jobs = jobs.filter(state=filters.state)
    return paginate(jobs.order_by("-created_at", "-pk"), filters)


@router.post("/order-imports", response={201: OrderImportJobOut}, summary="上传平台订单导出文件并在后台导入")
def orderimport_upload(request, store_id: Form[Id], file: File[UploadedFile],
                       format_code: Form[Code(40) | None] = None, confirm_platform: Form[bool] = False,
                       second_file: File[UploadedFile | None] = None):
    """ORD-02: Taobao/Tmall's two files go as ``file`` and ``second_file`` (either order), or one .zip
    holding both as ``file``; a format of another platform than the store's needs "confirm_platform": true."""
    require_perm(request.auth, "orderimport.add_importjob", internal=True)
    store = Store.objects.visible_to(request.auth).select_related("platform").filter(pk=store_id).first()
    if store is None:
        raise BusinessError(_("请选择您有权限的店铺"), field="store_id", code="not_found")
    formats = ImportFormat.objects.filter(is_active=True)
    fmt = (formats.filter(code=format_code).first() if format_code
           else formats.filter(platform=store.platform).order_by("code").first())
    if fmt is None:
        raise BusinessError(_("没有这个导入格式") if format_code else _("店铺所在平台没有导入格式，请指定 format_code"),
                            field="format_code")
    job = actions.upload(user=request.auth, store=store, fmt=fmt, upload=file, name=file.name or "",
                         confirm_platform=confirm_platform,
                         second=second_file, second_name=(second_file.name or "") if second_file else "")
    return Status(201, _job(request, job.pk))


# Declared before "/order-imports/{job_id}": Django takes the first pattern that matches, and a job id
# of "rematch" would otherwise answer this POST with 405.
@router.post("/order-imports/rematch", response=OrderImportRematchOut, summary="异常订单重新匹配商品")
def orderimport_rematch(request, payload: OrderImportRematchIn):
    require_perm(request.auth, "orders.view_order", internal=True)
    store = Store.objects.visible_to(request.auth).filter(pk=payload.store_id).first()
    if store is None:
        raise BusinessError(_("请选择您有权限的店铺"), field="store_id", code="not_found")
    return actions.rematch_held(user=request.auth, store=store)


@router.get("/order-imports/{job_id}", response=OrderImportJobOut, summary="导入任务与进度")
def orderimport_get_job(request, job_id: Path[Id]):
    require_perm(request.auth, VIEW, internal=True)
    return _job(request, job_id)


@router.get("/order-imports/{job_id}/errors", response=Page[OrderImportRowErrorOut], summary="未导入的行")
def orderimport_job_errors(request, job_id: Path[Id], filters: Query[PageQuery]):
    require_perm(request.auth, VIEW, internal=True)
    job = _job(request, job_id)
    return paginate(ImportRowError.objects.filter(job=job).order_by("row_no", "pk"), filters)


@router.post("/order-imports/{job_id}/resume", response=OrderImportJobOut, summary="继续中断的导入任务")
def orderimport_resume_job(request, job_id: Path[Id]):
    require_perm(request.auth, VIEW, internal=True)
    job = _job(request, job_id)
    actions.resume(job, user=request.auth)
    return _job(request, job.pk)
