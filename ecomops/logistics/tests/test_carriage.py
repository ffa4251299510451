"""LOG-01…03: price cards and freight, tracking events and delivery, logistics cases, the carrier's
monthly bill and the scorecard."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.logistics import freight, scorecard, tracking
from ecomops.logistics.models import (
    BillCheck,
    CarrierContract,
    CaseKind,
    CaseState,
    LogisticsCase,
    Shipment,
    TrackingEvent,
)
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, OrderEvent
from ecomops.orders.tests.conftest import make_user, new_order

SH = ZoneInfo("Asia/Shanghai")
LOGISTICS = ("logistics.add_pricecard", "logistics.reconcile_carrierbill", "logistics.add_trackingevent",
             "logistics.handle_logisticscase", "logistics.view_shipment", "logistics.view_logisticscase",
             "logistics.view_pricecard", "orders.view_order", "orders.ship_order")


def local(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SH)


@pytest.fixture
def lg(od, org):
    d = type("LG", (), {})()
    d.od = od
    d.user = make_user("logi_a", *LOGISTICS, client=org.client_a, position="statistician")
    d.user_b = make_user("logi_b", *LOGISTICS, client=org.client_b)
    d.card = freight.add_price_card(user=org.admin, courier="zto", name="全国", first_weight_g=1000,
                                    first_price="5.00", step_weight_g=1000, step_price="2.00",
                                    valid_from=date(2026, 1, 1))
    d.card_zj = freight.add_price_card(user=org.admin, courier="zto", name="江浙沪", first_weight_g=1000,
                                       first_price="3.50", step_weight_g=500, step_price="1.00",
                                       valid_from=date(2026, 1, 1), provinces=["浙江省", "江苏省", "上海市"])
    return d


def shipped(order: Order, *, courier="zto", tracking_no="ZT1", province="浙江省", at=None, weight_g=1200) -> Shipment:
    at = at or local(2026, 11, 2)
    Order.objects.filter(pk=order.pk).update(state=OrderState.SHIPPED, courier=courier, tracking_no=tracking_no,
                                             province=province, shipped_at=at, paid_at=at - timedelta(hours=1))
    order.refresh_from_db()
    return freight.record_shipment(order, weight_g=weight_g)


# --- freight (LOG-01, LOG-03) ---------------------------------------------------------------------


@pytest.mark.parametrize(("weight", "province", "cost"), [
    (1, "浙江省", "3.50"), (1000, "浙江省", "3.50"), (1001, "浙江省", "4.50"), (1500, "浙江省", "4.50"),
    (1501, "浙江省", "5.50"), (1000, "广东省", "5.00"), (1001, "广东省", "7.00"), (3000, "广东省", "9.00"),
])
def test_freight_is_first_weight_plus_each_started_step_of_the_province_card(lg, weight, province, cost):
    """LOG-03: first weight, then every started additional step; the province's own card before the
    card for every other province."""
    card = freight.card_for("zto", province, date(2026, 11, 2))
    assert freight.freight(card, weight) == Decimal(cost)


def test_a_later_card_takes_over_from_its_date_and_the_shipment_keeps_the_one_of_its_day(lg, org):
    later = freight.add_price_card(user=org.admin, courier="zto", name="全国 12 月", first_weight_g=1000,
                                   first_price="6.00", step_weight_g=1000, step_price="2.00",
                                   valid_from=date(2026, 12, 1))
    assert freight.card_for("zto", "广东省", date(2026, 11, 30)) == lg.card
    assert freight.card_for("zto", "广东省", date(2026, 12, 1)) == later
    november = shipped(lg.od.a1, province="广东省", at=local(2026, 11, 30, 23))
    assert (november.cost, november.price_card) == (Decimal("7.00"), lg.card)
    assert freight.card_for("sf_express", "广东省", date(2026, 12, 1)) is None


@pytest.mark.parametrize(("field", "values"), [
    ("first_price", {"first_price": "-1"}), ("first_price", {"first_price": "1.001"}),
    ("step_weight_g", {"step_weight_g": "0"}), ("first_weight_g", {"first_weight_g": "1.5kg"}),
    ("courier", {"courier": "nope"}), ("valid_to", {"valid_to": date(2025, 1, 1)}),
])
def test_a_bad_price_card_is_refused_naming_the_field(lg, org, field, values):
    fields = {"courier": "sto", "name": "x", "first_weight_g": 1000, "first_price": "5", "step_weight_g": 1000,
              "step_price": "1", "valid_from": date(2026, 1, 1), **values}
    with pytest.raises(BusinessError) as refused:
        freight.add_price_card(user=org.admin, **fields)
    assert refused.value.field == field


def test_shipment_is_recorded_once_and_its_due_day_follows_the_contract_else_the_policy(lg, org):
    """LOG-01/LOG-02: the contract's service standard; without a contract the policy's default."""
    default = shipped(lg.od.a1, at=local(2026, 11, 2))
    assert default.due_on == date(2026, 11, 6)  # LOG-02.default_standard_days = 4
    assert "LOG-02" in default.standard_citation
    CarrierContract.objects.create(courier="sto", number="HT-STO-1", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31), standard_days=2)
    by_contract = shipped(lg.od.a2, courier="sto", tracking_no="ST1", at=local(2026, 11, 2))
    assert by_contract.due_on == date(2026, 11, 4)
    assert freight.record_shipment(lg.od.a1) == default
    assert Shipment.objects.count() == 2


# --- tracking (LOG-02) ----------------------------------------------------------------------------


def _csv(rows: list[str], header="运单号,时间,状态,地点,描述", encoding="gb18030") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def test_tracking_import_delivers_the_order_and_a_second_import_changes_nothing(lg):
    """LOG-02 / ORD-01: "已签收" marks the parcel delivered and the order received; a GBK file saved by
    Chinese Excel; the same file again adds nothing."""
    shipment = shipped(lg.od.a1)
    data = _csv(["ZT1,2026-11-02 18:00,已揽收,杭州,快递员已揽件",
                 "ZT1,2026/11/03 09:30,运输中,上海转运中心,",
                 "ZT1,2026-11-04 15:20,已签收,上海,本人签收"])
    result = tracking.import_events(data, user=lg.user, courier="zto", filename="轨迹.csv")
    assert (result.added, result.skipped, result.delivered) == (3, 0, 1)
    shipment.refresh_from_db()
    assert shipment.delivered_at == local(2026, 11, 4, 15) + timedelta(minutes=20)
    order = Order.objects.get(pk=lg.od.a1.pk)
    assert order.state == OrderState.RECEIVED and order.received_at == shipment.delivered_at
    again = tracking.import_events(data, user=lg.user, courier="zto", filename="轨迹.csv")
    assert (again.added, again.skipped, again.delivered) == (0, 3, 0)
    assert TrackingEvent.objects.count() == 3


def test_a_bad_tracking_file_is_refused_whole_naming_each_row(lg):
    shipped(lg.od.a1)
    data = _csv(["ZT1,2026-11-02 18:00,已揽收,杭州,", "ZT1,昨天,运输中,,", ",2026-11-03 10:00,运输中,,",
                 "ZT1,2026-11-03 11:00,飞走了,,"])
    with pytest.raises(BusinessError) as refused:
        tracking.import_events(data, user=lg.user, courier="zto")
    message = refused.value.message
    assert "第 3 行" in message and "第 4 行" in message and "第 5 行" in message and "第 2 行" not in message
    assert TrackingEvent.objects.count() == 0
    with pytest.raises(BusinessError, match="缺少“状态”列"):
        tracking.import_events(_csv(["ZT1,2026-11-02"], header="运单号,时间"), user=lg.user, courier="zto")


def test_tracking_numbers_we_did_not_ship_or_may_not_see_are_refused(lg, org):
    shipped(lg.od.a1)
    shipped(lg.od.b1, tracking_no="ZT9")
    with pytest.raises(BusinessError, match="ZT9"):
        tracking.import_events(_csv(["ZT1,2026-11-03 10:00,运输中,,", "ZT9,2026-11-03 10:00,运输中,,"]),
                               user=lg.user, courier="zto")
    with pytest.raises(BusinessError, match="ZT1"):
        tracking.import_events(_csv(["ZT1,2026-11-03 10:00,运输中,,"]), user=lg.user, courier="sto")
    assert TrackingEvent.objects.count() == 0


def test_a_lost_parcel_opens_one_case_with_a_due_item_and_a_note_on_the_order(lg):
    """LOG-02: lost, damaged or returned parcels become logistics cases (once per kind)."""
    shipment = shipped(lg.od.a1)
    data = _csv(["ZT1,2026-11-03 10:00,丢件,上海转运中心,包裹遗失"])
    assert tracking.import_events(data, user=lg.user, courier="zto").cases == 1
    tracking.record_events([tracking.EventIn("ZT1", local(2026, 11, 3, 12), "lost")], user=lg.user, courier="zto",
                           source="api")
    case = LogisticsCase.objects.get(shipment=shipment)
    assert (case.kind, case.state) == (CaseKind.LOST, CaseState.OPEN)
    assert DueItem.objects.filter(kind=tracking.CASE_DUE_KIND, source_id=case.pk).exists()
    assert OrderEvent.objects.filter(order=lg.od.a1, note__contains=case.number).exists()


@pytest.mark.parametrize(("today", "flagged"), [(date(2026, 11, 6), 0), (date(2026, 11, 7), 1)])
def test_a_parcel_not_delivered_by_its_due_day_is_flagged_delayed_the_day_after(lg, today, flagged):
    """LOG-02: due on 11-06 (shipped 11-02, 4 days): not late on the due day, late the day after; once."""
    shipped(lg.od.a1, at=local(2026, 11, 2))
    assert tracking.flag_delays(today) == flagged
    assert tracking.flag_delays(today) == 0
    assert LogisticsCase.objects.filter(kind=CaseKind.DELAYED).count() == flagged


def test_a_case_is_informed_claimed_compensated_within_the_cap_and_closed(lg, org):
    """LOG-02: buyer informed (the message is kept), claim, compensation at most the claim and the
    contract's cap per parcel (LOG-01), closed with its result; the due item is done."""
    CarrierContract.objects.create(courier="zto", number="HT-ZTO-1", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 12, 31), standard_days=3, compensation_cap=Decimal("100"))
    shipment = shipped(lg.od.a1)
    case = tracking.open_case(shipment, CaseKind.DAMAGED, reason="外箱破损", user=lg.user)
    with pytest.raises(BusinessError):
        tracking.claim(case, user=lg.user, amount="50")  # not informed yet
    case = tracking.inform_buyer(case, user=lg.user)
    assert "TB1001" in case.message and "ZT1" in case.message
    case = tracking.claim(case, user=lg.user, amount="150.00")
    with pytest.raises(BusinessError, match="上限 100"):
        tracking.compensate(case, user=lg.user, amount="120.00")
    with pytest.raises(BusinessError, match="索赔金额"):
        tracking.compensate(case, user=lg.user, amount="151")
    case = tracking.compensate(case, user=lg.user, amount="100.00")
    with pytest.raises(BusinessError, match="处理结果"):
        tracking.close_case(case, user=lg.user, note=" ")
    case = tracking.close_case(case, user=lg.user, note="已补发")
    assert (case.state, case.compensation) == (CaseState.CLOSED, Decimal("100.00"))
    assert not DueItem.objects.filter(kind=tracking.CASE_DUE_KIND, source_id=case.pk, done_at__isnull=True).exists()
    assert case.history.count() >= 5


def test_another_clients_case_is_out_of_reach(lg):
    case = tracking.open_case(shipped(lg.od.a1), CaseKind.LOST, reason="x")
    with pytest.raises(NotAllowed):
        tracking.inform_buyer(case, user=lg.user_b)


# --- the carrier's monthly bill (LOG-03) -----------------------------------------------------------


def test_the_monthly_bill_lists_weight_amount_unknown_and_unbilled_differences(lg, org):
    """LOG-03: billed weight vs ours (policy tolerance 50 g), billed amount vs our freight, tracking
    numbers we never shipped, our parcels missing from the bill; the same file twice is refused."""
    good = shipped(lg.od.a1, tracking_no="ZT1", weight_g=1200)  # 浙江 1.2 kg → 4.50
    heavy = shipped(lg.od.a2, tracking_no="ZT2", weight_g=900)  # 3.50
    extra = new_order(lg.od.clerk, org.store_a1, "TB1002")
    missing = shipped(extra, tracking_no="ZT3", weight_g=500)
    assert (good.cost, heavy.cost, missing.cost) == (Decimal("4.50"), Decimal("3.50"), Decimal("3.50"))
    data = _csv(["ZT1,1.25,4.50", "ZT2,1.6,5.50", "ZX9,1,5.00"], header="运单号,计费重量(kg),金额")
    bill = freight.import_bill(data, user=lg.user, courier="zto", month=date(2026, 11, 1), filename="11月账单.csv")
    checks = dict(bill.lines.values_list("tracking_no", "result"))
    assert checks == {"ZT1": BillCheck.MATCHED, "ZT2": BillCheck.WEIGHT, "ZX9": BillCheck.UNKNOWN,
                      "ZT3": BillCheck.NOT_BILLED}
    assert (bill.parcels, bill.differences) == (3, 3)
    assert (bill.billed_total, bill.our_total) == (Decimal("15.00"), Decimal("11.50"))
    with pytest.raises(Conflict):
        freight.import_bill(data, user=lg.user, courier="zto", month=date(2026, 11, 1))


def test_a_bad_bill_is_refused_naming_rows_and_nothing_is_written(lg):
    data = _csv(["ZT1,1.2,4.50", "ZT1,1,1", "ZT2,-1,3", "ZT3,1,3.001"], header="运单号,计费重量,金额")
    with pytest.raises(BusinessError) as refused:
        freight.import_bill(data, user=lg.user, courier="zto", month=date(2026, 11, 1))
    assert all(f"第 {n} 行" in refused.value.message for n in (3, 4, 5))
    from ecomops.logistics.models import CarrierBill

    assert not CarrierBill.objects.exists()


# --- scorecard and routing (LOG-01) ---------------------------------------------------------------


def test_scorecard_on_time_loss_and_cost_and_the_routing_suggestion(lg, org):
    """LOG-01: on-time rate over parcels delivered or overdue, loss/damage rate, cost per parcel,
    coverage; routing picks per province the best on-time rate among carriers with enough parcels."""
    orders = [new_order(lg.od.clerk, org.store_a1, f"TB2{n:03d}") for n in range(4)]
    on_time = shipped(orders[0], tracking_no="A1", at=local(2026, 11, 2))
    Shipment.objects.filter(pk=on_time.pk).update(delivered_at=local(2026, 11, 5))
    late = shipped(orders[1], tracking_no="A2", at=local(2026, 11, 2))
    Shipment.objects.filter(pk=late.pk).update(delivered_at=local(2026, 11, 9))
    shipped(orders[2], tracking_no="A3", at=local(2026, 11, 29))  # not due yet on 12-01: not judged
    lost = shipped(orders[3], tracking_no="A4", at=local(2026, 11, 3), weight_g=None)
    tracking.open_case(lost, CaseKind.LOST, reason="丢件")
    sto = shipped(lg.od.a1, courier="sto", tracking_no="S1", at=local(2026, 11, 2))
    Shipment.objects.filter(pk=sto.pk).update(delivered_at=local(2026, 11, 3))
    cards = {s.courier: s for s in scorecard.scorecard(date(2026, 11, 1), user=lg.user, today=date(2026, 12, 1))}
    zto = cards["zto"]
    assert (zto.parcels, zto.delivered, zto.judged, zto.on_time) == (4, 2, 3, 1)
    assert zto.on_time_rate == Decimal("33.3") and zto.loss_rate == Decimal("25.0")
    assert zto.cost_per_parcel == Decimal("4.50") and zto.provinces == ["浙江省"]
    assert cards["sto"].on_time_rate == Decimal("100.0") and cards["sto"].cost_per_parcel is None
    # LOG-01.routing_min_parcels is 20: one or two parcels are not enough to rank anyone
    routes = scorecard.routing(date(2026, 11, 1), user=lg.user, today=date(2026, 12, 1))
    assert [(r.province, r.courier) for r in routes] == [("浙江省", None)]
    # Client B's user sees none of client A's parcels.
    assert scorecard.scorecard(date(2026, 11, 1), user=lg.user_b, today=date(2026, 12, 1)) == []


def test_routing_prefers_the_better_on_time_rate_then_the_lower_cost(lg, org, monkeypatch):
    monkeypatch.setattr(scorecard.registry, "value", lambda key, on=None: 1)
    first, second = (new_order(lg.od.clerk, org.store_a1, f"TB3{n}") for n in range(2))
    a = shipped(first, courier="zto", tracking_no="Z1", at=local(2026, 11, 2))
    b = shipped(second, courier="sto", tracking_no="S1", at=local(2026, 11, 2))
    Shipment.objects.filter(pk__in=[a.pk, b.pk]).update(delivered_at=local(2026, 11, 3))
    routes = scorecard.routing(date(2026, 11, 1), user=lg.user, today=date(2026, 12, 1))
    assert [(r.province, r.courier) for r in routes] == [("浙江省", "zto")]  # equal rates: zto has a price
    Shipment.objects.filter(pk=a.pk).update(delivered_at=local(2026, 11, 20))
    routes = scorecard.routing(date(2026, 11, 1), user=lg.user, today=date(2026, 12, 1))
    assert [(r.province, r.courier) for r in routes] == [("浙江省", "sto")]
    assert timezone.is_aware(a.shipped_at)


def test_the_daily_job_records_parcels_shipped_elsewhere_and_flags_the_late_ones(lg):
    """LOG-02: an order shipped without a Shipment (e.g. through the platform) gets one; past its due
    day it is flagged; a second run changes nothing."""
    from ecomops.logistics import jobs

    order = lg.od.a1
    Order.objects.filter(pk=order.pk).update(state=OrderState.SHIPPED, courier="zto", tracking_no="ZT7",
                                             province="广东省", shipped_at=local(2026, 11, 2),
                                             paid_at=local(2026, 11, 1))
    assert "补记运单 1 票，登记延误 1 票" in jobs.daily(local(2026, 11, 20, 8))
    assert "补记运单 0 票，登记延误 0 票" in jobs.daily(local(2026, 11, 21, 8))
    shipment = Shipment.objects.get(order=order)
    assert (shipment.cost, shipment.weight_g) == (None, None)  # no weight known: listed without freight
    assert LogisticsCase.objects.get(shipment=shipment).kind == CaseKind.DELAYED


# --- pages and API ----------------------------------------------------------------------------------


def test_pages_show_only_the_users_cases_and_take_the_steps(lg, org, client):
    from django.test import Client as HttpClient

    mine = tracking.open_case(shipped(lg.od.a1), CaseKind.LOST, reason="丢件")
    theirs = tracking.open_case(shipped(lg.od.b1, tracking_no="ZT9"), CaseKind.LOST, reason="丢件")
    browser = HttpClient()
    browser.force_login(lg.user)
    page = browser.get("/logistics/cases/")
    assert page.status_code == 200
    assert mine.number in page.content.decode() and theirs.number not in page.content.decode()
    assert browser.get(f"/logistics/cases/{theirs.pk}/").status_code == 404
    assert browser.post(f"/logistics/cases/{mine.pk}/inform/", {"message": ""}).status_code == 302
    mine.refresh_from_db()
    assert mine.state == CaseState.INFORMED and "TB1001" in mine.message
    browser.post(f"/logistics/cases/{mine.pk}/claim/", {"amount": "abc"})
    mine.refresh_from_db()
    assert mine.state == CaseState.INFORMED  # refused with a message, nothing changed
    for url in ("/logistics/scorecard/", "/logistics/bills/", "/logistics/price-cards/",
                f"/logistics/cases/{mine.pk}/"):
        assert browser.get(url).status_code == 200, url


def test_api_push_scorecard_and_cases_in_scope(lg, org):
    import json

    from django.test import Client as HttpClient

    from ecomops.apiutil.tokens import issue_token

    shipped(lg.od.a1)
    token = issue_token(user=lg.user, name="t").plain
    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    pushed = api.post("/api/v1/logistics/tracking-events", json.dumps({"courier": "zto", "events": [
        {"tracking_no": "ZT1", "at": "2026-11-03T10:00:00+08:00", "status": "lost", "place": "上海"}]}),
        content_type="application/json")
    assert pushed.status_code == 200, pushed.content
    assert pushed.json()["cases"] == 1
    bad = api.post("/api/v1/logistics/tracking-events", json.dumps({"courier": "zto", "events": [
        {"tracking_no": "ZT1", "at": "1970-01-01T00:00:00", "status": "lost"}]}), content_type="application/json")
    assert bad.status_code == 422
    cases = api.get("/api/v1/logistics/cases").json()
    assert cases["count"] == 1
    case_id = cases["items"][0]["id"]
    other = tracking.open_case(shipped(lg.od.b1, tracking_no="ZT9"), CaseKind.LOST, reason="x")
    assert api.get(f"/api/v1/logistics/cases/{other.pk}").status_code == 404
    assert api.post(f"/api/v1/logistics/cases/{other.pk}/close", json.dumps({"note": "x"}),
                    content_type="application/json").status_code == 404
    closed = api.post(f"/api/v1/logistics/cases/{case_id}/close", json.dumps({"note": "已补发"}),
                      content_type="application/json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert api.get("/api/v1/logistics/scorecard?month=2026-11-01").json()["scores"][0]["courier"] == "zto"
