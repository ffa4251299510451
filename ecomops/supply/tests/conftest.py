import pytest

from ecomops.inventory import actions as inv
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef
from ecomops.inventory.tests.conftest import KEEPER_PERMS, give, stock  # noqa: F401
from ecomops.suppliers.models import Supplier

SUPPLY_KEEPER_PERMS = (
    "supply.view_supplierreturn", "supply.change_supplierreturn", "supply.add_shippingdefect",
    "supply.view_shippingdefect", "supply.view_packagingmaterial", "supply.add_packagingmaterial",
    "supply.add_packagingreceipt", "supply.change_packagingreceipt", "supply.view_packagingreceipt",
    "supply.add_packagingmove", "supply.add_promotion", "supply.change_supplierreturnterms",
    "supply.view_replenishmentplan",
)


@pytest.fixture
def supplier(stock):  # noqa: F811
    return Supplier.objects.create(code="SUP1", name="杭州服装厂", client=stock.org.client_a, created_by=stock.admin)


@pytest.fixture
def supplier_b(stock):  # noqa: F811
    return Supplier.objects.create(code="SUPB", name="乙方茶厂", client=stock.org.client_b, created_by=stock.admin)


@pytest.fixture
def buyer(stock):  # noqa: F811
    give(stock.keeper, "supply.add_purchaseorder", "supply.change_purchaseorder", "supply.view_purchaseorder")
    return stock.keeper


@pytest.fixture
def keeper(stock):  # noqa: F811
    give(stock.keeper, *SUPPLY_KEEPER_PERMS, "suppliers.view_supplier")
    return stock.keeper


@pytest.fixture
def approver(stock, django_user_model):  # noqa: F811
    from ecomops.org.models import ClientGrant

    user = django_user_model.objects.create_user("approver", password=stock.org.password)
    give(user, "supply.approve_replenishmentplan", "supply.view_replenishmentplan", "supply.view_purchaseorder")
    ClientGrant.objects.create(user=user, client=stock.org.client_a)
    return user


@pytest.fixture
def packaging_bin(stock):  # noqa: F811
    return inv.create_bin(stock.wh, user=stock.admin, code="PK-01", kind=BinKind.PACKAGING)


def supplier_lot(stock, supplier, sku=None, quantity=10, bin_=None):  # noqa: F811
    """Goods of ``supplier`` received into ``bin_`` (default A-01-01) as their own lot."""
    sku = sku or stock.sku
    lot = inv.open_lot(client=sku.client, source=DocRef(DocKind.RECEIPT, "R1", "RK1"), supplier=supplier)
    stock.put(sku, quantity, bin_ or stock.a1, lot=lot)
    return lot
