"""API of the scheduled jobs (issue 17): the jobs with their schedule, owner and last outcome, a job's
recent runs, and what the 定时任务 page lets an administrator do — pause, resume, run now, change the
cron expression and the owner. Company-internal: a client's own user never sees them (AGY-07)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm

from . import actions
from .models import Job, JobRun, RunState, ScheduleKind, Trigger

router = Router(tags=["scheduling"])
VIEW = "scheduling.view_job"
RUNS_SHOWN = 200  # the most runs one call lists (newest first)


class JobOut(Schema):
    code: str
    name: str
    clause: str
    description: str
    kind: ScheduleKind
    cron: str = Field(description="五段式 cron 表达式（Asia/Shanghai）；按政策时刻运行的任务为空")
    times_source: str = Field(description="按时刻运行时，时刻来自的政策参数")
    enabled: bool
    owner_id: int | None
    last_run_at: datetime | None
    last_outcome: str
    next_run_at: datetime | None


class JobRunOut(Schema):
    id: int
    slot: datetime
    trigger: Trigger
    state: RunState
    requested_by_id: int | None
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    summary: str


class RunsQuery(Schema):
    limit: int = Field(50, ge=1, le=RUNS_SHOWN, description="最多返回的运行记录数（最新在前）")


class ScheduleIn(Schema):
    cron: str = Field(description="五段式 cron 表达式（Asia/Shanghai）；按时刻运行的任务可留空以恢复按政策时刻")
    owner_id: int | None = Field(None, description="负责人（失败时通知）；为空则通知全部超级管理员")


def _job(request, code: str) -> Job:
    require_perm(request.auth, VIEW, internal=True)
    job = Job.objects.filter(code=code).first()
    if job is None:
        raise Http404
    return job


@router.get("/scheduling/jobs", response=list[JobOut], summary="定时任务及其计划、负责人与上次结果")
def scheduling_list_jobs(request):
    require_perm(request.auth, VIEW, internal=True)
    return list(Job.objects.order_by("code"))


@router.get("/scheduling/jobs/{code}", response=JobOut, summary="一个定时任务")
def scheduling_get_job(request, code: Path[str]):
    return _job(request, code)


@router.get("/scheduling/jobs/{code}/runs", response=list[JobRunOut], summary="定时任务的运行记录（最新在前）")
def scheduling_list_runs(request, code: Path[str], query: Query[RunsQuery]):
    job = _job(request, code)
    return list(JobRun.objects.filter(job=job).order_by("-slot", "-pk")[: query.limit])


@router.post("/scheduling/jobs/{code}/pause", response=JobOut, summary="暂停定时任务（需修改权限）")
def scheduling_pause_job(request, code: Path[str]):
    return actions.set_enabled(_job(request, code), user=request.auth, enabled=False)


@router.post("/scheduling/jobs/{code}/resume", response=JobOut,
             summary="恢复定时任务：从现在起按计划运行，暂停期间错过的不补跑（需修改权限）")
def scheduling_resume_job(request, code: Path[str]):
    return actions.set_enabled(_job(request, code), user=request.auth, enabled=True)


@router.put("/scheduling/jobs/{code}/schedule", response=JobOut, summary="修改定时表达式与负责人（需修改权限）")
def scheduling_change_schedule(request, code: Path[str], payload: ScheduleIn):
    return actions.change_schedule(_job(request, code), user=request.auth, cron=payload.cron,
                                   owner_id=payload.owner_id)


@router.post("/scheduling/jobs/{code}/run", response={202: JobRunOut},
             summary="立即运行：排入后台队列；任务正在排队或运行时拒绝（需运行权限）")
def scheduling_run_job(request, code: Path[str]):
    return Status(202, actions.run_now(_job(request, code), user=request.auth))
