"""The demo builder: packaging with one material below cover, a plan awaiting approval, a collecting
return; the ledger stays equal to the balances."""

from django.utils import timezone

from ecomops.demo.supply import build
from ecomops.inventory.tests.conftest import make_sku
from ecomops.inventory.verify import differences
from ecomops.supply.enums import PlanState, ReturnState
from ecomops.supply.models import PackagingReorder, ReplenishmentPlan, SupplierReturn


def test_demo_builds_packaging_plan_and_return(stock):
    make_sku(stock.org.client_a, "LJ-01", hero=True)
    counts = build(admin=stock.admin, clients={"CA": stock.org.client_a}, today=timezone.localdate(),
                   warehouse=stock.wh)
    assert counts == {"packaging_materials": 4, "replenishment_plans": 1, "supplier_returns": 1}
    assert list(PackagingReorder.objects.values_list("material__code", flat=True)) == ["BUBBLE"]
    plan = ReplenishmentPlan.objects.get()
    assert plan.state == PlanState.PENDING and plan.lines.get().rule == "hero"
    assert SupplierReturn.objects.get().state == ReturnState.COLLECTING
    assert differences() == []
