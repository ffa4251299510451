"""Fixtures of the compliance tests: the compliance officer of the seeded positions, and a JSON client."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient

from ecomops.compliance import checker

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_library():
    """Each test compiles the lists of its own database (ids repeat across test transactions)."""
    checker.forget()
    yield
    checker.forget()


@pytest.fixture
def officer(org):
    """法务合规专员 with the seeded position's permissions, working for client A (granted whole)."""
    from django.contrib.auth import get_user_model

    from ecomops.org.models import ClientGrant, Position

    user = get_user_model().objects.create_user(username="officer", password=org.password)
    user.groups.add(Position.objects.get(code="compliance_officer").group)
    ClientGrant.objects.create(user=user, client=org.client_a)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def writer(org):
    """A staff member without any compliance permission (a product editor checking her copy)."""
    from django.contrib.auth import get_user_model

    from ecomops.org.models import ClientGrant

    user = get_user_model().objects.create_user(username="writer", password=org.password)
    ClientGrant.objects.create(user=user, client=org.client_a)
    return user


class JsonClient:
    def __init__(self, user=None):
        self.client = HttpClient()
        if user is not None:
            self.client.force_login(user)

    def get(self, path, params=None):
        return self.client.get(f"{API}{path}", params or {})

    def post(self, path, data=None, *, raw: str | None = None):
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(f"{API}{path}", body, content_type="application/json")

    def patch(self, path, data):
        return self.client.patch(f"{API}{path}", json.dumps(data), content_type="application/json")


@pytest.fixture
def api():
    """``api(user)``: JSON calls to /api/v1 with that user's session (``api(None)``: anonymous)."""
    return JsonClient
