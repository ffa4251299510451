"""The pay pages: targets and KPIs entered through forms, the run's state buttons, the slip with its
lines, explanations and policy versions, the month as .xlsx, the slip as a PDF with the embedded
Chinese font, and the what-if sandbox that leaves the real policy alone. Plus the CLI and the API."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from html import escape

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ecomops.payroll import actions
from ecomops.payroll.enums import LineKind, Metric, RunState
from ecomops.payroll.models import KpiActual, PayrollRun, PaySlip, Target
from ecomops.policy.models import PolicyVersion

from .conftest import MONTH, make_user


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def run(world):
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    return actions.compute_run(MONTH, user=world.supervisor.user).run


def test_targets_page_sets_a_target_and_shows_actual_and_completion(world):
    world.order("500.00")
    http = _http(world.supervisor.user)
    response = http.post(reverse("payroll:targets"), {
        "month": "2026-03", "scope": "group", "department": world.cs_group.pk, "metric": "sales", "plan": "1000",
        "note": ""})
    assert response.status_code == 302
    assert Target.objects.get().late is True  # set today, long after the deadline
    page = http.get(reverse("payroll:targets") + "?month=2026-03")
    assert "50.00%" in page.text and "逾期制定" in page.text
    bad = http.post(reverse("payroll:targets"), {
        "month": "2026-03", "scope": "person", "staff": world.cs[0].pk, "metric": "sales", "plan": "1000"})
    assert bad.status_code == 200 and "销售额目标只能按部门或小组制定" in bad.text
    assert Target.objects.count() == 1
    assert _http(world.cs[0].user).post(reverse("payroll:targets"), {}).status_code == 403


@pytest.mark.parametrize("name", ["payroll:targets", "payroll:kpis", "payroll:extras", "payroll:runs"])
def test_a_month_before_the_pay_policy_opens_last_month_instead_of_failing(world, name):
    """The seeded pay policy takes effect on 2024-01-01: nothing can be set or computed for 2000-01, so
    the pages open on last month; the policy's first month opens without a target deadline (PER-06)."""
    http = _http(world.admin)
    response = http.get(reverse(name) + "?month=2000-01")
    assert response.status_code == 200
    if name != "payroll:runs":  # the runs page lists the runs; the others open one month
        from ecomops.payroll.periods import previous_month

        assert response.context["month"] == previous_month(timezone.localdate().replace(day=1))
    first = http.get(reverse(name) + "?month=2024-01")
    assert first.status_code == 200
    if name == "payroll:targets":
        assert "本月是薪酬政策生效的第一个月，没有目标制定截止日" in first.text


def test_kpi_page_records_an_actual_with_evidence(world):
    http = _http(world.supervisor.user)
    response = http.post(reverse("payroll:kpis"), {
        "month": "2026-03", "scope": "person", "staff": world.promoters[0].pk, "metric": Metric.PROMOTION_VOLUME,
        "value": "120", "evidence": "直通车后台 3 月报表"})
    assert response.status_code == 302
    entry = KpiActual.objects.get()
    assert entry.value == Decimal("120.00") and entry.entered_by == world.supervisor.user
    assert "直通车后台" in http.get(reverse("payroll:kpis") + "?month=2026-03").text


def test_run_page_buttons_move_the_run_through_its_states(world, run):
    page = _http(world.supervisor.user).get(reverse("payroll:run", args=["2026-03"]))
    assert 'data-testid="state-check"' in page.text and 'data-testid="state-approve"' not in page.text
    assert _http(world.supervisor.user).post(reverse("payroll:run_state", args=["2026-03"]),
                                             {"to": "checked"}).status_code == 302
    finance = _http(world.finance_user)
    finance.post(reverse("payroll:run_state", args=["2026-03"]), {"to": "approved"})
    finance.post(reverse("payroll:run_state", args=["2026-03"]), {"to": "locked"})
    assert PayrollRun.objects.get().state == RunState.LOCKED
    page = finance.get(reverse("payroll:run", args=["2026-03"]))
    assert "已锁定" in page.text and 'data-testid="recompute"' not in page.text


def test_slip_page_shows_every_line_with_explanation_and_policy_versions(world, run):
    slip = PaySlip.objects.get(run=run, staff=world.cs[0])
    page = _http(world.cs[0].user).get(reverse("payroll:slip", args=[slip.pk]))
    assert page.status_code == 200
    for line in slip.lines.all():
        assert escape(line.explanation) in page.text
    assert "销售完成率 112.40% → 客服组提成比例 1.5%（PER-08，政策版本 PER-08.commission_rates v1" in page.text
    assert "PER-13.full_attendance_bonus v1" in page.text


def test_slip_pdf_embeds_the_cjk_font(world, run):
    slip = PaySlip.objects.get(run=run, staff=world.cs[0])
    response = _http(world.cs[0].user).get(reverse("payroll:slip_pdf", args=[slip.pk]))
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"NotoSansSC" in body and b"FontFile2" in body


def test_month_export_is_a_real_workbook_with_every_line(world, run):
    response = _http(world.finance_user).get(reverse("payroll:run_export", args=["2026-03"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["工资汇总", "工资明细", "提成基数", "部门活动经费", "薪资记录"]
    detail = list(book["工资明细"].values)
    assert len(detail) == 1 + sum(s.lines.count() for s in PaySlip.objects.filter(run=run))
    summary = {row[1]: row[-1] for row in list(book["工资汇总"].values)[1:]}
    assert Decimal(str(summary["cs1"])) == PaySlip.objects.get(run=run, staff=world.cs[0]).total
    mine = load_workbook(io.BytesIO(_http(world.cs[0].user).get(
        reverse("payroll:run_export", args=["2026-03"])).content)) if world.cs[0].user.has_perm(
        "payroll.view_payrollrun") else None
    assert mine is None  # members do not open runs


def test_what_if_page_recomputes_side_by_side_without_touching_the_policy(world, run):
    http = _http(world.finance_user)
    form = http.get(reverse("payroll:what_if") + "?month=2026-03")
    assert form.status_code == 200
    post = {"month": "2026-03", "PER-08.commission_rates:4:customer_service": "3"}  # 100–120% tier: 1.5% → 3%
    response = http.post(reverse("payroll:what_if"), post)
    comparison = response.context["comparison"]
    row = next(r for r in comparison.rows if r["staff"] == world.cs[0])
    assert row["real"] + Decimal("56.20") == row["sandbox"]  # commission 56.20 → 112.40
    assert PolicyVersion.objects.filter(parameter__key="PER-08.commission_rates").count() == 1
    assert PaySlip.objects.get(run=run, staff=world.cs[0]).total == row["real"]
    bad = http.post(reverse("payroll:what_if"), {"month": "2026-03", "PER-02.completion_threshold": "abc"})
    assert bad.context["comparison"] is None and "PER-02.completion_threshold" in bad.context["box"].errors
    overlap = http.post(reverse("payroll:what_if"), {"month": "2026-03", "PER-08.commission_rates:1:upper": "90"})
    assert "PER-08.commission_rates" in overlap.context["box"].errors


def test_pages_open_for_each_role(world, run):
    for user in (world.supervisor.user, world.finance_user, world.cs[0].user):
        http = _http(user)
        for name in ("payroll:index", "payroll:my_slips"):
            assert http.get(reverse(name), follow=True).status_code == 200
    for name in ("payroll:targets", "payroll:kpis", "payroll:extras", "payroll:runs", "payroll:what_if"):
        assert _http(world.finance_user).get(reverse(name)).status_code == 200
    assert _http(world.cs[0].user).get(reverse("payroll:runs")).status_code == 403


def test_adjustment_form_on_a_locked_slip(world, run):
    actions.check_run(run, user=world.supervisor.user)
    actions.approve_run(run, user=world.finance_user)
    actions.lock_run(run, user=world.finance_user)
    world.finance_user.user_permissions.add(
        *__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission.objects.filter(
            codename="add_payadjustment"))
    slip = PaySlip.objects.get(run=run, staff=world.cs[0])
    http = _http(world.finance_user)
    response = http.post(reverse("payroll:slip", args=[slip.pk]), {
        "line": 3, "month": "2026-04", "amount": "-5.00", "reason": "多计一笔退货订单"})
    assert response.status_code == 302
    assert slip.lines.get(seq=3).adjustments.get().amount == Decimal("-5.00")


def test_cli_runs_a_month_and_prints_json(world):
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    out = io.StringIO()
    call_command("payroll", "run", "--month", "2026-03", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["month"] == "2026-03" and data["created"] is True and data["net_sales"] == "11240.00"
    cs1 = next(s for s in data["slips"] if s["name"] == "cs1")
    assert [x["kind"] for x in cs1["lines"]] == [LineKind.BASE, LineKind.PERFORMANCE, LineKind.COMMISSION,
                                                 LineKind.ATTENDANCE]
    out = io.StringIO()
    call_command("payroll", "run", "--month", "2026-03", stdout=out)
    assert "recomputed, unchanged" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="month"):
        call_command("payroll", "run", "--month", "2026/03")


def test_api_targets_and_runs(world):
    http = _http(world.supervisor.user)
    created = http.post("/api/v1/payroll/targets", json.dumps({
        "month": "2026-03", "scope": "department", "metric": "sales", "plan": "10000.00",
        "department_id": world.ecom.pk}), content_type="application/json")
    assert created.status_code == 200 and created.json()["late"] is True
    refused = http.post("/api/v1/payroll/targets", json.dumps({
        "month": "2026-03", "scope": "person", "metric": "sales", "plan": "1", "staff_id": world.cs[0].pk}),
        content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "metric"
    listed = http.get("/api/v1/payroll/targets", {"month": "2026-03"}).json()
    assert listed["count"] == 1
    run = http.post("/api/v1/payroll/runs", json.dumps({"month": "2026-03"}), content_type="application/json")
    assert run.status_code == 201 and run.json()["state"] == "draft"
    again = http.post("/api/v1/payroll/runs", json.dumps({"month": "2026-03"}), content_type="application/json")
    assert again.status_code == 200 and again.json()["fingerprint"] == run.json()["fingerprint"]
    moved = http.post("/api/v1/payroll/runs/2026-03/transitions", json.dumps({"to": "checked"}),
                      content_type="application/json")
    assert moved.status_code == 200 and moved.json()["state"] == "checked"
    assert moved.json()["total"] is None  # the supervisor does not see the company total
    wrong = http.post("/api/v1/payroll/runs/2026-03/transitions", json.dumps({"to": "locked"}),
                      content_type="application/json")
    assert wrong.status_code == 409
    assert http.get("/api/v1/payroll/runs/2026-02").status_code == 404


def test_profiles_page_puts_people_on_the_payroll(world):
    from ecomops.org.models import JobLevel

    from .conftest import make_user

    hr = make_user("hr", "payroll.view_payprofile", "payroll.change_payprofile", "payroll.change_paygroup")
    newcomer = world.person("new", world.promotion, "member")
    newcomer.pay_profile.delete()
    newcomer.job_level = JobLevel.objects.create(ladder="professional", code="P1", name="初级专员", rank=1,
                                                 salary_min=Decimal("3500.00"), salary_max=Decimal("4500.00"))
    newcomer.save()
    http = _http(hr)
    bad = http.post(reverse("payroll:profiles"), {"form": "profile", "profile-staff": newcomer.pk,
                                                  "profile-role": "member", "profile-base_salary": "3000",
                                                  "profile-is_active": "on"})
    assert bad.status_code == 200 and "底薪区间" in bad.text
    ok = http.post(reverse("payroll:profiles"), {"form": "profile", "profile-staff": newcomer.pk,
                                                 "profile-role": "member", "profile-base_salary": "3800",
                                                 "profile-is_active": "on"})
    assert ok.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.pay_profile.base_salary == Decimal("3800.00") and newcomer.pay_profile.history.count() == 1
    assert "3,800.00" in http.get(reverse("payroll:profiles")).text
    assert _http(world.cs[0].user).get(reverse("payroll:profiles")).status_code == 403


def test_per14_kpi_evidence_is_served_only_in_the_scope_of_the_kpis(world, settings, tmp_path):
    """DAT-02: the evidence file of a KPI actual opens for those who see the actual (the supervisor of the
    department, finance), 404 for a colleague who does not, and is stored under a random name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ecomops.org.models import ClientMember

    settings.MEDIA_ROOT = tmp_path / "media"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    world.plan(Metric.PROMOTION_VOLUME, "100", staff=world.promoters[0])
    entry = actions.record_kpi(user=world.admin, month="2026-03", scope="person", metric=Metric.PROMOTION_VOLUME,
                               value="120", evidence="直通车后台截图", staff=world.promoters[0],
                               evidence_file=SimpleUploadedFile("pro1-直通车截图.png", png))
    url = entry.evidence_file.url
    assert url.startswith("/media/payroll/evidence/") and "直通车" not in url
    page = _http(world.supervisor.user).get(reverse("payroll:kpis") + "?month=2026-03").text
    assert f'href="{url}"' in page
    shown = _http(world.supervisor.user).get(url)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == png
    assert _http(world.finance_user).get(url).status_code == 200
    assert _http(world.cs[0].user).get(url).status_code == 404  # not their KPI, not their department's
    client_user = make_user("client_x", "payroll.view_target", "payroll.view_all_payslips")
    ClientMember.objects.create(user=client_user, client=world.org.client_a)
    assert _http(client_user).get(url).status_code == 404


def test_month_export_neutralises_text_cells_and_keeps_amounts_numbers(world, run):
    """A name or explanation starting with = + - @ is text in the workbook, never a formula; a negative
    amount is still a number cell."""
    import zipfile

    from ecomops.payroll.models import PayLine

    slip = PaySlip.objects.get(run=run, staff=world.cs[0])
    PaySlip.objects.filter(pk=slip.pk).update(name='=HYPERLINK("http://evil.example","工资")')
    line = slip.lines.order_by("seq").first()
    PayLine.objects.filter(pk=line.pk).update(explanation="-1+cmd|' /C calc'!A0", amount=Decimal("-50.00"))
    content = _http(world.finance_user).get(reverse("payroll:run_export", args=["2026-03"])).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    book = load_workbook(io.BytesIO(content))
    names = [row[1].value for row in book["工资汇总"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\",\"工资\")" in names
    row = next(r for r in book["工资明细"].iter_rows(min_row=2) if r[5].value == "'-1+cmd|' /C calc'!A0")
    assert row[5].data_type == "s" and row[4].data_type == "n" and row[4].value == -50
