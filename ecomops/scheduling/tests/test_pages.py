"""Issue 17: the 定时任务 pages — internal staff with the right only; pause, resume, run now, change the
time and owner (POST only, audited); a bad cron expression is refused naming the field, nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from ecomops.scheduling.models import Job, JobRun, RunState, ScheduleKind, Trigger

from .support import CALLS, add_job, at

pytestmark = pytest.mark.django_db


def web(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def job(clean_registry, immediate):
    return add_job("t.hourly", now=at(7, 59), cron="0 * * * *")


def test_a_user_without_the_right_gets_403_and_no_menu_entry(job, org):
    http = web(org.user_a)
    assert http.get("/scheduling/").status_code == 403
    assert http.get(f"/scheduling/{job.pk}/").status_code == 403
    assert http.post(f"/scheduling/{job.pk}/run/").status_code == 403
    assert http.post(f"/scheduling/{job.pk}/pause/").status_code == 403
    assert "/scheduling/" not in http.get("/").content.decode()
    assert Job.objects.get(pk=job.pk).enabled and not JobRun.objects.exists()


def test_a_client_user_gets_404(job, org):
    assert web(org.member_a).get("/scheduling/").status_code == 404


def test_a_viewer_sees_the_list_but_no_buttons(job, org):
    from django.contrib.auth.models import Permission

    org.user_a.user_permissions.add(Permission.objects.get(codename="view_job"))
    http = web(org.user_a)
    page = http.get("/scheduling/").content.decode()
    assert "测试任务 t.hourly" in page and "0 * * * *" in page
    detail = http.get(f"/scheduling/{job.pk}/").content.decode()
    assert 'data-testid="run-now"' not in detail and 'data-testid="pause"' not in detail
    assert http.post(f"/scheduling/{job.pk}/pause/").status_code == 403


def test_the_list_shows_the_registered_jobs_and_a_stale_row(job, org):
    Job.objects.create(code="gone.job", name="旧任务", cron="* * * * *")
    page = web(org.admin).get("/scheduling/").content.decode()
    assert "测试任务 t.hourly" in page and "旧任务" in page and "已不再注册" in page
    assert web(org.admin).get("/scheduling/").context["nav_items"]  # the page renders in the layout
    detail = web(org.admin).get(f"/scheduling/{Job.objects.get(code='gone.job').pk}/").content.decode()
    assert "已不再注册" in detail and 'data-testid="run-now"' not in detail


def test_actions_are_post_only(job, org):
    http = web(org.admin)
    for action in ("pause", "resume", "run", "schedule"):
        assert http.get(f"/scheduling/{job.pk}/{action}/").status_code == 405


def test_pause_and_resume(job, org):
    http = web(org.admin)
    http.post(f"/scheduling/{job.pk}/pause/")
    job.refresh_from_db()
    assert not job.enabled and job.next_run_at is None
    http.post(f"/scheduling/{job.pk}/resume/")
    job.refresh_from_db()
    assert job.enabled and job.next_run_at is not None
    assert [h.history_user for h in job.history.order_by("history_date")][-2:] == [org.admin, org.admin]


def test_run_now_runs_the_job_and_shows_its_log(job, org, django_capture_on_commit_callbacks):
    http = web(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/scheduling/{job.pk}/run/", follow=True)
    assert "已加入后台任务队列" in response.content.decode()
    run = JobRun.objects.get(job=job)
    assert run.trigger == Trigger.MANUAL and run.requested_by == org.admin and run.state == RunState.SUCCEEDED
    assert len(CALLS) == 1
    page = http.get(f"/scheduling/runs/{run.pk}/").content.decode()
    assert run.summary in page and "手动" in page


def test_run_now_is_refused_while_a_run_is_queued(job, org, django_capture_on_commit_callbacks):
    http = web(org.admin)
    with django_capture_on_commit_callbacks(execute=False):
        http.post(f"/scheduling/{job.pk}/run/")
    response = http.post(f"/scheduling/{job.pk}/run/", follow=True)
    assert "正在排队或运行" in response.content.decode() and JobRun.objects.count() == 1


def test_change_the_time_and_the_owner(job, org):
    http = web(org.admin)
    response = http.post(f"/scheduling/{job.pk}/schedule/", {"cron": " 30  7 * * * ", "owner": org.user_a.pk})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cron == "30 7 * * *" and job.owner == org.user_a and job.kind == ScheduleKind.CRON
    assert job.history.latest("history_date").history_user == org.admin


@pytest.mark.parametrize("cron", ["61 * * * *", "0 * * *", "每天 8 点", "0 0 * * * *"])
def test_a_bad_cron_is_refused_naming_the_field_and_nothing_saved(job, org, cron):
    response = web(org.admin).post(f"/scheduling/{job.pk}/schedule/", {"cron": cron, "owner": org.user_a.pk})
    assert response.status_code == 400
    assert "定时表达式" in response.context["form"].errors["cron"][0]
    job.refresh_from_db()
    assert job.cron == "0 * * * *" and job.owner is None


def test_an_empty_cron_returns_a_times_job_to_its_policy_times(clean_registry, immediate, org):
    times_job = add_job("t.times", now=at(7), times="ecomops.scheduling.tests.support.two_times")
    http = web(org.admin)
    http.post(f"/scheduling/{times_job.pk}/schedule/", {"cron": "0 8 * * *", "owner": ""})
    times_job.refresh_from_db()
    assert times_job.kind == ScheduleKind.CRON
    http.post(f"/scheduling/{times_job.pk}/schedule/", {"cron": "", "owner": ""})
    times_job.refresh_from_db()
    assert times_job.kind == ScheduleKind.TIMES and times_job.cron == ""
    cron_job = add_job("t.cron", now=at(7), cron="0 9 * * *")
    response = http.post(f"/scheduling/{cron_job.pk}/schedule/", {"cron": "", "owner": ""})
    assert response.status_code == 400 and Job.objects.get(pk=cron_job.pk).cron == "0 9 * * *"


def test_the_general_manager_position_has_the_rights():
    from django.contrib.auth.models import Group

    from ecomops.org.models import Position

    group = Group.objects.get(pk=Position.objects.get(code="general_manager").group_id)
    codes = set(group.permissions.filter(content_type__app_label="scheduling").values_list("codename", flat=True))
    assert codes == {"view_job", "change_job", "run_job"}
