"""Issue 16: every pay input has an API operation, scoped like its page and written through the same
actions (pay groups and profiles, KPI actuals, bonuses, ramp-up months, harm cases), and the PER-09
activity fund is in the run's API output and in ``payroll run --json``."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from ecomops.org.models import ClientMember, Department
from ecomops.payroll import actions
from ecomops.payroll.enums import GroupKind, Metric, RunState
from ecomops.payroll.models import HarmCase, KpiActual, OverCompletionBonus, PayGroup, PayProfile, RampUpMonth

from .conftest import MONTH, make_user

API = "/api/v1"
HR_PERMS = ("payroll.view_paygroup", "payroll.change_paygroup", "payroll.view_payprofile",
            "payroll.change_payprofile", "payroll.add_payprofile")


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def post(http, path, data):
    return http.post(f"{API}{path}", json.dumps(data), content_type="application/json")


def patch(http, path, data):
    return http.patch(f"{API}{path}", json.dumps(data), content_type="application/json")


def error(response):
    return response.json()["error"]


@pytest.fixture
def hr(world):
    return make_user("hr", *HR_PERMS)


@pytest.fixture
def client_member(world):
    user = make_user("member", "payroll.view_target", "payroll.view_payprofile", "payroll.add_kpiactual",
                     "payroll.view_payrollrun", *HR_PERMS)
    ClientMember.objects.create(user=user, client=world.org.client_a)
    return user


# --- groups and profiles -----------------------------------------------------------------------------


def test_groups_list_create_change_and_refusals(world, hr):
    http = _http(hr)
    listed = http.get(f"{API}/payroll/groups").json()
    assert listed["count"] == 2 and {g["kind"] for g in listed["items"]} == {"promotion", "customer_service"}
    new_group = Department.objects.create(code="ecom.live", name="直播组", parent=world.ecom, is_group=True)
    created = post(http, "/payroll/groups", {"department_id": new_group.pk, "kind": "promotion"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["department"]["code"] == "ecom.live" and body["kind"] == "promotion"
    again = post(http, "/payroll/groups", {"department_id": new_group.pk, "kind": "promotion"})  # idempotent
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert PayGroup.objects.filter(department=new_group).count() == 1
    changed = patch(http, f"/payroll/groups/{body['id']}", {"kind": "customer_service"})
    assert changed.status_code == 200 and changed.json()["kind"] == "customer_service"
    group = PayGroup.objects.get(pk=body["id"])
    # audited through the action; the repeated request wrote nothing
    assert group.history.count() == 2 and group.history.first().history_user == hr
    # a department that is not a group: the action's rule, naming the API's field
    refused = post(http, "/payroll/groups", {"department_id": world.ecom.pk, "kind": "promotion"})
    assert refused.status_code == 400 and error(refused)["field"] == "department_id"
    missing = post(http, "/payroll/groups", {"department_id": 999999, "kind": "promotion"})
    assert missing.status_code == 400 and error(missing)["field"] == "department_id"
    bad_kind = post(http, "/payroll/groups", {"department_id": new_group.pk, "kind": "sales"})
    assert bad_kind.status_code == 422 and error(bad_kind)["field"] == "kind"
    assert patch(http, "/payroll/groups/999999", {"kind": "promotion"}).status_code == 404


def test_groups_and_profiles_need_the_pages_permissions(world, hr, client_member):
    nobody = _http(make_user("stranger"))
    assert nobody.get(f"{API}/payroll/groups").status_code == 403
    assert nobody.get(f"{API}/payroll/profiles").status_code == 403
    viewer = _http(make_user("viewer", "payroll.view_payprofile"))
    assert viewer.get(f"{API}/payroll/profiles").json()["count"] == 6
    refused = post(viewer, "/payroll/profiles", {"staff_id": world.cs[0].pk, "role": "member"})
    assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    group = PayGroup.objects.get(department=world.promotion)
    assert patch(viewer, f"/payroll/groups/{group.pk}", {"kind": "customer_service"}).status_code == 403
    assert PayGroup.objects.get(pk=group.pk).kind == GroupKind.PROMOTION
    member = _http(client_member)  # a client's own user sees nothing internal, whatever it holds
    assert member.get(f"{API}/payroll/groups").status_code == 403
    assert member.get(f"{API}/payroll/profiles").status_code == 403
    assert post(member, "/payroll/profiles", {"staff_id": world.cs[0].pk, "role": "member"}).status_code == 403


def test_profiles_create_change_and_salary_band(world, hr):
    from ecomops.org.models import JobLevel, Staff

    http = _http(hr)
    level = JobLevel.objects.create(ladder="professional", code="P1", name="初级专员", rank=1,
                                    salary_min=Decimal("3500.00"), salary_max=Decimal("4500.00"))
    newcomer = Staff.objects.create(user=make_user("newcomer"), employee_no="N001", name="新人",
                                    department=world.promotion, hired_on=MONTH, job_level=level)
    created = post(http, "/payroll/profiles", {"staff_id": newcomer.pk, "role": "member"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["role"], body["base_salary"], body["is_active"], body["employee_no"]) == ("member", None, True, "N001")
    assert post(http, "/payroll/profiles", {"staff_id": newcomer.pk, "role": "member"}).status_code == 200
    assert PayProfile.objects.filter(staff=newcomer).count() == 1
    outside = str(level.salary_max + 1)
    band = post(http, "/payroll/profiles", {"staff_id": newcomer.pk, "role": "member", "base_salary": outside})
    assert band.status_code == 400 and error(band)["field"] == "base_salary" and "ORG-05" in error(band)["message"]
    inside = str(level.salary_min)
    changed = patch(http, f"/payroll/profiles/{body['id']}", {"base_salary": inside})
    assert changed.status_code == 200 and Decimal(changed.json()["base_salary"]) == level.salary_min
    paused = patch(http, f"/payroll/profiles/{body['id']}", {"is_active": False})
    # a partial change keeps the other fields
    assert paused.json()["is_active"] is False and Decimal(paused.json()["base_salary"]) == level.salary_min
    emptied = patch(http, f"/payroll/profiles/{body['id']}", {"base_salary": None})
    assert emptied.status_code == 200 and emptied.json()["base_salary"] is None
    assert patch(http, f"/payroll/profiles/{body['id']}", {"role": None}).status_code == 422
    # a member must belong to a pay group (the action's rule)
    outsider = Staff.objects.create(user=make_user("outsider"), employee_no="N002", name="外人",
                                    department=world.ecom, hired_on=MONTH)
    refused = post(http, "/payroll/profiles", {"staff_id": outsider.pk, "role": "member"})
    assert refused.status_code == 400 and error(refused)["field"] == "role"
    negative = post(http, "/payroll/profiles", {"staff_id": outsider.pk, "role": "supervisor", "base_salary": "-1"})
    assert negative.status_code == 422 and error(negative)["field"] == "base_salary"
    assert post(http, "/payroll/profiles", {"staff_id": 999999, "role": "member"}).json()["error"]["field"] \
        == "staff_id"
    assert PayProfile.objects.get(pk=body["id"]).history.count() == 4  # the repeated POST wrote no row


# --- KPI actuals -------------------------------------------------------------------------------------


def test_kpis_enter_correct_list_and_filter(world):
    http = _http(world.supervisor.user)
    payload = {"month": "2026-03", "scope": "person", "staff_id": world.promoters[0].pk,
               "metric": Metric.PROMOTION_VOLUME, "value": "120", "evidence": "直通车后台 3 月报表"}
    created = post(http, "/payroll/kpis", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["value"], body["subject"], body["entered_by"], body["month"]) == ("120.00", "pro1", "sup", "2026-03")
    corrected = post(http, "/payroll/kpis", {**payload, "value": "118", "evidence": "更正：重复计数"})
    assert corrected.status_code == 200 and corrected.json()["id"] == body["id"]
    again = post(http, "/payroll/kpis", {**payload, "value": "118", "evidence": "更正：重复计数"})  # idempotent
    assert again.status_code == 200 and again.json()["value"] == "118.00"
    assert KpiActual.objects.count() == 1
    assert KpiActual.objects.get().history.count() == 2  # entered, corrected; the repeat wrote nothing
    post(http, "/payroll/kpis", {"month": "2026-03", "scope": "group", "department_id": world.cs_group.pk,
                                 "metric": Metric.RESPONSES, "value": "900", "evidence": "客服系统报表"})
    assert http.get(f"{API}/payroll/kpis", {"month": "2026-03"}).json()["count"] == 2
    assert http.get(f"{API}/payroll/kpis", {"month": "2026-02"}).json()["count"] == 0
    by_staff = http.get(f"{API}/payroll/kpis", {"staff_id": world.promoters[0].pk}).json()
    assert [x["id"] for x in by_staff["items"]] == [body["id"]]
    by_department = http.get(f"{API}/payroll/kpis", {"department_id": world.cs_group.pk}).json()
    assert [x["metric"] for x in by_department["items"]] == ["responses"]
    assert http.get(f"{API}/payroll/kpis", {"metric": "responses"}).json()["count"] == 1
    # scoped like the page: a member sees their own and their units', not the others'
    mine = _http(world.promoters[1].user).get(f"{API}/payroll/kpis").json()
    assert mine["count"] == 0


def test_kpis_bad_input_names_the_field(world):
    http = _http(world.supervisor.user)
    base = {"month": "2026-03", "scope": "person", "staff_id": world.promoters[0].pk,
            "metric": Metric.PROMOTION_VOLUME, "value": "120", "evidence": "报表"}
    no_evidence = post(http, "/payroll/kpis", {**base, "evidence": "   "})
    assert no_evidence.status_code == 422 and error(no_evidence)["field"] == "evidence"
    sales = post(http, "/payroll/kpis", {**base, "metric": "sales", "scope": "department",
                                         "department_id": world.ecom.pk})
    assert sales.status_code == 400 and error(sales)["field"] == "metric"
    no_staff = post(http, "/payroll/kpis", {**{k: v for k, v in base.items() if k != "staff_id"}})
    assert no_staff.status_code == 400 and error(no_staff)["field"] == "staff_id"
    bad_month = post(http, "/payroll/kpis", {**base, "month": "2026-13"})
    assert bad_month.status_code == 422 and error(bad_month)["field"] == "month"
    negative = post(http, "/payroll/kpis", {**base, "value": "-1"})
    assert negative.status_code == 422 and error(negative)["field"] == "value"
    assert not KpiActual.objects.exists()


def test_kpis_need_the_pages_permissions_and_an_open_month(world, client_member):
    payload = {"month": "2026-03", "scope": "person", "staff_id": world.promoters[0].pk,
               "metric": Metric.PROMOTION_VOLUME, "value": "120", "evidence": "报表"}
    member = _http(world.promoters[0].user)  # views targets, may not enter
    refused = post(member, "/payroll/kpis", payload)
    assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    assert _http(make_user("stranger")).get(f"{API}/payroll/kpis").status_code == 403
    assert _http(client_member).get(f"{API}/payroll/kpis").status_code == 403
    assert post(_http(client_member), "/payroll/kpis", payload).status_code == 403
    world.all_sales_targets("100.00")
    run = actions.compute_run(MONTH, user=world.admin).run
    actions.set_run_state(run, RunState.CHECKED, user=world.admin)
    closed = post(_http(world.supervisor.user), "/payroll/kpis", payload)
    assert closed.status_code == 409 and error(closed)["field"] == "month"
    assert not KpiActual.objects.exists()


# --- bonuses, ramp-up months, harm cases -------------------------------------------------------------


def test_bonus_enter_change_list_and_refusals(world):
    person = world.promoters[0]
    world.plan(Metric.PROMOTION_VOLUME, "100", "120", staff=person)
    world.order("100.00")
    http = _http(world.supervisor.user)
    payload = {"month": "2026-03", "staff_id": person.pk, "amount": "60", "reason": "超额完成推广量"}
    created = post(http, "/payroll/bonuses", payload)
    assert created.status_code == 201, created.content
    assert (created.json()["amount"], created.json()["name"]) == ("60.00", "pro1")
    changed = post(http, "/payroll/bonuses", {**payload, "amount": "80.00"})
    assert changed.status_code == 200 and changed.json()["id"] == created.json()["id"]
    assert OverCompletionBonus.objects.get().amount == Decimal("80.00")
    assert post(http, "/payroll/bonuses", {**payload, "amount": "80.00"}).status_code == 200  # idempotent
    assert OverCompletionBonus.objects.count() == 1
    assert OverCompletionBonus.objects.get().history.count() == 2
    listed = http.get(f"{API}/payroll/bonuses", {"month": "2026-03"}).json()
    assert listed["count"] == 1 and listed["items"][0]["amount"] == "80.00"
    out_of_range = post(http, "/payroll/bonuses", {**payload, "amount": "100.01"})
    assert out_of_range.status_code == 400 and error(out_of_range)["field"] == "amount"
    assert "PER-03" in error(out_of_range)["message"]
    no_reason = post(http, "/payroll/bonuses", {**payload, "reason": ""})
    assert no_reason.status_code == 422 and error(no_reason)["field"] == "reason"
    unknown = post(http, "/payroll/bonuses", {**payload, "staff_id": 999999})
    assert unknown.status_code == 400 and error(unknown)["field"] == "staff_id"
    own = post(_http(world.supervisor.user), "/payroll/bonuses", {**payload, "staff_id": world.supervisor.pk})
    assert own.status_code == 403  # nobody sets their own
    assert post(_http(world.promoters[1].user), "/payroll/bonuses", payload).status_code == 403
    assert OverCompletionBonus.objects.get().amount == Decimal("80.00")


def test_ramp_up_and_harm_cases(world, client_member):
    boss = make_user("boss", "payroll.view_target", "payroll.add_rampupmonth", "payroll.add_harmcase",
                     "payroll.view_all_payslips")
    http = _http(boss)
    granted = post(http, "/payroll/ramp-ups", {"month": "2026-03", "department_id": world.ecom.pk,
                                               "reason": "新店开业首月"})
    assert granted.status_code == 201, granted.content
    assert granted.json()["department"]["code"] == "ecom" and granted.json()["granted_by"] == "boss"
    twice = post(http, "/payroll/ramp-ups", {"month": "2026-03", "department_id": world.ecom.pk, "reason": "再次"})
    assert twice.status_code == 409 and error(twice)["field"] == "department_id"
    assert RampUpMonth.objects.count() == 1
    assert http.get(f"{API}/payroll/ramp-ups", {"month": "2026-03"}).json()["count"] == 1
    assert post(_http(world.supervisor.user), "/payroll/ramp-ups",
                {"month": "2026-04", "department_id": world.ecom.pk, "reason": "x"}).status_code == 403

    case = {"staff_id": world.cs[0].pk, "occurred_on": "2026-03-05", "recorded_on": "2026-03-10",
            "description": "私下收取客户返点", "evidence": "聊天记录截图 #12"}
    recorded = post(http, "/payroll/harm-cases", case)
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["recorded_by"] == "boss"
    backwards = post(http, "/payroll/harm-cases", {**case, "occurred_on": "2026-03-11"})
    assert backwards.status_code == 400 and error(backwards)["field"] == "occurred_on"
    no_evidence = post(http, "/payroll/harm-cases", {**case, "evidence": ""})
    assert no_evidence.status_code == 422 and error(no_evidence)["field"] == "evidence"
    assert HarmCase.objects.count() == 1
    assert http.get(f"{API}/payroll/harm-cases").json()["count"] == 1
    # as on the page: only who sees every slip sees the cases
    assert _http(world.supervisor.user).get(f"{API}/payroll/harm-cases").json()["count"] == 0
    assert post(_http(world.supervisor.user), "/payroll/harm-cases", case).status_code == 403
    assert _http(client_member).get(f"{API}/payroll/harm-cases").status_code == 403
    assert _http(client_member).get(f"{API}/payroll/bonuses").status_code == 403


# --- the activity fund (PER-09) in the API and the CLI -----------------------------------------------


@pytest.fixture
def run(world):
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    return actions.compute_run(MONTH, user=world.admin).run


def test_the_run_in_the_api_carries_the_activity_fund(world, run):
    fund = run.activity_funds.get()
    finance = _http(world.finance_user)
    got = finance.get(f"{API}/payroll/runs/2026-03").json()
    assert got["funds"] == [{
        "department": {"id": world.ecom.pk, "code": "ecom", "name": world.ecom.name},
        "sales": "11240.00", "plan": "10000.00", "completion": str(fund.completion), "rate": str(fund.rate),
        "amount": str(fund.amount), "explanation": fund.explanation,
        "policy_versions": [p["label"] for p in fund.policy]}]
    assert fund.amount > 0 and got["funds"][0]["policy_versions"]
    assert finance.get(f"{API}/payroll/runs").json()[0]["funds"] == got["funds"]
    computed = post(_http(world.admin), "/payroll/runs", {"month": "2026-03"})
    assert computed.status_code == 200 and computed.json()["funds"][0]["amount"] == str(fund.amount)
    # DAT-02, as on the run page: the fund is computed on every store's sales
    assert _http(world.supervisor.user).get(f"{API}/payroll/runs/2026-03").json()["funds"] is None


def test_payroll_run_json_carries_the_activity_fund(world, run):
    fund = run.activity_funds.get()
    out = io.StringIO()
    call_command("payroll", "run", "--month", "2026-03", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["funds"] == [{
        "department": {"id": world.ecom.pk, "code": "ecom", "name": world.ecom.name},
        "sales": "11240.00", "plan": "10000.00", "completion": str(fund.completion), "rate": str(fund.rate),
        "amount": str(fund.amount), "explanation": fund.explanation,
        "policy_versions": [p["label"] for p in fund.policy]}]
    text = io.StringIO()
    call_command("payroll", "run", "--month", "2026-03", stdout=text)
    assert f"PER-09 activity fund ecom: {fund.amount}" in text.getvalue()



def test_a_month_before_the_pay_policy_is_refused_naming_the_month(world):
    """No policy version in force (the seed's start is 2024-01-01): a 400 naming the month, never a 500."""
    http = _http(world.admin)
    world.plan(Metric.PROMOTION_VOLUME, "100", "120", staff=world.promoters[0])
    world.order("100.00")
    answers = [
        post(http, "/payroll/runs", {"month": "2000-01"}),
        post(http, "/payroll/targets", {"month": "2000-01", "scope": "department", "metric": "sales", "plan": "1",
                                        "department_id": world.ecom.pk}),
        post(http, "/payroll/bonuses", {"month": "2000-01", "staff_id": world.promoters[0].pk, "amount": "60",
                                        "reason": "超额"}),
    ]
    for answer in answers:
        assert answer.status_code == 400, answer.content
        assert error(answer)["field"] == "month" and error(answer)["code"] == "no_policy"
    assert not OverCompletionBonus.objects.exists()
    from ecomops.payroll.models import PayrollRun, Target

    assert not PayrollRun.objects.filter(month__year=2000).exists()
    assert not Target.objects.filter(month__year=2000).exists()


def test_attendance_gaps_before_a_run_through_the_api(world):
    """PER-13: the same list as the run page, before anything is computed: who lacks which working days."""
    from datetime import date

    world.full_attendance(world.cs[0])
    http = _http(world.admin)
    response = http.get(f"{API}/payroll/runs/2026-03/attendance-gaps")
    assert response.status_code == 200
    gaps = {row["employee_no"]: row for row in response.json()}
    assert world.cs[0].employee_no not in gaps
    assert set(gaps) == {p.employee_no for p in world.everyone if p != world.cs[0]}
    row = gaps[world.supervisor.employee_no]
    assert len(row["days"]) == 22 and row["days"][0] == "2026-03-02"  # March 2026: 22 working days
    assert date(2026, 3, 7).isoformat() not in row["days"]  # a Saturday needs no record
    assert row["text"].startswith("缺少 03-02、03-03、03-04、03-05、03-06 等 22 个工作日")
    assert _http(make_user("nobody_gaps")).get(f"{API}/payroll/runs/2026-03/attendance-gaps").status_code == 403
    member = make_user("member_gaps", "org.view_attendance")
    ClientMember.objects.create(user=member, client=world.org.client_a)
    assert _http(member).get(f"{API}/payroll/runs/2026-03/attendance-gaps").status_code == 403
    assert http.get(f"{API}/payroll/runs/2026-13/attendance-gaps").status_code in (400, 422)
