"""The import as a background task (django-tasks; the database backend needs no broker)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="imports")
def run_import(job_id: int) -> dict:
    from . import engine
    from .models import ImportJob

    job = engine.run(ImportJob.objects.get(pk=job_id))
    return {"state": job.state, "created": job.orders_created, "updated": job.orders_updated,
            "failed_rows": job.rows_failed}
