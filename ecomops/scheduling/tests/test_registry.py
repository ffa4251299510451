"""Issue 17: the registry refuses wrong specs; the jobs' rows follow the registry without overwriting an
administrator's schedule, switch or owner."""

from __future__ import annotations

import pytest

from ecomops.scheduling import registry
from ecomops.scheduling.actions import seed_jobs
from ecomops.scheduling.models import Job, ScheduleKind

from .support import add_job, at

FUNC = "ecomops.scheduling.tests.support.record"


@pytest.mark.parametrize(("spec", "message"), [
    ({"cron": "0 1 * * *", "times": "a.b"}, "exactly one"),
    ({}, "exactly one"),
    ({"cron": "0 25 * * *"}, "bad cron"),
    ({"cron": "0 1 * *"}, "bad cron"),
    ({"cron": "0 1 * * *", "func": "record"}, "dotted path"),
    ({"times": "two_times"}, "dotted path"),
    ({"cron": "0 1 * * *", "func": ""}, "func"),
])
def test_wrong_specs_are_refused(clean_registry, spec, message):
    kwargs = {"code": "t.bad", "name": "坏任务", "func": FUNC, **spec}
    with pytest.raises(ValueError, match=message):
        registry.register_job(**kwargs)
    assert "t.bad" not in registry.registered()


def test_same_spec_twice_is_fine_a_different_one_is_not(clean_registry):
    registry.register_job(code="t.a", name="甲", func=FUNC, cron="0 1 * * *")
    registry.register_job(code="t.a", name="甲", func=FUNC, cron="0 1 * * *")
    with pytest.raises(ValueError, match="twice"):
        registry.register_job(code="t.a", name="甲", func=FUNC, cron="0 2 * * *")


@pytest.mark.django_db
def test_every_command_of_the_brief_is_a_seeded_job():
    """The apps' own jobs (registered in their AppConfig.ready) have rows after migrate."""
    expected = {"inventory.holds_release": "WMS-11", "stockops.samples_overdue": "WMS-12",
                "supply.daily": "WMS-16/17/18", "supply.replenishment": "WMS-14",
                "inventory.stock_verify": "WMS-13", "orders.stock_verify": "WMS-10", "orders.late": "ORD-09",
                "orders.allocate": "ORD-03/04", "dispatch.ship_batches": "ORD-05",
                "orderimport.purge": "LAW-04", "stores.qualifications_due": "STO-04",
                "payroll.targets_due": "PER-06", "logistics.daily": "LOG-02"}
    rows = dict(Job.objects.values_list("code", "clause"))
    assert {code: rows.get(code) for code in expected} == expected
    assert Job.objects.get(code="dispatch.ship_batches").kind == ScheduleKind.TIMES
    assert all(job.next_run_at for job in Job.objects.filter(code__in=expected))


@pytest.mark.django_db
def test_seeding_keeps_the_administrators_edits(clean_registry, org):
    job = add_job("t.a", now=at(7), cron="0 1 * * *")
    Job.objects.filter(pk=job.pk).update(cron="0 4 * * *", enabled=False, owner=org.user_a)
    assert seed_jobs(at(8)) == 0
    job.refresh_from_db()
    assert (job.cron, job.enabled, job.owner) == ("0 4 * * *", False, org.user_a)


@pytest.mark.django_db
def test_a_new_default_reaches_a_job_nobody_changed_and_names_follow_the_registry(clean_registry, monkeypatch):
    add_job("t.a", now=at(7), cron="0 1 * * *")
    monkeypatch.setattr(registry, "_REGISTRY", {})
    registry.register_job(code="t.a", name="新名称", func=FUNC, cron="0 2 * * *", clause="TST-02")
    seed_jobs(at(8))
    job = Job.objects.get(code="t.a")
    assert (job.cron, job.default_cron, job.name, job.clause) == ("0 2 * * *", "0 2 * * *", "新名称", "TST-02")
