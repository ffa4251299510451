"""Issue 17 through the API: the scheduled jobs and their runs for who may see them (never a client's
own user, AGY-07); pause, resume, change the schedule (a bad cron refused naming the field, nothing
saved) and run now (refused while a run is queued), as on the 定时任务 page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from ecomops.core.tests.conftest import ApiClient, assert_error
from ecomops.scheduling.models import Job, JobRun, RunState, ScheduleKind, Trigger

from .support import add_job, at

pytestmark = pytest.mark.django_db


def api(user) -> ApiClient:
    http = Client()
    http.force_login(user)
    return ApiClient(http)


@pytest.fixture
def job(clean_registry, immediate):
    return add_job("t.hourly", now=at(7, 59), cron="0 * * * *")


def test_jobs_are_listed_for_who_may_see_them(job, org):
    listed = api(org.admin).get("scheduling/jobs")
    assert listed.status_code == 200, listed.content
    row = next(j for j in listed.json() if j["code"] == "t.hourly")
    assert (row["cron"], row["enabled"], row["kind"], row["clause"]) == ("0 * * * *", True, "cron", "TST-01")
    assert_error(api(org.user_a).get("scheduling/jobs"), 403)
    assert_error(api(org.member_a).get("scheduling/jobs"), 403)  # a client's user: company-internal data
    org.user_a.user_permissions.add(Permission.objects.get(codename="view_job"))
    assert api(org.user_a).get("scheduling/jobs/t.hourly").json()["code"] == "t.hourly"
    assert_error(api(org.user_a).post("scheduling/jobs/t.hourly/pause"), 403)  # seeing is not changing
    assert_error(api(org.admin).get("scheduling/jobs/no.such"), 404)


def test_pause_resume_change_and_run(job, org, django_capture_on_commit_callbacks):
    http = api(org.admin)
    assert http.post("scheduling/jobs/t.hourly/pause").json()["enabled"] is False
    assert http.post("scheduling/jobs/t.hourly/resume").json()["enabled"] is True
    refused = http.put("scheduling/jobs/t.hourly/schedule", {"cron": "61 * * * *", "owner_id": None})
    assert_error(refused, 400, field="cron")
    assert Job.objects.get(pk=job.pk).cron == "0 * * * *"  # nothing saved
    changed = http.put("scheduling/jobs/t.hourly/schedule", {"cron": "30 6 * * *", "owner_id": org.user_a.pk})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["cron"], changed.json()["owner_id"]) == ("30 6 * * *", org.user_a.pk)
    assert Job.objects.get(pk=job.pk).kind == ScheduleKind.CRON
    assert_error(http.put("scheduling/jobs/t.hourly/schedule", {"cron": "0 * * * *", "owner_id": 999999}), 400,
                 field="owner")
    with django_capture_on_commit_callbacks(execute=True):
        started = http.post("scheduling/jobs/t.hourly/run")
    assert started.status_code == 202, started.content
    run = JobRun.objects.get(pk=started.json()["id"])
    assert run.trigger == Trigger.MANUAL and run.requested_by == org.admin and run.state == RunState.SUCCEEDED
    runs = http.get("scheduling/jobs/t.hourly/runs", {"limit": 5}).json()
    assert [r["id"] for r in runs] == [run.pk] and runs[0]["summary"].startswith("slot")
    assert_error(http.get("scheduling/jobs/t.hourly/runs", {"limit": 0}), 422, field="limit")


def test_run_now_is_refused_while_a_run_is_queued(job, org):
    JobRun.objects.create(job=job, slot=at(8), state=RunState.QUEUED)
    assert_error(api(org.admin).post("scheduling/jobs/t.hourly/run"), 409)
    assert JobRun.objects.count() == 1
