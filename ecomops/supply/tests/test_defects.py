"""WMS-17: defects found while shipping — recorded, moved to the defective bin, added to the supplier's
return; the sellable quantity falls by the same amount."""

import pytest

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.inventory import actions as inv
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef
from ecomops.inventory.models import StockMove
from ecomops.inventory.reservations import available
from ecomops.inventory.verify import differences
from ecomops.supply.defects import register_shipping_defect
from ecomops.supply.enums import ReturnReason, ReturnState
from ecomops.supply.models import SupplierReturn

from .conftest import supplier_lot


def test_defect_moves_to_the_defective_bin_and_onto_the_supplier_return(stock, supplier, keeper):
    """WMS-17: brand, code, model, name, quantity, reason recorded; goods moved (次品登记单) to the
    defective bin; the supplier's collecting return gets them; available falls 10 → 8."""
    supplier_lot(stock, supplier, quantity=10)
    assert available(stock.sku.pk, stock.wh.pk) == 10
    defect = register_shipping_defect(user=keeper, warehouse=stock.wh, sku=stock.sku, from_bin=stock.a1,
                                              quantity=2, reason="领口开线", brand="甲牌")
    assert (defect.brand, defect.code, defect.model, defect.quantity, defect.reason) == (
        "甲牌", stock.sku.sku_code, "DRESS1", 2, "领口开线")
    assert "测试款 DRESS1" in defect.name
    assert (defect.available_before, defect.available_after) == (10, 8)
    assert available(stock.sku.pk, stock.wh.pk) == 8
    move = StockMove.objects.get(doc_kind=DocKind.DEFECT, doc_id=str(defect.pk))
    assert move.from_bin == stock.a1 and move.to_bin == stock.defective
    ret = SupplierReturn.objects.get(supplier=supplier, state=ReturnState.COLLECTING)
    line = ret.lines.get()
    assert line.reason == ReturnReason.SHIPPING_DEFECT and line.source == defect.number and line.quantity == 2
    assert differences() == []


def test_defect_register_refuses_bad_input_naming_the_field(stock, supplier, keeper):
    supplier_lot(stock, supplier, quantity=3)
    cases = [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 4}, "quantity"),
        ({"reason": " "}, "reason"),
        ({"from_bin": stock.defective}, "from_bin"),
        ({"from_bin": stock.b1}, "from_bin"),
    ]
    for change, field in cases:
        args = {"user": keeper, "warehouse": stock.wh, "sku": stock.sku, "from_bin": stock.a1, "quantity": 1,
                "reason": "污渍", **change}
        with pytest.raises(BusinessError) as error:
            register_shipping_defect(**args)
        assert error.value.field == field, change
    assert available(stock.sku.pk, stock.wh.pk) == 3


def test_lot_without_supplier_needs_one_and_other_clients_are_refused(stock, supplier, keeper):
    """WMS-17: the return goes to the lot's supplier; without one the register asks for it."""
    stock.put(stock.sku2, 2)  # opening stock: lot without a supplier
    with pytest.raises(BusinessError) as error:
        register_shipping_defect(user=keeper, warehouse=stock.wh, sku=stock.sku2, from_bin=stock.a1,
                                         quantity=1, reason="破损")
    assert error.value.field == "supplier"
    defect = register_shipping_defect(user=keeper, warehouse=stock.wh, sku=stock.sku2, from_bin=stock.a1,
                                              quantity=1, reason="破损", supplier=supplier)
    assert defect.available_after == 1
    lot_b = inv.open_lot(client=stock.org.client_b, source=DocRef(DocKind.RECEIPT, "9", "RK9"))
    stock.put(stock.sku_b, 1, lot=lot_b)
    with pytest.raises(NotAllowed):
        register_shipping_defect(user=keeper, warehouse=stock.wh, sku=stock.sku_b, from_bin=stock.a1,
                                         quantity=1, reason="破损")
