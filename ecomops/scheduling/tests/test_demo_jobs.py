"""Issue 17, done when: the scheduler runs the product's own jobs by itself. With the seeded jobs (every
app's registrations) a fake clock ticks through 3 March 2026 every 15 minutes: the expired customer
hold is released (WMS-11), the order unconfirmed 24 h after payment gets the late flag (ORD-09), paid
orders are reviewed every five minutes (ORD-03/04), the ship batch closes after its ORD-05 cut-off;
every job ran at its own times, each slot once, and none failed. The ORD-05 job follows a change of the policy."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecomops.audit.models import DueItem
from ecomops.orders.tests.conftest import pay
from ecomops.scheduling import schedule
from ecomops.scheduling.models import Job, JobRun, RunState

from .support import IMMEDIATE

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def on_day(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@pytest.fixture
def demo_like(org, od, wh, settings):
    """An expired customer hold, an order paid on 2 March 10:05 (ORD-09: confirm by 3 March 10:05), an
    open ship batch of 3 March with the 10:30 cut-off (ORD-05)."""
    from ecomops.dispatch.actions import batch_for
    from ecomops.inventory import holds
    from ecomops.inventory.models import CustomerHold

    settings.TASKS = IMMEDIATE
    wh.put(wh.hz_bin, 5)
    hold = holds.create_hold(user=org.admin, sku=od.sku, warehouse=wh.hz, quantity=1, customer="老客户")
    CustomerHold.objects.filter(pk=hold.pk).update(expires_at=on_day(18, day=2))
    pay(od.clerk, od.a1)
    batch = batch_for(on_day(0).date(), 1, time(10, 30), False, "ORD-05")
    return type("Demo", (), {"hold": hold, "order": od.a1, "batch": batch})


def _walk(capture, start: datetime, end: datetime, step: timedelta) -> None:
    from ecomops.scheduling.scheduler import tick

    now = start
    while now <= end:
        with capture(execute=True):
            tick(now)
        now += step


def _slots(code: str) -> list[str]:
    runs = JobRun.objects.filter(job__code=code).order_by("slot")
    return [f"{run.slot.astimezone(SH):%H:%M}" for run in runs]


def test_the_scheduler_runs_the_demo_jobs_by_itself(demo_like, django_capture_on_commit_callbacks):
    from ecomops.dispatch.models import BatchState, ShipBatch
    from ecomops.inventory.models import CustomerHold
    from ecomops.orders.models import Order

    _walk(django_capture_on_commit_callbacks, on_day(0), on_day(23, 45), timedelta(minutes=15))

    failed = list(JobRun.objects.filter(state=RunState.FAILED).values_list("job__code", "summary"))
    assert failed == [] and not DueItem.objects.filter(kind="job_failed").exists()
    assert CustomerHold.objects.get(pk=demo_like.hold.pk).state != "active"  # WMS-11 released at 00:10 (00:15 tick)
    order = Order.objects.get(pk=demo_like.order.pk)
    assert order.confirm_late  # ORD-09, hourly at :05
    assert JobRun.objects.filter(job__code="orders.allocate", summary__startswith="ORD-03").count() == 96
    assert ShipBatch.objects.get(pk=demo_like.batch.pk).state != BatchState.OPEN  # ORD-05 after 10:30
    # Each job at its own times, each slot once (ticks every 15 minutes: a slot runs at the first tick after it).
    assert _slots("inventory.holds_release") == ["00:10"]
    assert _slots("orders.late") == [f"{hour:02d}:05" for hour in range(24)]
    assert _slots("dispatch.ship_batches") == ["10:31", "12:01", "14:31", "16:31", "17:31"]
    assert _slots("supply.daily") == ["07:30"] and _slots("payroll.targets_due") == ["09:00"]
    assert _slots("inventory.stock_verify") == ["01:30"] and _slots("orders.stock_verify") == ["01:40"]
    assert len(_slots("orders.allocate")) == 96  # every 5 minutes, ticked every 15: one run per tick
    assert JobRun.objects.filter(state=RunState.SKIPPED).count() == 0


def test_the_ord05_job_follows_a_change_of_the_cutoff_policy(db):
    """ORD-05.ship_batch_cutoffs from 4 March: 11:00 and 18:00 — the job moves with it, 3 March keeps
    the seeded cut-offs (10:30 … 17:30)."""
    from ecomops.policy import registry
    from ecomops.policy.models import PolicyParameter, PolicyVersion

    parameter = PolicyParameter.objects.get(key="ORD-05.ship_batch_cutoffs")
    latest = PolicyVersion.objects.filter(parameter=parameter).order_by("-number").first()
    PolicyVersion.objects.create(parameter=parameter, number=latest.number + 1, value=["11:00", "18:00"],
                                 effective_from=on_day(0, day=4).date())
    registry.forget()
    job = Job.objects.get(code="dispatch.ship_batches")
    assert schedule.next_slot(job, on_day(17, 0)) == on_day(17, 31)
    assert schedule.next_slot(job, on_day(17, 40)) == on_day(11, 1, day=4)
    assert schedule.next_slot(job, on_day(11, 1, day=4)) == on_day(18, 1, day=4)
    assert schedule.latest_slot(job, on_day(10, 0, day=4)) == on_day(17, 31)
