"""Issue 14: the audit trail of an order says why each change happened in the user's language — the
history reasons are translated text (or the new state's name), never an English token."""

from __future__ import annotations

import re

from ecomops.audit import trail
from ecomops.orders import actions, review
from ecomops.orders.enums import OrderState

from .test_review import paid

S = OrderState
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_trail_of_an_order_moved_through_review_gives_chinese_reasons(od, org, wh):
    wh.put(wh.hz_bin, 5)
    order = paid(od, org, "TR1")
    review.auto_review(user=od.clerk)
    actions.release_to_shipping(order, user=od.clerk)  # no reason given: the new state's name
    order.refresh_from_db()
    assert order.state == S.AWAITING_SHIPMENT

    entries = trail.search(org.admin, model_label="orders.order", object_id=str(order.pk)).entries
    reasons = [entry.reason for entry in entries]
    assert len(reasons) >= 4  # created, paid, reviewed (stock reserved), released for shipping
    assert all(CHINESE.search(reason) for reason in reasons), reasons
    assert not any(re.fullmatch(r"[A-Za-z_ ]+", reason) for reason in reasons), reasons
    assert reasons[0] == str(S.AWAITING_SHIPMENT.label)  # newest first
