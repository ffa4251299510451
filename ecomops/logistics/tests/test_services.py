"""LOG-01: a carrier's services (承运服务) and the provinces each covers. The seed gives every carrier a
default nationwide 标准快递 once; a service is added (made the default, it replaces the old default in
the same transaction) or taken out of use; bad input is refused naming the field and nothing is
written; ``service_for`` picks a waybill's service by the parcel's province; the carrier pages list the
services and add them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.logistics import seed, services
from ecomops.logistics.models import Carrier, CarrierService
from ecomops.logistics.waybills import label_for_order
from ecomops.orders.enums import Courier
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import make_user

ZTO = "/logistics/carriers/zto/"


@pytest.fixture
def sv(org):
    d = type("SV", (), {})()
    d.manager = make_user("service_mgr", "logistics.view_carrier", "logistics.change_carrier")
    d.viewer = make_user("service_viewer", "logistics.view_carrier")
    d.zto = Carrier.objects.get(code="zto")
    return d


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def default_of(carrier) -> CarrierService:
    return CarrierService.objects.get(carrier=carrier, is_default=True)


# --- the seed -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_carrier_has_a_default_nationwide_service_and_reseeding_changes_nothing(sv):
    for carrier in Carrier.objects.all():
        only = CarrierService.objects.get(carrier=carrier)
        assert (only.name, only.provinces, only.is_default, only.is_active) == ("标准快递", [], True, True)
    assert Carrier.objects.count() == len(Courier.values)
    # An edit is kept and a carrier with a service gets no second one.
    CarrierService.objects.filter(carrier=sv.zto).update(name="中通标快")
    assert seed.seed_carrier_services() == 0
    assert list(CarrierService.objects.filter(carrier=sv.zto).values_list("name", flat=True)) == ["中通标快"]
    # A carrier without any service gets it back.
    CarrierService.objects.filter(carrier=sv.zto).delete()
    assert seed.seed_carrier_services() == 1
    assert default_of(sv.zto).name == "标准快递"
    assert seed.seed_carrier_services() == 0


# --- the actions ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_service_is_added_with_its_provinces_under_their_full_names(sv):
    express = services.add_service(sv.zto, user=sv.manager, name=" 特快 ", provinces=["浙江", "江苏省", "浙江省", " "],
                                   is_default=False)
    assert (express.name, express.provinces, express.is_default, express.is_active) == (
        "特快", ["江苏省", "浙江省"], False, True)
    assert express.history.get().history_user == sv.manager
    assert default_of(sv.zto).name == "标准快递"


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": "  "}, "name", "请填写服务名称"),
    ({"name": "特" * 41}, "name", "服务名称最多 40 个字符"),
    ({"provinces": ["浙江省", "火星"]}, "provinces", "省份“火星”不存在，请填写省级行政区名称（如 浙江省）"),
])
@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(sv, fields, field, message):
    before = CarrierService.objects.count()
    with pytest.raises(BusinessError) as refused:
        services.add_service(sv.zto, user=sv.manager, **{"name": "特快", "provinces": [], "is_default": True,
                                                           **fields})
    assert (refused.value.field, refused.value.message) == (field, message)
    assert CarrierService.objects.count() == before
    assert default_of(sv.zto).name == "标准快递"  # the old default stays


@pytest.mark.django_db
def test_a_name_twice_or_without_the_right_is_refused_and_nothing_is_written(sv):
    with pytest.raises(Conflict, match="已有服务“标准快递”") as refused:
        services.add_service(sv.zto, user=sv.manager, name="标准快递", provinces=[], is_default=True)
    assert refused.value.field == "name"
    with pytest.raises(NotAllowed):
        services.add_service(sv.zto, user=sv.viewer, name="特快", provinces=[], is_default=True)
    assert list(CarrierService.objects.filter(carrier=sv.zto).values_list("name", "is_default")) == [
        ("标准快递", True)]
    with pytest.raises(NotAllowed):
        services.set_service_active(default_of(sv.zto), user=sv.viewer, active=False)


@pytest.mark.django_db
def test_a_new_default_takes_the_place_of_the_old_one(sv):
    old = default_of(sv.zto)
    economy = services.add_service(sv.zto, user=sv.manager, name="经济件", provinces=[], is_default=True)
    old.refresh_from_db()
    assert economy.is_default and not old.is_default
    assert old.history.latest().history_user == sv.manager
    assert CarrierService.objects.filter(carrier=sv.zto, is_default=True).count() == 1
    # Other carriers keep their default.
    assert default_of(Carrier.objects.get(code="sf_express")).name == "标准快递"


@pytest.mark.django_db
def test_the_default_stays_in_use_another_service_comes_and_goes(sv):
    with pytest.raises(BusinessError, match="是默认服务，不能停用") as refused:
        services.set_service_active(default_of(sv.zto), user=sv.manager, active=False)
    assert refused.value.field == "is_active" and default_of(sv.zto).is_active
    express = services.add_service(sv.zto, user=sv.manager, name="特快", provinces=["浙江省"], is_default=False)
    assert not services.set_service_active(express, user=sv.manager, active=False).is_active
    assert services.set_service_active(express, user=sv.manager, active=True).is_active


# --- picking the service of a parcel ----------------------------------------------------------------


@pytest.mark.django_db
def test_service_for_picks_by_province(sv):
    assert services.service_for("zto", "浙江省").name == "标准快递"  # the nationwide default
    express = services.add_service(sv.zto, user=sv.manager, name="同城特快", provinces=["浙江省", "上海市"],
                                   is_default=True)
    remote = services.add_service(sv.zto, user=sv.manager, name="偏远件", provinces=["西藏自治区"], is_default=False)
    assert services.service_for("zto", "浙江省") == express  # the default covers it
    assert services.service_for("zto", "浙江") == express  # written short
    assert services.service_for("zto", "四川省").name == "标准快递"  # not the default's: the nationwide one
    services.set_service_active(CarrierService.objects.get(carrier=sv.zto, name="标准快递"), user=sv.manager,
                                active=False)
    assert services.service_for("zto", "四川省") is None  # nothing covers it now
    assert services.service_for("zto", "西藏自治区") == remote
    assert services.service_for("pigeon", "浙江省") is None


@pytest.mark.django_db
def test_the_waybill_prints_the_service_of_the_province(od):
    zto = Carrier.objects.get(code="zto")
    manager = make_user("label_mgr", "logistics.change_carrier")
    Order.objects.filter(pk=od.a1.pk).update(courier=Courier.ZTO, tracking_no="75312345678901")
    order = Order.objects.get(pk=od.a1.pk)
    assert order.province == "浙江省"
    assert label_for_order(order).service == "标准快递"
    services.add_service(zto, user=manager, name="江浙沪次日达", provinces=["浙江省", "江苏省"], is_default=True)
    assert label_for_order(order).service == "江浙沪次日达"
    assert label_for_order(order, service="特快").service == "特快"  # named by the caller
    CarrierService.objects.filter(carrier=zto).update(is_active=False)
    assert label_for_order(order).service == "标准快递"  # no service: the text as before


# --- the pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_show_the_services_and_their_coverage(sv):
    services.add_service(sv.zto, user=sv.manager, name="特快", provinces=["浙江省", "江苏省"], is_default=False)
    page = browser(sv.viewer).get(ZTO).content.decode()
    assert 'data-testid="services"' in page and "特快" in page and "江苏省、浙江省" in page and "全国" in page
    assert 'data-testid="service-form"' not in page  # looking only
    listing = browser(sv.viewer).get("/logistics/carriers/").content.decode()
    assert "服务覆盖省份" in listing and "全国" in listing
    # Without a nationwide service in use, the list shows the union of the provinces.
    services.add_service(sv.zto, user=sv.manager, name="经济件", provinces=["上海市"], is_default=True)
    CarrierService.objects.filter(carrier=sv.zto, name="标准快递").update(is_active=False)
    listing = browser(sv.viewer).get("/logistics/carriers/").content.decode()
    assert "上海市、江苏省、浙江省" in listing


@pytest.mark.django_db
def test_the_form_adds_a_service_refuses_bad_input_and_switches_one_off(sv):
    http = browser(sv.manager)
    page = http.get(ZTO).content.decode()
    assert 'data-testid="service-form"' in page
    answer = http.post(f"{ZTO}services/add/", {"name": "特快", "provinces": "浙江，江苏省", "is_default": "1"})
    assert answer.status_code == 302 and "承运服务“特快”已添加" in said(answer)
    express = CarrierService.objects.get(carrier=sv.zto, name="特快")
    assert express.provinces == ["江苏省", "浙江省"] and express.is_default
    assert not CarrierService.objects.get(carrier=sv.zto, name="标准快递").is_default
    answer = http.post(f"{ZTO}services/add/", {"name": "经济件", "provinces": "浙江、月球"})
    assert any("省份“月球”不存在" in m for m in said(answer))
    assert not CarrierService.objects.filter(name="经济件").exists()
    standard = CarrierService.objects.get(carrier=sv.zto, name="标准快递")
    answer = http.post(f"{ZTO}services/{standard.pk}/active/", {"active": "0"})
    assert "承运服务已停用" in said(answer)
    standard.refresh_from_db()
    assert not standard.is_active
    # Without the right: refused, nothing written.
    viewer = browser(sv.viewer)
    assert viewer.post(f"{ZTO}services/add/", {"name": "慢件"}).status_code == 403
    assert viewer.post(f"{ZTO}services/{standard.pk}/active/", {"active": "1"}).status_code == 403
    assert not CarrierService.objects.filter(name="慢件").exists()
    # A service of another carrier is not found through this one.
    sf = CarrierService.objects.get(carrier__code="sf_express")
    assert http.post(f"{ZTO}services/{sf.pk}/active/", {"active": "0"}).status_code == 404


# --- the API of pools, services and contracts -------------------------------------------------------------


def test_api_adds_pools_services_and_contracts_and_refuses_bad_input(sv):
    import json

    from django.contrib.auth import get_user_model
    from django.test import Client as HttpClient

    from ecomops.logistics.models import CarrierContract, CarrierService, NumberPool

    boss = get_user_model().objects.create_superuser("api_boss", password="x")
    http = HttpClient()
    http.force_login(boss)

    def post(path, body):
        return http.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json")

    made = post("logistics/carriers/zto/pools", {"prefix": "ZT", "first": 1, "last": 99, "width": 6})
    assert made.status_code == 201 and made.json()["next_value"] == 1
    assert post("logistics/carriers/zto/pools", {"prefix": "ZT", "first": 50, "last": 120}).status_code == 400
    assert post("logistics/carriers/nope/pools", {"first": 1, "last": 2}).status_code == 404
    assert NumberPool.objects.count() == 1
    service = post("logistics/carriers/zto/services", {"name": "特快", "provinces": ["浙江", "上海"]})
    assert service.status_code == 201 and service.json()["provinces"] == sorted(["浙江省", "上海市"])
    bad = post("logistics/carriers/zto/services", {"name": "经济件", "provinces": ["火星"]})
    assert bad.status_code == 400 and "火星" in bad.content.decode()
    listed = http.get("/api/v1/logistics/carriers/zto/services").json()
    assert {row["name"] for row in listed} == {"标准快递", "特快"}
    assert not CarrierService.objects.filter(name="经济件").exists()
    contract = post("logistics/contracts", {"courier": "zto", "number": "HT-1", "starts_on": "2026-01-01",
                                            "ends_on": "2026-12-31", "standard_days": 3, "late_penalty": "2.50"})
    assert contract.status_code == 201 and contract.json()["late_penalty"] == "2.50"
    backwards = post("logistics/contracts", {"courier": "zto", "number": "HT-2", "starts_on": "2026-12-31",
                                             "ends_on": "2026-01-01", "standard_days": 3})
    assert backwards.status_code == 400 and "结束日期" in backwards.content.decode()
    assert post("logistics/contracts", {"courier": "zto", "number": "HT-1", "starts_on": "2026-01-01",
                                        "ends_on": "2026-12-31", "standard_days": 3}).status_code == 409
    assert CarrierContract.objects.count() == 1
    assert http.get("/api/v1/logistics/contracts").json()["count"] == 1
