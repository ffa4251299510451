"""Large synthetic order sets for benchmarks: ``ecomops demo --orders N``.

Orders go straight into the tables in bulk (chunks of ``CHUNK`` orders, one transaction each, constant
memory), spread over the last 60 days across the demo company's stores, with one to three lines of
the stores' SKUs, paid and mostly completed, plus refunds on about 3 % of them. They are data for
measuring reports and pay runs, not a replay of the order workflow: there are no events, payments or
stock movements behind them (the real demo orders of ``make run`` go through the import instead).

Receivers are fictional and drawn from a small pool (their hashes computed once); the encrypted
columns are encrypted row by row like any other order's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

CHUNK = 5000
DAYS = 60
PREFIX = "BULK"
CENT = Decimal("0.01")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
PLACES = [
    ("浙江省", "杭州市", "西湖区"), ("上海市", "上海市", "浦东新区"), ("广东省", "深圳市", "南山区"),
    ("北京市", "北京市", "朝阳区"), ("江苏省", "苏州市", "工业园区"), ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"), ("福建省", "厦门市", "思明区"), ("山东省", "青岛市", "市南区"),
    ("陕西省", "西安市", "雁塔区"),
]
STREETS = ["文三路", "南京东路", "科技园南路", "建国路", "星湖街", "天府大道", "珞喻路", "鹭江道", "香港中路",
           "小寨东路"]


def receiver_pool(rng: random.Random, size: int = 400) -> list[dict]:
    """Fictional receivers with the hashes the orders keep beside them (computed by the orders' own
    receiver setter, so merging and matching treat them like imported ones)."""
    from ecomops.orders.actions import _set_receiver
    from ecomops.orders.models import Order

    pool = []
    for n in range(size):
        province, city, district = PLACES[n % len(PLACES)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        address = f"{province}{city}{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}幢" \
                  f"{rng.randrange(1, 6)}单元{rng.randrange(101, 2801)}室"
        probe = Order()
        _set_receiver(probe, name=name, phone=phone, address=address, province=province, city=city,
                      district=district)
        pool.append({
            "name": name, "phone": phone, "address": address,
            "phone_hash": probe.phone_hash, "receiver_hash": probe.receiver_hash,
            "province": province, "city": city, "district": district, "nick": f"buyer_{n:04d}",
        })
    return pool


def build_bulk_orders(count: int, *, seed: int = 20261123, progress: Callable[[int, int], None] | None = None) -> int:
    """Add ``count`` synthetic orders to the demo company's stores; returns how many were made."""
    from ecomops.catalog.models import SKU
    from ecomops.orders.enums import OrderState, PaymentMethod, RefundSource
    from ecomops.orders.models import Order, OrderLine, Refund
    from ecomops.org.models import Store

    stores = list(Store.objects.filter(status="active").select_related("client").order_by("code"))
    if not stores:
        raise ValueError("no active store: build the demo company first (ecomops demo)")
    skus_by_client = {}
    for store in stores:
        if store.client_id not in skus_by_client:
            skus_by_client[store.client_id] = list(
                SKU.objects.filter(client_id=store.client_id).order_by("pk").values_list("pk", "sku_code",
                                                                                        "style__price")
            )
    stores = [s for s in stores if skus_by_client.get(s.client_id)]
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    pool = receiver_pool(rng)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    now = timezone.now()
    start = timezone.localdate() - timedelta(days=DAYS)
    offset = Order.objects.filter(platform_order_no__startswith=PREFIX).count()
    made = 0
    while made < count:
        size = min(CHUNK, count - made)
        orders, line_specs = [], []
        for n in range(size):
            store = stores[(offset + made + n) % len(stores)]
            who = pool[rng.randrange(len(pool))]
            day = start + timedelta(days=rng.randrange(DAYS))
            placed = timezone.make_aware(datetime.combine(day, time(rng.randrange(8, 24), rng.randrange(60))))
            paid = placed + timedelta(minutes=rng.randrange(1, 30))
            lines = []
            for line_no in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
                pk, code, price = rng.choice(skus_by_client[store.client_id])
                qty = rng.choice((1, 1, 1, 2, 3))
                unit = (price or Decimal("50.00")).quantize(CENT, ROUND_HALF_UP)
                lines.append((line_no, pk, code, qty, unit, (unit * qty).quantize(CENT, ROUND_HALF_UP)))
            goods = sum((amount for *_, amount in lines), Decimal("0.00"))
            age = (timezone.localdate() - day).days
            state = OrderState.COMPLETED if age > 10 else OrderState.SHIPPED if age > 2 else OrderState.PAID
            orders.append(Order(
                store_id=store.pk, platform_order_no=f"{PREFIX}{offset + made + n + 1:09d}", state=state,
                buyer_nick=who["nick"], receiver_name=who["name"], receiver_phone=who["phone"],
                receiver_address=who["address"], phone_hash=who["phone_hash"], receiver_hash=who["receiver_hash"],
                province=who["province"], city=who["city"], district=who["district"], goods_amount=goods,
                paid_amount=goods, payment_method=PaymentMethod.PLATFORM, placed_at=placed, paid_at=paid,
                confirm_due_at=paid + timedelta(hours=24), confirmed_at=paid + timedelta(hours=1),
                shipped_at=paid + timedelta(hours=20) if state != OrderState.PAID else None,
                completed_at=paid + timedelta(days=8) if state == OrderState.COMPLETED else None,
            ))
            line_specs.append(lines)
        with transaction.atomic():
            Order.objects.bulk_create(orders, batch_size=1000)
            numbers = [o.platform_order_no for o in orders]
            ids = dict(Order.objects.filter(platform_order_no__in=numbers).values_list("platform_order_no", "pk"))
            rows, refunds = [], []
            for order, lines in zip(orders, line_specs, strict=True):
                order_id = ids[order.platform_order_no]
                for line_no, sku_id, code, qty, unit, amount in lines:
                    rows.append(OrderLine(order_id=order_id, line_no=line_no, sku_id=sku_id, platform_sku_code=code,
                                          quantity=qty, unit_price=unit, amount=amount))
                if order.state == OrderState.COMPLETED and rng.random() < 0.03:
                    refunded_at = min(order.paid_at + timedelta(days=9), now)
                    refunds.append(Refund(order_id=order_id, amount=lines[0][5], source=RefundSource.AFTER_SALES,
                                          reason="演示数据：售后退款", refunded_at=refunded_at, recorded_by=admin))
            OrderLine.objects.bulk_create(rows, batch_size=2000)
            Refund.objects.bulk_create(refunds, batch_size=2000)
        made += size
        if progress:
            progress(made, count)
    return made
