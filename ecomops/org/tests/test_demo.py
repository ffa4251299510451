"""`ecomops demo`: a deterministic demo company built through the actions (issue 2 §8).

ORG-01 departments, ORG-02 positions, ORG-04 attendance, ORG-05 job levels, ORG-06 acknowledgements,
AGY-07 / DAT-02 scoping of clients and stores.
"""

import calendar
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.demo import org as demo
from ecomops.org.enums import AttendanceKind, CompanyKind, LeaveState
from ecomops.org.models import (
    Attendance,
    Client,
    ClientGrant,
    ClientMember,
    Company,
    Department,
    JobLevel,
    LeaveRequest,
    Position,
    Staff,
    StaffPosition,
    Store,
    StoreGrant,
)
from ecomops.policy.actions import ACK_DUE_KIND, not_acknowledged, regulation_in_force
from ecomops.policy.models import Acknowledgement, RegulationVersion

User = get_user_model()


def last_month() -> tuple[int, int, int, int]:
    """Year, month, days and weekend days of the last complete month before today."""
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    days = calendar.monthrange(year, month)[1]
    weekend = sum(1 for day in range(1, days + 1) if date(year, month, day).weekday() >= 5)
    return year, month, days, weekend


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    """The demo company, built once for the tests of a class inside a transaction rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            result = demo.build()
        yield result
        transaction.set_rollback(True)


def snapshot() -> dict[str, int]:
    models = [Company, Client, Store, Staff, StaffPosition, JobLevel, Attendance, LeaveRequest, ClientGrant,
              StoreGrant, ClientMember, RegulationVersion, Acknowledgement, DueItem, User, Department,
              Position]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.usefixtures("db")
class TestTheDemoCompany:
    def test_demo_is_an_agency_with_two_clients_and_five_stores_on_five_platforms(self, built):
        assert built.created
        company = Company.objects.get()
        assert company.kind == CompanyKind.AGENCY and company.name == "青禾电商代运营有限公司"
        names = list(Client.objects.order_by("code").values_list("name", flat=True))
        assert names == ["山岚茶业", "松屿家居"]
        platforms = dict(Store.objects.values_list("platform__code", "client__code"))
        assert platforms == {"taobao": "SHANLAN", "tmall": "SHANLAN", "jd": "SHANLAN",
                             "pinduoduo": "SONGYU", "amazon": "SONGYU"}

    def test_about_thirty_staff_in_the_org_02_positions_some_holding_two(self, built):
        assert Staff.objects.count() == 30
        names = list(Staff.objects.values_list("name", flat=True))
        assert len(set(names)) == 30 and all(2 <= len(name) <= 3 for name in names)
        holders = Staff.objects.annotate(n=Count("position_links")).values_list("n", flat=True)
        assert min(holders) == 1 and sorted(holders).count(2) == 4
        required = {
            "warehouse_supervisor", "order_clerk", "warehouse_clerk", "stock_keeper", "verifier_weigher",
            "packer", "statistician", "waybill_printer", "qc_inspector", "receiver", "after_sales",
            "promoter", "product_editor", "designer",
        }
        assert required <= set(StaffPosition.objects.values_list("position__code", flat=True))
        # Every staff member works in a seeded ORG-01 department and has exactly one primary position.
        assert not Staff.objects.exclude(department__in=Department.objects.all()).exists()
        assert set(StaffPosition.objects.filter(is_primary=True).values_list("staff", flat=True)) == set(
            Staff.objects.values_list("pk", flat=True))

    def test_permissions_follow_the_positions_held(self, built):
        """ORG-02: the positions' groups give the permissions; the clerk is also the statistician."""
        supervisor = User.objects.get(username="zhuguan")
        clerk = User.objects.get(username="cangku")
        packer = User.objects.get(username="luozhigang")
        assert set(supervisor.groups.values_list("position__code", flat=True)) == {"ecom_supervisor"}
        clerk_positions = set(clerk.groups.values_list("position__code", flat=True))
        assert clerk_positions == {"warehouse_clerk", "statistician"}
        assert supervisor.has_perm("org.view_staff") and supervisor.has_perm("org.view_attendance")
        assert clerk.has_perm("policy.view_policyparameter")  # from the statistician position only
        assert packer.has_perm("org.view_store") and not packer.has_perm("org.view_client")
        assert not supervisor.is_superuser and not supervisor.has_perm("org.access_all_clients")

    def test_job_levels_carry_salary_bands_in_yuan(self, built):
        """ORG-05: every staff member has a level; bands are Decimal amounts and ordered by rank."""
        assert not Staff.objects.filter(job_level__isnull=True).exists()
        for ladder in ("professional", "management"):
            levels = list(JobLevel.objects.filter(ladder=ladder).order_by("rank"))
            assert levels, ladder
            for lower, higher in zip(levels, levels[1:], strict=False):
                assert lower.salary_max <= higher.salary_max and lower.salary_min < higher.salary_min
            for level in levels:
                assert isinstance(level.salary_min, Decimal) and isinstance(level.salary_max, Decimal)
                assert Decimal("0") < level.salary_min <= level.salary_max
        assert JobLevel.objects.get(code="P1").salary_min == Decimal("3500.00")

    def test_a_month_of_attendance_with_late_arrivals_and_leave(self, built):
        """ORG-04: one record per person and day of the last complete month before the build day."""
        year, month, days, weekend = last_month()
        assert built.month == (year, month)
        assert Attendance.objects.count() == 30 * days
        assert set(Attendance.objects.values_list("date__year", "date__month").distinct()) == {(year, month)}
        per_staff = Attendance.objects.values("staff").annotate(n=Count("id")).values_list("n", flat=True)
        assert set(per_staff) == {days}
        assert Attendance.objects.filter(kind=AttendanceKind.REST).count() == 30 * weekend
        late = Attendance.objects.filter(kind=AttendanceKind.LATE)
        assert 10 <= late.count() <= 40
        assert all(record.late_minutes > 0 and record.clock_in > demo.OFFICE_START for record in late)
        assert not Attendance.objects.exclude(kind=AttendanceKind.LATE).filter(late_minutes__gt=0).exists()
        assert Attendance.objects.filter(kind=AttendanceKind.EARLY_LEAVE).exists()
        assert Attendance.objects.filter(kind=AttendanceKind.ABSENT).count() == 1
        leave_days = Attendance.objects.filter(kind=AttendanceKind.LEAVE)
        leave = LeaveRequest.objects.get()
        assert leave.status == LeaveState.APPROVED and leave.kind == AttendanceKind.LEAVE
        assert {r.date for r in leave_days} == {leave.start_date, leave.end_date}
        assert {r.staff_id for r in leave_days} == {leave.staff_id}

    def test_the_client_user_sees_only_its_clients_stores(self, built):
        """AGY-07: the client's own login sees that client's stores and nothing of the other client."""
        kehu = User.objects.get(username="kehu")
        assert kehu.client_member.client.code == "SHANLAN"
        visible = set(Store.objects.visible_to(kehu).values_list("code", flat=True))
        assert visible == {"SL-TM", "SL-TB", "SL-JD"}
        assert list(Client.objects.visible_to(kehu).values_list("code", flat=True)) == ["SHANLAN"]
        assert kehu.has_perm("org.view_store")

    def test_grants_give_the_supervisor_both_clients_and_the_clerk_one_clients_stores(self, built):
        """DAT-02: scoping comes from grants, not from positions."""

        def stores(username):
            user = User.objects.get(username=username)
            return set(Store.objects.visible_to(user).values_list("code", flat=True))

        assert stores("zhuguan") == {"SL-TM", "SL-TB", "SL-JD", "SY-PDD", "SY-AMZ"}
        assert stores("cangku") == {"SY-PDD", "SY-AMZ"}
        assert stores("liangxiaoming") == {"SL-TM", "SL-TB", "SL-JD"}  # account manager of client 1
        assert stores("songjiayi") == {"SY-PDD", "SY-AMZ"}  # account manager of client 2
        assert stores("liuzihan") == {"SL-TB"}

    def test_the_supervisor_has_a_regulation_to_acknowledge(self, built):
        """ORG-06 / DAT-04: the announced next version is signed by most staff; the supervisor's is due."""
        today = timezone.localdate()
        current = regulation_in_force(today)
        assert current.title == f"{today.year} 版运营管理制度" and current.effective_from == today
        upcoming = RegulationVersion.objects.get(effective_from=date(today.year + 1, 1, 1))
        assert upcoming.is_published

        def unsigned(regulation):
            return set(not_acknowledged(regulation).values_list("user__username", flat=True))

        assert unsigned(current) == set(demo.NOT_SIGNED_CURRENT)
        assert unsigned(upcoming) == set(demo.NOT_SIGNED_NEXT)
        assert upcoming.acknowledgements.count() == 30 - len(demo.NOT_SIGNED_NEXT)
        due = DueItem.objects.open().get(owner__username="zhuguan", kind=ACK_DUE_KIND)
        assert due.kind == ACK_DUE_KIND and due.source == upcoming and due.clause == "ORG-06"
        assert not DueItem.objects.open().filter(owner__username="chenzhiyuan", kind=ACK_DUE_KIND).exists()

    def test_signatures_were_on_time_and_the_missing_ones_stay_open(self, built):
        """ORG-06: staff entered into the system sign on entry; the unsigned keep an open due item each."""
        done = DueItem.objects.filter(kind=ACK_DUE_KIND, done_at__isnull=False)
        assert done.count() == Acknowledgement.objects.count() == 60 - len(demo.NOT_SIGNED_CURRENT) - len(
            demo.NOT_SIGNED_NEXT)
        assert not done.filter(done_at__gt=F("due_at")).exists()
        still_open = DueItem.objects.open().filter(kind=ACK_DUE_KIND)
        assert still_open.count() == len(demo.NOT_SIGNED_CURRENT) + len(demo.NOT_SIGNED_NEXT)

    def test_ord02_the_taobao_and_tmall_stores_imported_their_two_file_exports(self, built):
        """Taobao/Tmall export 订单报表 + 宝贝报表: the demo imports each export as one job of both files."""
        from ecomops.orderimport.models import ImportJob
        from ecomops.orders.models import Order

        for code, fmt in (("SL-TB", "taobao"), ("SL-TM", "tmall")):
            jobs = list(ImportJob.objects.filter(store__code=code))
            assert len(jobs) == 2 and all(job.format.code == fmt and job.state == "done" for job in jobs)
            assert all("ExportOrderList" in job.original_name and "ExportOrderDetailList" in job.second_name
                       for job in jobs)
            assert Order.objects.filter(store__code=code).count() > 20
        refused = ImportJob.objects.filter(store__code="SL-TB").order_by("pk").last().errors.first()
        assert refused.file.startswith("SL-TB-ExportOrderDetailList") and refused.column == "购买数量"

    def test_running_twice_changes_nothing(self, built):
        before = snapshot()
        output = run_demo()
        assert "演示公司已存在" in output and demo.DEMO_PASSWORD in output
        assert run_demo("--if-empty").count("演示公司已存在") == 1
        assert snapshot() == before


def test_if_empty_skips_a_database_holding_other_data_and_plain_demo_refuses_it(db):
    User.objects.create_user(username="owner", password="Owner-Passw0rd!")
    assert "未建立演示公司" in run_demo("--if-empty")
    with pytest.raises(CommandError, match="空数据库"):
        run_demo()
    assert not Company.objects.exists() and not Staff.objects.exists()


def test_the_command_builds_and_prints_the_logins_that_work(db, client):
    output = run_demo("--if-empty")
    assert "演示公司已建立" in output
    for username, _zh, _en in demo.LOGINS:
        assert username in output
        assert client.login(username=username, password=demo.DEMO_PASSWORD), username
        client.logout()


def test_demo_refuses_production_settings(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run_demo()
    assert not User.objects.exists()


@pytest.mark.usefixtures("db")
class TestTheDemoCatalogue:
    """Issue 3: about 200 styles and 1,500 SKUs, a hero group, special goods and their licences."""

    def test_catalogue_size_and_hero_group(self, built):
        from ecomops.catalog.models import SKU, Style

        assert 180 <= Style.objects.count() <= 220
        assert SKU.objects.count() == 1500
        heroes = Style.objects.filter(is_hero=True)
        assert heroes.exists() and all("西湖龙井" in s.name for s in heroes)  # WMS-14 hero group tag

    def test_clothing_has_colour_by_size_and_platform_codes(self, built):
        from ecomops.catalog.models import SKU, PlatformSKU

        homewear = SKU.objects.filter(style__style_no="SY-H001")
        assert homewear.values("colour").distinct().count() == 3
        assert homewear.values("size").distinct().count() == 5
        assert PlatformSKU.objects.filter(sku__in=homewear, store__code="SY-PDD").count() == 15

    def test_licences_decide_what_may_be_sold(self, built):
        """STO-04: the food licence covers the tea stores; the expired cosmetics licence blocks 松屿 care goods."""
        from ecomops.stores.queries import may_sell

        today = timezone.localdate()
        assert may_sell(Store.objects.get(code="SL-TM"), "food", on=today)[0]
        assert not may_sell(Store.objects.get(code="SY-PDD"), "cosmetics", on=today)[0]

    def test_listings_in_every_review_state_and_a_recall(self, built):
        """CAT-01…03, CAT-06: the demo shows the listing workflow and a failed sampling check's recall case."""
        from ecomops.listing.enums import ListingState
        from ecomops.listing.models import Listing
        from ecomops.suppliers.models import RecallCase, Supplier

        states = set(Listing.objects.values_list("status", flat=True))
        assert states == set(ListingState.values)
        flagged = Listing.objects.filter(status=ListingState.NEEDS_REVIEW)
        assert flagged.count() == 2 and all(listing.hits.exists() for listing in flagged)
        assert Supplier.objects.count() == 4
        assert RecallCase.objects.count() == 1
