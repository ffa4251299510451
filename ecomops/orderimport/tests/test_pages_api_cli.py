"""ORD-02 from the page (upload → background job → progress → error report), the API, the CLI and
the database task queue; scoping everywhere."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportJob
from ecomops.orders.models import Order

from .conftest import FIXTURES, taobao_csv, tb_row

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "imports"]}}


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_ord02_page_upload_runs_in_background_and_shows_progress_and_errors(imp, immediate,
                                                                             django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    index = http.get(reverse("orderimport:imports"))
    assert index.status_code == 200 and "甲品牌淘宝店" in index.content.decode()
    assert "乙" not in index.content.decode().split('name="store"')[1].split("</select>")[0]  # only own stores
    content = taobao_csv([tb_row("P1"), tb_row("P2", qty="x")])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("orderimport:upload"), {
            "store": imp.org.store_a1.pk, "file": SimpleUploadedFile("export.csv", content)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("orderimport:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.format.code == "taobao"  # chosen by the store's platform
    detail = http.get(response.url).content.decode()
    assert 'data-testid="job-progress"' in detail and "100%" in detail and "不是正整数" in detail
    progress = http.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in progress and 'id="job-progress"' in progress
    book = http.get(reverse("orderimport:job_errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "平台订单号", "原因") and rows[1][0] == 3 and rows[1][1] == "购买数量"


def test_ord02_page_refuses_bad_upload_with_the_field(imp):
    http = _http(imp.importer)
    response = http.post(reverse("orderimport:upload"), {
        "store": imp.org.store_a1.pk, "file": SimpleUploadedFile("export.doc", b"hello")})
    assert response.status_code == 400 and "只支持" in response.content.decode()
    response = http.post(reverse("orderimport:upload"), {"store": imp.org.store_b1.pk,
                                                         "file": SimpleUploadedFile("a.csv", b"x")})
    assert response.status_code == 400 and "请选择您有权限的店铺" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_ord02_other_clients_jobs_are_404_on_pages_and_api(imp):
    job = imp.upload("taobao_utf8.csv")
    other = _http(imp.importer_b)
    assert other.get(reverse("orderimport:job_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("orderimport:job_errors", args=[job.pk])).status_code == 404
    assert other.get(f"/api/v1/order-imports/{job.pk}").status_code == 404
    assert other.get("/api/v1/order-imports").json()["count"] == 0
    assert _http(imp.org.member_a).get(reverse("orderimport:imports")).status_code == 404  # client users: no


def test_ord02_exception_queue_page_and_rematch(imp):
    from ecomops.catalog.models import PlatformSKU

    imp.upload(taobao_csv([tb_row("E1", code="GONE-1")]))
    http = _http(imp.importer)
    page = http.get(reverse("orderimport:exceptions")).content.decode()
    assert "E1" in page and "GONE-1" in page
    PlatformSKU.objects.create(store=imp.org.store_a1, sku=imp.sku, platform_sku_code="GONE-1")
    done = http.post(reverse("orderimport:rematch"), {"store": imp.org.store_a1.pk}, follow=True)
    assert "1 笔订单解除异常" in done.content.decode()
    assert Order.objects.get(platform_order_no="E1").state == "paid"


def test_ord02_api_upload_progress_and_errors(imp, immediate, django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/api/v1/order-imports", {
            "store_id": imp.org.store_a1.pk, "format_code": "taobao",
            "file": SimpleUploadedFile("a.csv", taobao_csv([tb_row("Q1"), tb_row("Q2", price="1.001")]))})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    got = http.get(f"/api/v1/order-imports/{job_id}").json()
    assert got["state"] == "done" and got["orders_created"] == 1 and got["rows_failed"] == 1 and got["percent"] == 100
    errors = http.get(f"/api/v1/order-imports/{job_id}/errors").json()
    assert errors["items"][0]["column"] == "价格" and "两位小数" in errors["items"][0]["reason"]
    formats = {f["code"] for f in http.get("/api/v1/order-import-formats").json()}
    assert {"taobao", "tmall", "jd", "pinduoduo", "douyin", "amazon"} <= formats


def test_ord02_api_refuses_bad_uploads_naming_the_field(imp):
    http = _http(imp.importer)
    wrong_store = http.post("/api/v1/order-imports", {"store_id": imp.org.store_b1.pk,
                                                      "file": SimpleUploadedFile("a.csv", b"x")})
    assert wrong_store.status_code in (400, 404) and wrong_store.json()["error"]["field"] == "store_id"
    bad_header = http.post("/api/v1/order-imports", {
        "store_id": imp.org.store_a1.pk, "file": SimpleUploadedFile("a.csv", "订单编号\n1\n".encode())})
    assert bad_header.status_code == 400 and bad_header.json()["error"]["field"] == "file"
    unknown = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk, "format_code": "nope",
                                                  "file": SimpleUploadedFile("a.csv", b"x")})
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "format_code"


def test_ord02_cli_imports_with_progress_and_exit_codes(imp, capsys, tmp_path):
    call_command("import-orders", str(FIXTURES / "taobao_gb18030.csv"), "--store", "A1", "--user", "importer_a")
    out = capsys.readouterr()
    assert "新增 3" in out.out and "行/s" in out.err
    assert Order.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(taobao_csv([tb_row("Z1", qty="-1")]))
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exited:
        call_command("import-orders", str(bad), "--store", "A1", "--user", "importer_a", "--errors", str(errors))
    assert exited.value.code == 1 and load_workbook(errors).worksheets[0].max_row == 2
    with pytest.raises(CommandError):
        call_command("import-orders", str(tmp_path / "missing.csv"), "--store", "A1")
    with pytest.raises(CommandError):
        call_command("import-orders", str(bad), "--store", "NOPE")


@pytest.mark.django_db(transaction=True)
def test_ord02_the_database_queue_runs_the_job(imp, settings):
    """With the real (database) backend the upload only queues; the worker runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "imports"]}}
    from ecomops.orderimport import actions
    from ecomops.orderimport.models import ImportFormat

    job = actions.upload(user=imp.importer, store=imp.org.store_a1, fmt=ImportFormat.objects.get(code="taobao"),
                         upload=SimpleUploadedFile("a.csv", (FIXTURES / "taobao_utf8.csv").read_bytes()))
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and not Order.objects.exists()
    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False)
    job.refresh_from_db()
    assert job.state == JobState.DONE and Order.objects.count() == 3
