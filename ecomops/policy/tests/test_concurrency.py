"""POL-01 under load: owners changing the same parameter at the same moment get distinct, gap-free
version numbers, and nothing fails half-way. Real threads, real connections, on SQLite and PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from ecomops.policy import actions
from ecomops.policy.models import PolicyParameter, PolicyVersion

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_changes_get_distinct_version_numbers(django_user_model):
    owner = django_user_model.objects.create_superuser("owner", password=None)
    parameter = PolicyParameter.objects.get(key="ORD-03.review_batch_max_orders")
    start = timezone.localdate() + timedelta(days=1)
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker(n):
        from django.db import connections

        try:
            barrier.wait()
            actions.change_value(parameter, str(100 + n), effective_from=start, reason=f"并发 {n}", user=owner)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(PolicyVersion.objects.filter(parameter=parameter).values_list("number", flat=True))
    assert numbers == list(range(1, WORKERS + 2))
