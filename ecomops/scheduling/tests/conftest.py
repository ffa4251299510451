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
