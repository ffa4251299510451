"""POL-02: every bold number of clauses.md is a seeded, typed, owned and described policy parameter.

The expected values below are typed in again from clauses.md, on purpose not read from
parameters.toml, so a typo in the seed file fails here.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal as D

import pytest

from ecomops.org.models import Department
from ecomops.policy import registry
from ecomops.policy.actions import change_value
from ecomops.policy.kinds import ParameterKind, normalise
from ecomops.policy.models import PolicyParameter, PolicyVersion
from ecomops.policy.seed import load_parameters, seed_parameters

BASELINE = date(2024, 1, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")

# (key, expected typed value in force from the baseline) — one line per number of the clauses.
EXPECTED = [
    ("STO-04.renewal_reminder_before", timedelta(days=30)),
    ("CAT-08.qc_measure_days", 1),
    ("CAT-08.publish_within", timedelta(days=3)),
    ("ORD-03.review_batch_max_orders", 200),
    ("ORD-03.auto_review_amount_limit", D("2000.00")),
    ("ORD-05.ship_batch_cutoffs", [time(10, 30), time(12, 0), time(14, 30), time(16, 30), time(17, 30)]),
    ("ORD-05.same_day_cutoff", time(17, 0)),
    ("ORD-05.last_batch_first_carrier", "sf_express"),
    ("ORD-08.merge_max_gap_hours", 24),  # no number in the clause: our decision
    ("ORD-09.confirm_within", timedelta(hours=24)),
    ("WMS-07.max_open_cartons_per_style", 1),
    ("WMS-11.reservation_expires_after", timedelta(days=7)),
    ("WMS-12.sample_loan_due_after", timedelta(days=7)),
    ("WMS-14.hero_reorder_trigger_days", 2),
    ("WMS-14.hero_order_days", 7),
    ("WMS-14.hero_fast_seller_units_per_day", 100),
    ("WMS-14.hero_fast_seller_order_days", 3),
    ("WMS-14.other_reorder_trigger_days", 5),
    ("WMS-14.other_order_days", 15),
    ("WMS-14.daily_sales_window_days", 7),
    ("WMS-18.packaging_reorder_cover_days", 10),
    ("WMS-25.first_sample_rate", D("0.10")),
    ("WMS-25.second_sample_rate", D("0.10")),
    ("WMS-25.reject_below_pass_rate", D("0.70")),
    ("WMS-25.min_sample_units", 1),
    ("FUL-05.prepack_days_before_promotion", 3),
    ("FUL-01.order_by_order_max_orders", 5),  # no number in the clause: our decision
    ("FUL-05.prepack_lookback_days", 30),  # FUL-05 names bestsellers without a window: ours
    ("FUL-05.prepack_top_skus", 10),  # nor how many are the main products: ours
    ("LOG-02.default_standard_days", 4),  # no number in the clause: our decision
    ("LOG-03.bill_weight_tolerance_g", 50),  # no number in the clause: our decision
    ("LOG-01.routing_min_parcels", 20),  # no number in the clause: our decision
    ("AFS-01.first_reply_within", timedelta(hours=24)),
    ("MKT-04.banner_fix_by", time(9, 0)),
    ("MKT-05.post_approval_by", time(17, 0)),
    ("MKT-05.post_approval_days_before", 1),
    ("MKT-06.microblog_post_times", [time(9, 0), time(11, 0), time(14, 30), time(16, 30)]),
    ("PAY-02.settlement_period", "monthly"),
    ("PER-01.base_salary_supervisor", D("3500.00")),
    ("PER-01.base_salary_member", D("2023.00")),
    ("PER-01.base_proration", "none"),
    ("PER-08.group_target_fallback", "department"),
    ("PER-02.performance_pay", D("500.00")),
    ("PER-02.completion_threshold", D("0.30")),
    ("PER-02.completion_cap", D("1.00")),
    ("PER-03.over_completion_bonus_member", (D("50"), D("100"))),
    ("PER-03.over_completion_bonus_supervisor", (D("100"), D("150"))),
    ("PER-04.supervisor_plan_threshold", D("0.30")),
    ("PER-04.promoter_fine_trigger", D("0.30")),
    ("PER-04.supervisor_fine", D("50.00")),
    ("PER-04.supervisor_fines_per_month", 1),
    ("PER-06.target_deadline_day", 30),
    ("PER-11.first_year_months", 12),
    ("PER-12.post_departure_grace", timedelta(days=15)),
    ("PER-13.full_attendance_bonus", D("50.00")),
    ("AGY-04.late_fee_daily_rate", D("0.0005")),
    ("AGY-05.provider_assessment_weights",
     {"operating_results": D("0.5"), "service_quality": D("0.3"), "cost_control": D("0.2")}),
    ("CMP-03.false_advertising_fine", D("10000")),
    ("CMP-03.false_advertising_suspension_months", 3),
    ("CMP-03.counterfeit_fine", D("5000")),
    ("CMP-03.counterfeit_suspension_months", 6),
    ("CMP-03.ip_infringement_fine", D("10000")),
    ("CMP-03.unfair_competition_fine", D("20000")),
    ("CMP-03.unfair_competition_suspension_months", 3),
    ("CMP-03.illegal_advertising_fine", D("5000")),
    ("CMP-03.illegal_advertising_suspension_months", 3),
    ("LAW-01.return_window", timedelta(days=7)),
    ("LAW-01.refund_within", timedelta(days=7)),
    ("LAW-03.transaction_record_retention_years", 3),
    ("LAW-04.name_mask_min_chars", 1),
    ("LAW-04.phone_mask_digits", 6),
    ("LAW-04.import_file_keep_days", 30),  # no number in the clause: our decision
    ("LAW-05.replay_retention_years", 3),
    ("DAT-02.login_max_failures_per_account_address", 5),
    ("DAT-02.login_max_failures_per_account_total", 30),
    ("DAT-02.login_max_failures_per_address", 20),
    ("DAT-02.login_failure_window", timedelta(minutes=15)),
    ("FUL-04.weight_tolerance_percent", D("0.10")),
    ("FUL-04.weight_tolerance_min_g", 50),
]

# LAW-02: the terms the Advertising Law bars, as clauses.md lists them (国家级 appears twice there),
# plus CAT-02's "100%有效".
BARRED_TERMS = [
    "国家级", "最高级", "最佳", "最好", "最低价", "最便宜", "史上最低价", "第一", "全网第一", "销量第一",
    "NO.1", "TOP1", "唯一", "独一无二", "世界级", "顶级", "顶尖", "极品", "极致", "终极", "至尊",
    "绝无仅有", "史无前例", "万能", "首个", "首选", "首发", "全国首家", "独家", "领导品牌", "王牌",
    "销量冠军", "错过不再", "万人疯抢", "100%有效",
]

# PER-08 as the clause's table: (lower, lower included?, upper, upper included?, cs, promotion, supervisor)
PER_08_ROWS = [
    (D("0"), True, D("0.30"), True, D("0"), D("0"), D("0")),
    (D("0.30"), False, D("0.50"), True, D("0.005"), D("0.01"), D("0.02")),
    (D("0.50"), False, D("0.80"), True, D("0.01"), D("0.015"), D("0.03")),
    (D("0.80"), False, D("1.00"), True, D("0.015"), D("0.02"), D("0.04")),
    (D("1.00"), False, D("1.20"), False, D("0.015"), D("0.02"), D("0.04")),  # Decision: 100% < r < 120%
    (D("1.20"), True, None, False, D("0.02"), D("0.025"), D("0.05")),
]

# PER-09: below 50% none; 50–80% 0.3%; above 80% to 100% 0.5%; above 100% 1%.
PER_09_ROWS = [
    (D("0"), True, D("0.50"), False, D("0")),
    (D("0.50"), True, D("0.80"), True, D("0.003")),
    (D("0.80"), False, D("1.00"), True, D("0.005")),
    (D("1.00"), False, None, False, D("0.01")),
]

DECISIONS = {
    "STO-04.renewal_reminder_before", "ORD-09.confirm_within", "WMS-14.daily_sales_window_days",
    "AFS-01.first_reply_within", "PER-02.completion_cap", "PER-04.supervisor_fines_per_month",
    "PER-08.commission_rates", "PER-01.base_proration", "PER-08.group_target_fallback",
    "AGY-04.late_fee_daily_rate", "AGY-05.provider_assessment_weights",
    "CMP-03.illegal_advertising_suspension_months",
    # DAT-02 gives no number: the login-throttling limits are wholly ours (OWASP ASVS 2.2.1).
    "DAT-02.login_max_failures_per_account_address", "DAT-02.login_max_failures_per_account_total",
    "DAT-02.login_max_failures_per_address",
    "DAT-02.login_failure_window",
    # FUL-01 names pick-then-sort but no size below which a batch is picked order by order: ours.
    "FUL-01.order_by_order_max_orders",
    # FUL-05 says "bestsellers" / "main products" without saying how they are found: ours.
    "FUL-05.prepack_lookback_days", "FUL-05.prepack_top_skus",
    "LOG-02.default_standard_days", "LOG-03.bill_weight_tolerance_g", "LOG-01.routing_min_parcels",
    # ORD-08 gives no number for merging orders: the gap is ours.
    "ORD-08.merge_max_gap_hours",
    # LAW-04 says "no longer than needed": how long an uploaded order export is kept is ours.
    "LAW-04.import_file_keep_days",
    # FUL-04 says "weight recorded" without a tolerance: how far from the expected weight is ours.
    "FUL-04.weight_tolerance_percent", "FUL-04.weight_tolerance_min_g",
}

ALL_KEYS = {key for key, _ in EXPECTED} | {"LAW-02.barred_terms", "PER-08.commission_rates",
                                          "PER-09.activity_fund_rates"}


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "expected"), EXPECTED, ids=[key for key, _ in EXPECTED])
def test_every_bold_number_of_the_clauses_is_seeded_with_its_value(key, expected):
    """POL-02: the value in force from the baseline is the number the clause prints in bold."""
    resolved = registry.resolve(key, on=BASELINE)
    assert resolved.value == expected
    assert type(resolved.value) is type(expected)
    assert resolved.version.number == 1
    assert resolved.parameter.clause == key.split(".")[0]


@pytest.mark.django_db
def test_law_02_barred_terms_are_the_listed_terms_in_order():
    assert registry.value("LAW-02.barred_terms", on=BASELINE) == BARRED_TERMS


def _rows(table, columns):
    return [
        (t.lower, t.lower_inclusive, t.upper, t.upper_inclusive if t.upper is not None else False,
         *(t.values[c] for c in columns))
        for t in table.tiers
    ]


@pytest.mark.django_db
def test_per_08_commission_table_is_the_clause_table():
    table = registry.value("PER-08.commission_rates", on=BASELINE)
    assert [c["key"] for c in table.columns] == ["customer_service", "promotion", "supervisor"]
    assert _rows(table, ["customer_service", "promotion", "supervisor"]) == PER_08_ROWS
    assert table.gaps_allowed is False


@pytest.mark.django_db
def test_per_09_activity_fund_table_reads_the_clause_bounds():
    table = registry.value("PER-09.activity_fund_rates", on=BASELINE)
    assert [c["key"] for c in table.columns] == ["fund"]
    assert _rows(table, ["fund"]) == PER_09_ROWS
    description = PolicyParameter.objects.get(key="PER-09.activity_fund_rates").description
    assert "50% 与 80% 属 0.3% 档" in description  # the bound decision is written down


@pytest.mark.django_db
def test_the_seed_holds_exactly_the_parameters_listed_here():
    """A parameter added to the seed without a line here (or the other way round) fails."""
    assert set(PolicyParameter.objects.values_list("key", flat=True)) == ALL_KEYS
    assert {row["key"] for row in load_parameters()["parameter"]} == ALL_KEYS


@pytest.mark.django_db
def test_every_parameter_has_names_descriptions_owner_and_a_valid_first_version():
    departments = set(Department.objects.values_list("code", flat=True))
    for parameter in PolicyParameter.objects.select_related("owner"):
        label = parameter.key
        assert re.fullmatch(r"[A-Z]{3}-\d{2}\.[a-z0-9_]+", parameter.key), label
        assert parameter.key.startswith(parameter.clause + "."), label
        assert parameter.group == parameter.clause[:3], label
        assert parameter.kind in ParameterKind.values, label
        assert CJK.search(parameter.name), f"{label}: Chinese name"
        assert CJK.search(parameter.description), f"{label}: Chinese description"
        assert parameter.name_en.strip() and not CJK.search(parameter.name_en), f"{label}: English name"
        # English prose (a quoted Chinese term or two is fine).
        assert len(parameter.description_en) > 20 and len(CJK.findall(parameter.description_en)) <= 3, label
        assert parameter.owner_code in departments, f"{label}: owner {parameter.owner_code}"
        assert parameter.owner is not None and parameter.owner.code == parameter.owner_code, label
        assert parameter.is_decision == (parameter.key in DECISIONS), f"{label}: decision flag"
        version = parameter.versions.get()
        assert version.number == 1 and version.effective_from == BASELINE, label
        # The stored value is already normal: normalising it again changes nothing.
        again = normalise(parameter.kind, version.value, parameter.options, human=False)
        assert again == version.value, label


@pytest.mark.django_db
def test_numbers_have_bounds_so_an_owner_cannot_store_nonsense():
    """POL-02: every integer, money and percentage parameter carries min/max options."""
    bounded = (ParameterKind.INTEGER, ParameterKind.MONEY, ParameterKind.PERCENTAGE, ParameterKind.RANGE)
    for parameter in PolicyParameter.objects.filter(kind__in=bounded):
        assert "min" in parameter.options and "max" in parameter.options, parameter.key
    for parameter in PolicyParameter.objects.filter(kind=ParameterKind.DURATION):
        assert "min" in parameter.options and "max" in parameter.options, parameter.key


@pytest.mark.django_db
def test_statutory_minimums_cannot_be_undercut(policy_owner, tomorrow):
    """LAW-01: the return window is at least 7 days and the refund is due within at most 7 days;
    LAW-03/LAW-05: records are kept at least 3 years."""
    from ecomops.core.errors import BusinessError

    for key, bad in [
        ("LAW-01.return_window", "6d"),
        ("LAW-01.refund_within", "8d"),
        ("LAW-03.transaction_record_retention_years", "2"),
        ("LAW-05.replay_retention_years", "2"),
    ]:
        with pytest.raises(BusinessError) as error:
            change_value(PolicyParameter.objects.get(key=key), bad, effective_from=tomorrow,
                         reason="试图低于法定标准", user=policy_owner)
        assert error.value.field == "value", key
    change_value(PolicyParameter.objects.get(key="LAW-01.return_window"), "15d", effective_from=tomorrow,
                 reason="公司承诺 15 天无理由退货", user=policy_owner)
    assert registry.value("LAW-01.return_window", on=tomorrow) == timedelta(days=15)


@pytest.mark.django_db
def test_seeding_again_creates_nothing_and_keeps_later_versions(policy_owner, tomorrow):
    """POL-01: a deployment re-seeds on every migrate; it never overwrites what an owner changed."""
    parameter = PolicyParameter.objects.get(key="ORD-03.review_batch_max_orders")
    change_value(parameter, "150", effective_from=tomorrow, reason="仓库人手不足", user=policy_owner)
    PolicyParameter.objects.filter(pk=parameter.pk).update(name="审单批次上限（已改名）")
    parameters, versions = PolicyParameter.objects.count(), PolicyVersion.objects.count()

    assert seed_parameters() == 0

    assert PolicyParameter.objects.count() == parameters
    assert PolicyVersion.objects.count() == versions
    assert registry.value("ORD-03.review_batch_max_orders", on=tomorrow) == 150
    assert PolicyParameter.objects.get(pk=parameter.pk).name == "审单批次上限（已改名）"


@pytest.mark.django_db
def test_seeding_creates_a_parameter_that_is_missing(monkeypatch):
    """A parameter added to parameters.toml in a later release arrives with its version 1."""
    from ecomops.policy import seed

    data = load_parameters()
    data["parameter"].append({
        "key": "WMS-19.report_day", "clause": "WMS-19", "kind": "integer", "value": "1",
        "name": "月报日", "name_en": "Report day", "owner": "warehouse", "options": {"min": 1, "max": 28},
    })
    monkeypatch.setattr(seed, "load_parameters", lambda: data)

    assert seed.seed_parameters() == 1
    assert registry.value("WMS-19.report_day", on=BASELINE) == 1
    assert PolicyParameter.objects.get(key="WMS-19.report_day").owner.code == "warehouse"
    assert seed.seed_parameters() == 0


@pytest.mark.django_db
def test_a_typo_in_the_seed_file_names_the_parameter(monkeypatch):
    from ecomops.policy import seed

    data = load_parameters()
    data["parameter"].append({
        "key": "WMS-19.report_day", "clause": "WMS-19", "kind": "integer", "value": "1O",  # letter O
        "name": "月报日", "name_en": "Report day", "owner": "warehouse",
    })
    monkeypatch.setattr(seed, "load_parameters", lambda: data)
    with pytest.raises(ValueError, match=r"WMS-19\.report_day"):
        seed.seed_parameters()
    assert not PolicyParameter.objects.filter(key="WMS-19.report_day").exists()
