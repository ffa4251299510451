"""ORD-02: chunks, the review call after each committed chunk, crash points and personal data kept out of the
records. A property test: however the file is chunked and wherever the worker dies, resuming gives
exactly what one uninterrupted run gives, and importing the file again changes nothing."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomops.orderimport import actions, engine
from ecomops.orderimport.enums import JobState
from ecomops.orderimport.models import ImportedOrder, ImportFormat, ImportJob, ImportRowError
from ecomops.orders.models import Order, OrderEvent, OrderLine

from .conftest import taobao_csv, tb_row

UNPAID = {"订单状态": "等待买家付款", "订单付款时间": ""}
_prefixes = itertools.count(1)


def _job(imp, rows) -> ImportJob:
    return actions.create_job(user=imp.importer, store=imp.org.store_a1,
                              fmt=ImportFormat.objects.get(code="taobao_merged"),
                              upload=SimpleUploadedFile("orders.csv", taobao_csv(rows)))


def _snapshot(prefix: str) -> list:
    orders = Order.objects.filter(platform_order_no__startswith=prefix).order_by("platform_order_no")
    return [(o.platform_order_no, o.state, str(o.paid_amount), o.phone_hash,
             sorted(o.lines.values_list("line_no", "sku_id", "quantity")),
             sorted(o.events.values_list("kind", flat=True)))
            for o in orders]


def test_ord02_signal_after_each_committed_chunk_names_the_orders(imp, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    """ORD-02 (hook for ORD-03 automatic review): one ``orders.hooks.review_imported`` call per committed chunk with the
    store and the ids of the orders created or updated in it; a re-import of the same file sends none."""
    monkeypatch.setattr(engine, "CHUNK", 2)
    sent = []

    def receiver(*, store, order_ids):
        sent.append((store.pk, list(order_ids)))

    with monkeypatch.context() as patched:
        patched.setattr("ecomops.orders.hooks.review_imported", receiver)
        rows = [tb_row(f"SG{n}") for n in range(5)]
        with django_capture_on_commit_callbacks(execute=True):
            job = engine.run(_job(imp, rows))
        assert job.state == JobState.DONE and len(sent) == 3
        assert all(store_id == imp.org.store_a1.pk for store_id, _ids in sent)
        assert [len(ids) for _s, ids in sent] == [2, 2, 1]
        ids = [i for _s, chunk in sent for i in chunk]
        assert sorted(ids) == sorted(Order.objects.filter(platform_order_no__startswith="SG").values_list("pk",
                                                                                                           flat=True))
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            engine.run(_job(imp, rows))
        assert sent == []
        changed = [*rows[:4], tb_row("SG4", **{"商家备注": "加急"})]
        with django_capture_on_commit_callbacks(execute=True):
            engine.run(_job(imp, changed))
        assert sent == [(imp.org.store_a1.pk, [Order.objects.get(platform_order_no="SG4").pk])]


def test_ord02_no_plain_phone_or_address_in_events_errors_or_job_records(imp):
    """Personal data stays encrypted: events, row errors and history reasons show at most the masks of
    ``orders.queries``; the stored column is ciphertext."""
    phone, address = "13912345678", "浙江省 杭州市 西湖区 保俶路 77 号 9 幢 901 室"
    imp.upload(taobao_csv([tb_row("PD1"), tb_row("PD2")]))
    job = imp.upload(taobao_csv([
        tb_row("PD1", **{"联系手机": phone, "收货地址": address}),
        tb_row("PD2", **{"联系手机": phone, "购买数量": "x"}),
    ]))
    assert (job.orders_updated, job.orders_failed) == (1, 1)
    texts = [str(e.data) + e.note for e in OrderEvent.objects.all()]
    texts += [e.reason + e.column for e in ImportRowError.objects.all()]
    texts += [str(h.history_change_reason) for h in Order.history.all()]
    for text in texts:  # orders' own masks at most (mask_address keeps the street, hides building and room)
        assert phone not in text and address not in text and "9 幢 901" not in text
    order = Order.objects.get(platform_order_no="PD1")
    assert order.receiver_phone == phone  # decrypted on read, only for who may see it
    raw = Order.objects.filter(pk=order.pk).values_list("receiver_phone", flat=True).query
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(*raw.sql_with_params())
        stored = cursor.fetchone()[0]
    assert phone not in stored


@pytest.mark.parametrize("crash_after", [1, 2, 3])
def test_ord02_resume_after_any_chunk_equals_one_run(imp, monkeypatch, crash_after):
    """Killed after chunk k (k = 1, 2, 3), the resumed job ends where an uninterrupted one does."""
    monkeypatch.setattr(engine, "CHUNK", 2)
    rows = []
    for n in range(7):
        rows.append(tb_row(f"K{n}", **(UNPAID if n % 3 == 0 else {})))
        if n % 2:
            rows.append(tb_row(f"K{n}", code="2000000000022"))
    job = _job(imp, rows)
    with pytest.raises(RuntimeError):
        engine.run(job, crash_after_chunks=crash_after)
    assert Order.objects.count() == 2 * crash_after
    job = actions.resume(job, user=imp.importer, background=False)
    assert (job.state, job.orders_created, job.rows_done) == (JobState.DONE, 7, 10)
    assert Order.objects.count() == 7 and OrderLine.objects.count() == 10 and ImportedOrder.objects.count() == 7
    resumed = [row[1:] for row in _snapshot("K")]
    engine.run(_job(imp, [{**r, "订单编号": "Z" + r["订单编号"]} for r in rows]))
    assert resumed == [row[1:] for row in _snapshot("ZK")]


@st.composite
def order_files(draw):
    """Orders of 1–3 lines (matched by platform code or barcode), paid or unpaid."""
    count = draw(st.integers(min_value=1, max_value=9))
    orders = []
    for n in range(count):
        lines = draw(st.lists(st.sampled_from(["P-1", "2000000000022"]), min_size=1, max_size=3))
        unpaid = draw(st.booleans())
        quantities = draw(st.lists(st.integers(1, 5), min_size=len(lines), max_size=len(lines)))
        orders.append((n, lines, unpaid, quantities))
    chunk = draw(st.integers(min_value=1, max_value=4))
    crash = draw(st.integers(min_value=1, max_value=4))
    return orders, chunk, crash


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=order_files())
def test_ord02_property_any_chunking_and_crash_point_gives_one_runs_result(imp, monkeypatch, case):
    """ORD-02 property: for any file, chunk size and crash point, crash + resume = one clean run, and a
    second import of the file is all "unchanged" with no new rows anywhere."""
    orders, chunk, crash = case
    tag = f"H{next(_prefixes)}-"
    monkeypatch.setattr(engine, "CHUNK", chunk)

    def rows(prefix):
        out = []
        for n, codes, unpaid, quantities in orders:
            for code, qty in zip(codes, quantities, strict=True):
                out.append(tb_row(f"{prefix}{n}", code=code, qty=str(qty), **(UNPAID if unpaid else {})))
        return out

    job = _job(imp, rows(tag + "a"))
    try:
        engine.run(job, crash_after_chunks=crash)
    except RuntimeError:
        job = actions.resume(job, user=imp.importer, background=False)
    else:
        job.refresh_from_db()
    assert job.state == JobState.DONE and job.orders_created == len(orders)
    engine.run(_job(imp, rows(tag + "b")))
    assert [r[1:] for r in _snapshot(tag + "a")] == [r[1:] for r in _snapshot(tag + "b")]
    counts = (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count())
    again = engine.run(_job(imp, rows(tag + "a")))
    assert (again.orders_created, again.orders_updated, again.orders_unchanged) == (0, 0, len(orders))
    assert counts == (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count())
