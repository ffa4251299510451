"""A small world for the concurrent-writers test (tests/test_concurrent_api_writes.py), built in its own
process against whatever DATABASE_URL names, exactly as the server under test will read it.

    python tests/load_world.py prepare CLIENTS STOCK   # tables, one SKU with STOCK units, CLIENTS tokens
    python tests/load_world.py summary                 # on-hand, reserved and active reservations (JSON)

The tables are created from the models (``migrate --run-syncdb`` with migrations switched off): the
same schema as the migrations build (``makemigrations --check`` keeps them equal), in a second
instead of the minute that replaying every migration takes. Reference data is seeded as after any
migrate. Everything else goes through the product's own actions.
"""

from __future__ import annotations

import json
import os
import sys


class _NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecomops.settings")
    import django

    django.setup()


def prepare(clients: int, stock: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection

    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)

    from ecomops.apiutil.tokens import issue_token
    from ecomops.catalog.models import SKU, Style
    from ecomops.inventory import actions
    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.org.models import Client, ClientGrant

    User = get_user_model()
    admin = User.objects.create_superuser("load_admin", password=None)
    client = Client.objects.create(code="LOAD", name="压测委托方")
    warehouse = actions.create_warehouse(user=admin, code="LD", name="压测仓")
    bin_ = actions.create_bin(warehouse, user=admin, code="A-01-01", pick_order=1)
    style = Style.objects.create(client=client, style_no="LOAD1", name="压测款", unit_cost="10", price="20")
    sku = SKU.objects.create(client=client, style=style, colour="黑", size="M", sku_code="LOAD1-BK-M",
                             barcode="LOAD00000001", barcode_source="external")
    doc = DocRef(kind=DocKind.OPENING, id="LOAD-OPEN", number="LOAD-OPEN")
    lot = actions.open_lot(client=client, source=doc)
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=stock, to_bin=bin_)], doc=doc, user=admin)

    reserve = Permission.objects.get(content_type__app_label="inventory", codename="reserve_stock")
    tokens = []
    for n in range(clients):
        clerk = User.objects.create_user(f"load_clerk{n}", password=None)
        clerk.user_permissions.add(reserve)
        ClientGrant.objects.create(user=clerk, client=client)
        tokens.append(issue_token(user=User.objects.get(pk=clerk.pk), name="load").plain)
    connection.close()
    return {"warehouse_id": warehouse.pk, "sku_id": sku.pk, "tokens": tokens}


def summary() -> dict:
    from django.db.models import Sum

    from ecomops.inventory.enums import ReservationState
    from ecomops.inventory.models import Reservation, StockBalance

    totals = StockBalance.objects.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    active = Reservation.objects.filter(state=ReservationState.ACTIVE)
    return {
        "on_hand": totals["on_hand"] or 0,
        "reserved": totals["reserved"] or 0,
        "active_reservations": active.count(),
        "active_units": active.aggregate(n=Sum("quantity"))["n"] or 0,
    }


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "prepare":
        print(json.dumps(prepare(int(sys.argv[2]), int(sys.argv[3]))))
    elif sys.argv[1] == "summary":
        print(json.dumps(summary()))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}")
