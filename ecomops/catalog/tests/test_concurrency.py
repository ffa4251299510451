"""CAT-04 under load: editors creating styles at the same moment never get the same in-store barcode or
SKU code, and nothing fails half-way. Real threads, real connections, on SQLite and PostgreSQL."""

import threading

import pytest

from ecomops.catalog import actions, barcodes
from ecomops.catalog.models import SKU, Style
from ecomops.org.models import Client

WORKERS = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_style_creation_hands_out_distinct_barcodes(django_user_model):
    editor = django_user_model.objects.create_superuser("editor", password=None)
    client = Client.objects.create(code="RACE", name="并发测试")
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker(n):
        from django.db import connections

        try:
            barrier.wait()
            actions.create_style(user=editor, client=client, style_no=f"R{n}", name=f"并发款 {n}", unit_cost="1",
                                 price="2", colours=["黑", "白"], sizes=["M", "L"])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Style.objects.count() == WORKERS
    codes = list(SKU.objects.values_list("barcode", flat=True))
    assert len(codes) == WORKERS * 4 == len(set(codes))
    assert all(barcodes.is_internal_ean13(code) for code in codes)
