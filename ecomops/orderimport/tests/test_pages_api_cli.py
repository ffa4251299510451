"""ORD-02 from the page (upload → background job → progress → error report), the API, the CLI and
the database task queue; scoping everywhere."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportJob
from ecomops.orders.models import Order

from .conftest import FIXTURES, taobao_csv, tb_item, tb_order, tb_pair, tb_row
from .conftest import http_client as _http


def test_ord02_page_upload_runs_in_background_and_shows_progress_and_errors(imp, immediate,
                                                                             django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    index = http.get(reverse("orderimport:imports"))
    assert index.status_code == 200 and "甲品牌淘宝店" in index.content.decode()
    assert "乙" not in index.content.decode().split('name="store"')[1].split("</select>")[0]  # only own stores
    # ORD-02: the Taobao store's own export, its two files (订单报表 + 宝贝报表).
    orders, items = tb_pair([tb_order("P1"), tb_order("P2")], [tb_item("P1"), tb_item("P2", qty="x")])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("orderimport:upload"), {
            "store": imp.org.store_a1.pk, "file": SimpleUploadedFile("ExportOrderList.csv", orders),
            "second_file": SimpleUploadedFile("ExportOrderDetailList.csv", items)})
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
    assert rows[0] == ("文件", "行号", "列", "平台订单号", "原因")
    assert rows[1][:3] == ("ExportOrderDetailList.csv", 3, "购买数量")


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
            "store_id": imp.org.store_a1.pk, "format_code": "taobao_merged",
            "file": SimpleUploadedFile("a.csv", taobao_csv([tb_row("Q1"), tb_row("Q2", price="1.001")]))})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    got = http.get(f"/api/v1/order-imports/{job_id}").json()
    assert got["state"] == "done" and got["orders_created"] == 1 and got["rows_failed"] == 1 and got["percent"] == 100
    errors = http.get(f"/api/v1/order-imports/{job_id}/errors").json()
    assert errors["items"][0]["column"] == "价格" and "两位小数" in errors["items"][0]["reason"]
    formats = {f["code"] for f in http.get("/api/v1/order-import-formats").json()}
    assert {"taobao", "tmall", "jd", "pinduoduo", "douyin", "amazon"} <= formats


def test_ord02_api_refuses_bad_uploads_naming_the_field(imp, immediate, django_capture_on_commit_callbacks):
    http = _http(imp.importer)
    wrong_store = http.post("/api/v1/order-imports", {"store_id": imp.org.store_b1.pk,
                                                      "file": SimpleUploadedFile("a.csv", b"x")})
    assert wrong_store.status_code in (400, 404) and wrong_store.json()["error"]["field"] == "store_id"
    wrong_kind = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk,
                                                     "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert wrong_kind.status_code == 400 and wrong_kind.json()["error"]["field"] == "file"
    # The header is the job's to check, in the background: the upload is accepted, the job fails with why.
    with django_capture_on_commit_callbacks(execute=True):
        bad_header = http.post("/api/v1/order-imports", {
            "store_id": imp.org.store_a1.pk, "file": SimpleUploadedFile("a.csv", "订单编号\n1\n".encode())})
    assert bad_header.status_code == 201 and bad_header.json()["state"] == "queued"
    job = http.get(f"/api/v1/order-imports/{bad_header.json()['id']}").json()
    assert job["state"] == "failed" and "缺少必需的列" in job["failure"]
    unknown = http.post("/api/v1/order-imports", {"store_id": imp.org.store_a1.pk, "format_code": "nope",
                                                  "file": SimpleUploadedFile("a.csv", b"x")})
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "format_code"


def test_ord02_cli_imports_with_progress_and_exit_codes(imp, capsys, tmp_path):
    call_command("import-orders", str(FIXTURES / "taobao_gb18030.csv"), "--store", "A1", "--user", "importer_a",
                 "--format", "taobao_merged")
    out = capsys.readouterr()
    assert "新增 3" in out.out and "行/s" in out.err
    assert Order.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(taobao_csv([tb_row("Z1", qty="-1")]))
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exited:
        call_command("import-orders", str(bad), "--store", "A1", "--user", "importer_a", "--errors", str(errors),
                     "--format", "taobao_merged")
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

    job = actions.upload(user=imp.importer, store=imp.org.store_a1, fmt=ImportFormat.objects.get(code="taobao_merged"),
                         upload=SimpleUploadedFile("a.csv", (FIXTURES / "taobao_utf8.csv").read_bytes()))
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and not Order.objects.exists()
    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False)
    job.refresh_from_db()
    assert job.state == JobState.DONE and Order.objects.count() == 3


def test_ord02_error_report_never_carries_a_live_formula(imp):
    """A hostile order number in the upload comes back as text in the report, not as a formula."""
    import zipfile

    hostile = "=cmd|' /C calc'!A0"
    job = imp.upload(taobao_csv([tb_row(hostile, qty="x")]), name="+evil.csv")
    response = _http(imp.importer).get(reverse("orderimport:job_errors", args=[job.pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    book = load_workbook(io.BytesIO(response.content))
    first = list(book.worksheets[0].iter_rows())[1]
    assert first[0].data_type == "n" and first[2].data_type == "s" and first[2].value == "'" + hostile
    assert ["文件", "'+evil.csv"] in [[c.value for c in r] for r in book.worksheets[1].iter_rows()]


def test_ord02_api_rematch_is_reachable_and_releases_held_orders(imp):
    """``POST /api/v1/order-imports/rematch`` used to answer 405: ``/order-imports/{job_id}`` came first."""
    import json

    from ecomops.catalog.models import PlatformSKU

    imp.upload(taobao_csv([tb_row("RM1", code="LATER-1")]))
    assert Order.objects.get(platform_order_no="RM1").state == "on_hold"
    PlatformSKU.objects.create(store=imp.org.store_a1, sku=imp.sku, platform_sku_code="LATER-1")
    http = _http(imp.importer)
    response = http.post("/api/v1/order-imports/rematch", json.dumps({"store_id": imp.org.store_a1.pk}),
                         content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"lines": 1, "released": 1}
    assert Order.objects.get(platform_order_no="RM1").state == "paid"
    other = http.post("/api/v1/order-imports/rematch", json.dumps({"store_id": imp.org.store_b1.pk}),
                      content_type="application/json")
    assert other.status_code in (400, 404) and other.json()["error"]["field"] == "store_id"


def test_no_api_route_is_shadowed_by_a_route_with_a_parameter():
    """Every fixed API path resolves to its own operation, never to an earlier ``{id}`` pattern."""
    from django.urls import resolve
    from django.urls.resolvers import RoutePattern

    from ecomops.api import api

    patterns = api.urls[0]
    fixed = [p for p in patterns if isinstance(p.pattern, RoutePattern) and "<" not in str(p.pattern)]
    assert len(fixed) > 50
    for pattern in fixed:
        route = "/api/v1/" + str(pattern.pattern)
        assert resolve(route).route == "api/v1/" + str(pattern.pattern), route
