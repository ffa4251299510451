"""The jobs' rows from the registry, and what an administrator may do to a job (issue 17).

Every change is saved with the acting user on the job's history (audited)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.history import save_audited
from ecomops.org.actions import require_perm

from . import schedule, scheduler
from .models import ACTIVE_STATES, Job, JobRun, ScheduleKind, Trigger
from .registry import JobSpec, registered

CHANGE_PERM = "scheduling.change_job"
RUN_PERM = "scheduling.run_job"


# --- seeding from the registry ---------------------------------------------------------------------


def seed_jobs(now: datetime | None = None) -> int:
    """Create the row of every registered job (idempotent; returns how many were created). The
    descriptive fields follow the registry; the schedule, the switch and the owner belong to the
    administrators once the row exists — only a cron default nobody changed follows a new default."""
    now = now or timezone.now()
    created = 0
    for spec in registered().values():
        job = Job.objects.filter(code=spec.code).first()
        if job is None:
            job = _new_job(spec)
            created += 1
        else:
            _follow_spec(job, spec)
        _store_next(job, now)
    return created


def _new_job(spec: JobSpec) -> Job:
    kind = ScheduleKind.TIMES if spec.times else ScheduleKind.CRON
    job = Job(code=spec.code, name=spec.name[:100], clause=spec.clause, description=spec.description, kind=kind,
              cron=spec.cron, default_cron=spec.cron, times_source=spec.times)
    job.save()
    return job


def _follow_spec(job: Job, spec: JobSpec) -> None:
    changed = {"name": spec.name[:100], "clause": spec.clause, "description": spec.description,
               "times_source": spec.times}
    if spec.cron != job.default_cron and job.cron == job.default_cron and job.kind == ScheduleKind.CRON:
        changed.update(cron=spec.cron or job.cron, default_cron=spec.cron)
    if any(getattr(job, name) != value for name, value in changed.items()):
        for name, value in changed.items():
            setattr(job, name, value)
        job.save()


def _store_next(job: Job, now: datetime) -> None:
    if job.code in registered():
        Job.objects.filter(pk=job.pk).update(next_run_at=schedule.next_slot(job, now))


def is_registered(job: Job) -> bool:
    return job.code in registered()


# --- an administrator's actions ------------------------------------------------------------------


def set_enabled(job: Job, *, user, enabled: bool, now: datetime | None = None) -> Job:
    """Pause or resume. A resumed job starts afresh from now: what it missed while paused is not run."""
    require_perm(user, CHANGE_PERM)
    now = now or timezone.now()
    job.enabled = enabled
    if enabled:
        job.last_slot_at = now
        job.next_run_at = schedule.next_slot(job, now) if is_registered(job) else None
    else:
        job.next_run_at = None
    save_audited(job, user=user, reason=_("恢复") if enabled else _("暂停"))
    return job


def change_schedule(job: Job, *, user, cron: str, owner_id=None, now: datetime | None = None) -> Job:
    """A new cron expression (validated; a ``times`` job with an empty one keeps following its
    registered times) and owner. The new schedule starts from now. Refused with a message naming the
    field; nothing is saved then."""
    require_perm(user, CHANGE_PERM)
    now = now or timezone.now()
    cron = " ".join(cron.split())
    if cron:
        problem = schedule.cron_problem(cron)
        if problem:
            raise BusinessError(_("定时表达式“%(cron)s”无效：%(problem)s") % {"cron": cron, "problem": problem},
                                field="cron")
        job.kind, job.cron = ScheduleKind.CRON, cron
    elif job.times_source:
        job.kind, job.cron = ScheduleKind.TIMES, ""
    else:
        raise BusinessError(_("请填写定时表达式"), field="cron")
    job.owner = _owner(owner_id)
    job.last_slot_at = now
    job.next_run_at = schedule.next_slot(job, now) if is_registered(job) else None
    save_audited(job, user=user, reason=_("修改计划"))
    return job


def _owner(owner_id):
    if owner_id in (None, ""):
        return None
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise BusinessError(_("负责人不存在或已停用"), field="owner")
    return owner


def run_now(job: Job, *, user, now: datetime | None = None) -> JobRun:
    """A manual run (slot = now), enqueued like a scheduled one; refused while the job is still
    queued or running (a job never overlaps itself) and for a job no longer registered."""
    require_perm(user, RUN_PERM)
    now = now or timezone.now()
    if not is_registered(job):
        raise BusinessError(_("该任务已不再注册，无法运行"))
    if job.runs.filter(state__in=ACTIVE_STATES).exists():
        raise Conflict(_("该任务正在排队或运行，请等它结束后再试"))
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job, slot=now, trigger=Trigger.MANUAL, requested_by=user,
                                        enqueued_at=now)
    except IntegrityError:
        raise Conflict(_("该任务此刻已有一次运行")) from None
    scheduler.enqueue(run)
    return run
