"""The user's walk through the demo company (issue 3): every demo login signs in with the demo password,
opens every page of its navigation and, in the catalogue, stores, suppliers, listing and compliance
modules, follows the first link to each kind of page (details, forms, tabs) a few levels deep.

Nothing may answer 5xx, and the client's own user (kehu, 山岚茶业) must never see a trace of the other
client (松屿家居) on any page it reaches (AGY-07, DAT-02). A normal test: built once, about half a minute.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from ecomops.demo import org as demo

from .crawl import view_name

MODULES = ("catalog", "stores", "suppliers", "listing", "compliance", "orders", "orderimport", "dispatch", "payroll",
           "waves", "fulfilment", "logistics")
HREF = re.compile(r'href="(/[^"#]*)"')
# Downloads and files answer bytes, not pages; the API and the admin are walked elsewhere.
SKIP = re.compile(r"^/(api|admin|i18n|static|media)/|/file/|/logo/|\.xlsx$|/export/")
OTHER_CLIENT = ("松屿", "SONGYU", "Songyu", "SY-PDD", "SY-AMZ")
# (a <script type="application/json"> is data, which the policy does not run)
INLINE = re.compile(
    r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>|<[^>]*\s(on[a-z]+|style)\s*=|<style[\s>]",
    re.IGNORECASE,
)
MAX_DEPTH = 3
PER_VIEW = 3


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """The demo company, built once for this module inside a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            result = demo.build()
            yield result
        transaction.set_rollback(True)


def sign_in(username: str) -> HttpClient:
    http = HttpClient(raise_request_exception=False)  # a 500 is recorded, not raised
    response = http.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} cannot sign in with the demo password"
    return http


def links(html: str) -> list[str]:
    return [unescape(href) for href in HREF.findall(html) if not SKIP.search(href)]


def walk(http: HttpClient) -> dict[str, tuple[int, str]]:
    """Open the navigation, then follow links of the five modules, at most PER_VIEW pages of each kind
    (the first ones found: a list's first details, the forms, the tabs). Returns {path: (status, html)}."""
    home = http.get(reverse("home"))
    assert home.status_code == 200
    opened: dict[str, tuple[int, str]] = {reverse("home"): (200, home.content.decode())}
    per_view: dict[str, int] = {}
    frontier = [(item["url"], 0) for item in home.context["nav_items"]]
    while frontier:
        path, depth = frontier.pop(0)
        name = view_name(path)
        if path in opened or name is None or name == "logout" or per_view.get(name, 0) >= PER_VIEW:
            continue
        per_view[name] = per_view.get(name, 0) + 1
        response = http.get(path)
        html = response.content.decode() if response.get("Content-Type", "").startswith("text/html") else ""
        opened[path] = (response.status_code, html)
        if depth < MAX_DEPTH and response.status_code == 200 and name.split(":")[0] in MODULES:
            frontier.extend((link, depth + 1) for link in links(html))
    return opened


ISSUE_3_PAGES = ("catalog:style_detail", "catalog:categories", "catalog:brands", "stores:qualification_detail",
                 "stores:store_profile", "stores:document_types", "suppliers:supplier_detail",
                 "suppliers:recall_detail", "listing:listing_detail", "listing:admission_detail",
                 "listing:chain_measure")
REACHED = {
    "admin": (*ISSUE_3_PAGES, "compliance:terms", "compliance:phrases", "catalog:category_edit",
              "stores:document_type_edit", "orders:order_detail", "orderimport:job_detail",
              "orderimport:exceptions", "orderimport:format_edit"),
    "zhuguan": ISSUE_3_PAGES,
    "kehu": ("catalog:style_detail", "catalog:brands", "stores:qualification_detail"),
}
LOGINS = [username for username, *_ in demo.LOGINS]


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_demo_walk_has_no_server_errors(company, username):
    opened = walk(sign_in(username))
    errors = {path: status for path, (status, _html) in opened.items() if status >= 500}
    assert not errors, errors
    # Content-Security-Policy (issue 12): no page the walk reaches needs an inline script, handler or style.
    inline = {path: found.group(0)[:80] for path, (_status, html) in opened.items()
              if (found := INLINE.search(html))}
    assert not inline, inline
    assert len(opened) > 3, opened.keys()
    names = {view_name(path) for path in opened}
    # The walk reached the detail pages of every module the login works in, not just the lists.
    for wanted in REACHED.get(username, ()):
        assert wanted in names, (wanted, sorted(n for n in names if n))


@pytest.mark.django_db
def test_demo_client_user_never_sees_the_other_client(company):
    """AGY-07 / DAT-02: kehu is 山岚茶业's own user; 松屿家居 appears on none of the pages it reaches,
    and the other client's records answer 404 when asked for directly."""
    from ecomops.catalog.models import Style
    from ecomops.org.models import Store
    from ecomops.stores.models import Qualification

    http = sign_in("kehu")
    opened = walk(http)
    assert {view_name(p) for p in opened} >= {"home", "catalog:styles", "catalog:style_detail"}
    for path, (status, html) in opened.items():
        assert status < 400 or status == 403 or status == 404, (path, status)
        leaked = [word for word in OTHER_CLIENT if word in html]
        assert not leaked, (path, leaked)
    other_style = Style.objects.filter(client__code="SONGYU").first()
    other_store = Store.objects.get(code="SY-PDD")
    other_licence = Qualification.objects.filter(client__code="SONGYU").first()
    for url in (reverse("catalog:style_detail", args=[other_style.pk]),
                reverse("stores:store_profile", args=[other_store.pk]),
                f"{reverse('catalog:export')}?client={other_store.client_id}",
                reverse("org:client_detail", args=[other_store.client_id])):
        assert http.get(url).status_code == 404, url
    if other_licence is not None:
        assert http.get(reverse("stores:qualification_detail", args=[other_licence.pk])).status_code == 404
    api = http.get("/api/v1/catalog/styles", {"page_size": 100})
    assert api.status_code == 200 and {s["client"]["id"] for s in api.json()["items"]} == {
        Style.objects.filter(client__code="SHANLAN").first().client_id}


@pytest.mark.django_db
def test_demo_every_shipped_unit_left_the_ledger_exactly_once(company):
    """ORD-01 / WMS-10 / WMS-13 over the demo company: ``orders-stock-verify`` and ``stock-verify`` both
    find nothing. Then (rolled back) the paid demo orders are reviewed, some printed and shipped whole,
    the demo's split order parcel by parcel and its merged pair as one parcel, all through the one path:
    still nothing, and the shipped units are exactly what left the ledger."""
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.models import StockMove
    from ecomops.orders import actions, parcels, review
    from ecomops.orders.enums import OrderState
    from ecomops.orders.models import Order, Parcel
    from ecomops.orders.shipments import shipment_differences, totals

    def verify() -> str:
        out = StringIO()
        call_command("orders-stock-verify", stdout=out)
        call_command("stock-verify", stdout=out)
        return out.getvalue()

    assert "exactly once" in verify() and "账物相符" in verify()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    with transaction.atomic():
        review.auto_review(user=admin)
        with_parcels = set(Parcel.objects.values_list("lines__order_id", flat=True))
        ready = list(Order.objects.filter(state=OrderState.REVIEWED).exclude(pk__in=with_parcels).order_by("pk")[:5])
        assert ready, "the demo has orders the automatic review can allocate"
        for order in ready:
            order = actions.release_to_shipping(order, user=admin)
            actions.ship_order(order, user=admin, courier="sf_express", tracking_no=f"SF{order.pk:08d}")
        sent = 0
        for parcel in Parcel.objects.filter(state="open").order_by("pk"):
            orders = Order.objects.filter(parcel_lines__parcel=parcel).distinct()
            if any(o.allocation_state != "allocated" for o in orders):
                continue  # this one could not be reserved in the demo's stock: it stays open
            for order in orders.filter(state=OrderState.REVIEWED):
                actions.release_to_shipping(order, user=admin)
            parcels.ship_parcel(parcel, user=admin, courier="yto", tracking_no=f"YT{parcel.pk:08d}")
            sent += 1
        assert shipment_differences() == []
        shipped = totals()
        assert shipped.orders >= len(ready) and Parcel.objects.filter(state="shipped").count() == sent
        assert shipped.units == sum(m.quantity for m in StockMove.objects.filter(doc_kind=DocKind.ORDER))
        assert "exactly once" in verify()
        transaction.set_rollback(True)
