"""Shared test fixtures: a small organisation with two clients, so every test can check scoping."""

import os
from datetime import date

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's sync API runs an event loop

PASSWORD = "Test-Passw0rd!"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    """Two clients (A with stores A1, A2; B with store B1) and users of each kind of scope."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from ecomops.org.models import Client, ClientGrant, ClientMember, Department, Platform, Store, StoreGrant

    User = get_user_model()

    class Org:
        pass

    o = Org()
    o.password = PASSWORD
    taobao = Platform.objects.get(code="taobao")
    jd = Platform.objects.get(code="jd")
    o.client_a = Client.objects.create(code="CA", name="甲品牌")
    o.client_b = Client.objects.create(code="CB", name="乙品牌")
    o.store_a1 = Store.objects.create(code="A1", name="甲品牌淘宝店", client=o.client_a, platform=taobao)
    o.store_a2 = Store.objects.create(code="A2", name="甲品牌京东店", client=o.client_a, platform=jd)
    o.store_b1 = Store.objects.create(code="B1", name="乙品牌淘宝店", client=o.client_b, platform=taobao)

    def make_user(username, *perms, superuser=False):
        user = User.objects.create_user(username=username, password=PASSWORD, is_superuser=superuser,
                                        is_staff=superuser)
        for perm in perms:
            app, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
        return User.objects.get(pk=user.pk)

    view_perms = ("org.view_client", "org.view_store")
    o.admin = make_user("admin", superuser=True)
    o.user_a = make_user("user_a", *view_perms, "org.change_client", "org.change_store", "org.add_store")
    ClientGrant.objects.create(user=o.user_a, client=o.client_a)
    o.user_b = make_user("user_b", *view_perms, "org.change_client", "org.change_store", "org.add_store")
    ClientGrant.objects.create(user=o.user_b, client=o.client_b)
    o.user_a1 = make_user("user_a1", *view_perms)
    StoreGrant.objects.create(user=o.user_a1, store=o.store_a1)
    o.nobody = make_user("nobody", *view_perms)
    o.member_a = make_user("member_a", *view_perms)
    ClientMember.objects.create(user=o.member_a, client=o.client_a)
    ClientGrant.objects.create(user=o.member_a, client=o.client_b)  # must be ignored: members see their own
    o.department = Department.objects.get(code="ecom")
    o.today = date.today()
    return o
