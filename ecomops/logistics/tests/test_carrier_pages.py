"""LOG-01 / LOG-02: the carriers' pages. The list and a carrier's page with its number pools, imported
numbers, contracts and price cards, each part shown only to a user who may view it; the forms that add
a pool, import numbers, add a contract and take a carrier out of use. A bad input is answered with a
Chinese message naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.logistics import freight, numbers
from ecomops.logistics.models import Carrier, CarrierContract, NumberPool, TrackingNumber
from ecomops.orders.tests.conftest import make_user

VIEW = ("logistics.view_carrier", "logistics.view_numberpool", "logistics.view_trackingnumber",
        "logistics.view_carriercontract", "logistics.view_pricecard")
ADD = ("logistics.add_numberpool", "logistics.add_trackingnumber", "logistics.add_carriercontract",
       "logistics.change_carrier")
ZTO = "/logistics/carriers/zto/"


@pytest.fixture
def cp(org):
    d = type("CP", (), {})()
    d.manager = make_user("carrier_mgr", *VIEW, *ADD)
    d.viewer = make_user("carrier_viewer", "logistics.view_carrier")
    d.nobody = make_user("carrier_nobody", "logistics.view_pricecard")
    d.zto = Carrier.objects.get(code="zto")
    return d


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def contract_form(**changes) -> dict:
    form = {"number": "HT-ZTO-2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31", "standard_days": "3",
            "settlement_terms": "月结，次月 15 日前付款", "late_penalty": "2.00", "compensation_cap": "300",
            "cargo_safety": "易碎品加固包装"}
    form.update(changes)
    return form


# --- the actions ------------------------------------------------------------------------------------


def test_a_contract_is_added_with_its_terms_and_becomes_the_service_standard(cp, org):
    contract = freight.add_contract(user=cp.manager, courier="zto", number=" HT-1 ", starts_on=date(2027, 1, 1),
                                    ends_on=date(2027, 12, 31), standard_days="4", settlement_terms="月结",
                                    late_penalty="1.50", compensation_cap="", cargo_safety="")
    assert (contract.number, contract.standard_days, contract.late_penalty, contract.compensation_cap) == (
        "HT-1", 4, Decimal("1.50"), Decimal("0.00"))
    assert contract.history.get().history_user == cp.manager
    assert freight.standard_days("zto", date(2027, 6, 1)) == (4, "合同 HT-1")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_on": date(2026, 12, 31)}, "ends_on", "结束日期不能早于开始日期"),
    ({"number": "  "}, "number", "请填写合同编号"),
    ({"standard_days": "0"}, "standard_days", "承诺时效须在 1 到 365 天之间"),
    ({"standard_days": "三天"}, "standard_days", "承诺时效须为整数天"),
    ({"late_penalty": "-1"}, "late_penalty", "每票延误扣款不能为负"),
    ({"courier": "pigeon"}, "courier", "请选择快递公司"),
])
def test_a_bad_contract_is_refused_naming_the_field(cp, changes, field, message):
    fields = {"courier": "zto", "number": "HT-1", "starts_on": date(2027, 1, 1), "ends_on": date(2027, 12, 31),
              "standard_days": "3", **changes}
    with pytest.raises(BusinessError) as refused:
        freight.add_contract(user=cp.manager, **fields)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not CarrierContract.objects.exists()


def test_a_contract_number_twice_or_without_the_right_is_refused(cp, org):
    fields = {"courier": "zto", "number": "HT-1", "starts_on": date(2027, 1, 1), "ends_on": date(2027, 12, 31),
              "standard_days": 3}
    freight.add_contract(user=cp.manager, **fields)
    with pytest.raises(Conflict, match="合同编号 HT-1 已存在"):
        freight.add_contract(user=cp.manager, **{**fields, "courier": "sf_express"})
    with pytest.raises(NotAllowed):
        freight.add_contract(user=cp.viewer, **{**fields, "number": "HT-2"})
    assert CarrierContract.objects.count() == 1


def test_a_carrier_taken_out_of_use_gives_no_numbers_and_comes_back(cp):
    numbers.set_active(cp.zto, user=cp.manager, active=False)
    cp.zto.refresh_from_db()
    assert not cp.zto.is_active and cp.zto.history.latest().history_user == cp.manager
    with pytest.raises(BusinessError, match="已停用"):
        numbers.import_numbers(b"\xe8\xbf\x90\xe5\x8d\x95\xe5\x8f\xb7\nZT1\n", cp.zto, user=cp.manager)
    with pytest.raises(NotAllowed):
        numbers.set_active(cp.zto, user=cp.viewer, active=True)
    assert numbers.set_active(cp.zto, user=cp.manager, active=True).is_active


# --- the pages --------------------------------------------------------------------------------------


def test_the_list_and_the_carrier_page_show_pools_numbers_contracts_and_cards(cp, org):
    numbers.add_pool(cp.zto, user=cp.manager, prefix="ZT", first=1, last=100, width=6)
    NumberPool.objects.filter(carrier=cp.zto).update(next_value=11)
    numbers.import_numbers(b"\xe8\xbf\x90\xe5\x8d\x95\xe5\x8f\xb7\nZTX1\nZTX2\n", cp.zto, user=cp.manager)
    today = timezone.localdate()
    freight.add_contract(user=cp.manager, courier="zto", number="HT-NOW", starts_on=today - timedelta(days=10),
                         ends_on=today + timedelta(days=10), standard_days=3, settlement_terms="月结")
    freight.add_price_card(user=org.admin, courier="zto", name="江浙沪", first_weight_g=1000, first_price="3.00",
                           step_weight_g=1000, step_price="1.00", valid_from=today - timedelta(days=1),
                           provinces=["浙江省", "江苏省"])
    http = browser(cp.manager)
    listing = http.get("/logistics/carriers/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "中通快递" in html and "HT-NOW" in html and "江苏省、浙江省" in html
    assert f'href="{ZTO}"' in html
    page = http.get(ZTO)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("ZT000001–ZT000100", "ZT000011", "HT-NOW", "月结", "执行中", "已导入 2 个，待用 2 个", "江浙沪",
                 'data-testid="pool-form"', 'data-testid="numbers-import"', 'data-testid="contract-form"',
                 "/logistics/price-cards/?courier=zto"):
        assert text in html, text
    assert "江浙沪" in http.get("/logistics/price-cards/?courier=zto").content.decode()
    assert "江浙沪" not in http.get("/logistics/price-cards/?courier=sf_express").content.decode()


def test_a_viewer_sees_only_what_the_rights_allow_and_others_are_refused(cp, org):
    numbers.add_pool(cp.zto, user=cp.manager, prefix="ZT", first=1, last=100, width=6)
    freight.add_contract(user=cp.manager, courier="zto", number="HT-SECRET", starts_on=date(2020, 1, 1),
                         ends_on=date(2099, 12, 31), standard_days=3)
    http = browser(cp.viewer)
    html = http.get("/logistics/carriers/").content.decode()
    assert "中通快递" in html and "HT-SECRET" not in html and "号段剩余单号" not in html
    html = http.get(ZTO).content.decode()
    assert "ZT000001" not in html and "HT-SECRET" not in html and "已导入" not in html
    assert not any(f'data-testid="{form}"' in html for form in ("pool-form", "numbers-import", "contract-form"))
    assert "/active/" not in html
    assert http.post(f"{ZTO}pools/add/", {"first": "200", "last": "300", "width": "6"}).status_code == 403
    assert http.post(f"{ZTO}contracts/add/", contract_form()).status_code == 403
    assert http.post(f"{ZTO}active/", {"active": "0"}).status_code == 403
    assert http.get("/logistics/carriers/pigeon/").status_code == 404
    denied = browser(cp.nobody)
    assert denied.get("/logistics/carriers/").status_code == 403
    assert denied.get(ZTO).status_code == 403
    assert 'href="/logistics/carriers/"' not in denied.get("/logistics/price-cards/").content.decode()
    assert browser(org.member_a).get("/logistics/carriers/").status_code == 404  # a client's own user
    assert NumberPool.objects.count() == 1 and CarrierContract.objects.count() == 1
    assert Carrier.objects.get(code="zto").is_active


# --- the forms --------------------------------------------------------------------------------------


def test_pool_form_adds_a_range(cp):
    answer = browser(cp.manager).post(f"{ZTO}pools/add/", {"prefix": "ZT", "first": "1", "last": "500",
                                                           "width": "8"})
    assert answer.status_code == 302 and answer["Location"] == ZTO
    pool = NumberPool.objects.get()
    assert (pool.prefix, pool.first, pool.last, pool.next_value, pool.width) == ("ZT", 1, 500, 1, 8)
    assert said(answer) == ["号段已添加：中通快递 ZT00000001–ZT00000500"]


@pytest.mark.parametrize(("form", "message"), [
    ({"prefix": "ZT", "first": "50", "last": "60", "width": "6"}, "与已有号段 中通快递 ZT000001–ZT000100 重叠"),
    ({"prefix": "ZT", "first": "300", "last": "200", "width": "6"}, "号段的结束号不能小于起始号"),
    ({"prefix": "ZT", "first": "abc", "last": "200", "width": "6"}, "起始号须为不小于 0 的整数"),
    ({"prefix": "ZT", "first": "200", "last": "", "width": "6"}, "结束号须为不小于 0 的整数"),
    ({"prefix": "ZT", "first": "200", "last": "300", "width": "0"}, "位数须为正整数"),
    ({"prefix": "Z T", "first": "200", "last": "300", "width": "6"}, "前缀只能包含字母、数字和短横线"),
])
def test_a_bad_pool_is_refused_naming_the_field_and_nothing_is_written(cp, form, message):
    numbers.add_pool(cp.zto, user=cp.manager, prefix="ZT", first=1, last=100, width=6)
    answer = browser(cp.manager).post(f"{ZTO}pools/add/", form)
    assert answer.status_code == 302
    assert said(answer) == [message]
    assert NumberPool.objects.count() == 1


def test_import_form_adds_the_numbers_and_a_second_import_changes_nothing(cp):
    http = browser(cp.manager)
    upload = "运单号\nZTA001\nZTA002\n".encode()
    answer = http.post(f"{ZTO}numbers/import/", {"file": SimpleUploadedFile("n.csv", upload)})
    assert answer.status_code == 302 and said(answer) == ["已导入单号 2 个，此前已导入 0 个"]
    again = http.post(f"{ZTO}numbers/import/", {"file": SimpleUploadedFile("n.csv", upload)})
    assert said(again)[-1] == "已导入单号 0 个，此前已导入 2 个"  # the first one was not shown yet
    assert sorted(TrackingNumber.objects.values_list("number", flat=True)) == ["ZTA001", "ZTA002"]


@pytest.mark.parametrize(("content", "message"), [
    ("运单号\nZTB001\nZT B2\nZTB001\n",
     "导入失败，未写入任何单号。第 3 行：运单号只能包含字母、数字和短横线；第 4 行：运单号 ZTB001 与第 2 行重复"),
    ("单号\nZTB001\n", "文件第 1 行应为表头“运单号”"),
    ("运单号\n", "文件中没有运单号"),
])
def test_a_bad_numbers_file_is_refused_naming_the_rows_and_nothing_is_written(cp, content, message):
    answer = browser(cp.manager).post(f"{ZTO}numbers/import/",
                                      {"file": SimpleUploadedFile("n.csv", content.encode())})
    assert answer.status_code == 302 and said(answer) == [message]
    assert not TrackingNumber.objects.exists()


def test_import_form_without_a_file_asks_for_one(cp):
    answer = browser(cp.manager).post(f"{ZTO}numbers/import/", {})
    assert said(answer) == ["请选择文件"] and not TrackingNumber.objects.exists()


def test_contract_form_adds_a_contract(cp):
    answer = browser(cp.manager).post(f"{ZTO}contracts/add/", contract_form())
    assert answer.status_code == 302 and answer["Location"] == ZTO
    assert said(answer) == ["承运合同 HT-ZTO-2027 已添加"]
    contract = CarrierContract.objects.get()
    assert (contract.courier, contract.starts_on, contract.ends_on, contract.standard_days, contract.late_penalty,
            contract.compensation_cap, contract.settlement_terms) == (
        "zto", date(2027, 1, 1), date(2027, 12, 31), 3, Decimal("2.00"), Decimal("300.00"), "月结，次月 15 日前付款")


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_on": "2026-12-31"}, "结束日期不能早于开始日期"),
    ({"starts_on": ""}, "请填写开始日期（年-月-日）"),
    ({"ends_on": "2027-02-30"}, "请填写结束日期（年-月-日）"),
    ({"standard_days": ""}, "请填写承诺时效（天）"),
    ({"compensation_cap": "1.234"}, "丢件破损赔付上限最多两位小数（精确到分）"),
    ({"number": ""}, "请填写合同编号"),
])
def test_a_bad_contract_form_is_refused_naming_the_field_and_nothing_is_written(cp, changes, message):
    answer = browser(cp.manager).post(f"{ZTO}contracts/add/", contract_form(**changes))
    assert answer.status_code == 302 and said(answer) == [message]
    assert not CarrierContract.objects.exists()


def test_the_same_contract_number_twice_is_refused_by_the_form(cp):
    http = browser(cp.manager)
    http.post(f"{ZTO}contracts/add/", contract_form())
    answer = http.post("/logistics/carriers/sf_express/contracts/add/", contract_form())
    assert said(answer)[-1] == "合同编号 HT-ZTO-2027 已存在"
    assert CarrierContract.objects.count() == 1


def test_active_form_takes_the_carrier_out_of_use_and_back(cp):
    http = browser(cp.manager)
    answer = http.post(f"{ZTO}active/", {"active": "0"})
    assert answer.status_code == 302 and said(answer) == ["承运商已停用"]
    assert not Carrier.objects.get(code="zto").is_active
    assert "停用" in http.get("/logistics/carriers/").content.decode()
    http.post(f"{ZTO}active/", {"active": "1"})
    assert Carrier.objects.get(code="zto").is_active
