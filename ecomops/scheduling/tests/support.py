"""Helpers of the scheduling tests: a fake clock in Asia/Shanghai, test jobs registered in a registry
of their own (restored after each test), and tasks run at once when the tick's rows commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ecomops.scheduling import registry, scheduler
from ecomops.scheduling.actions import seed_jobs
from ecomops.scheduling.models import Job

SH = ZoneInfo("Asia/Shanghai")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "imports"]}}
CALLS: list[datetime] = []


def at(hour: int, minute: int = 0, day: int = 8) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SH)


def record(at: datetime) -> str:
    """A test job: notes its slot."""
    CALLS.append(at)
    return f"slot {at:%H:%M}"


def explode(at: datetime) -> str:
    raise ValueError("库存核对发现 3 处差异\nsecond line")


FLAKY_FAILS: list[bool] = []


def flaky(at: datetime) -> str:
    """A test job that fails while ``FLAKY_FAILS`` says so (one entry per run)."""
    if FLAKY_FAILS and FLAKY_FAILS.pop(0):
        raise ValueError("暂时失败")
    return "ok"


def two_times(day) -> list:
    from datetime import time

    return [time(9, 0), time(15, 30)]


def add_job(code: str, *, now: datetime, func: str = "ecomops.scheduling.tests.support.record", **schedule) -> Job:
    registry.register_job(code=code, name=f"测试任务 {code}", func=func, clause="TST-01", **schedule)
    seed_jobs(now)
    return Job.objects.get(code=code)


def tick(capture, now: datetime, *, execute: bool = True):
    """One tick of the scheduler at ``now``; the enqueued runs run (immediate backend) when ``execute``."""
    with capture(execute=execute):
        return scheduler.tick(now)


def walk(capture, start: datetime, end: datetime, step: timedelta = timedelta(minutes=5)) -> list:
    made, now = [], start
    while now <= end:
        made += tick(capture, now)
        now += step
    return made
