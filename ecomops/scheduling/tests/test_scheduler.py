"""Issue 17: the scheduler's tick on a fake clock — each slot once, twice at one moment creates nothing,
two schedulers race on the database constraint, downtime is caught up once, a fresh job does not run
history, a busy job's slot is skipped, a stale run fails, a failure raises a due item to the owner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecomops.audit.models import DueItem
from ecomops.scheduling import scheduler
from ecomops.scheduling.models import Job, JobRun, RunState, Trigger
from ecomops.scheduling.runner import FAILED_DUE_KIND

from .support import CALLS, add_job, at, tick, walk

pytestmark = pytest.mark.django_db


def test_each_slot_of_a_day_runs_once(clean_registry, immediate, django_capture_on_commit_callbacks):
    job = add_job("t.six_hourly", now=at(23, 50, day=7), cron="0 */6 * * *")
    walk(django_capture_on_commit_callbacks, at(23, 50, day=7), at(23, 55))
    assert CALLS == [at(0), at(6), at(12), at(18)]  # the 18:00 of the day before was >15 min old: not run
    runs = JobRun.objects.filter(job=job)
    assert {run.state for run in runs} == {RunState.SUCCEEDED} and runs.count() == 4
    assert runs.get(slot=at(12)).summary == "slot 12:00" and runs.get(slot=at(12)).trigger == Trigger.SCHEDULER
    job.refresh_from_db()
    assert job.last_outcome == RunState.SUCCEEDED and job.next_run_at == at(0, day=9)


def test_ticking_twice_at_the_same_moment_creates_nothing_new(clean_registry, immediate,
                                                             django_capture_on_commit_callbacks):
    add_job("t.hourly", now=at(7, 59), cron="0 * * * *")
    assert len(tick(django_capture_on_commit_callbacks, at(8))) == 1
    assert tick(django_capture_on_commit_callbacks, at(8)) == []
    assert tick(django_capture_on_commit_callbacks, at(8, 0, day=8) + timedelta(seconds=30)) == []
    assert JobRun.objects.count() == 1 and CALLS == [at(8)]


def test_two_schedulers_racing_run_a_slot_once(clean_registry, immediate, django_capture_on_commit_callbacks):
    """The second scheduler read the job before the first stored its slot: its INSERT hits the unique
    constraint (job, slot) and it skips."""
    job = add_job("t.hourly", now=at(7, 59), cron="0 * * * *")
    stale_copy = Job.objects.get(pk=job.pk)
    tick(django_capture_on_commit_callbacks, at(8))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert scheduler.tick_job(stale_copy, at(8)) is None
    assert callbacks == []  # nothing enqueued
    assert JobRun.objects.filter(job=job).count() == 1 and CALLS == [at(8)]


def test_a_scheduler_down_for_hours_catches_up_once(clean_registry, immediate, django_capture_on_commit_callbacks):
    job = add_job("t.ten_minutes", now=at(7, 59), cron="*/10 * * * *")
    tick(django_capture_on_commit_callbacks, at(8))
    made = tick(django_capture_on_commit_callbacks, at(11, 7))  # down from 8:00 to 11:07: 18 slots missed
    assert [run.slot for run in made] == [at(11)]
    assert CALLS == [at(8), at(11)] and JobRun.objects.filter(job=job).count() == 2


def test_a_fresh_job_does_not_run_history_but_a_slot_just_passed(clean_registry, immediate,
                                                                 django_capture_on_commit_callbacks):
    """A new install at noon does not run the 03:00 job; a job whose slot passed less than FRESH_GRACE
    ago runs it."""
    late = add_job("t.nightly", now=at(12), cron="0 3 * * *")
    assert tick(django_capture_on_commit_callbacks, at(12)) == []
    late.refresh_from_db()
    assert late.next_run_at == at(3, day=9) and late.last_slot_at == at(3)
    recent = add_job("t.noon", now=at(12, 5), cron="0 12 * * *")
    made = tick(django_capture_on_commit_callbacks, at(12, 5))
    assert [(run.job_id, run.slot) for run in made] == [(recent.pk, at(12))]


def test_a_paused_job_does_not_run_and_is_not_caught_up_on_resume(clean_registry, immediate, org,
                                                                  django_capture_on_commit_callbacks):
    from ecomops.scheduling import actions

    job = add_job("t.hourly", now=at(7, 59), cron="0 * * * *")
    tick(django_capture_on_commit_callbacks, at(8))
    actions.set_enabled(job, user=org.admin, enabled=False, now=at(8, 30))
    assert tick(django_capture_on_commit_callbacks, at(9)) == []
    actions.set_enabled(Job.objects.get(pk=job.pk), user=org.admin, enabled=True, now=at(10, 30))
    assert tick(django_capture_on_commit_callbacks, at(10, 31)) == []  # 10:00 was during the pause
    assert [run.slot for run in tick(django_capture_on_commit_callbacks, at(11))] == [at(11)]
    assert Job.history.filter(code="t.hourly", history_user=org.admin).count() == 2  # audited


def test_a_busy_job_skips_its_next_slot_and_a_stale_run_fails(clean_registry, org,
                                                              django_capture_on_commit_callbacks):
    """No overlap: the 08:00 run is still queued (no worker) at 09:00, so 09:00 is recorded as skipped
    with the reason; by 10:05 it has waited over STALE_AFTER and is failed, with a due item."""
    job = add_job("t.hourly", now=at(7, 59), cron="0 * * * *")
    first = tick(django_capture_on_commit_callbacks, at(8), execute=False)[0]
    skipped = tick(django_capture_on_commit_callbacks, at(9), execute=False)[0]
    assert skipped.state == RunState.SKIPPED and "08:00" in skipped.summary and "尚未结束" in skipped.summary
    assert JobRun.objects.get(pk=first.pk).state == RunState.QUEUED
    fresh = tick(django_capture_on_commit_callbacks, at(10, 5), execute=False)[0]
    first.refresh_from_db()
    assert first.state == RunState.FAILED and "小时未完成" in first.summary
    assert fresh.state == RunState.QUEUED and fresh.slot == at(10)
    assert DueItem.objects.filter(kind=FAILED_DUE_KIND, owner=org.admin, source_id=str(first.pk)).exists()
    assert CALLS == [] and job.runs.count() == 3


def test_a_failed_run_raises_a_due_item_to_the_owner_with_the_error(clean_registry, immediate, org,
                                                                    django_capture_on_commit_callbacks):
    job = add_job("t.broken", now=at(7, 59), cron="0 8 * * *", func="ecomops.scheduling.tests.support.explode")
    Job.objects.filter(pk=job.pk).update(owner=org.user_a)
    run = tick(django_capture_on_commit_callbacks, at(8))[0]
    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.summary == "ValueError: 库存核对发现 3 处差异"
    assert "Traceback" in run.log and "explode" in run.log
    item = DueItem.objects.get(kind=FAILED_DUE_KIND)
    assert item.owner == org.user_a and "库存核对发现 3 处差异" in item.title and item.clause == "TST-01"
    assert item.link == f"/scheduling/runs/{run.pk}/" and item.source == run
    assert Job.objects.get(pk=job.pk).last_outcome == RunState.FAILED


def test_a_later_success_closes_the_earlier_failures_due_items(clean_registry, immediate, org,
                                                               django_capture_on_commit_callbacks):
    from ecomops.scheduling.tests import support

    add_job("t.flaky", now=at(7, 59), cron="0 * * * *", func="ecomops.scheduling.tests.support.flaky")
    add_job("t.broken", now=at(7, 59), cron="0 * * * *", func="ecomops.scheduling.tests.support.explode")
    support.FLAKY_FAILS[:] = [True, True, False]
    for hour in (8, 9):
        tick(django_capture_on_commit_callbacks, at(hour))
    flaky = DueItem.objects.filter(kind=FAILED_DUE_KIND, title__contains="t.flaky")
    assert flaky.count() == 2 and not flaky.filter(done_at__isnull=False).exists()
    tick(django_capture_on_commit_callbacks, at(10))  # t.flaky works again, t.broken does not
    assert flaky.filter(done_at__isnull=False, done_by__isnull=True).count() == 2
    broken = DueItem.objects.filter(kind=FAILED_DUE_KIND, title__contains="t.broken")
    assert broken.count() == 3 and broken.filter(done_at__isnull=True).count() == 3
    assert JobRun.objects.filter(job__code="t.flaky", state=RunState.FAILED).count() == 2  # history stays


def test_without_an_owner_the_failure_goes_to_every_active_superuser(clean_registry, immediate, org,
                                                                     django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("root2", password="x", is_superuser=True)
    get_user_model().objects.create_user("root_gone", password="x", is_superuser=True, is_active=False)
    add_job("t.broken", now=at(7, 59), cron="0 8 * * *", func="ecomops.scheduling.tests.support.explode")
    tick(django_capture_on_commit_callbacks, at(8))
    assert set(DueItem.objects.filter(kind=FAILED_DUE_KIND).values_list("owner", flat=True)) == {org.admin.pk,
                                                                                              other.pk}


def test_a_run_is_claimed_once(clean_registry, immediate, django_capture_on_commit_callbacks):
    """The worker's claim is an UPDATE … WHERE state = queued: a run enqueued twice runs once."""
    from ecomops.scheduling.runner import execute

    add_job("t.hourly", now=at(7, 59), cron="0 * * * *")
    run = tick(django_capture_on_commit_callbacks, at(8))[0]
    assert execute(run.pk) == "not-queued" and CALLS == [at(8)]


def test_a_times_job_follows_its_times(clean_registry, immediate, django_capture_on_commit_callbacks):
    add_job("t.times", now=at(0, 1), times="ecomops.scheduling.tests.support.two_times")
    walk(django_capture_on_commit_callbacks, at(0, 1), at(23, 59), step=timedelta(minutes=10))
    assert CALLS == [at(9), at(15, 30)]
    assert Job.objects.get(code="t.times").next_run_at == at(9, day=9)


def test_a_job_no_longer_registered_is_left_alone(clean_registry, immediate, django_capture_on_commit_callbacks):
    Job.objects.create(code="gone.job", name="旧任务", cron="* * * * *")
    assert tick(django_capture_on_commit_callbacks, at(8)) == []
    assert not JobRun.objects.filter(job__code="gone.job").exists()


def test_the_command_ticks_once(clean_registry, immediate, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    add_job("t.minutely", now=timezone.now() - timedelta(minutes=2), cron="* * * * *")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", stdout=out)
    assert "t.minutely" in out.getvalue() and "queued" in out.getvalue()
    assert JobRun.objects.get(job__code="t.minutely").state == RunState.SUCCEEDED
