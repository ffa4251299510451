"""Benchmark: automatic review and stock allocation of paid orders (issue 5 speed).

    .venv/bin/python bench/order_review.py [--orders 10000]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set). Builds ``--orders``
paid orders of one to three lines over 200 SKUs with stock for all of them in one warehouse, then runs
``orders.review.auto_review`` once over all: every order goes through the switchable rules, takes
its row lock, reserves its lines FIFO through the warehouse reservation API (locks, allocations,
history) and moves to "reviewed" with its events. Prints orders/s, and for scale the reservation
core alone (``reservations.reserve`` for the same lines, one document each) on the same machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

SKUS = 200


def setup() -> str:
    return common.setup(DJANGO_DEBUG="false")


def world(orders: int, tag: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ecomops.catalog.models import SKU, Style
    from ecomops.inventory import actions as stock
    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.orders.enums import OrderState
    from ecomops.orders.models import Order, OrderLine, StoreWarehouse
    from ecomops.org.models import Client, Platform, Store

    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
        "bench", password=None)
    client = Client.objects.create(code=f"B{tag}", name=f"基准 {tag}")
    store = Store.objects.create(code=f"S{tag}", name=f"基准店 {tag}", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    warehouse = stock.create_warehouse(user=user, code=f"W{tag}", name=f"基准仓 {tag}")
    bin_ = stock.create_bin(warehouse, user=user, code=f"{tag}-01")
    StoreWarehouse.objects.create(store=store, warehouse=warehouse, priority=1)
    style = Style.objects.create(client=client, style_no=f"ST{tag}", name="基准款", unit_cost=Decimal(1),
                                 price=Decimal(2))
    skus = SKU.objects.bulk_create([SKU(client=client, style=style, sku_code=f"{tag}-{n:04d}", size=str(n),
                                        barcode=f"{tag}9{n:07d}", barcode_source="external") for n in range(SKUS)])
    doc = DocRef(kind=DocKind.OPENING, id=f"bench-{tag}", number="OPEN")
    lot = stock.open_lot(client=client, source=doc)
    post_moves([Move(sku_id=s.pk, lot_id=lot.pk, quantity=orders * 2, to_bin=bin_) for s in skus], doc=doc, user=user)
    rng = random.Random(11)  # noqa: S311 - benchmark data
    now = timezone.now()
    made = Order.objects.bulk_create([
        Order(store=store, platform_order_no=f"{tag}{n:09d}", state=OrderState.PAID, placed_at=now, paid_at=now,
              confirm_due_at=now + timedelta(hours=24), paid_amount=Decimal("10.00"), goods_amount=Decimal("10.00"),
              receiver_name="王小二", receiver_phone="13812345678", receiver_address="文三路 1 号",
              province="浙江省", city="杭州市")
        for n in range(orders)], batch_size=1000)
    if made[0].pk is None:
        made = list(Order.objects.filter(store=store).order_by("pk"))
    lines = []
    for order in made:
        for line_no in range(1, rng.choice((1, 1, 2, 3)) + 1):
            sku = rng.choice(skus)
            lines.append(OrderLine(order=order, line_no=line_no, sku=sku, platform_sku_code=sku.sku_code,
                                   quantity=rng.choice((1, 1, 2)), unit_price=Decimal("5.00"), amount=Decimal("5.00")))
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    return user, warehouse, [o.pk for o in made], lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    print(f"database: {setup()}; {args.orders:,} paid orders")
    from ecomops.inventory import reservations
    from ecomops.inventory.ledger import DocRef
    from ecomops.orders import review

    user, _warehouse, ids, _lines = world(args.orders, "R")
    started = time.perf_counter()
    run = review.auto_review(ids, user=user)
    took = time.perf_counter() - started
    print(f"auto review + allocation  {took:8.1f} s  {args.orders / took:8,.0f} orders/s  "
          f"(reviewed {run.reviewed:,}, manual {run.manual:,}, waiting {run.waiting:,})")
    from ecomops.dispatch.models import BatchOrder

    print(f"joined ship batches       {BatchOrder.objects.filter(order_id__in=ids).count():,} orders (ORD-05 hook)")
    user, warehouse, ids, lines = world(args.orders, "Q")
    by_order: dict[int, dict[int, int]] = {}
    for line in lines:
        wanted = by_order.setdefault(line.order_id, {})
        wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
    started = time.perf_counter()
    for order_id, wanted in by_order.items():
        reservations.reserve(doc=DocRef(kind="order", id=str(order_id), number=str(order_id)),
                             lines=list(wanted.items()), warehouse=warehouse, user=user)
    core = time.perf_counter() - started
    print(f"reservation core alone    {core:8.1f} s  {args.orders / core:8,.0f} orders/s  "
          f"→ review costs {took / core:.1f}× the bare reservations")


if __name__ == "__main__":
    main()
