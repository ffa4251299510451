from ecomops.orders.tests.conftest import od  # noqa: F401
