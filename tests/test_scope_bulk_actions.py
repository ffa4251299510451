"""ORG-07 / AGY-07 / DAT-02, structurally: every batch, queue or bulk action of the API works on the
records its caller may see and skips (or refuses) the rest.

One world of mixed data holds two clients side by side in the same queues: a ship batch (wave) with
both clients' orders, a review batch of a clerk who sees both, both clients' orders waiting for stock,
waiting for review, reviewed outside a batch, held with unmatched SKUs, a reservation, a replenishment
plan and a count sheet of client B. Every bulk/queue action of the API then runs as a user of client A
holding every permission except ``org.access_all_clients``, and the test checks that

- nothing of client B changed: every row of every scoped model that belongs to B (orders, lines,
  events, batch entries, reservations, due items, plans, counts …) and the shared batches holding B's
  orders are exactly as they were;
- no client B record shows in the responses (order numbers, names, ids).

The guard ``test_every_changing_route_is_classified`` lists every POST/PUT/PATCH/DELETE operation of
the API as either an act on one record (answering 404 outside the caller's scope, tested with its
module) or a bulk action exercised here. A route added without a classification fails it, so the
rule stays structural. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.dispatch import actions as dispatch
from ecomops.dispatch.models import ShipBatch
from ecomops.inventory import actions as stock
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.orderimport import actions as orderimport
from ecomops.orders import actions as order_actions
from ecomops.orders import review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, ReviewBatch, StoreWarehouse
from ecomops.orders.tests.conftest import CLERK, at, make_user, new_order
from ecomops.org.models import ClientGrant
from ecomops.org.scoping import ALL_CLIENTS_PERM, Scope, scope_q

pytestmark = pytest.mark.django_db

S = OrderState

# --- the classification of every changing route -------------------------------------------------

# Acts on many records at once: each has a scenario below, run over the mixed world.
BULK = {
    "dispatch_print_batch": "prints the caller's part of a shared wave",
    "dispatch_assign_pending": "puts the caller's reviewed orders into waves",
    "orders_review_auto": "automatic review of the caller's orders",
    "orders_review_retry": "retries the caller's part of the out-of-stock queue",
    "orders_review_take_batch": "claims a batch from the caller's part of the review pool",
    "orders_review_close_batch": "gives back the caller's part of a (mixed) review batch",
    "orderimport_rematch": "re-matches the held orders of one of the caller's stores",
    "inventory_release": "releases the caller's reservations of a document",
    "orders_merge": "merges several orders into one parcel",
    "payroll_compute_run": "computes the month over every store; answers with the caller's stores",
    "payroll_transition_run": "moves the month's run; answers with the caller's stores",
    "supply_approve_plan": "a plan is one client's: another client's is not found",
    "supply_reject_plan": "a plan is one client's: another client's is not found",
    "stockops_submit_count": "a count sheet is one client's: another client's is not found",
    "stockops_approve_count": "a count sheet is one client's: another client's is not found",
    "logistics_assign_numbers": "gives tracking numbers to the listed orders, all or nothing, in scope",
    "waves_create": "makes a wave of the caller's printed part of a shared ship batch",
}

# Acts on one record (or on the company's own data, or the caller's own): the record is looked up
# within the caller's scope and answers 404 like an unknown one; tested in each module's tests.
ONE_RECORD = {
    "acknowledge_regulation": "the caller's own acknowledgement",
    "approve_application": "one store application", "approve_change": "one store profile change",
    "approve_listing": "one listing", "check_content": "checks a text, touches no record",
    "create_admission": "one style's admission", "create_agreement": "one supplier",
    "create_application": "one store application", "create_brand": "catalogue reference data",
    "create_category": "catalogue reference data", "create_change": "one store",
    "create_client": "one client", "create_contact": "one supplier", "create_department": "the company's own",
    "create_document_type": "platform reference data", "create_listing": "one store and style",
    "create_phrase": "compliance reference data", "create_policy_version": "the company's policy",
    "create_qualification": "one client or store", "create_rating": "one supplier",
    "create_sampling": "one supplier and style", "create_staff": "the company's own",
    "create_store": "one client", "create_style": "one client", "create_supplier": "one client",
    "create_term": "compliance reference data", "create_token": "the caller's own token",
    "decide_admission": "one admission", "delist_listing": "one listing",
    "inventory_create_hold": "one SKU of one client", "inventory_extend_hold": "one hold",
    "inventory_release_hold": "one hold", "inventory_reserve": "one document, SKUs checked in scope",
    "move_recall": "one recall case", "orderimport_resume_job": "one import job",
    "orderimport_upload": "one store's file", "orders_confirm": "one order",
    "orderimport_sample_format": "reads one sample file against one format; stores nothing",
    "orders_create_refund": "one order", "orders_record_payment": "one store's order",
    "orders_review_approve": "one order of the caller's batch", "orders_review_hold": "one order of the batch",
    "orders_review_update_rule": "the company's review rules", "orders_ship": "one order",
    "orders_ship_parcel": "one parcel",
    "orders_split": "one order", "orders_transition": "one order",
    "orders_undo_parcels": "one order's parcels (a merged parcel holds one store's orders)",
    "payroll_set_target": "the company's targets", "publish_listing": "one listing",
    "payroll_save_group": "the company's pay groups", "payroll_update_group": "the company's pay groups",
    "payroll_save_profile": "the company's pay profiles", "payroll_update_profile": "the company's pay profiles",
    "payroll_record_kpi": "the company's KPI actuals", "payroll_set_bonus": "one person's bonus",
    "payroll_grant_ramp_up": "one department's month", "payroll_record_harm_case": "one person's case",
    "staff_leave": "the company's own", "record_attendance": "the company's own (one day of one person)",
    "record_attendance_bulk": "the company's own (staff attendance, no client data; one transaction)",
    "receiving_book_receipt": "one receipt", "receiving_create_receipt": "one purchase order",
    "receiving_put_away": "one receipt", "receiving_record_full_inspection": "one receipt",
    "receiving_record_sample": "one receipt", "receiving_set_line": "one receipt",
    "receiving_sign_receipt": "one receipt", "record_agreement": "one store application",
    "record_item": "one admission", "reject_change": "one store profile change",
    "resubmit_admission": "one admission", "return_application": "one store application",
    "return_listing": "one listing", "review_document": "one application document",
    "revoke_token": "the caller's own token", "set_platform_codes": "one SKU and one store",
    "start_review": "one store application", "stockops_cancel_transfer": "one transfer",
    "stockops_create_count": "one client's bins", "stockops_lend_samples": "one client's samples",
    "stockops_receive_transfer": "one transfer", "stockops_record_count": "one count sheet",
    "stockops_request_extension": "one sample loan", "stockops_request_transfer": "one client's stock",
    "stockops_return_samples": "one sample loan", "stockops_ship_transfer": "one transfer",
    "submit_application": "one store application", "submit_listing": "one listing",
    "supply_cancel_purchase_order": "one purchase order", "supply_confirm_purchase_order": "one purchase order",
    "supply_consume_packaging": "the company's packaging", "supply_create_material": "the company's packaging",
    "supply_create_purchase_order": "one client's order", "supply_hand_over_return": "one supplier return",
    "supply_mark_return_ready": "one supplier return", "update_category": "catalogue reference data",
    "update_client": "one client", "update_department": "the company's own",
    "update_document_type": "platform reference data", "update_listing": "one listing",
    "update_phrase": "compliance reference data", "update_qualification": "one qualification",
    "update_sku": "one SKU", "update_staff": "the company's own", "update_store": "one store",
    "update_style": "one style", "update_supplier": "one supplier", "update_term": "compliance reference data",
    "scheduling_pause_job": "one scheduled job (company-internal)",
    "scheduling_resume_job": "one scheduled job (company-internal)",
    "scheduling_change_schedule": "one scheduled job (company-internal)",
    "scheduling_run_job": "one scheduled job's run (company-internal)",
    "logistics_import_numbers": "one carrier's unused numbers (company data, no order of any client)",
    "logistics_declare_customs": "one order (404 outside the scope)",
    "logistics_customs_receipt": "one customs declaration",
    "logistics_inform_buyer": "one logistics case", "logistics_claim": "one logistics case",
    "logistics_compensate": "one logistics case", "logistics_close_case": "one logistics case",
    "logistics_add_price_card": "the company's price cards",
    "logistics_add_pool": "one carrier's number range (company data, no order of any client)",
    "logistics_add_service": "one carrier's services (company data)",
    "logistics_add_contract": "the company's carrier contracts",
    "logistics_update_message_template": "the company's buyer message template of one kind of case",
    "logistics_push_events": "the caller's parcels: one outside the scope refuses the whole push (logistics tests)",
    "waves_pick": "one wave (seen whole or not found)", "waves_short": "one line of one wave",
    "waves_sort": "one wave (seen whole or not found)", "waves_finish": "one wave (seen whole or not found)",
    "waves_cancel": "one wave (seen whole or not found)",
    "fulfilment_start_check": "one order found by its code in the caller's scope",
    "fulfilment_scan_item": "one order's pack check", "fulfilment_finish_check": "one order's pack check",
    "fulfilment_pack": "one order's pack check", "fulfilment_weigh": "one order's pack check",
    "fulfilment_discard_check": "one order's pack check",
    "fulfilment_open_handover": "a new, empty carrier manifest",
    "fulfilment_scan_out": "one order (found in the caller's scope) onto one manifest",
    "fulfilment_close_handover": "one manifest (the carrier's; its parcels are not changed)",
    "fulfilment_create_prepack_job": "a new pre-pack job for one SKU the caller sees",
    "fulfilment_record_prepack": "one pre-pack job in the caller's scope",
    "fulfilment_close_prepack": "one pre-pack job in the caller's scope",
}


def _changing_operations() -> dict[str, str]:
    from ecomops.api import api

    schema = api.get_openapi_schema()
    return {op["operationId"]: f"{method.upper()} {path}" for path, item in schema["paths"].items()
            for method, op in item.items() if method in ("post", "put", "patch", "delete")}


def unclassified(operations: dict[str, str]) -> list[str]:
    return sorted(f"{op} ({operations[op]})" for op in set(operations) - set(BULK) - set(ONE_RECORD))


def test_every_changing_route_is_classified():
    """A new POST/PUT/PATCH/DELETE route must be classified here: an act on one record (404 outside the
    scope) or a bulk action with a scenario over the mixed world below."""
    operations = _changing_operations()
    assert not unclassified(operations), f"classify these routes in {__name__}: {unclassified(operations)}"
    assert not set(BULK) & set(ONE_RECORD)
    gone = sorted((set(BULK) | set(ONE_RECORD)) - set(operations))
    assert not gone, f"classified routes that no longer exist: {gone}"
    assert set(BULK) == set(SCENARIOS), "every bulk action needs its scenario"


def test_the_guard_notices_a_new_route():
    operations = {**_changing_operations(), "orders_bulk_cancel": "POST /api/v1/orders/bulk-cancel"}
    assert unclassified(operations) == ["orders_bulk_cancel (POST /api/v1/orders/bulk-cancel)"]


# --- the mixed world -------------------------------------------------------------------------------


def _user_with_everything_but_all_clients(username, client):
    user = get_user_model().objects.create_user(username=username, password="x")
    app, codename = ALL_CLIENTS_PERM.split(".")
    user.user_permissions.set(Permission.objects.exclude(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=user, client=client)
    return get_user_model().objects.get(pk=user.pk)


class World:
    """Both clients in every queue; ``b_markers``: text that must never show in client A's answers."""

    def order(self, client: str, kind: str, n: int, **fields):
        store, code, clerk = ((self.org.store_a1, "A-1", self.clerk_a) if client == "A"
                              else (self.org.store_b1, "B-1", self.clerk_b))
        number = f"{client}X-{kind}-{n}"
        made = new_order(clerk, store, number, lines=[LineInput(quantity=1, unit_price=Decimal("80.00"),
                                                                platform_sku_code=fields.pop("code", code))],
                         **fields)
        if made.state != S.ON_HOLD:
            order_actions.mark_paid(made, user=clerk, paid_at=at(2, 11))
        self.orders.setdefault((client, kind), []).append(made.pk)
        return made

    def ids(self, client: str, kind: str | None = None) -> list[int]:
        return [pk for (c, k), pks in self.orders.items() if c == client and kind in (None, k) for pk in pks]


@pytest.fixture
def world(org):
    w = World()
    w.org = org
    w.orders = {}
    w.clerk_a = make_user("clerk_a", *CLERK, client=org.client_a)
    w.clerk_b = make_user("clerk_b", *CLERK, client=org.client_b)
    w.clerk_ab = make_user("clerk_ab", *CLERK, client=org.client_a)
    ClientGrant.objects.create(user=w.clerk_ab, client=org.client_b)
    w.clerk_ab = get_user_model().objects.get(pk=w.clerk_ab.pk)
    w.single = _user_with_everything_but_all_clients("single_a", org.client_a)
    w.skus = {}
    for client, letter in ((org.client_a, "A"), (org.client_b, "B")):
        style = Style.objects.create(client=client, style_no=f"{letter}-STYLE", name=f"{letter} 款",
                                     unit_cost=Decimal("40.00"), price=Decimal("80.00"))
        w.skus[letter] = SKU.objects.create(client=client, style=style, sku_code=f"{letter}-SKU-1", colour="",
                                            size="M", barcode=f"20000000000{'15' if letter == 'A' else '22'}",
                                            barcode_source="external")
    PlatformSKU.objects.create(store=org.store_a1, sku=w.skus["A"], platform_sku_code="A-1")
    PlatformSKU.objects.create(store=org.store_b1, sku=w.skus["B"], platform_sku_code="B-1")
    w.wh = stock.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    w.bin = stock.create_bin(w.wh, user=org.admin, code="A-01")
    for store in (org.store_a1, org.store_b1):
        StoreWarehouse.objects.create(store=store, warehouse=w.wh, priority=1)

    # Waiting for stock: reviewed by the system while there was none.
    for client in "AB":
        w.order(client, "waiting", 1)
    review.auto_review()
    for letter, sku in w.skus.items():
        doc = DocRef(kind=DocKind.OPENING, id=f"OPEN-{letter}", number=f"OPEN-{letter}")
        lot = stock.open_lot(client=sku.client, source=doc)
        post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=50, to_bin=w.bin)], doc=doc, user=org.admin)
    # A review batch of a clerk who sees both clients, holding both clients' orders.
    for client in "AB":
        w.order(client, "mixed_review", 1, buyer_message="请开发票")
    review.auto_review()
    w.review_batch = review.take_batch(user=w.clerk_ab)
    # The manual review pool: orders with notes, both clients.
    for client in "AB":
        w.order(client, "pool", 1, merchant_note="赠品")
    # Reviewed: in a shared wave, and outside any wave.
    for client in "AB":
        w.order(client, "in_wave", 1)
        w.order(client, "no_wave", 1)
    review.auto_review()
    dispatch.assign_many(w.ids("A", "in_wave") + w.ids("B", "in_wave"))
    w.wave = ShipBatch.objects.get()
    # Held with a SKU code nobody had mapped; now mapped, so a re-match would release them.
    for client, letter in (("A", "A"), ("B", "B")):
        held = w.order(client, "held", 1, code=f"LATE-{letter}")
        assert held.state == S.ON_HOLD
        store = org.store_a1 if client == "A" else org.store_b1
        PlatformSKU.objects.create(store=store, sku=w.skus[letter], platform_sku_code=f"LATE-{letter}")
    # Paid, for the caller's automatic review.
    for client in "AB":
        w.order(client, "paid", 1)
    # A reservation of a client B document, a replenishment plan and a count sheet of each client.
    reservations.reserve(doc=DocRef(kind=DocKind.ORDER, id="B-DOC-1", number="B-DOC-1"),
                         lines=[(w.skus["B"].pk, 2)], warehouse=w.wh, user=org.admin)
    from ecomops.stockops import actions as stockops
    from ecomops.supply.models import ReplenishmentPlan

    w.plans = {letter: ReplenishmentPlan.objects.create(number=f"RP-{letter}-1", client=client, warehouse=w.wh,
                                                        plan_date=org.today)
               for letter, client in (("A", org.client_a), ("B", org.client_b))}
    w.counts = {letter: stockops.create_count(user=org.admin, client=client, warehouse=w.wh, bins=[w.bin])
                for letter, client in (("A", org.client_a), ("B", org.client_b))}
    w.b_markers = ["BX-", "B-SKU", "B-DOC", "RP-B", w.counts["B"].number, org.store_b1.name, org.client_b.name]
    # The world is as intended: both clients in every queue.
    assert Order.objects.filter(pk__in=w.ids("B", "waiting"), allocation_state="waiting_stock").count() == 1
    assert Order.objects.filter(pk__in=w.ids("B", "mixed_review"), review_batch=w.review_batch).count() == 1
    assert Order.objects.filter(pk__in=w.ids("B", "in_wave"), ship_entry__batch=w.wave).count() == 1
    assert Order.objects.filter(pk__in=w.ids("B", "no_wave"), state=S.REVIEWED, ship_entry__isnull=True).count() == 1
    assert Order.objects.filter(pk__in=w.ids("B", "pool"), review_batch__isnull=True).exclude(
        review_reasons=[]).count() == 1
    return w


def _scoped_models():
    return [m for m in apps.get_models() if not m._meta.proxy
            and (getattr(m, "scope_store_field", None) or getattr(m, "scope_client_field", None))]


def snapshot(world) -> dict:
    """Every row of client B in every scoped model, and the shared batches holding B's orders."""
    org = world.org
    scope_b = Scope(client_ids=frozenset({org.client_b.pk}), store_ids=frozenset({org.store_b1.pk}))
    rows = {}
    for model in _scoped_models():
        rows[model._meta.label] = list(model._default_manager.filter(scope_q(model, scope_b)).order_by("pk").values())
    rows["dispatch.ShipBatch"] = list(ShipBatch.objects.filter(entries__order__store=org.store_b1).distinct()
                                      .order_by("pk").values())
    rows["orders.ReviewBatch"] = list(ReviewBatch.objects.filter(orders__store=org.store_b1).distinct()
                                      .order_by("pk").values())
    return rows


def _json(response):
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None


def _order_ids_in(body) -> set[int]:
    """Order ids an answer names: ``order_id`` anywhere, printed lists, and review batches' orders."""
    found: set[int] = set()

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "order_id" and isinstance(v, int):
                    found.add(v)
                elif k == "printed" and isinstance(v, list):
                    found.update(x for x in v if isinstance(x, int))
                elif k == "orders" and isinstance(v, list):
                    found.update(x["id"] for x in v if isinstance(x, dict) and isinstance(x.get("id"), int))
                else:
                    walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk(body)
    return found


# --- the scenarios: each calls the API as client A's user and returns the answers --------------------


def _api(world):
    http = HttpClient()
    http.force_login(world.single)

    def call(method, path, body=None):
        if method == "get":
            return http.get(f"/api/v1/{path}")
        return getattr(http, method)(f"/api/v1/{path}", json.dumps(body or {}), content_type="application/json")

    return call


def print_batch(world, call):
    answer = call("post", f"ship-batches/{world.wave.pk}/print")
    assert answer.status_code == 200, answer.content
    assert set(answer.json()["printed"]) == set(world.ids("A", "in_wave"))
    return [answer]


def assign_pending(world, call):
    answer = call("post", "ship-batches/assign")
    assert answer.status_code == 200 and answer.json() == {"assigned": len(world.ids("A", "no_wave"))}
    return [answer]


def review_auto(world, call):
    answer = call("post", "orders/review/auto")
    assert answer.status_code == 200 and answer.json()["reviewed"] == len(world.ids("A", "paid"))
    return [answer]


def review_retry(world, call):
    answer = call("post", "orders/review/retry")
    assert answer.status_code == 200 and answer.json()["reviewed"] == len(world.ids("A", "waiting"))
    return [answer]


def review_take(world, call):
    answer = call("post", "orders/review/batches")
    assert answer.status_code == 201, answer.content
    assert {o["id"] for o in answer.json()["orders"]} == set(world.ids("A", "pool"))
    return [answer]


def review_close(world, call):
    answer = call("post", f"orders/review/batches/{world.review_batch.pk}/close")
    assert answer.status_code == 200 and answer.json()["state"] == "open", answer.content
    assert not Order.objects.filter(pk__in=world.ids("A", "mixed_review"), review_batch__isnull=False).exists()
    return [answer]


def rematch(world, call):
    answers = [call("post", "order-imports/rematch", {"store_id": world.org.store_b1.pk}),
               call("post", "order-imports/rematch", {"store_id": world.org.store_a1.pk})]
    unknown = call("post", "order-imports/rematch", {"store_id": 987654321})
    # Client B's store answers exactly like an unknown store; the action itself refuses it too.
    assert answers[0].status_code == 400, answers[0].content
    assert answers[0].json() == unknown.json()
    assert answers[1].status_code == 200, answers[1].content
    with pytest.raises(orderimport.BusinessError):
        orderimport.rematch_held(user=world.single, store=world.org.store_b1)
    assert Order.objects.get(pk=world.ids("A", "held")[0]).state != S.ON_HOLD
    return answers


def release(world, call):
    answer = call("post", "inventory/reservations/release", {"doc_kind": "order", "doc_id": "B-DOC-1"})
    unknown = call("post", "inventory/reservations/release", {"doc_kind": "order", "doc_id": "NO-SUCH-DOC"})
    assert (answer.status_code, answer.json()) == (unknown.status_code, unknown.json()) == (200, {"released": 0})
    return [answer, unknown]


def merge(world, call):
    answer = call("post", "order-merges", {"order_ids": [world.ids("A", "no_wave")[0], world.ids("B", "no_wave")[0]],
                                           "reason": "同一买家"})
    assert answer.status_code in (400, 404), answer.content
    return [answer]


def payroll_compute(world, call):
    answer = call("post", "payroll/runs", {"month": "2026-03"})
    assert answer.status_code in (200, 201), answer.content
    body = answer.json()
    from ecomops.payroll.models import PayrollRun

    run = PayrollRun.objects.get()
    counted = run.counted_order_rows()
    # The run counts every store (PER-07); the caller is told about their client's stores only.
    assert counted.filter(store=world.org.store_b1).exists()
    assert body["all_stores"] is False
    assert body["orders_count"] == counted.filter(store__client=world.org.client_a).count() < counted.count()
    return [answer]


def payroll_transition(world, call):
    from ecomops.payroll import actions as payroll

    payroll.compute_run("2026-03", user=world.org.admin)
    answer = call("post", "payroll/runs/2026-03/transitions", {"to": "checked"})
    assert answer.status_code in (200, 400, 409), answer.content
    listed = call("get", "payroll/runs/2026-03")
    assert listed.json()["all_stores"] is False
    return [answer, listed]


def plan_approve(world, call):
    theirs = call("post", f"supply/replenishment-plans/{world.plans['B'].pk}/approve", {"note": "同意"})
    assert theirs.status_code == 404
    mine = call("post", f"supply/replenishment-plans/{world.plans['A'].pk}/approve", {"note": "同意"})
    assert mine.status_code == 200, mine.content
    return [theirs, mine]


def plan_reject(world, call):
    theirs = call("post", f"supply/replenishment-plans/{world.plans['B'].pk}/reject", {"note": "不需要"})
    assert theirs.status_code == 404
    return [theirs, call("post", f"supply/replenishment-plans/{world.plans['A'].pk}/reject", {"note": "不需要"})]


def count_submit(world, call):
    theirs = call("post", f"stockops/counts/{world.counts['B'].pk}/submit")
    assert theirs.status_code == 404
    return [theirs, call("post", f"stockops/counts/{world.counts['A'].pk}/submit")]


def count_approve(world, call):
    theirs = call("post", f"stockops/counts/{world.counts['B'].pk}/approve")
    assert theirs.status_code == 404
    return [theirs, call("post", f"stockops/counts/{world.counts['A'].pk}/approve")]


def assign_numbers(world, call):
    from ecomops.logistics import numbers
    from ecomops.logistics.models import Carrier

    numbers.add_pool(Carrier.objects.get(code="zto"), user=world.org.admin, prefix="ZT", first=1, last=99)
    mine, theirs = world.ids("A", "in_wave")[0], world.ids("B", "in_wave")[0]
    mixed = call("post", "logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [mine, theirs]})
    unknown = call("post", "logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [mine, 987654321]})
    # Client B's order answers exactly like an unknown one, and nothing is given (all or nothing).
    assert mixed.status_code == 400, mixed.content
    assert mixed.json() == unknown.json()
    assert Order.objects.get(pk=mine).tracking_no == ""
    answer = call("post", "logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [mine]})
    assert answer.status_code == 200, answer.content
    assert [g["order_id"] for g in answer.json()["given"]] == [mine]
    return [mixed, unknown, answer]


def wave_create(world, call):
    printed = call("post", f"ship-batches/{world.wave.pk}/print")
    assert printed.status_code == 200, printed.content
    made = call("post", "waves", {"batch_id": world.wave.pk})
    assert made.status_code == 201, made.content
    assert {o["order_id"] for o in made.json()["wave"]["orders"]} == set(world.ids("A", "in_wave"))
    return [printed, made]


SCENARIOS = {
    "dispatch_print_batch": print_batch,
    "dispatch_assign_pending": assign_pending,
    "orders_review_auto": review_auto,
    "orders_review_retry": review_retry,
    "orders_review_take_batch": review_take,
    "orders_review_close_batch": review_close,
    "orderimport_rematch": rematch,
    "inventory_release": release,
    "orders_merge": merge,
    "payroll_compute_run": payroll_compute,
    "payroll_transition_run": payroll_transition,
    "supply_approve_plan": plan_approve,
    "supply_reject_plan": plan_reject,
    "stockops_submit_count": count_submit,
    "stockops_approve_count": count_approve,
    "logistics_assign_numbers": assign_numbers,
    "waves_create": wave_create,
}


@pytest.mark.parametrize("operation", sorted(SCENARIOS))
def test_a_single_client_user_acts_only_on_their_own_client(world, operation):
    before = snapshot(world)
    failed, answers = None, []
    try:
        answers = SCENARIOS[operation](world, _api(world))
    except AssertionError as error:  # the scenario's own checks: reported after client B's rows
        failed = error
    after = snapshot(world)
    changed = sorted(label for label in before if before[label] != after[label])
    assert not changed, f"{operation} changed client B's rows in {changed}"
    if failed is not None:
        raise failed
    theirs = set(world.ids("B"))
    for answer in answers:
        text = answer.content.decode()
        shown = [marker for marker in world.b_markers if marker in text]
        assert not shown, f"{operation} answered with client B's {shown}: {text[:500]}"
        assert not _order_ids_in(_json(answer)) & theirs, f"{operation} named client B's orders: {text[:500]}"


# --- the pages' bulk actions (issue 15) ------------------------------------------------------------

# The POST routes of pages that act on many records at once, by URL name, each with a scenario below
# run over the mixed world (the API's are classified above).
PAGE_BULK = {
    "orders:bulk": "the order list's batch actions on the selected rows",
}


def _page_routes(resolver=None, prefix=""):
    from django.urls import URLPattern, URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _page_routes(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", str(entry.pattern)


def test_every_bulk_page_route_is_classified():
    """A page route acting on a selection (its name or path says "bulk") needs a scenario here."""
    from ecomops.api import api

    api_routes = f"{api.urls_namespace}:"  # the API's operations are classified above, by operation id
    bulk_routes = {name for name, path in _page_routes() if ("bulk" in name or "bulk" in path)
                   and not name.startswith(api_routes)}
    assert bulk_routes == set(PAGE_BULK), f"classify these page routes in {__name__}: {bulk_routes - set(PAGE_BULK)}"
    assert set(PAGE_BULK) == set(PAGE_SCENARIOS)


def order_list_bulk(world):
    from django.urls import reverse

    page = HttpClient()
    page.force_login(world.single)
    url = reverse("orders:bulk")
    mixed = world.ids("A", "paid") + world.ids("B", "paid")
    answers = []
    for act, data in (("hold", {"text": "核实"}), ("release", {"text": "核实"}), ("note", {"text": "备注"}),
                      ("courier", {"courier": "sf_express"}), ("review", {}), ("ship_batch", {}), ("export", {})):
        answer = page.post(url, {"act": act, "ids": mixed, **data})
        assert answer.status_code == 404, (act, answer.status_code)  # one order out of scope: nothing done
        answers.append(answer)
    mine = page.post(url, {"act": "hold", "ids": world.ids("A", "paid"), "text": "核实"})
    assert mine.status_code == 302
    assert set(Order.objects.filter(pk__in=world.ids("A", "paid")).values_list("state", flat=True)) == {S.ON_HOLD}
    return [*answers, mine]


PAGE_SCENARIOS = {"orders:bulk": order_list_bulk}


@pytest.mark.parametrize("route", sorted(PAGE_SCENARIOS))
def test_a_single_client_user_acts_only_on_their_own_client_on_pages(world, route):
    before = snapshot(world)
    answers = PAGE_SCENARIOS[route](world)
    after = snapshot(world)
    changed = sorted(label for label in before if before[label] != after[label])
    assert not changed, f"{route} changed client B's rows in {changed}"
    for answer in answers:
        text = b"".join(answer.streaming_content).decode(errors="ignore") if answer.streaming else \
            answer.content.decode()
        assert not [marker for marker in world.b_markers if marker in text], f"{route}: {text[:300]}"
