"""Issue 15: a big order export runs in the background (我的导出) with its progress and, when done, a
download link for its owner only; the file is the direct export's, masked the same way, the rows those
the owner may see when the job runs, a failure kept with its message. And the order list's pages,
fetched by key (``core.paging.KeyPaginator``), are the same pages as before."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ecomops.audit.models import PersonalDataAccess
from ecomops.core.errors import BusinessError
from ecomops.orders import exports
from ecomops.orders.models import ExportJob, Order

from .test_review import _http

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "imports"]}}


@pytest.fixture
def background(settings, tmp_path):
    """Every export above one row goes to the background; tasks run at once; files in a temp dir."""
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORDER_EXPORT_DIRECT_ROWS = 1
    return settings


def _rows(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _start(http, capture, query: str = "", reveal: bool = False):
    data = {"query": query, **({"reveal": "1"} if reveal else {})}
    with capture(execute=True):
        response = http.post("/orders/exports/start/", data)
    return response


def _download(http, job: ExportJob) -> bytes:
    response = http.get(job.file.url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_big_export_asks_first_then_runs_in_the_background(od, org, background,
                                                              django_capture_on_commit_callbacks):
    http = _http(od.clerk)
    ask = http.get("/orders/export.xlsx", {"store": ""})
    assert ask.status_code == 200 and 'data-testid="export-start"' in ask.content.decode()
    assert not ExportJob.objects.exists()  # a GET starts nothing
    response = _start(http, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/orders/exports/"
    job = ExportJob.objects.get()
    assert (job.user, job.state, job.rows_done, job.rows_total, job.percent) == (od.clerk, "done", 2, 2, 100)
    assert job.started_at and job.finished_at and not job.error
    page = http.get("/orders/exports/").content.decode()
    assert 'data-testid="export-download"' in page and job.file.url in page
    assert "hx-trigger" not in page  # nothing running: no polling
    background_rows = _rows(_download(http, job))
    background.ORDER_EXPORT_DIRECT_ROWS = 5000
    direct = http.get("/orders/export.xlsx")
    assert _rows(b"".join(direct.streaming_content)) == background_rows  # the same file, masked the same
    assert {row[0] for row in background_rows[1:]} == {"TB1001", "JD2001"}  # client B's order is not there
    a1 = next(row for row in background_rows if row[0] == "TB1001")
    assert "13812345678" not in a1 and "138******78" in a1 and "张*丰" in a1
    assert not PersonalDataAccess.objects.exists()


def test_the_filters_travel_with_the_job(od, org, background, django_capture_on_commit_callbacks):
    http = _http(od.clerk)
    _start(http, django_capture_on_commit_callbacks, query=f"store={org.store_a2.pk}")
    job = ExportJob.objects.get()
    assert job.rows_done == 1 and [row[0] for row in _rows(_download(http, job))[1:]] == ["JD2001"]


def test_the_job_sees_the_owner_s_orders_when_it_runs(od, org, background):
    """DAT-02: the filters name another client's store; the owner's scope still decides."""
    job = ExportJob.objects.create(user=od.clerk, query=f"store={org.store_b1.pk}")
    exports.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.rows_done == 0
    assert _rows(job.file.read())[1:] == []


def test_another_user_cannot_see_or_download_the_file(od, org, background, django_capture_on_commit_callbacks):
    _start(_http(od.clerk), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    for other in (od.cs, od.clerk_b, org.admin):  # same client, another client, the superuser
        http = _http(other)
        assert http.get(job.file.url).status_code == 404
        assert job.file.url not in http.get("/orders/exports/").content.decode()


def test_crm03_an_unmasked_background_export_needs_the_right_and_logs_every_order(
        od, org, background, django_capture_on_commit_callbacks):
    assert _http(od.clerk).get("/orders/export.xlsx", {"reveal": "1"}).status_code == 403
    response = _start(_http(od.clerk), django_capture_on_commit_callbacks, reveal=True)
    assert response.status_code == 302 and response["Location"].startswith("/orders/")
    assert not ExportJob.objects.exists()
    http = _http(od.store_clerk)
    _start(http, django_capture_on_commit_callbacks, reveal=True)
    job = ExportJob.objects.get()
    rows = _rows(_download(http, job))
    assert [row[0] for row in rows[1:]] == ["TB1001"] and "13812345678" in rows[1]
    logged = PersonalDataAccess.objects.get()
    assert logged.user == od.store_clerk and logged.object_id == str(od.a1.pk) and logged.purpose == "order export"
    assert logged.ip_address == "127.0.0.1"


def test_a_failure_is_kept_with_its_message(od, org, background, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise BusinessError("磁盘已满")

    monkeypatch.setattr(exports, "export_orders", broken)
    http = _http(od.clerk)
    _start(http, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert (job.state, job.error, bool(job.file)) == ("failed", "磁盘已满", False) and job.finished_at
    page = http.get("/orders/exports/").content.decode()
    assert "磁盘已满" in page and 'data-testid="export-download"' not in page

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(exports, "export_orders", crash)
    again = ExportJob.objects.create(user=od.clerk)
    assert exports.run_export_job(again.pk).state == "failed"
    assert ExportJob.objects.get(pk=again.pk).error == "boom"


def test_progress_is_saved_every_chunk(od, org, background, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 1)
    seen = []
    original = exports.export_orders

    def spy(*args, progress=None, **kwargs):
        def record(done, total):
            seen.append((done, total))
            progress(done, total)
            assert ExportJob.objects.get().rows_done == done  # saved as it goes, for the polling page

        return original(*args, progress=record, **kwargs)

    monkeypatch.setattr(exports, "export_orders", spy)
    job = ExportJob.objects.create(user=od.clerk)
    exports.run_export_job(job.pk)
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert ExportJob.objects.get().state == "done"


def test_the_jobs_page_polls_while_a_job_runs(od, org, background):
    ExportJob.objects.create(user=od.clerk, rows_total=10, rows_done=4, state="running")
    http = _http(od.clerk)
    page = http.get("/orders/exports/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'data-eo-width="40"' in page and "4 / 10" in page
    partial = http.get("/orders/exports/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="export-jobs"') and "<html" not in partial
    assert "4 / 10" not in _http(od.cs).get("/orders/exports/").content.decode()  # one's own jobs only


def test_a_job_is_not_run_twice(od, org, background):
    job = ExportJob.objects.create(user=od.clerk, state="done")
    assert exports.run_export_job(job.pk).state == "done" and not ExportJob.objects.get().file


def test_a_small_export_stays_direct(od, org, background, django_capture_on_commit_callbacks):
    background.ORDER_EXPORT_DIRECT_ROWS = 2
    response = _http(od.clerk).get("/orders/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_the_list_pages_by_key_give_the_same_pages(od, org, monkeypatch):
    from ecomops.orders import views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    expected = list(Order.objects.filter(store__client=org.client_a).order_by("-placed_at", "-pk")
                    .values_list("platform_order_no", flat=True))
    http = _http(od.clerk)
    shown = []
    for number in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            page = http.get("/orders/", {"page": number}).content.decode()
        shown.append(next(no for no in expected if f">{no}</a>" in page))
        assert "共 2 条" in page
        listed = [q["sql"] for q in queries.captured_queries if 'FROM "orders_order"' in q["sql"]]
        # The page's keys alone, offset on the index; then the rows by key, receivers left unread.
        keys = [sql for sql in listed if sql.startswith('SELECT "orders_order"."id" AS "pk" FROM')]
        assert len(keys) == 1 and "ORDER BY" in keys[0] and ("OFFSET 1" in keys[0]) == (number == 2)
        rows = [sql for sql in listed if '"orders_order"."platform_order_no"' in sql]
        assert rows and all("OFFSET" not in sql and "receiver_name" not in sql for sql in rows)
    assert shown == expected
