"""POL-01: the command line reads the value in force on a date, like the code does."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ecomops.policy import actions
from ecomops.policy.models import PolicyParameter


def run(*args):
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_show_prints_the_per_08_tiers_in_percent(db):
    text = run("show", "PER-08.commission_rates")
    assert "30% < r ≤ 50% | 0.5% | 1% | 2%" in text
    assert "r ≥ 120% | 2% | 2.5% | 5%" in text


def test_show_on_a_date_uses_the_version_in_force_then(org):
    parameter = PolicyParameter.objects.get(key="ORD-03.review_batch_max_orders")
    start = timezone.localdate() + timedelta(days=10)
    actions.change_value(parameter, "150", effective_from=start, reason="试行", user=org.admin)
    assert "200" in run("show", parameter.key, "--on", (start - timedelta(days=1)).isoformat()).splitlines()[1]
    assert "150" in run("show", parameter.key, "--on", start.isoformat()).splitlines()[1]


def test_unknown_key_is_a_clear_error(db):
    with pytest.raises(CommandError, match="does not exist"):
        run("show", "NOPE.key")


def test_list_filters_by_group(db):
    lines = run("list", "--group", "per").splitlines()
    assert lines and all(line.startswith("PER-") for line in lines)


def test_policy_reads_are_cached_within_a_request_only(org, django_assert_max_num_queries):
    from ecomops.audit.masking import mask_phone
    from ecomops.policy import registry

    with registry.cached(), django_assert_max_num_queries(2):
        masked = [mask_phone(f"138{n:08d}") for n in range(200)]
    assert masked[1] == "138******01"
    parameter = PolicyParameter.objects.get(key="LAW-04.phone_mask_digits")
    with registry.cached():
        assert registry.value(parameter.key) == 6
        actions.change_value(parameter, "7", effective_from=timezone.localdate(), reason="收紧", user=org.admin)
        assert registry.value(parameter.key) == 7  # a change inside the block is seen at once
