"""Issue 15: a link is shown only when its page would let the viewer in (core.access.may_open), from
the rule the page decorators record on the view."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.template import Context, Template

from ecomops.core.access import may_open

pytestmark = pytest.mark.django_db


def user_with(*perms):
    user = get_user_model().objects.create_user(username=f"u{len(perms)}-{'-'.join(perms)[:20]}", password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


def test_may_open_follows_the_pages_own_permission():
    plain = user_with()
    payer = user_with("orders.view_order", "orders.view_payment")
    assert may_open(payer, "/orders/reconciliation/?store=3")
    assert not may_open(plain, "/orders/reconciliation/")
    assert not may_open(plain, "/no/such/page/") and not may_open(payer, "")
    # A page without a recorded rule (the login page) opens; nobody signed out opens a guarded one.
    assert may_open(plain, "/login/")
    from django.contrib.auth.models import AnonymousUser
    assert not may_open(AnonymousUser(), "/orders/")


def test_internal_pages_never_open_for_a_client_user(django_user_model):
    from ecomops.org.models import Client, ClientMember

    client = Client.objects.create(code="C1", name="委托方甲")
    member = user_with("dispatch.view_shipbatch", "orders.view_order")
    ClientMember.objects.create(user=member, client=client)
    member = django_user_model.objects.get(pk=member.pk)
    staff = user_with("dispatch.view_shipbatch")
    assert may_open(staff, "/dispatch/1/")
    assert not may_open(member, "/dispatch/1/")  # internal: a client user gets 404 there
    assert may_open(member, "/orders/")  # a scoped page client users may open


def test_the_template_filter_leaves_the_link_out():
    template = Template("{% load ecomops_ui %}{% if href|opens_for:user %}<a href=\"{{ href }}\">x</a>"
                        "{% else %}x{% endif %}")
    assert template.render(Context({"href": "/orders/reconciliation/", "user": user_with()})) == "x"
    allowed = user_with("orders.view_order", "orders.view_payment")
    assert "<a" in template.render(Context({"href": "/orders/reconciliation/", "user": allowed}))
