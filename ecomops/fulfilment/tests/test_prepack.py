"""FUL-05 pre-packing: bestsellers packed ahead into a prepack bin (stock moved on the ledger, packaging
consumed), single-unit orders take those parcels first and are not packed again at the station."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecomops.catalog.models import SKU, Style
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.fulfilment import actions, prepack
from ecomops.fulfilment.enums import CheckState, PrepackState
from ecomops.fulfilment.models import PackCheck, PrepackJob
from ecomops.inventory import actions as stock_actions
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.models import ReservationAllocation, StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderEventKind
from ecomops.orders.models import Order
from ecomops.supply.models import PackagingBalance, PackagingMaterial, Promotion
from ecomops.supply.packaging import enter_promotion

from .conftest import make_user

PREPACK = ("fulfilment.view_prepackjob", "fulfilment.add_prepackjob", "fulfilment.prepack")


@pytest.fixture
def pp(st):
    """The station's world plus a prepack bin at HZ and a supervisor who plans and packs."""
    st.pp_bin = stock_actions.create_bin(st.wh.hz, user=st.org.admin, code="PP-01", kind=BinKind.PREPACK)
    st.boss = make_user("pp_boss", *PREPACK, "supply.add_packagingmove", "supply.view_packagingmaterial",
                        "supply.add_promotion", client=st.org.client_a)
    return st


def on_hand(bin_, sku) -> int:
    return sum(StockBalance.objects.filter(bin=bin_, sku=sku).values_list("on_hand", flat=True))


def cartons(st) -> int:
    return PackagingBalance.objects.get(material=st.carton, warehouse=st.wh.hz).on_hand


def job_of(pp, quantity=5, **kwargs) -> PrepackJob:
    return prepack.create_job(user=pp.boss, warehouse=pp.wh.hz, sku=pp.od.sku, quantity=quantity,
                              material=pp.carton, to_bin=pp.pp_bin, **kwargs)


def refused(call, *args, **kwargs) -> BusinessError:
    with pytest.raises(BusinessError) as error:
        call(*args, **kwargs)
    return error.value


# --- the job ------------------------------------------------------------------------------------------


def test_ful05_sittings_move_units_into_the_prepack_bin_and_consume_packaging(pp):
    job = job_of(pp, 5)
    assert job.state == PrepackState.OPEN and job.number.startswith("YB") and job.due_on == timezone.localdate()
    prepack.record(job, user=pp.boss, quantity=3)
    job.refresh_from_db()
    assert (job.packed, job.state) == (3, PrepackState.OPEN)
    assert on_hand(pp.pp_bin, pp.od.sku) == 3 and on_hand(pp.wh.hz_bin, pp.od.sku) == 27
    assert cartons(pp) == 17
    # more than the job still plans: refused, nothing moves
    error = refused(prepack.record, job, user=pp.boss, quantity=3)
    assert error.field == "quantity" and "只剩 2 件" in error.message
    assert on_hand(pp.pp_bin, pp.od.sku) == 3 and cartons(pp) == 17
    prepack.record(job, user=pp.boss, quantity=2)
    job.refresh_from_db()
    assert (job.packed, job.state, job.closed_by) == (5, PrepackState.DONE, pp.boss)
    moves = StockMove.objects.filter(doc_kind=DocKind.PREPACK, doc_id=str(job.pk))
    assert sorted(m.quantity for m in moves) == [2, 3]
    assert {(m.from_bin_id, m.to_bin_id) for m in moves} == {(pp.wh.hz_bin.pk, pp.pp_bin.pk)}
    assert {m.doc_number for m in moves} == {job.number}
    assert differences() == []
    with pytest.raises(Conflict):
        prepack.record(job, user=pp.boss, quantity=1)
    assert job.history.count() >= 3  # created, a sitting, done: who and when for each


def test_ful05_a_sitting_without_enough_packaging_writes_nothing(pp):
    job = job_of(pp, 25)  # 30 units free, 20 cartons
    error = refused(prepack.record, job, user=pp.boss, quantity=25)
    assert "一号纸箱" in error.message or "BOX-1" in error.message
    job.refresh_from_db()
    assert job.packed == 0 and on_hand(pp.pp_bin, pp.od.sku) == 0 and cartons(pp) == 20
    assert not StockMove.objects.filter(doc_kind=DocKind.PREPACK).exists()


def test_ful05_bad_jobs_are_refused_by_field_and_nothing_is_created(pp):
    org = pp.org
    assert refused(prepack.create_job, user=pp.boss, warehouse=pp.wh.hz, sku=pp.od.sku, quantity=5,
                   material=pp.carton, to_bin=pp.wh.hz_bin).field == "to_bin"  # a normal bin
    assert refused(prepack.create_job, user=pp.boss, warehouse=pp.wh.sh, sku=pp.od.sku, quantity=5,
                   material=pp.carton, to_bin=pp.pp_bin).field == "to_bin"  # a bin of another warehouse
    error = refused(job_of, pp, 31)
    assert error.field == "quantity" and "可用 30 件" in error.message
    for bad in (0, -1, "三", 1.5, True):
        assert refused(job_of, pp, bad).field == "quantity"
    assert refused(prepack.create_job, user=pp.boss, warehouse=pp.wh.hz, sku=pp.od.sku, quantity=5,
                   material=None, to_bin=pp.pp_bin).field == "material"
    style_b = Style.objects.create(client=org.client_b, style_no="B-001", name="T恤", unit_cost=Decimal("10.00"),
                                   price=Decimal("20.00"))
    other = SKU.objects.create(client=org.client_b, style=style_b, sku_code="B-SKU-1", barcode="2000000000022",
                               barcode_source="external")
    pp.wh.put(pp.wh.hz_bin, 5, sku=other)
    assert refused(prepack.create_job, user=pp.boss, warehouse=pp.wh.hz, sku=other, quantity=1,
                   material=pp.carton, to_bin=pp.pp_bin).field == "sku"  # DAT-02: another client's SKU
    promo_sh = Promotion.objects.create(name="双12", starts_on=timezone.localdate() + timedelta(days=5),
                                        warehouse=pp.wh.sh, prepare_on=timezone.localdate() + timedelta(days=2),
                                        created_by=org.admin)
    assert refused(job_of, pp, 5, promotion=promo_sh).field == "promotion"
    with pytest.raises(NotAllowed):
        prepack.create_job(user=pp.packer, warehouse=pp.wh.hz, sku=pp.od.sku, quantity=5, material=pp.carton,
                           to_bin=pp.pp_bin)  # the station's packer does not plan
    assert not PrepackJob.objects.exists()


def test_ful05_a_promotion_job_is_due_on_its_preparation_day(pp):
    starts = timezone.localdate() + timedelta(days=10)
    promotion = enter_promotion(user=pp.boss, name="双12", starts_on=starts, warehouse=pp.wh.hz)
    job = job_of(pp, 4, promotion=promotion)
    assert job.due_on == promotion.prepare_on == starts - timedelta(days=3)  # FUL-05.prepack_days_before_promotion
    assert list(promotion.prepack_jobs.all()) == [job]


def test_ful05_closing_early(pp):
    untouched = job_of(pp, 5)
    assert refused(prepack.close, untouched, user=pp.boss, reason=" ").field == "reason"
    prepack.close(untouched, user=pp.boss, reason="大促取消")
    untouched.refresh_from_db()
    assert untouched.state == PrepackState.CANCELLED and "大促取消" in untouched.note
    started = job_of(pp, 5)
    prepack.record(started, user=pp.boss, quantity=2)
    prepack.close(started, user=pp.boss, reason="够用了")
    started.refresh_from_db()
    assert (started.state, started.packed) == (PrepackState.DONE, 2)
    assert on_hand(pp.pp_bin, pp.od.sku) == 2  # the parcels packed stay
    with pytest.raises(Conflict):
        prepack.close(started, user=pp.boss, reason="again")


def test_ful05_another_clients_job_is_unknown(pp):
    job = job_of(pp, 2)
    outsider = make_user("pp_b", *PREPACK, "supply.add_packagingmove", client=pp.org.client_b)
    error = refused(prepack.record, job, user=outsider, quantity=1)
    assert error.code == "not_found"
    assert refused(prepack.close, job, user=outsider, reason="x").code == "not_found"


# --- single-unit orders take the parcels --------------------------------------------------------------


def allocated_bins(order) -> set[int]:
    return set(ReservationAllocation.objects.filter(reservation__doc_kind=DocKind.ORDER,
                                                    reservation__doc_id=str(order.pk))
               .values_list("balance__bin_id", flat=True))


def test_ful05_single_unit_orders_take_prepacked_parcels_first_others_last(pp):
    job = job_of(pp, 2)
    prepack.record(job, user=pp.boss, quantity=2)
    pair = pp.ready("PP-2", qty=2)
    assert allocated_bins(pair) == {pp.wh.hz_bin.pk}  # a two-unit order leaves the parcels alone
    single = pp.ready("PP-1", qty=1)
    assert allocated_bins(single) == {pp.pp_bin.pk}
    assert prepack.prepacked_material(single) == pp.carton
    assert prepack.prepacked_material(pair) is None


def test_ful05_a_two_unit_order_takes_prepacked_parcels_only_when_nothing_else_is_left(pp):
    job = job_of(pp, 2)
    prepack.record(job, user=pp.boss, quantity=2)
    pp.ready("BIG", qty=28)  # takes every normal unit
    last = pp.ready("PAIR", qty=2)
    assert allocated_bins(last) == {pp.pp_bin.pk}  # still sellable stock
    assert prepack.prepacked_material(last) is None  # but not a pre-packed parcel: packed at the station


def test_ful05_the_station_does_not_pack_a_prepacked_parcel_again(pp):
    job = job_of(pp, 1)
    prepack.record(job, user=pp.boss, quantity=1)
    assert cartons(pp) == 19
    order = pp.ready("PP-S", qty=1)
    check = actions.start_check(order.tracking_no, user=pp.packer)
    actions.scan_item(check, pp.od.sku.barcode, user=pp.packer)
    actions.pack(check, user=pp.packer, material=None)
    check = PackCheck.objects.get(pk=check.pk)
    assert check.state == CheckState.PACKED and check.prepacked and check.material == pp.carton
    assert cartons(pp) == 19  # not consumed twice
    expected = actions.expected_weight(check)
    assert expected.grams == 250 + 100  # the SKU and the parcel's carton
    actions.weigh(check, user=pp.packer, weight_g=expected.grams)
    handover = actions.open_handover("sf_express", pp.wh.hz, user=pp.packer)
    actions.scan_out(handover, order.tracking_no, user=pp.packer)
    assert on_hand(pp.pp_bin, pp.od.sku) == 0
    events = order.events.filter(kind=OrderEventKind.PACKED)
    assert events.count() == 1 and events.get().data.get("prepacked") is True
    assert differences() == []


def test_ful05_an_ordinary_order_still_needs_its_packaging(pp):
    order = pp.ready("PP-N", qty=1)  # no parcels pre-packed: an ordinary single-unit order
    check = actions.start_check(order.tracking_no, user=pp.packer)
    actions.scan_item(check, pp.od.sku.barcode, user=pp.packer)
    assert refused(actions.pack, check, user=pp.packer, material=None).field == "material"
    actions.pack(check, user=pp.packer, material=pp.carton)
    assert not PackCheck.objects.get(pk=check.pk).prepacked and cartons(pp) == 19


# --- what to pre-pack -------------------------------------------------------------------------------------


def test_ful05_suggestions_rank_single_unit_orders_of_the_window(pp):
    other = SKU.objects.create(client=pp.org.client_a, style=pp.od.style, sku_code="TEA-001-500", size="500g",
                               barcode="2000000000039", barcode_source="external")
    pp.wh.put(pp.wh.hz_bin, 3, sku=other)
    from ecomops.catalog.models import PlatformSKU

    PlatformSKU.objects.create(store=pp.org.store_a1, sku=other, platform_sku_code="P-5")
    today = timezone.localdate()
    shipped = timezone.now() - timedelta(days=2)
    for n in range(3):
        Order.objects.filter(pk=pp.ready(f"S{n}", qty=1).pk).update(shipped_at=shipped)
    Order.objects.filter(pk=pp.ready("D1", qty=2).pk).update(shipped_at=shipped)  # two units: not single
    Order.objects.filter(pk=pp.ready("OLD", qty=1).pk).update(shipped_at=timezone.now() - timedelta(days=45))
    line = [LineInput(quantity=1, unit_price=Decimal("20.00"), platform_sku_code="P-5")]
    Order.objects.filter(pk=pp.ready("P5", lines=line).pk).update(shipped_at=shipped)
    found = prepack.suggest(pp.wh.hz, user=pp.boss, on=today)
    assert [(r.sku.sku_code, r.single_orders) for r in found.rows] == [("TEA-001-250", 3), ("TEA-001-500", 1)]
    assert "FUL-05" in found.citation and found.start == today - timedelta(days=30)
    first = found.rows[0]
    assert first.suggested == min(3, first.free)
    job = job_of(pp, 1)
    prepack.record(job, user=pp.boss, quantity=1)
    job_of(pp, 1)
    again = prepack.suggest(pp.wh.hz, user=pp.boss, on=today).rows[0]
    assert (again.prepacked, again.planned, again.suggested) == (1, 1, 1)
    assert prepack.suggest(pp.wh.hz, user=make_user("pp_nobody", *PREPACK), on=today).rows == []  # DAT-02


def test_ful05_material_without_weight_counts_zero(pp):
    bag = PackagingMaterial.objects.create(code="BAG-1", name="快递袋", unit="个")
    from ecomops.supply.packaging import create_packaging_receipt, post_packaging_receipt

    post_packaging_receipt(create_packaging_receipt(user=pp.org.admin, warehouse=pp.wh.hz, lines=[(bag, 5)]),
                           user=pp.org.admin)
    job = prepack.create_job(user=pp.boss, warehouse=pp.wh.hz, sku=pp.od.sku, quantity=1, material=bag,
                             to_bin=pp.pp_bin)
    prepack.record(job, user=pp.boss, quantity=1)
    order = pp.ready("PP-B", qty=1)
    check = actions.start_check(order.tracking_no, user=pp.packer)
    actions.scan_item(check, pp.od.sku.barcode, user=pp.packer)
    actions.pack(check, user=pp.packer, material=pp.carton)  # the material chosen is not used
    check = PackCheck.objects.get(pk=check.pk)
    assert check.prepacked and check.material == bag and actions.expected_weight(check).grams == 250
    assert cartons(pp) == 20


# --- pages and API ----------------------------------------------------------------------------------------


def http(user):
    from django.test import Client as HttpClient

    client = HttpClient()
    client.force_login(user)
    return client


def test_ful05_the_pages_plan_record_and_close_a_job(pp):
    from django.urls import reverse

    Order.objects.filter(pk=pp.ready("S1", qty=1).pk).update(shipped_at=timezone.now() - timedelta(days=1))
    client = http(pp.boss)
    page = client.get(reverse("fulfilment:prepack_list"), {"warehouse": pp.wh.hz.pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="suggestions"' in html and "TEA-001-250" in html
    assert "FUL-05.prepack_lookback_days" in html or "FUL-05" in html
    bad = client.post(reverse("fulfilment:prepack_create"), {"warehouse": pp.wh.hz.pk, "sku": pp.od.sku.pk,
                                                             "quantity": "abc", "material": pp.carton.pk,
                                                             "to_bin": pp.pp_bin.pk}, follow=True)
    assert "计划件数须为整数" in bad.content.decode() and not PrepackJob.objects.exists()
    made = client.post(reverse("fulfilment:prepack_create"), {"warehouse": pp.wh.hz.pk, "sku": pp.od.sku.pk,
                                                              "quantity": "4", "material": pp.carton.pk,
                                                              "to_bin": pp.pp_bin.pk})
    job = PrepackJob.objects.get()
    assert made.status_code == 302 and made.url == reverse("fulfilment:prepack_job", args=[job.pk])
    detail = client.get(made.url).content.decode()
    assert 'data-testid="record-form"' in detail and "0 / 4" in detail
    over = client.post(reverse("fulfilment:prepack_record", args=[job.pk]), {"quantity": "9"}, follow=True)
    assert "只剩 4 件" in over.content.decode()
    done = client.post(reverse("fulfilment:prepack_record", args=[job.pk]), {"quantity": "3"}, follow=True)
    assert "3 / 4" in done.content.decode() and 'data-testid="moves"' in done.content.decode()
    closed = client.post(reverse("fulfilment:prepack_close", args=[job.pk]), {"reason": "够了"}, follow=True)
    assert "已关闭" in closed.content.decode() or "预打包任务已关闭" in closed.content.decode()
    job.refresh_from_db()
    assert job.state == PrepackState.DONE and job.packed == 3
    # another client's staff: the job does not exist; without the right: forbidden
    outsider = make_user("pp_out", *PREPACK, client=pp.org.client_b)
    assert http(outsider).get(reverse("fulfilment:prepack_job", args=[job.pk])).status_code == 404
    viewer = make_user("pp_viewer", "orders.view_order", client=pp.org.client_a)
    assert http(viewer).get(reverse("fulfilment:prepack_list")).status_code == 403
    assert http(pp.packer).post(reverse("fulfilment:prepack_create"), {}).status_code == 403


def test_ful05_the_api_plans_records_and_closes(pp):
    import json

    client = http(pp.boss)

    def post(path, body):
        return client.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json")

    made = post("fulfilment/prepack-jobs", {"warehouse_id": pp.wh.hz.pk, "sku_id": pp.od.sku.pk, "quantity": 3,
                                            "material_id": pp.carton.pk, "to_bin_id": pp.pp_bin.pk})
    assert made.status_code == 201, made.content
    job_id = made.json()["id"]
    wrong_bin = post("fulfilment/prepack-jobs", {"warehouse_id": pp.wh.hz.pk, "sku_id": pp.od.sku.pk,
                                                 "quantity": 3, "material_id": pp.carton.pk,
                                                 "to_bin_id": pp.wh.hz_bin.pk})
    assert wrong_bin.status_code == 400 and "预包区" in wrong_bin.content.decode()
    recorded = post(f"fulfilment/prepack-jobs/{job_id}/record", {"quantity": 3})
    assert recorded.status_code == 200 and recorded.json()["state"] == "done" and recorded.json()["packed"] == 3
    assert post(f"fulfilment/prepack-jobs/{job_id}/record", {"quantity": 1}).status_code == 409
    assert post(f"fulfilment/prepack-jobs/{job_id}/close", {"reason": "x"}).status_code == 409
    listed = client.get("/api/v1/fulfilment/prepack-jobs", {"warehouse_id": pp.wh.hz.pk}).json()
    assert [row["number"] for row in listed["items"]] == [made.json()["number"]]
    suggestions = client.get("/api/v1/fulfilment/prepack-suggestions", {"warehouse_id": pp.wh.hz.pk})
    assert suggestions.status_code == 200 and "FUL-05" in suggestions.json()["citation"]
    other = http(make_user("pp_api_b", *PREPACK, client=pp.org.client_b))
    assert other.get(f"/api/v1/fulfilment/prepack-jobs/{job_id}").status_code == 404
    assert other.get("/api/v1/fulfilment/prepack-jobs").json()["items"] == []
    # a prepacked single-unit order is packed through the API without a material
    order = pp.ready("API-1", qty=1)
    check = actions.start_check(order.tracking_no, user=pp.packer)
    actions.scan_item(check, pp.od.sku.barcode, user=pp.packer)
    packed = http(pp.packer).post(f"/api/v1/fulfilment/checks/{check.pk}/pack", "{}",
                                  content_type="application/json")
    assert packed.status_code == 200 and packed.json()["prepacked"] is True
