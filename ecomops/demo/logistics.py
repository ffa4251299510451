"""Demo logistics (issue 18, LOG-01…03): price cards and a contract for the carriers the shops use,
last week's parcels with their tracking (most delivered on time, a few late, one lost with its case),
so 物流 has a scorecard, cases and a routing suggestion to show."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ecomops.logistics import freight, tracking
from ecomops.logistics.models import CarrierContract, Shipment
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order

COURIERS = ("zto", "yto", "sf_express")
NEAR = ["浙江省", "江苏省", "上海市"]
CARDS = {  # courier: (near first / step, elsewhere first / step), 1 kg first weight, 1 kg steps
    "zto": (("3.50", "1.00"), ("5.00", "2.00")),
    "yto": (("3.30", "1.00"), ("4.80", "2.50")),
    "sf_express": (("12.00", "2.00"), ("18.00", "5.00")),
}


def build(*, admin, today: date) -> dict:
    start = today.replace(month=1, day=1)
    for courier, (near, rest) in CARDS.items():
        freight.add_price_card(user=admin, courier=courier, name="江浙沪", first_weight_g=1000, first_price=near[0],
                               step_weight_g=1000, step_price=near[1], valid_from=start, provinces=NEAR)
        freight.add_price_card(user=admin, courier=courier, name="全国", first_weight_g=1000, first_price=rest[0],
                               step_weight_g=1000, step_price=rest[1], valid_from=start)
    CarrierContract.objects.create(courier="sf_express", number="HT-SF-2026", starts_on=start,
                                   ends_on=start.replace(month=12, day=31), standard_days=2,
                                   settlement_terms="月结，次月 10 日前付款", late_penalty="2.00",
                                   compensation_cap="300.00", cargo_safety="丢件破损按申报价值赔付，最高 300 元/票")
    tz = timezone.get_current_timezone()
    week_ago = datetime.combine(today - timedelta(days=8), time.min, tzinfo=tz)
    orders = list(Order.objects.filter(state__in=[OrderState.SHIPPED, OrderState.COMPLETED], paid_at__gte=week_ago,
                                       paid_at__lt=datetime.combine(today - timedelta(days=2), time.min, tzinfo=tz))
                  .exclude(province="").order_by("paid_at", "pk")[:60])
    shipments = []
    for n, order in enumerate(orders):
        courier = COURIERS[n % len(COURIERS)]
        # The generated platform exports leave out the carrier, number and shipping time real ones carry.
        Order.objects.filter(pk=order.pk).update(courier=courier, tracking_no=f"{courier[:2].upper()}{order.pk:010d}",
                                                 shipped_at=order.paid_at + timedelta(hours=20))
        order.refresh_from_db()
        shipments.append(freight.record_shipment(order, weight_g=400 + (n * 137) % 2600))
    lost = None
    for n, shipment in enumerate(shipments):
        at = timezone.localtime(shipment.shipped_at)
        events = [tracking.EventIn(shipment.tracking_no, at + timedelta(hours=3), "collected", "杭州", "已揽收"),
                  tracking.EventIn(shipment.tracking_no, at + timedelta(hours=20), "in_transit", "转运中心", "运输中")]
        if n == 7:
            events.append(tracking.EventIn(shipment.tracking_no, at + timedelta(days=2), "lost", "转运中心",
                                           "包裹遗失，快递已确认"))
            lost = shipment
        elif n % 9 != 4:
            days = 1 + n % 2 + (3 if n % 11 == 0 else 0)  # a few late ones
            delivered = at + timedelta(days=days, hours=2)
            if delivered.date() < today:
                events.append(tracking.EventIn(shipment.tracking_no, delivered, "delivered", shipment.province,
                                               "本人签收"))
        tracking.record_events(events, user=admin, courier=shipment.courier, source="csv")
    delayed = tracking.flag_delays(today)
    return {"shipments": Shipment.objects.count(), "logistics_cases": delayed + (lost is not None)}

