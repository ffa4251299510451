"""What people do with order imports: upload a file (a job starts in the background), resume a job
that stopped, re-match held orders after a platform SKU code was added, edit a format; and the daily
purge of uploaded files past their keep period (LAW-04)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import transition
from ecomops.org.actions import require_staff_perm
from ecomops.org.models import Store
from ecomops.org.scoping import scope_for

from . import files
from .enums import (
    AGGREGATABLE,
    AGGREGATES,
    FIELDS,
    JOB_FLOW,
    PLATFORM_STATUSES,
    REQUIRED_FIELDS,
    FileKind,
    JobState,
)
from .models import ImportFormat, ImportJob

MAX_BYTES = 200 * 1024 * 1024
SUFFIXES = {".csv": FileKind.CSV, ".txt": FileKind.CSV, ".tsv": FileKind.CSV, ".xlsx": FileKind.XLSX}


_require = require_staff_perm  # AGY-07: staff only (org.actions)


def _store(user, store: Store | None) -> Store:
    if store is None or not scope_for(user).sees_store(store.pk):
        raise BusinessError(_("请选择您有权限的店铺"), field="store")
    return store


def file_kind(name: str) -> str:
    kind = SUFFIXES.get(Path(name or "").suffix.lower())
    if kind is None:
        raise BusinessError(_("只支持 .csv、.txt（制表符分隔）和 .xlsx 文件"), field="file")
    return kind


def platform_mismatch(store: Store, fmt: ImportFormat) -> str:
    """ORD-02: the refusal when a format of another platform than the store's is used (a Douyin export
    into a Pinduoduo store goes in only when confirmed); "" when they agree or either has no platform."""
    if not fmt.platform_id or not store.platform_id or fmt.platform_id == store.platform_id:
        return ""
    return _("导入格式“%(format)s”是%(format_platform)s的格式，店铺 %(store)s 属于%(store_platform)s："
             "两者平台不同。确认无误请明确确认（页面勾选“确认平台不同”，命令行加 --confirm-platform，"
             "API 传 confirm_platform=true）") % {
        "format": fmt.name, "format_platform": fmt.platform.name, "store": store.code,
        "store_platform": store.platform.name}


def create_job(*, user, store: Store | None, fmt: ImportFormat | None, upload, name: str = "",
               confirm_platform: bool = False, second=None, second_name: str = "") -> ImportJob:
    """Keep the uploaded file and make its job. Only what costs nothing is checked here (the store, the
    format, the file's kind and size); the file itself (an .xlsx's archive, the encoding, the header)
    is opened only by the job in the background, whose page shows a refusal with its reason. The file
    is stored encrypted under a random name (LAW-04, ``files``)."""
    _require(user, "orderimport.add_importjob")
    store = _store(user, store)
    if fmt is None or not fmt.is_active:
        raise BusinessError(_("请选择导入格式"), field="format")
    mismatch = platform_mismatch(store, fmt)
    if mismatch and not confirm_platform:
        raise BusinessError(mismatch, field="confirm_platform", code="platform_mismatch")
    name = (name or getattr(upload, "name", "") or "").strip()[:200]
    kind = _pair_kind(name)
    _check_size(upload, "file")
    job = ImportJob(store=store, format=fmt, original_name=Path(name).name[:200] or "orders", file_kind=kind,
                    created_by=user)
    if second is not None or kind == FileKind.ZIP:
        _check_pair(fmt, upload, kind, second)
    if second is not None:
        second_name = (second_name or getattr(second, "name", "") or "").strip()[:200]
        job.second_kind = file_kind(second_name)
        _check_size(second, "second_file")
        job.second_name = Path(second_name).name[:200] or "items"
    files.store(job, upload if isinstance(upload, File) else File(upload))
    if second is not None:
        files.store(job, second if isinstance(second, File) else File(second), field="second_file")  # LAW-04
    job.save()
    return job


def _check_size(upload, field: str) -> None:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise BusinessError(_("文件超过 %(n)d MB") % {"n": MAX_BYTES // (1024 * 1024)}, field=field)
    if not size:
        raise BusinessError(_("文件是空的"), field=field)


def _pair_kind(name: str) -> str:
    """A pair format (ORD-02) also takes a .zip holding both of its files."""
    if Path(name or "").suffix.lower() == ".zip":
        return FileKind.ZIP
    if Path(name or "").suffix.lower() not in SUFFIXES:
        raise BusinessError(_("只支持 .csv、.txt（制表符分隔）和 .xlsx 文件，或装有订单报表和宝贝报表的 .zip"),
                            field="file")
    return file_kind(name)


def _check_pair(fmt: ImportFormat, upload, kind: str, second) -> None:
    """ORD-02: two files (or a .zip of both) only for a format of two files; a .zip's directory is
    checked here (declared sizes, ratio, two tables: cheap, nothing inflated) and again by the job."""
    if not fmt.is_pair:
        if second is not None:
            raise BusinessError(_("导入格式“%(format)s”只需要一个文件") % {"format": fmt.name}, field="second_file")
        raise BusinessError(_("导入格式“%(format)s”只需要一个文件：请直接上传 .csv、.txt 或 .xlsx，不要压缩")
                            % {"format": fmt.name}, field="file")
    if kind == FileKind.ZIP:
        if second is not None:
            raise BusinessError(_("已上传 .zip 压缩包，不需要再上传第二个文件"), field="second_file")
        from .pair import zip_members

        zip_members(upload if hasattr(upload, "seek") else File(upload))


def start(job: ImportJob, *, background: bool = True) -> ImportJob:
    """Run the job: queued for the background worker, or here and now (the CLI, tests)."""
    from . import engine, tasks

    if background:
        tasks.run_import.enqueue(job.pk)
        return job
    return engine.run(job)


def upload(*, user, store, fmt, upload, name: str = "", background: bool = True,
           confirm_platform: bool = False, second=None, second_name: str = "") -> ImportJob:
    job = create_job(user=user, store=store, fmt=fmt, upload=upload, name=name, confirm_platform=confirm_platform,
                     second=second, second_name=second_name)
    if background:
        transaction.on_commit(lambda: start(job))
        return job
    return start(job, background=False)


def resume(job: ImportJob, *, user, background: bool = True) -> ImportJob:
    """Continue a job that stopped (crash, restart): committed orders are not imported again."""
    _require(user, "orderimport.add_importjob")
    _store(user, job.store)
    if job.state == JobState.DONE:
        raise Conflict(_("导入任务已完成"))
    if not job.file:
        raise Conflict(_("原文件已按保存期限删除（LAW-04），无法继续导入；请重新上传该文件"))
    if job.state == JobState.RUNNING and job.started_at and (timezone.now() - job.started_at).total_seconds() < 60:
        raise Conflict(_("导入任务正在运行"))
    job.refresh_from_db()
    if job.state != JobState.QUEUED:
        transition(job, JobState.QUEUED, flow=JOB_FLOW, user=user, changes={"failure": ""}, update_fields=[])
    return start(job, background=background)


@transaction.atomic
def rematch_held(*, user, store: Store | None) -> dict:
    """ORD-02 exception queue: after platform SKU codes were added, match the held orders' unmatched
    lines again; an order whose lines all match now leaves the hold (back where it was held from)."""
    from ecomops.orders import actions as order_actions
    from ecomops.orders.enums import OrderState
    from ecomops.orders.models import Order, OrderLine

    from .engine import SkuMatcher

    _require(user, "orders.hold_order")
    store = _store(user, store)
    match = SkuMatcher(store)
    matched = released = 0
    ids = list(Order.objects.filter(store=store, state=OrderState.ON_HOLD, lines__sku__isnull=True)
               .values_list("pk", flat=True).distinct())
    held = Order.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    for order in held:
        for line in OrderLine.objects.filter(order=order, sku__isnull=True):
            sku_id = match(line.platform_sku_code, line.platform_sku_id)
            if sku_id is not None:
                OrderLine.objects.filter(pk=line.pk).update(sku_id=sku_id)
                # The order changed with its line: its updated_at tells the dashboard's summaries (DAT-01).
                Order.objects.filter(pk=order.pk).update(updated_at=timezone.now())
                matched += 1
        if not OrderLine.objects.filter(order=order, sku__isnull=True).exists() and "SKU" in order.exception_reason:
            order_actions.release_hold(order, user=user, reason=_("商品已重新匹配"))
            released += 1
    return {"lines": matched, "released": released}


def save_format(*, user, fmt: ImportFormat | None = None, **values) -> ImportFormat:
    """Create or edit a platform format (ORD-02: a new platform without code). Checks that the column
    mapping names our fields and has the required ones, and that statuses map to known states."""
    from ecomops.core.history import save_audited

    _require(user, "orderimport.change_importformat" if fmt else "orderimport.add_importformat")
    fmt = fmt or ImportFormat()
    for name in ("code", "name", "platform", "delimiter", "columns", "line_columns", "statuses", "datetime_formats",
                 "is_active", "note", "aggregate"):
        if name in values:
            setattr(fmt, name, values[name])
    if not fmt.code or not fmt.name:
        raise BusinessError(_("请填写编码和名称"), field="code" if not fmt.code else "name")
    if not isinstance(fmt.columns, dict):
        raise BusinessError(_("列映射须为 JSON 对象"), field="columns")
    unknown = sorted(set(fmt.columns) - set(FIELDS))
    if unknown:
        raise BusinessError(_("列映射中有未知字段：%(f)s") % {"f": "、".join(unknown)}, field="columns")
    if fmt.line_columns:
        _check_line_columns(fmt)
    missing = [f for f in (*REQUIRED_FIELDS, "placed_at") if f not in fmt.columns and f not in (fmt.line_columns or {})]
    if missing:
        raise BusinessError(_("列映射缺少必需字段：%(f)s") % {"f": "、".join(missing)}, field="columns")
    for name, spec in fmt.columns.items():
        ok = (isinstance(spec, str) or (isinstance(spec, list) and spec and all(isinstance(x, str) for x in spec))
              or (isinstance(spec, dict) and isinstance(spec.get("join"), list) and spec["join"])
              or (isinstance(spec, dict) and isinstance(spec.get("sum"), list) and spec["sum"]))
        if not ok:
            raise BusinessError(_("字段 %(f)s 的表头须为文字、文字列表、{\"join\": [...]} 或 {\"sum\": [...]}")
                                % {"f": name}, field="columns")
    if not isinstance(fmt.statuses, dict) or any(v not in PLATFORM_STATUSES for v in fmt.statuses.values()):
        raise BusinessError(_("状态映射的值只能是：%(v)s") % {"v": "、".join(PLATFORM_STATUSES)}, field="statuses")
    aggregate = fmt.aggregate if fmt.aggregate is not None else {}
    if not isinstance(aggregate, dict) or any(k not in AGGREGATABLE or v not in AGGREGATES
                                              for k, v in aggregate.items()):
        raise BusinessError(_("多行订单的金额只能写 %(fields)s → %(ways)s")
                            % {"fields": "、".join(AGGREGATABLE), "ways": " / ".join(AGGREGATES)}, field="aggregate")
    fmt.aggregate = aggregate
    if ImportFormat.objects.filter(code=fmt.code).exclude(pk=fmt.pk).exists():
        raise Conflict(_("编码 %(code)s 已存在") % {"code": fmt.code}, field="code")
    save_audited(fmt, user=user, reason=_("导入格式"))
    return fmt


def _check_line_columns(fmt: ImportFormat) -> None:
    """ORD-02 pair formats: the line file's mapping names the order number and line fields only; the
    order file's has the order number and the time placed."""
    from .enums import LINE_FIELDS

    if not isinstance(fmt.line_columns, dict):
        raise BusinessError(_("明细文件列映射须为 JSON 对象"), field="line_columns")
    unknown = sorted(set(fmt.line_columns) - {"order_no", *LINE_FIELDS})
    if unknown:
        raise BusinessError(_("明细文件列映射中有不属于商品行的字段：%(f)s") % {"f": "、".join(unknown)},
                            field="line_columns")
    missing = [f for f in ("order_no", "sku_code", "quantity") if f not in fmt.line_columns]
    if missing:
        raise BusinessError(_("明细文件列映射缺少必需字段：%(f)s") % {"f": "、".join(missing)}, field="line_columns")
    for name, spec in fmt.line_columns.items():
        if not ((isinstance(spec, str) and spec) or (isinstance(spec, list) and spec
                                                     and all(isinstance(x, str) for x in spec))):
            raise BusinessError(_("明细文件字段 %(f)s 的表头须为文字或文字列表") % {"f": name}, field="line_columns")
    if "order_no" not in fmt.columns:
        raise BusinessError(_("列映射缺少必需字段：%(f)s") % {"f": "order_no"}, field="columns")


def purge_files(*, now=None) -> dict:
    """LAW-04 (keep personal data no longer than needed): delete the uploaded export files of jobs
    older than ``LAW-04.import_file_keep_days``; each job keeps its results and says when its file went.
    The daily ``ecomops order-imports-purge``; idempotent."""
    return files.purge(now=now)
