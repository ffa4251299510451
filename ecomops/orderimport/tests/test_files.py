"""LAW-04 (art. 19, 47, 51), DAT-02: the uploaded platform export of an import job. It is stored
encrypted under a random name, read back in constant memory for the import and a resume, never
served over HTTP, and deleted after ``LAW-04.import_file_keep_days`` by a daily idempotent command
whose work the job's page explains. ORD-02: an .xlsx is opened only by the background job, after its
archive has been checked (zip bombs), and an ordinary workbook still imports."""

from __future__ import annotations

import importlib
import re
import tracemalloc
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.core import crypto
from ecomops.core.errors import Conflict
from ecomops.core.tests.test_spreadsheets import zip_bomb
from ecomops.orderimport import actions, engine, files, reader
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportFormat, ImportJob
from ecomops.orders.models import Order
from ecomops.policy.actions import change_value
from ecomops.policy.models import PolicyParameter

from .conftest import http_client as _http
from .conftest import taobao_csv, tb_row

PHONE, NAME = "13987654321", "欧阳春花"


def _stored(job) -> bytes:
    with default_storage.open(job.file.name, "rb") as handle:
        return handle.read()


# --- encrypted at rest, random name, never served ---------------------------------------------------------


def test_law04_the_stored_export_is_encrypted_under_a_random_name_and_still_imports(imp):
    job = imp.upload(taobao_csv([tb_row("EN1", **{"联系手机": PHONE, "收货人姓名": NAME})]),
                     name=f"{imp.org.store_a1.code}-20260302.csv")
    assert job.state == JobState.DONE and Order.objects.filter(platform_order_no="EN1").exists()
    assert re.fullmatch(r"order-imports/[0-9a-f]{32}\.enc", job.file.name), job.file.name
    assert imp.org.store_a1.code not in job.file.name and "20260302" not in job.file.name
    stored = _stored(job)
    assert stored.startswith(crypto.FILE_MAGIC)
    for plain in (PHONE, NAME, "EN1", "订单编号"):
        assert plain.encode("utf-8") not in stored and plain.encode("gb18030") not in stored
    assert job.original_name == f"{imp.org.store_a1.code}-20260302.csv"  # shown on its page only
    with files.open_plain(job) as handle:
        assert PHONE.encode() in handle.read()


def test_law04_an_xlsx_is_read_straight_from_the_ciphertext(imp):
    job = imp.upload("jd.xlsx", "jd")
    assert job.state == JobState.DONE and job.orders_created > 0, job.failure
    assert _stored(job).startswith(crypto.FILE_MAGIC) and b"PK\x03\x04" not in _stored(job)[:200]


def test_law04_resume_reads_the_encrypted_file_again(imp, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 2)
    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                             fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=SimpleUploadedFile("big.csv", taobao_csv([tb_row(f"R{n}") for n in range(7)])))
    with pytest.raises(RuntimeError):
        engine.run(job, crash_after_chunks=1)
    job = actions.resume(job, user=imp.importer, background=False)
    assert job.state == JobState.DONE and Order.objects.filter(platform_order_no__startswith="R").count() == 7


@pytest.mark.parametrize("who", ["importer", "admin"])
def test_law04_the_uploaded_export_is_never_served(imp, who):
    """No open media route and no download of the export: 404 for its own uploader and a superuser."""
    job = imp.upload("taobao_utf8.csv")
    user = imp.importer if who == "importer" else imp.org.admin
    response = _http(user).get(job.file.url)
    assert job.file.url.startswith("/media/") and response.status_code == 404
    assert HttpClient().get(job.file.url).status_code in (302, 404)  # anonymous: the login page at most


def test_law04_files_are_encrypted_with_the_field_keys_which_rotate(imp, settings):
    settings.ECOMOPS_FIELD_KEY = "old passphrase for the field key"
    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                             fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=SimpleUploadedFile("a.csv", taobao_csv([tb_row("K1")])))
    settings.ECOMOPS_FIELD_KEY = "new passphrase, old passphrase for the field key"
    assert engine.run(job).state == JobState.DONE
    other = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                               fmt=ImportFormat.objects.get(code="taobao_merged"),
                               upload=SimpleUploadedFile("a.csv", taobao_csv([tb_row("K2")])))
    settings.ECOMOPS_FIELD_KEY = "an unrelated key"
    failed = engine.run(other)
    assert failed.state == JobState.FAILED and "无法解密" in failed.failure


def test_law04_a_cut_off_or_changed_file_is_refused_not_half_read(imp):
    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                             fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=SimpleUploadedFile("a.csv", taobao_csv([tb_row(f"T{n}") for n in range(3000)])))
    sealed = _stored(job)
    default_storage.delete(job.file.name)
    default_storage.save(job.file.name, ContentFile(sealed[:len(sealed) - crypto.FILE_CHUNK - 16]))
    assert engine.run(job).state == JobState.FAILED and not Order.objects.filter(platform_order_no="T0").exists()


def _peaks(imp, megabytes: int) -> tuple[int, int, int]:
    """Python's peak memory storing an upload of ``megabytes`` MB, then reading it back (row count)."""
    body = taobao_csv([tb_row("M0")])
    line = body.split(b"\n", 1)[1]
    upload = TemporaryUploadedFile("big.csv", "text/csv", 0, "utf-8")  # on disk, like a real big upload
    upload.write(body)
    while upload.tell() < megabytes << 20:
        upload.write(line * 1000)
    upload.size = upload.tell()
    job = ImportJob(store=imp.org.store_a1, format=ImportFormat.objects.get(code="taobao_merged"),
                    original_name="big.csv", file_kind="csv", created_by=imp.importer)
    tracemalloc.start()
    try:
        files.store(job, upload)
        _, stored_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        rows = reader.count_rows(files.source(job), "csv")
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    return stored_peak, read_peak, rows


def test_law04_big_files_go_in_and_out_in_constant_memory(imp):
    """Encrypting and reading back hold a few chunks (and the 1 MB the encoding is told from), the same
    for 8 MB as for 32 MB: the file is never held whole."""
    small = _peaks(imp, 8)
    big = _peaks(imp, 32)
    assert big[2] > 3 * small[2] > 100_000
    assert big[0] < 1 << 20 and big[1] < 6 << 20, big
    assert big[0] < small[0] + (256 << 10) and big[1] < small[1] + (512 << 10), (small, big)


# --- zip bombs: refused by the job, the request never opens the file ---------------------------------


def test_ord02_a_zip_bomb_xlsx_is_refused_by_the_job_and_the_request_only_stores_it(imp, tmp_path, monkeypatch,
                                                                                  django_capture_on_commit_callbacks):
    bomb = zip_bomb(tmp_path / "JD-orders.xlsx").read_bytes()
    opened = []
    monkeypatch.setattr(reader, "open_sheet", lambda *a, **k: opened.append(a) or pytest.fail("opened"))
    monkeypatch.setattr(reader, "count_rows", lambda *a, **k: opened.append(a) or pytest.fail("opened"))
    http = _http(imp.importer)
    response = http.post(reverse("orderimport:upload"), {
        "store": imp.org.store_a1.pk, "format": ImportFormat.objects.get(code="jd").pk, "confirm_platform": "on",
        "file": SimpleUploadedFile("JD-orders.xlsx", bomb)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and opened == [] and job.state == JobState.QUEUED
    monkeypatch.undo()
    job = engine.run(job)
    assert job.state == JobState.FAILED and "压缩炸弹" in job.failure and not Order.objects.exists()
    page = http.get(reverse("orderimport:job_detail", args=[job.pk])).content.decode()
    assert "压缩炸弹" in page and 'data-testid="job-failure"' in page


# --- the keep period and the daily purge ----------------------------------------------------------------


def _age(job, days: int) -> None:
    at = timezone.now() - timedelta(days=days)
    ImportJob.objects.filter(pk=job.pk).update(created_at=at, finished_at=at)
    job.refresh_from_db()


def test_law04_files_past_the_keep_period_are_purged_daily_and_the_page_says_so(imp, capsys):
    old = imp.upload(taobao_csv([tb_row("P1")]))
    recent = imp.upload(taobao_csv([tb_row("P2")]))
    _age(old, 31)
    _age(recent, 29)
    old_name = old.file.name
    http = _http(imp.importer)
    kept = http.get(reverse("orderimport:job_detail", args=[recent.pk])).content.decode()
    assert "原文件加密保存" in kept and "删除" in kept
    call_command("order-imports-purge")
    assert "1 purged (kept 30 days)" in capsys.readouterr().out
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not default_storage.exists(old_name) and old.file_purged_at is not None
    assert old.file_keep_days == 30 and "LAW-04.import_file_keep_days v1" in old.file_purge_policy
    assert recent.file and default_storage.exists(recent.file.name)
    page = http.get(reverse("orderimport:job_detail", args=[old.pk])).content.decode()
    assert 'data-testid="job-file"' in page and "原文件已于" in page and "保存 30 天" in page
    assert "继续导入" not in page and old.orders_created == 1 and Order.objects.filter(platform_order_no="P1").exists()
    api = http.get(f"/api/v1/order-imports/{old.pk}").json()
    assert api["file_kept"] is False and api["file_purged_at"]
    call_command("order-imports-purge")  # idempotent: nothing left to purge, the record is unchanged
    assert "0 purged" in capsys.readouterr().out
    again = ImportJob.objects.get(pk=old.pk)
    assert again.file_purged_at == old.file_purged_at


def test_law04_the_keep_period_is_a_versioned_policy_parameter(imp, org):
    job = imp.upload(taobao_csv([tb_row("V1")]))
    _age(job, 10)
    assert actions.purge_files()["purged"] == 0
    parameter = PolicyParameter.objects.get(key=files.KEEP_DAYS)
    change_value(parameter, "7", effective_from=timezone.localdate(), reason="缩短保存期限", user=org.admin)
    assert actions.purge_files()["purged"] == 1
    job.refresh_from_db()
    assert job.file_keep_days == 7 and "v2" in job.file_purge_policy


def test_law04_a_purged_job_cannot_resume_and_says_why(imp):
    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                             fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=SimpleUploadedFile("a.csv", taobao_csv([tb_row("Q1")])))
    _age(job, 40)  # queued and never run (a worker that was down): purged all the same
    assert actions.purge_files()["purged"] == 1
    job.refresh_from_db()
    with pytest.raises(Conflict, match="保存期限"):
        actions.resume(job, user=imp.importer, background=False)
    ran = engine.run(job)
    assert ran.state == JobState.FAILED and "保存期限" in ran.failure


def test_law04_files_no_job_holds_are_removed_after_a_day(imp):
    stray = default_storage.save("order-imports/2026/03/SL-TB-20260302.csv", ContentFile(b"plain export"))
    fresh = default_storage.save("order-imports/abandoned.enc", ContentFile(b"x"))
    kept = imp.upload(taobao_csv([tb_row("O1")]))
    later = timezone.now() + timedelta(days=2)
    done = files.purge(now=later)
    assert done["orphans"] == 2 and not default_storage.exists(stray) and not default_storage.exists(fresh)
    assert default_storage.exists(kept.file.name)
    assert files.purge(now=timezone.now())["orphans"] == 0


def test_law04_files_stored_before_encryption_are_encrypted_by_the_migration(imp,
                                                                            django_capture_on_commit_callbacks):
    from django.apps import apps

    job = actions.create_job(user=imp.importer, store=imp.org.store_a1,
                              fmt=ImportFormat.objects.get(code="taobao_merged"),
                             upload=SimpleUploadedFile("a.csv", taobao_csv([tb_row("L1", **{"联系手机": PHONE})])))
    default_storage.delete(job.file.name)
    legacy = default_storage.save("order-imports/2026/03/A1-20260302.csv",
                                  ContentFile(taobao_csv([tb_row("L1", **{"联系手机": PHONE})])))
    ImportJob.objects.filter(pk=job.pk).update(file=legacy)
    job.refresh_from_db()
    assert engine.run(job).state == JobState.DONE  # a plain file still imports until it is encrypted
    migration = importlib.import_module("ecomops.orderimport.migrations.0002_import_files_encrypted_and_purged")
    schema_editor = type("SchemaEditor", (), {"connection": type("C", (), {"alias": "default"})()})()
    with django_capture_on_commit_callbacks(execute=True):
        migration.encrypt_stored_files(apps, schema_editor)
    job.refresh_from_db()
    assert re.fullmatch(r"order-imports/[0-9a-f]{32}\.enc", job.file.name) and not default_storage.exists(legacy)
    assert _stored(job).startswith(crypto.FILE_MAGIC) and PHONE.encode() not in _stored(job)
    with files.open_plain(job) as handle:
        assert PHONE.encode() in handle.read()
    migration.encrypt_stored_files(apps, schema_editor)  # again: nothing to do
    assert ImportJob.objects.get(pk=job.pk).file.name == job.file.name
