"""`ecomops import-orders FILE [FILE2] --store CODE [--format CODE] [--user NAME]`: import a platform order
export in the foreground (ORD-02), with a progress line on stderr and a summary; exit 1 when the file
is refused or rows were left out. Taobao and Tmall export two files (订单报表 + 宝贝报表): give both, in
either order, or one .zip holding both; they are one job.

    ecomops import-orders ExportOrderList2026.csv ExportOrderDetailList2026.csv --store SL-TB
    ecomops import-orders ~/Downloads/taobao-orders.zip --store SL-TB
    ecomops import-orders orders.xlsx --store SL-JD --format jd --errors errors.xlsx
    ecomops import-orders --resume 42
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from ecomops.core.errors import BusinessError
from ecomops.orderimport import actions, engine, reports
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportFormat, ImportJob
from ecomops.org.actions import require_staff_perm
from ecomops.org.models import Store


class Command(BaseCommand):
    help = "Import a platform order export (CSV/TXT/XLSX) into a store, with progress; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="*",
                            help="the export file (.csv, .txt tab-separated, .xlsx); Taobao/Tmall: the order file and "
                                 "the item file (订单报表 + 宝贝报表, either order) or one .zip holding both")
        parser.add_argument("--store", help="store code, e.g. SL-TB")
        parser.add_argument("--format", dest="fmt", help="import format code (default: the store's platform)")
        parser.add_argument("--user", help="act as this user (default: the first superuser)")
        parser.add_argument("--errors", metavar="XLSX", help="write the rows left out to this .xlsx")
        parser.add_argument("--resume", type=int, metavar="JOB", help="resume a job that stopped")
        parser.add_argument("--confirm-platform", action="store_true",
                            help="import with a format of another platform than the store's (ORD-02)")

    def handle(self, *args, file=None, store=None, fmt=None, user=None, errors=None, resume=None, **options):
        self.confirm_platform = bool(options.get("confirm_platform"))
        actor = self._user(user)
        started = time.perf_counter()
        try:
            if resume:
                job = ImportJob.objects.filter(pk=resume).first()
                if job is None:
                    raise CommandError(f"no import job {resume}")
                require_staff_perm(actor, "orderimport.add_importjob")
                job = engine.run(job, progress=self._progress(started))
            else:
                job = self._new(actor, file, store, fmt, started)
        except BusinessError as error:
            raise CommandError(error.message) from None
        sys.stderr.write("\n")
        self.stdout.write(
            f"{job}: {job.get_state_display()} · 新增 {job.orders_created} · 更新 {job.orders_updated} · "
            f"未变 {job.orders_unchanged} · 转异常 {job.orders_held} · 未导入订单 {job.orders_failed} "
            f"（错误行 {job.rows_failed}） · {time.perf_counter() - started:.1f}s"
        )
        if errors and job.rows_failed:
            Path(errors).write_bytes(reports.error_workbook(job))
            self.stdout.write(f"错误行已写入 / rows left out written to {errors}")
        if job.state != JobState.DONE:
            raise CommandError(job.failure or "import failed")
        if job.rows_failed:
            sys.exit(1)

    def _user(self, username):
        User = get_user_model()
        actor = (User.objects.filter(username=username).first() if username
                 else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first())
        if actor is None:
            raise CommandError(f"no such user: {username}" if username else "no superuser: pass --user")
        return actor

    def _new(self, actor, file, store_code, fmt_code, started):
        given = [file] if isinstance(file, str) else list(file or [])
        if not given or not store_code:
            raise CommandError("give FILE and --store CODE (or --resume JOB)")
        if len(given) > 2:
            raise CommandError("give one file, or the two files of a Taobao/Tmall export (订单报表 + 宝贝报表)")
        paths = [Path(name) for name in given]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        path = paths[0]
        store = Store.objects.filter(code=store_code).select_related("platform").first()
        if store is None:
            raise CommandError(f"no store with code {store_code}")
        fmt = (ImportFormat.objects.filter(code=fmt_code).first() if fmt_code
               else ImportFormat.objects.filter(platform=store.platform, is_active=True).order_by("code").first())
        if fmt is None:
            raise CommandError(f"no import format {fmt_code!r}" if fmt_code
                               else f"no import format for platform {store.platform}: pass --format")
        with path.open("rb") as handle:
            if len(paths) == 1:
                job = actions.create_job(user=actor, store=store, fmt=fmt, upload=File(handle, name=path.name),
                                         confirm_platform=self.confirm_platform)
            else:
                with paths[1].open("rb") as second:
                    job = actions.create_job(user=actor, store=store, fmt=fmt, upload=File(handle, name=path.name),
                                             confirm_platform=self.confirm_platform,
                                             second=File(second, name=paths[1].name), second_name=paths[1].name)
        return engine.run(job, progress=self._progress(started))

    def _progress(self, started):
        def show(job):
            rate = job.rows_done / max(time.perf_counter() - started, 1e-9)
            sys.stderr.write(f"\r{job} {job.rows_done:,}/{job.rows_total:,} 行 ({job.percent}%) · {rate:,.0f} 行/s · "
                             f"新增 {job.orders_created:,} · 更新 {job.orders_updated:,} · 错误行 {job.rows_failed:,}")
            sys.stderr.flush()

        return show
