"""Benchmark: the order list for each demo role at 100,000+ orders (issue 15).

    .venv/bin/python bench/order_list.py [--orders 100000] [--repeat 3]
    DATABASE_URL=sqlite:////tmp/lp.sqlite3 .venv/bin/python bench/order_list.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5544/lp_bench .venv/bin/python bench/order_list.py

Runs on a fresh SQLite file database of its own, or on DATABASE_URL when set (kept: a second run
reuses it). The database gets the demo company (``ecomops demo``) and then bulk orders
(``ecomops demo --orders``) until it holds ``--orders`` of them. For admin, the e-commerce supervisor
(zhuguan, both clients), the warehouse clerk (cangku, one client), the client user (kehu) and a user
granted one store (liuzihan), at page 1, a middle page and the last page (page 2,000 for admin), with
no filter, a state filter and a store filter, it times what the list view does with the database
(``search_orders`` + the list's paginator: the count and the page's rows, as ``order_list`` pages
them) and, for scale, the same page fetched by one bare SQL (the user's store ids and the filter
inlined, ``ORDER BY placed_at DESC, id DESC LIMIT 50 OFFSET …``, the rows only, no count, no joins):
as a plain OFFSET over the rows ("offset ms") and keyed, the page's ids on the index then their rows
("keyed ms", the raw limit). Prints the best of ``--repeat`` runs in milliseconds and the ratio
list/keyed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

USERS = ("admin", "zhuguan", "cangku", "kehu", "liuzihan")
PER_PAGE = 50


def setup() -> str:
    return common.setup(DJANGO_DEBUG="false")


def ensure_orders(wanted: int) -> int:
    from django.core.management import call_command

    from ecomops.orders.models import Order

    call_command("demo", "--if-empty", verbosity=0)
    have = Order.objects.count()
    if have < wanted:
        print(f"adding {wanted - have:,} orders …", flush=True)
        call_command("demo", "--orders", str(wanted - have), verbosity=0)
    # The steady state of a live database: statistics and (PostgreSQL) the visibility map that
    # index-only scans need, as autovacuum keeps them after the bulk load.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE {Order._meta.db_table}")
    return Order.objects.count()


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def bare_sql(user, filters: dict, number: int) -> tuple[str, str, list]:
    """The same page as one bare SQL: the user's visible store ids inlined, no joins, no count; as a
    plain OFFSET over the rows, and keyed (the page's ids on the index, then their rows)."""
    from ecomops.orders.models import Order
    from ecomops.org.scoping import scope_for

    scope = scope_for(user)
    table = Order._meta.db_table
    where, params = [], []
    if not scope.all:
        ids = sorted(scope.store_ids) or [0]
        where.append(f"store_id IN ({', '.join('%s' for _ in ids)})")
        params += ids
    if filters.get("state"):
        where.append("state = %s")
        params.append(filters["state"])
    if filters.get("store_id"):
        where.append("store_id = %s")
        params.append(filters["store_id"])
    condition = " WHERE " + " AND ".join(where) if where else ""
    order = "ORDER BY placed_at DESC, id DESC"
    page = f"{order} LIMIT {PER_PAGE} OFFSET {(number - 1) * PER_PAGE}"
    naive = f"SELECT * FROM {table}{condition} {page}"  # noqa: S608 - numbers and a table name
    keyed = f"SELECT * FROM {table} WHERE id IN (SELECT id FROM {table}{condition} {page}) {order}"  # noqa: S608
    return naive, keyed, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plain-paginator", action="store_true",
                        help="page with Django's Paginator (one OFFSET query over the rows), for comparison")
    args = parser.parse_args()
    database = setup()
    total = ensure_orders(args.orders)
    print(f"database: {database}; {total:,} orders")
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.db import connection

    from ecomops.core.paging import KeyPaginator
    from ecomops.orders.enums import OrderState
    from ecomops.orders.models import PERSONAL_FIELDS
    from ecomops.orders.queries import search_orders
    from ecomops.orders.views import PER_PAGE as VIEW_PER_PAGE
    from ecomops.org.models import Store

    assert VIEW_PER_PAGE == PER_PAGE
    paging = Paginator if args.plain_paginator else KeyPaginator
    print(f"paginator: {paging.__name__}")
    print(f"{'user':9} {'filter':15} {'page':>5} {'rows':>8} {'list ms':>8} {'offset ms':>9} {'keyed ms':>9} "
          f"{'ratio':>6}")
    worst = 0.0
    for username in USERS:
        user = get_user_model().objects.get(username=username)
        store = Store.objects.visible_to(user).order_by("code").first()
        for label, filters in (("-", {}), ("state=completed", {"state": OrderState.COMPLETED}),
                               (f"store={store.code}", {"store_id": store.pk})):
            paginator = KeyPaginator(search_orders(user, **filters), PER_PAGE)
            last = paginator.num_pages
            for number in sorted({1, max(1, last // 2), min(last, 2000)}):

                def listed(number=number, filters=filters, user=user):  # what order_list does
                    orders = search_orders(user, **filters).select_related("review_batch", "ship_entry__batch")
                    if not args.plain_paginator:  # as order_list pages (issue 15)
                        orders = orders.defer(*PERSONAL_FIELDS)
                    page = paging(orders, PER_PAGE).get_page(number)
                    list(page.object_list)
                    for order in page.object_list:  # what the row template reads
                        order.store.client_id  # noqa: B018

                naive, keyed, params = bare_sql(user, filters, number)

                def bare(sql, params=params):
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        cursor.fetchall()

                list_ms = best(args.repeat, listed)
                naive_ms = best(args.repeat, lambda sql=naive: bare(sql))
                keyed_ms = best(args.repeat, lambda sql=keyed: bare(sql))
                worst = max(worst, list_ms)
                print(f"{username:9} {label[:15]:15} {number:>5} {paginator.count:>8,} {list_ms:>8.1f} "
                      f"{naive_ms:>9.1f} {keyed_ms:>9.1f} {list_ms / keyed_ms:>5.1f}×", flush=True)
    print(f"slowest list page: {worst:.0f} ms")


if __name__ == "__main__":
    main()
