"""The order tests' fixtures (``od``: orders of clients A and B)."""

from ecomops.orders.tests.conftest import od  # noqa: F401
