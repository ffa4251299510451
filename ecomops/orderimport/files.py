"""The uploaded export file of an import job (ORD-02, LAW-04 art. 19, 47, 51).

A platform export holds every buyer's name, phone and address in plain text, so the file is:

- stored encrypted at rest (``core.crypto.encrypt_stream``, the keys of ``ECOMOPS_FIELD_KEY``) under a
  random name that says nothing about the store, the date or the buyer;
- read back through a decrypting, seekable file object, in constant memory whatever its size, for the
  import and for resuming it;
- never served over HTTP (``core.uploads``: not downloadable);
- deleted ``LAW-04.import_file_keep_days`` days after the job (``purge``, the daily
  ``ecomops order-imports-purge``); the job keeps its counts and error rows and says when the file went.

Files stored before encryption came in are read as they are (and encrypted by migration 0002).

A pair format's job (ORD-02: Taobao/Tmall 订单报表 + 宝贝报表) has a second file, ``second_file``: it is
stored, read and purged exactly like the first (``field="second_file"``). A .zip holding both is one
file, read member by member (``pair``).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import File
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core import crypto
from ecomops.core.errors import BusinessError
from ecomops.policy import registry

log = logging.getLogger(__name__)

KEEP_DAYS = "LAW-04.import_file_keep_days"
FOLDER = "order-imports"
ORPHAN_GRACE = timedelta(days=1)  # a file without a job this old was left by a request that failed


def import_file_path(instance, filename: str) -> str:
    """A random name: nothing of the store, the date or the uploaded file's name."""
    return f"{FOLDER}/{uuid.uuid4().hex}.enc"


class FileGone(BusinessError):
    """The job's file was deleted (keep period over) or is missing from the storage."""


FIELDS = ("file", "second_file")  # every file field of ImportJob: all encrypted, all purged


def store(job, upload, field: str = "file") -> None:
    """Encrypt ``upload`` (a Django file or any binary file object) into ``job.file`` (or the job's
    ``field``); the job is not saved. Streams through a temporary file of ciphertext: memory stays flat
    for a file of any size."""
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    with tempfile.TemporaryFile() as sealed:
        crypto.encrypt_stream(upload, sealed)
        sealed.seek(0)
        getattr(job, field).save("upload.enc", File(sealed), save=False)


def _gone(job) -> FileGone:
    if job.file_purged_at:
        return FileGone(_("原文件已于 %(at)s 按保存期限删除（LAW-04），无法再读取；请重新上传该文件")
                        % {"at": timezone.localtime(job.file_purged_at).strftime("%Y-%m-%d")}, field="file",
                        code="file_purged")
    return FileGone(_("找不到导入任务的原文件；请重新上传该文件"), field="file", code="file_missing")


def open_plain(job, field: str = "file"):
    """The job's file (or its ``field``) as a seekable binary file of its plain bytes (the caller closes it)."""
    stored = getattr(job, field)
    if not stored:
        raise _gone(job)
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise _gone(job) from None
    handle = getattr(handle, "file", handle)  # the storage's File wraps a real binary file
    try:
        if crypto.is_encrypted_file(handle):
            return crypto.open_decrypted(handle)
    except Exception:
        handle.close()
        raise
    return handle  # stored before files were encrypted


def source(job, field: str = "file"):
    """What ``reader`` reads: a callable opening the job's plain bytes afresh (it is read twice, once to
    count the rows and once to import them)."""
    return lambda: open_plain(job, field)


# --- keeping and purging -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeepPolicy:
    days: int
    label: str


def keep_policy(on=None) -> KeepPolicy:
    resolved = registry.resolve(KEEP_DAYS, on=on)
    return KeepPolicy(days=int(resolved.value), label=resolved.version.label)


def delete_after(job, policy: KeepPolicy | None = None) -> datetime | None:
    """When the job's file goes: ``days`` after the job finished (or, unfinished, after its upload)."""
    if not job.file:
        return None
    policy = policy or keep_policy()
    return (job.finished_at or job.created_at) + timedelta(days=policy.days)


def purge(*, now: datetime | None = None) -> dict:
    """LAW-04: delete the files of jobs past the keep period, and files that no job holds (a request
    that failed after storing its file). Idempotent: a purged job has no file left to purge."""
    from .models import ImportJob

    now = now or timezone.now()
    policy = keep_policy(on=timezone.localdate(now))
    cutoff = now - timedelta(days=policy.days)
    expired = list(ImportJob.objects.filter(~Q(file="") | ~Q(second_file=""))
                   .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
                   .order_by("pk").values_list("pk", "file", "second_file"))  # a day's few jobs
    storage = ImportJob._meta.get_field("file").storage
    for pk, name, second in expired:
        for stored in (name, second):  # ORD-02: both files of a pair go (LAW-04)
            if stored:
                storage.delete(stored)
        ImportJob.objects.filter(pk=pk, file=name, second_file=second).update(
            file="", second_file="", file_purged_at=now, file_keep_days=policy.days,
            file_purge_policy=policy.label[:120])
    return {"purged": len(expired), "orphans": _purge_orphans(now), "days": policy.days}


def _purge_orphans(now: datetime) -> int:
    from django.core.files.storage import default_storage

    from .models import ImportJob

    held = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    held |= set(ImportJob.objects.exclude(second_file="").values_list("second_file", flat=True))
    removed = 0
    for name in _walk(default_storage, FOLDER):
        if name in held:
            continue
        try:
            if default_storage.get_modified_time(name) > now - ORPHAN_GRACE:
                continue
        except (OSError, NotImplementedError):
            continue
        default_storage.delete(name)
        removed += 1
    return removed


def _walk(storage, folder: str):
    try:
        folders, names = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")
