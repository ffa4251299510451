"""The scheduled run as a background task (django-tasks, the database backend: no broker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(run_id: int) -> str:
    from .runner import execute

    return execute(run_id)
