"""Background work of the orders app (django-tasks; the database backend needs no broker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export(job_id: int) -> dict:
    from .exports import run_export_job

    job = run_export_job(job_id)
    return {"state": job.state, "rows": job.rows_done}
