"""Fixtures for the policy registry tests: a policy owner, dates around today, staff to sign."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

_numbers = itertools.count(1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def tomorrow(today):
    return today + timedelta(days=1)


@pytest.fixture
def policy_owner(db):
    """A user who may change policy values (POL-02 owner), but is no superuser."""
    user = get_user_model().objects.create_user(username="policy_owner", password="x")
    permission = Permission.objects.get(content_type__app_label="policy", codename="change_policy_value")
    user.user_permissions.add(permission)
    return get_user_model().objects.get(pk=user.pk)  # fresh object: no stale permission cache


@pytest.fixture
def hire(org):
    """Hire a staff member through org.actions (as the superuser), like the product does."""
    from ecomops.org.actions import hire_staff
    from ecomops.org.models import Department

    def _hire(name: str = "", *, department: str = "warehouse", hired_on=None):
        n = next(_numbers)
        return hire_staff(
            user=org.admin,
            username=f"staff{n}",
            name=name or f"员工{n}",
            employee_no=f"E{n:04d}",
            department=Department.objects.get(code=department),
            hired_on=hired_on or timezone.localdate() - timedelta(days=30),
        )

    return _hire
