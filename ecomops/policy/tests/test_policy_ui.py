"""Issue 15: a policy citation on a page names the clause and the parameter in Chinese (版本 v2), not
its raw key (commission_rates v2)."""

from __future__ import annotations

import pytest
from django.utils import translation

from ecomops.policy.models import PolicyParameter
from ecomops.policy.templatetags.policy_ui import policy_key, policy_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def parameter():
    found = PolicyParameter.objects.order_by("pk").first()
    if found is None:  # the seed runs after migrate; a bare database gets one of its own
        found = PolicyParameter.objects.create(key="commission_rates", clause="PER-08", group="PER", kind="decimal",
                                               name="提成比例", name_en="Commission rates")
    return found


def test_a_version_label_becomes_clause_name_and_version(parameter):
    with translation.override("zh-hans"):
        shown = policy_label(f"{parameter.key} v2（2026-01-01）")
        assert shown == f"{parameter.clause} {parameter.name} 版本 v2（2026-01-01）"
        assert parameter.key not in shown
        # A citation that names its clause already does not name it twice.
        cited = policy_label(f"{parameter.clause}，{parameter.key} v1（2026-01-01）")
        assert cited == f"{parameter.clause}，{parameter.name} 版本 v1（2026-01-01）"
        assert policy_key(parameter.key) == f"{parameter.clause} {parameter.name}"


def test_text_without_a_known_key_is_left_as_it_is(parameter):
    assert policy_label("沙盒值（未生效）") == "沙盒值（未生效）"
    assert policy_label("unknown_key v3") == "unknown_key v3"
    assert policy_label(None) == ""
    assert policy_key("unknown_key") == "unknown_key"
