"""ORD-01 / WMS-10 under parallel scanners: several packers scan the same parcels onto carriers'
manifests at once. Each order ships once, its units leave the ledger exactly once (the orders'
reconciliation is empty), no balance goes negative, and every other scan is told the parcel is
already on a manifest (409). Runs on SQLite and PostgreSQL alike (``DATABASE_URL``)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client as HttpClient

from ecomops.core.errors import BusinessError, Conflict
from ecomops.fulfilment import actions
from ecomops.fulfilment.models import HandoverParcel, PackCheck
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent
from ecomops.orders.shipments import shipment_differences

WORKERS = 6


def _weighed(st, number, qty):
    order = st.ready(number, qty=qty)
    check = actions.start_check(order.tracking_no, user=st.packer)
    for _n in range(qty):
        actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    actions.weigh(check, user=st.packer, weight_g=actions.expected_weight(PackCheck.objects.get(pk=check.pk)).grams)
    return order


@pytest.mark.django_db(transaction=True)
def test_ord01_parallel_scanners_ship_each_parcel_once(st):
    orders = [_weighed(st, f"RC{n}", qty=n + 1) for n in range(3)]
    codes = [o.tracking_no for o in orders]
    first = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    second = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    barrier = threading.Barrier(WORKERS)
    done, refused, errors = [], [], []

    def worker(n):
        try:
            handover = first if n % 3 else second  # two manifests race for the same parcels too
            api = HttpClient() if n == 5 else None
            if api is not None:
                api.force_login(st.packer)
            barrier.wait()
            for code in (codes if n % 2 else list(reversed(codes))):
                if api is not None:
                    answer = api.post(f"/api/v1/fulfilment/handovers/{handover.pk}/scan",
                                      {"code": code}, content_type="application/json")
                    if answer.status_code == 201:
                        done.append(code)
                    else:
                        refused.append(answer.json()["error"]["code"])
                    continue
                try:
                    actions.scan_out(handover, code, user=st.packer)
                    done.append(code)
                except BusinessError as error:
                    refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(done) == sorted(codes)  # each parcel scanned out exactly once
    assert sorted(refused) == [Conflict.code] * (WORKERS * len(codes) - len(codes))
    assert HandoverParcel.objects.count() == len(codes)
    for qty, order in enumerate(orders, start=1):
        order.refresh_from_db()
        assert order.state == OrderState.SHIPPED
        moves = StockMove.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(order.pk))
        assert sum(m.quantity for m in moves) == qty
        assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.SHIPPED).count() == 1
    assert StockBalance.objects.get(bin=st.wh.hz_bin, sku=st.od.sku).on_hand == 30 - 6
    assert not StockBalance.objects.filter(on_hand__lt=0).exists()
    assert not StockBalance.objects.filter(reserved__lt=0).exists()
    assert not shipment_differences() and not differences()
    assert Order.objects.filter(state=OrderState.SHIPPED).count() == len(codes)


@pytest.mark.django_db(transaction=True)
def test_ful05_parallel_prepack_sittings_never_pack_more_than_planned(st):
    """FUL-05: several packers record sittings of one pre-pack job at once: the job never counts more
    than planned, the units moved into the prepack bin equal the parcels counted, the packaging spent
    equals them too, and the ledger stays reconciled."""
    from ecomops.fulfilment import prepack
    from ecomops.fulfilment.models import PrepackJob
    from ecomops.inventory import actions as stock_actions
    from ecomops.inventory.enums import BinKind
    from ecomops.supply.models import PackagingBalance

    from .conftest import make_user

    boss = make_user("race_pp", "fulfilment.view_prepackjob", "fulfilment.add_prepackjob", "fulfilment.prepack",
                     "supply.add_packagingmove", client=st.org.client_a)
    to_bin = stock_actions.create_bin(st.wh.hz, user=st.org.admin, code="PP-R", kind=BinKind.PREPACK)
    job = prepack.create_job(user=boss, warehouse=st.wh.hz, sku=st.od.sku, quantity=7, material=st.carton,
                             to_bin=to_bin)
    barrier = threading.Barrier(WORKERS)
    done, refused, errors = [], [], []

    def worker(n):
        try:
            barrier.wait()
            for _round in range(2):
                try:
                    prepack.record(job, user=boss, quantity=1 + n % 2)
                    done.append(1 + n % 2)
                except BusinessError as error:
                    refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    job = PrepackJob.objects.get(pk=job.pk)
    assert job.packed == sum(done) <= 7 and job.packed >= 6  # the last refusals leave at most one unit
    assert refused  # 12 attempts of 1 or 2 units cannot all fit in 7
    moved = sum(StockMove.objects.filter(doc_kind=DocKind.PREPACK, doc_id=str(job.pk)).values_list("quantity",
                                                                                                   flat=True))
    assert moved == job.packed == StockBalance.objects.get(bin=to_bin, sku=st.od.sku).on_hand
    assert PackagingBalance.objects.get(material=st.carton, warehouse=st.wh.hz).on_hand == 20 - job.packed
    assert not differences()
