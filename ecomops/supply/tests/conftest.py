import pytest

from ecomops.inventory.tests.conftest import KEEPER_PERMS, give, stock  # noqa: F401
from ecomops.suppliers.models import Supplier


@pytest.fixture
def supplier(stock):  # noqa: F811
    return Supplier.objects.create(code="SUP1", name="杭州服装厂", client=stock.org.client_a, created_by=stock.admin)


@pytest.fixture
def buyer(stock):  # noqa: F811
    give(stock.keeper, "supply.add_purchaseorder", "supply.change_purchaseorder", "supply.view_purchaseorder")
    return stock.keeper
