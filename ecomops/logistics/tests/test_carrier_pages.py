"""LOG-01 / LOG-02: adding a carrier contract and taking a carrier out of use. A bad input is refused
with a Chinese message naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.logistics import freight, numbers
from ecomops.logistics.models import Carrier, CarrierContract
from ecomops.orders.tests.conftest import make_user

VIEW = ("logistics.view_carrier", "logistics.view_numberpool", "logistics.view_trackingnumber",
        "logistics.view_carriercontract", "logistics.view_pricecard")
ADD = ("logistics.add_numberpool", "logistics.add_trackingnumber", "logistics.add_carriercontract",
       "logistics.change_carrier")


@pytest.fixture
def cp(org):
    d = type("CP", (), {})()
    d.manager = make_user("carrier_mgr", *VIEW, *ADD)
    d.viewer = make_user("carrier_viewer", "logistics.view_carrier")
    d.nobody = make_user("carrier_nobody", "logistics.view_pricecard")
    d.zto = Carrier.objects.get(code="zto")
    return d


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
