"""The scheduler's tick: enqueue the due slot of every enabled job, once.

``tick(now)`` looks at each enabled, registered job's latest slot at or before ``now``:

* **Once per slot.** The slot becomes a ``JobRun`` row; the unique constraint (job, slot) is what
  makes it once — two schedulers ticking together both try the INSERT and the loser skips.
* **Catch up once.** Only the latest slot is considered: a scheduler that was down for a day runs a
  daily job once when it comes back, an every-five-minutes job once, not for every missed slot.
* **A fresh job does not run history.** A job that was never scheduled (new install, new job) runs
  its latest slot only if that slot is less than ``FRESH_GRACE`` old; otherwise the slot is only noted
  and the job waits for its next one. Resuming a paused job or changing its time starts it afresh
  the same way (``actions``), so a pause is not caught up afterwards.
* **Never overlapping.** While a run of the job is queued or running, a new slot is recorded as
  skipped with the reason. A run queued or running longer than ``STALE_AFTER`` (the worker died) is
  marked failed first, with a due item like any failure.

The run itself happens in the background worker (``tasks.run_job``), enqueued when the row is committed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import runner, schedule
from .models import ACTIVE_STATES, Job, JobRun, RunState, Trigger
from .registry import registered

log = logging.getLogger(__name__)

FRESH_GRACE = timedelta(minutes=15)
STALE_AFTER = timedelta(hours=2)


def tick(now: datetime | None = None) -> list[JobRun]:
    """One pass over the enabled jobs; returns the runs it created (queued or skipped)."""
    now = now or timezone.now()
    known = registered()
    made = []
    for job in Job.objects.filter(enabled=True, code__in=list(known)).order_by("code"):
        try:
            run = tick_job(job, now)
        except Exception:  # one job's broken schedule (its times source failing) does not stop the others
            log.exception("scheduler: job %s could not be scheduled", job.code)
            continue
        if run is not None:
            made.append(run)
    return made


def tick_job(job: Job, now: datetime) -> JobRun | None:
    slot = schedule.latest_slot(job, now)
    due = slot is not None and (job.last_slot_at is None or slot > job.last_slot_at)
    run = None
    if due and (job.last_slot_at is not None or now - slot < FRESH_GRACE):
        run = _record(job, slot, now)
    fields = {"next_run_at": schedule.next_slot(job, now)}
    if due:
        fields["last_slot_at"] = slot
    if due or fields["next_run_at"] != job.next_run_at:  # a quiet tick writes nothing
        Job.objects.filter(pk=job.pk).update(**fields)
    return run


def _record(job: Job, slot: datetime, now: datetime) -> JobRun | None:
    """Insert the slot's run (queued, or skipped when the job is still busy); None when another
    scheduler has it already."""
    fail_stale(job, now)
    busy = job.runs.filter(state__in=ACTIVE_STATES).order_by("pk").first()
    try:
        with transaction.atomic():
            if busy is not None:
                return JobRun.objects.create(
                    job=job, slot=slot, state=RunState.SKIPPED, finished_at=now,
                    summary=_("上一次运行（%(slot)s）尚未结束，本时段跳过") % {
                        "slot": f"{timezone.localtime(busy.slot):%Y-%m-%d %H:%M}"})
            run = JobRun.objects.create(job=job, slot=slot, trigger=Trigger.SCHEDULER, enqueued_at=now)
    except IntegrityError:
        return None  # another scheduler inserted this slot first
    enqueue(run)
    return run


def enqueue(run: JobRun) -> None:
    """Hand the run to the background worker once the row is committed."""
    transaction.on_commit(lambda: runner.enqueue(run.pk))


def fail_stale(job: Job, now: datetime) -> int:
    """A run queued or running for longer than ``STALE_AFTER`` will not finish: fail it (the worker
    died or none is running), so the job may run again and the owner hears of it."""
    stale = job.runs.filter(state__in=ACTIVE_STATES, enqueued_at__lt=now - STALE_AFTER)
    count = 0
    for run in stale:
        claimed = JobRun.objects.filter(pk=run.pk, state=run.state).update(
            state=RunState.FAILED, finished_at=now,
            summary=_("超过 %(hours)d 小时未完成（后台任务进程可能已停止），已判定失败") % {
                "hours": STALE_AFTER // timedelta(hours=1)})
        if claimed:
            run.refresh_from_db()
            runner.finished(run, now)
            count += 1
    return count
