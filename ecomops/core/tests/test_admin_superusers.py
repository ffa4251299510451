"""DAT-02 / AGY-07: the Django admin ignores client scope, so only superusers may use it; a staff account
with every model permission is refused on every admin page (one rule on the site, not per model)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def staff_account(org):
    """A staff account of client A holding every permission there is (not a superuser)."""
    user = org.user_a
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return type(user).objects.get(pk=user.pk)


def test_dat02_a_staff_account_cannot_use_the_admin(org, staff_account):
    http = _http(staff_account)
    for url in [reverse("admin:index"), reverse("admin:org_client_changelist"),
                reverse("admin:org_client_change", args=[org.client_b.pk])] + [
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model in admin.site._registry]:
        response = http.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_dat02_a_superuser_uses_the_admin(org):
    http = _http(org.admin)
    assert http.get(reverse("admin:index")).status_code == 200
    assert http.get(reverse("admin:org_client_change", args=[org.client_b.pk])).status_code == 200


def test_dat02_an_inactive_superuser_cannot(org):
    from ecomops.core.admin import superusers_only

    org.admin.is_active = False
    assert not superusers_only(type("R", (), {"user": org.admin})())
