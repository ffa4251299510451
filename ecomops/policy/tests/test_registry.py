"""POL-01: a policy value changes by a new version from a date; the old stays readable and audited."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.policy import registry
from ecomops.policy.actions import change_value, previous_value
from ecomops.policy.models import PolicyParameter, PolicyVersion

pytestmark = pytest.mark.django_db

BATCH = "ORD-03.review_batch_max_orders"
CJK = re.compile(r"[\u4e00-\u9fff]")


def param(key: str) -> PolicyParameter:
    return PolicyParameter.objects.get(key=key)


def test_pol_01_a_change_is_version_2_in_force_from_its_date(policy_owner, tomorrow):
    version = change_value(param(BATCH), "150", effective_from=tomorrow, reason="人手不足，减小批次",
                           user=policy_owner)

    assert version.number == 2
    assert version.effective_from == tomorrow
    assert version.created_by == policy_owner
    assert version.value == 150
    assert registry.value(BATCH, on=tomorrow - timedelta(days=1)) == 200  # the day before: the old value
    assert registry.value(BATCH, on=tomorrow) == 150  # from the date on: the new one
    assert registry.value(BATCH, on=tomorrow + timedelta(days=400)) == 150
    assert registry.value(BATCH, on=date(2024, 1, 1)) == 200  # the old version stays readable
    assert previous_value(version).number == 1


def test_pol_01_a_change_made_today_applies_today(policy_owner, today):
    change_value(param(BATCH), "180", effective_from=today, reason="立即调整", user=policy_owner)
    assert registry.value(BATCH) == 180
    assert registry.value(BATCH, on=today - timedelta(days=1)) == 200


def test_pol_01_two_versions_on_the_same_date_the_later_one_wins(policy_owner, tomorrow):
    """A correction made before the date comes supersedes the first change for that date."""
    first = change_value(param(BATCH), "150", effective_from=tomorrow, reason="调整", user=policy_owner)
    second = change_value(param(BATCH), "160", effective_from=tomorrow, reason="更正", user=policy_owner)

    assert (first.number, second.number) == (2, 3)
    resolved = registry.resolve(BATCH, on=tomorrow)
    assert resolved.value == 160
    assert resolved.version == second
    assert previous_value(second) == first


def test_pol_01_a_later_date_does_not_hide_an_earlier_later_numbered_version(policy_owner, tomorrow):
    """Versions are ordered by effective date first: a version made later for an earlier date
    governs until the earlier-made one for the later date starts."""
    far = tomorrow + timedelta(days=30)
    change_value(param(BATCH), "100", effective_from=far, reason="下月起", user=policy_owner)
    change_value(param(BATCH), "120", effective_from=tomorrow, reason="明天起", user=policy_owner)

    assert registry.value(BATCH, on=tomorrow) == 120
    assert registry.value(BATCH, on=far - timedelta(days=1)) == 120
    assert registry.value(BATCH, on=far) == 100


def test_pol_01_the_citation_names_clause_key_version_and_date(policy_owner, tomorrow):
    """A computed figure keeps the version that produced it."""
    change_value(param("PER-02.performance_pay"), "600", effective_from=tomorrow, reason="调薪",
                 user=policy_owner)
    resolved = registry.resolve("PER-02.performance_pay", on=tomorrow)

    assert resolved.value == Decimal("600.00")
    assert resolved.citation == f"PER-02，PER-02.performance_pay v2（{tomorrow:%Y-%m-%d}）"
    first = registry.resolve("PER-02.performance_pay", on=date(2024, 1, 1))
    assert first.citation.endswith("v1（2024-01-01）")


def test_pol_01_a_policy_version_can_never_be_edited_or_deleted(policy_owner, tomorrow):
    version = change_value(param(BATCH), "150", effective_from=tomorrow, reason="调整", user=policy_owner)

    version.value = 999
    with pytest.raises(ValueError, match="never edited"):
        version.save()
    with pytest.raises(ValueError, match="never deleted"):
        version.delete()
    assert PolicyVersion.objects.get(pk=version.pk).value == 150


def test_pol_02_a_change_leaves_an_audit_record_with_the_user(policy_owner, tomorrow):
    version = change_value(param(BATCH), "150", effective_from=tomorrow, reason="人手不足", user=policy_owner)

    record = PolicyVersion.history.get(id=version.pk)
    assert record.history_type == "+"
    assert record.history_user == policy_owner
    assert record.value == 150
    assert record.history_change_reason == "人手不足"
    assert record.effective_from == tomorrow


def test_registry_refuses_unknown_keys_and_dates_before_the_first_version():
    with pytest.raises(registry.PolicyMissing):
        registry.value("ORD-03.no_such_parameter")
    with pytest.raises(registry.PolicyMissing):
        registry.value(BATCH, on=date(2023, 12, 31))


# --- what change_value refuses ----------------------------------------------------------------

def test_a_user_without_the_permission_cannot_change_a_value(org, tomorrow):
    for user in (org.nobody, org.user_a, None):
        with pytest.raises(NotAllowed):
            change_value(param(BATCH), "150", effective_from=tomorrow, reason="调整", user=user)
    assert param(BATCH).versions.count() == 1


def test_a_change_needs_a_reason(policy_owner, tomorrow):
    for reason in ("", "   ", None):
        with pytest.raises(BusinessError) as error:
            change_value(param(BATCH), "150", effective_from=tomorrow, reason=reason, user=policy_owner)
        assert error.value.field == "reason"
    with pytest.raises(BusinessError) as error:
        change_value(param(BATCH), "150", effective_from=tomorrow, reason="长" * 501, user=policy_owner)
    assert error.value.field == "reason"


def test_a_change_cannot_reach_into_the_past(policy_owner, today):
    """Figures already computed used the value of their day; a past date would rewrite them."""
    with pytest.raises(BusinessError) as error:
        change_value(param(BATCH), "150", effective_from=today - timedelta(days=1), reason="补录",
                     user=policy_owner)
    assert error.value.field == "effective_from"
    assert CJK.search(error.value.message)
    assert param(BATCH).versions.count() == 1


BAD_VALUES = [
    ("ORD-03.review_batch_max_orders", "12.5"),  # integer
    ("ORD-03.review_batch_max_orders", "0"),  # below min
    ("ORD-03.review_batch_max_orders", "二百"),
    ("PER-01.base_salary_member", "2000.001"),  # money: to the fen
    ("PER-01.base_salary_member", "-1"),
    ("PER-01.base_salary_member", 2000.5),  # a float never becomes money
    ("WMS-25.first_sample_rate", "0%"),  # below min 1%
    ("WMS-25.first_sample_rate", "120%"),
    ("WMS-25.first_sample_rate", 0.1),
    ("ORD-09.confirm_within", "24"),  # no unit
    ("ORD-09.confirm_within", "8d"),  # above max 7 days
    ("ORD-09.confirm_within", "2w"),
    ("MKT-04.banner_fix_by", "25:00"),
    ("MKT-04.banner_fix_by", "9点"),
    ("ORD-05.ship_batch_cutoffs", "12:00, 10:30"),  # must ascend
    ("ORD-05.ship_batch_cutoffs", ""),
    ("LAW-02.barred_terms", ""),
    ("LAW-02.barred_terms", ["最好", "x" * 51]),
    ("PER-03.over_completion_bonus_member", "100-50"),
    ("PER-03.over_completion_bonus_member", "50"),
    ("AGY-05.provider_assessment_weights", "50/30/30"),
    ("AGY-05.provider_assessment_weights", {"operating_results": "50", "service_quality": "50"}),
    ("PAY-02.settlement_period", "yearly"),
    ("PER-08.commission_rates", {"rows": [{"lower": "0", "upper": "0.5", "values": {"promotion": "0.01"}}]}),
    ("PER-09.activity_fund_rates", "not json"),
]


@pytest.mark.parametrize(("key", "raw"), BAD_VALUES, ids=[f"{k}={r!r}"[:60] for k, r in BAD_VALUES])
def test_bad_values_are_refused_with_a_chinese_message_on_the_value_field(policy_owner, tomorrow, key, raw):
    with pytest.raises(BusinessError) as error:
        change_value(param(key), raw, effective_from=tomorrow, reason="测试错误输入", user=policy_owner)
    assert error.value.field == "value"
    assert CJK.search(error.value.message), error.value.message
    assert param(key).versions.count() == 1  # nothing half-written


def test_a_superuser_may_change_values(org, tomorrow):
    version = change_value(param("WMS-25.first_sample_rate"), "15", effective_from=tomorrow, reason="加严",
                           user=org.admin)
    assert registry.value("WMS-25.first_sample_rate", on=tomorrow) == Decimal("0.15")
    assert version.value == "0.15"


def test_machine_input_takes_fractions(policy_owner, tomorrow):
    """The API sends stored form (human=False): percentages as fractions."""
    change_value(param("WMS-25.reject_below_pass_rate"), "0.75", effective_from=tomorrow, reason="加严",
                 user=policy_owner, human=False)
    assert registry.value("WMS-25.reject_below_pass_rate", on=tomorrow) == Decimal("0.75")


def test_permission_is_checked_freshly_for_each_user(tomorrow, db):
    """A plain staff account without the permission is refused even when it is active staff."""
    user = get_user_model().objects.create_user(username="clerk", password="x", is_staff=True)
    with pytest.raises(NotAllowed):
        change_value(param(BATCH), "150", effective_from=tomorrow, reason="调整", user=user)
