"""Fixtures of the scheduling tests; the order tests' fixtures (``od``, ``wh``) for the demo-like day."""

from __future__ import annotations

import pytest

from ecomops.orders.tests.conftest import od, wh  # noqa: F401 (fixtures of the demo-like day)
from ecomops.scheduling import registry

from .support import CALLS, IMMEDIATE


@pytest.fixture
def clean_registry(monkeypatch):
    """Only the jobs a test registers (the apps' own jobs are left out, their rows ignored)."""
    monkeypatch.setattr(registry, "_REGISTRY", {})
    CALLS.clear()
    return registry


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE
    return settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data every migrated install has (seeded after migrate; idempotent). In this
    environment the in-repository test runs met a test database without it — see the report."""
    from ecomops.core.apps import seed_everything

    with django_db_blocker.unblock():
        seed_everything()
