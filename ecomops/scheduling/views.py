"""The scheduled jobs' pages (issue 17): the list, a job with its run history, a run's log, and the
administrators' acts — pause, resume, run now, change the time and the owner (POST only, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action

from . import actions, schedule
from .forms import ScheduleForm
from .models import Job, JobRun

VIEW = "scheduling.view_job"
CHANGE = actions.CHANGE_PERM
RUN = actions.RUN_PERM
RUNS_PER_PAGE = 25


def _row(job: Job) -> dict:
    return {"job": job, "schedule": schedule.describe(job), "registered": actions.is_registered(job)}


def _rights(user) -> dict:
    return {"can_change": user.has_perm(CHANGE), "can_run": user.has_perm(RUN)}


@internal_page(VIEW)
def job_list(request):
    jobs = Job.objects.select_related("owner").order_by("code")
    return render(request, "scheduling/jobs.html", {"rows": [_row(job) for job in jobs], **_rights(request.user)})


def _detail(request, job: Job, form: ScheduleForm | None = None, status: int = 200):
    runs = Paginator(job.runs.select_related("requested_by"), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    form = form or ScheduleForm(job=job, initial={"cron": job.cron, "owner": job.owner_id})
    return render(request, "scheduling/job.html", {**_row(job), "page_obj": runs, "form": form,
                                                   **_rights(request.user)}, status=status)


@internal_page(VIEW)
def job_detail(request, pk: int):
    return _detail(request, get_object_or_404(Job, pk=pk))


@require_POST
@internal_page((VIEW, CHANGE))
def job_pause(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    run_action(request, actions.set_enabled, job, user=request.user, enabled=False, done=_("已暂停"))
    return redirect("scheduling:job", pk=job.pk)


@require_POST
@internal_page((VIEW, CHANGE))
def job_resume(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    run_action(request, actions.set_enabled, job, user=request.user, enabled=True, done=_("已恢复，从下一个时段起运行"))
    return redirect("scheduling:job", pk=job.pk)


@require_POST
@internal_page((VIEW, RUN))
def job_run_now(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    run_action(request, actions.run_now, job, user=request.user, done=_("已加入后台任务队列"))
    return redirect("scheduling:job", pk=job.pk)


@require_POST
@internal_page((VIEW, CHANGE))
def job_schedule(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    form = ScheduleForm(request.POST, job=job)
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        done = submit(form, actions.change_schedule, job, user=request.user, cron=form.cleaned_data["cron"],
                      owner_id=owner.pk if owner else None)
        if done is not None:
            messages.success(request, _("计划已保存"))
            return redirect("scheduling:job", pk=job.pk)
    job.refresh_from_db()
    return _detail(request, job, form=form, status=400)


@internal_page(VIEW)
def run_detail(request, pk: int):
    run = get_object_or_404(JobRun.objects.select_related("job", "requested_by"), pk=pk)
    return render(request, "scheduling/run.html", {"run": run, "job": run.job})
