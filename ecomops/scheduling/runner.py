"""Running one ``JobRun`` in the background worker, and what follows its end.

The worker claims the run (queued → running, one UPDATE, so a run enqueued twice runs once), calls the
job's registered ``func(slot)`` and stores its one-line summary. A failure stores the error's
traceback (trimmed; frames and the message only, never local values) and raises a due item
(``job_failed``) to the job's owner, or to every active superuser when it has none, linking the run.
"""

from __future__ import annotations

import traceback
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ecomops.audit import dues

from .models import Job, JobRun, RunState
from .registry import registered

FAILED_DUE_KIND = "job_failed"
LOG_LIMIT = 4000


def enqueue(run_id: int) -> None:
    from .tasks import run_job

    run_job.enqueue(run_id)


def execute(run_id: int, now: datetime | None = None) -> str:
    """Run the queued run ``run_id``; returns its final state."""
    claimed = JobRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now or timezone.now())
    if not claimed:
        return "not-queued"
    run = JobRun.objects.select_related("job").get(pk=run_id)
    try:
        summary = _call(run)
    except Exception as error:  # noqa: BLE001 — any failure of a job is recorded, never lost
        run.state, run.summary, run.log = RunState.FAILED, _first_line(error), _trimmed_traceback()
    else:
        run.state, run.summary = RunState.SUCCEEDED, str(summary or "")[:500]
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "summary", "log", "finished_at"])
    finished(run, run.finished_at)
    return run.state


def _call(run: JobRun) -> str:
    spec = registered().get(run.job.code)
    if spec is None:
        raise LookupError(_("任务 %(code)s 已不再注册，无法运行") % {"code": run.job.code})
    return import_string(spec.func)(timezone.localtime(run.slot))


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:500]


def _trimmed_traceback() -> str:
    text = traceback.format_exc()
    return text if len(text) <= LOG_LIMIT else "…\n" + text[-LOG_LIMIT:]


def finished(run: JobRun, at: datetime) -> None:
    """Record the outcome on the job; a failure raises the due item."""
    Job.objects.filter(pk=run.job_id).update(last_run_at=at, last_outcome=run.state)
    if run.state == RunState.FAILED:
        raise_failure(run, at)
    elif run.state == RunState.SUCCEEDED:
        settle_failures(run, at)


def owners(job: Job) -> list:
    if job.owner is not None and job.owner.is_active:
        return [job.owner]
    return dues.superusers()


def settle_failures(run: JobRun, at: datetime) -> int:
    """A run that succeeds closes the due items of the job's earlier failed runs: the job works again,
    nothing is left to do about them (their runs and logs stay in the history)."""
    from ecomops.audit.models import DueItem

    open_ids = (DueItem.objects.open().filter(kind=FAILED_DUE_KIND, source_type__model="jobrun",
                                              source_type__app_label="scheduling")
                .values_list("source_id", flat=True))
    failed = JobRun.objects.filter(job_id=run.job_id, state=RunState.FAILED, pk__lt=run.pk,
                                   pk__in=[int(pk) for pk in open_ids if pk.isdigit()])
    return dues.complete_dues_of(kind=FAILED_DUE_KIND, model=JobRun, ids=failed.values_list("pk", flat=True), at=at)


def raise_failure(run: JobRun, at: datetime) -> list:
    job = run.job
    return dues.raise_dues(
        kind=FAILED_DUE_KIND, owners=owners(job), due_at=at, source=run, clause=job.clause[:12],
        title=_("定时任务失败：%(name)s（%(error)s）") % {"name": job.name, "error": run.summary},
        link=reverse("scheduling:run", args=[run.pk]))
