"""FUL-01: pickers scanning the same line at once never confirm more than it needs (row locks and a
conditional update; both databases)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from ecomops.core.errors import BusinessError
from ecomops.waves import actions
from ecomops.waves.models import PickLine, PickState

from .conftest import printed_batch, reviewed


@pytest.mark.django_db(transaction=True)
def test_ful01_pickers_scanning_one_line_at_once_never_over_pick(od, org, floor):
    orders = [reviewed(od, org, f"R{i}", {"P-1": 1}) for i in range(6)]
    wave = actions.create_wave(printed_batch(orders, printer=floor.printer), user=floor.picker).wave
    line = PickLine.objects.get(wave=wave)
    assert line.quantity == 6
    workers = 4
    barrier = threading.Barrier(workers)
    done, refused, errors = [], [], []

    def worker(n):
        try:
            barrier.wait()
            actions.scan_pick(wave, user=floor.picker, bin_code="A-02-01", sku_code="TEA-001-250", quantity=2)
            done.append(n)
        except BusinessError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    line.refresh_from_db()
    assert len(done) == 3 and len(refused) == 1
    assert line.picked == 6 and line.state == PickState.PICKED
