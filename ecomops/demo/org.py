"""The demo company: a fictional agency (代运营公司) to try EcomOps with, built by ``ecomops demo``.

Everything is fixed data (no randomness): the same company, clients, stores, roster, grants,
regulation versions and attendance pattern every time. Dates are counted from the day it is built:
attendance covers the last complete calendar month, this year's regulations take effect that day
and next year's are announced for 1 January.

It is built through the actions modules, as an administrator would, so the audit history shows it.
Later issues extend it (products, stock, orders …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError
from ecomops.org import actions
from ecomops.org.enums import AttendanceKind, ClientState, CompanyKind, StoreState
from ecomops.org.models import (
    Attendance,
    Client,
    Company,
    Department,
    Platform,
    Position,
    Staff,
    Store,
)
from ecomops.policy import actions as policy_actions
from ecomops.policy.models import RegulationVersion

# One password for every demo login, printed by `ecomops demo` and `make run`. Demo data only:
# `ecomops demo` refuses to run with production settings.
DEMO_PASSWORD = "EcomOps-Demo-2026"

COMPANY = {
    "name": "青禾电商代运营有限公司",
    "name_en": "Qinghe E-commerce Agency Co., Ltd. (demo)",
    "kind": CompanyKind.AGENCY,
}

# The two brands the agency operates for (委托方), both fictional.
CLIENTS = [
    {"code": "SHANLAN", "name": "山岚茶业", "name_en": "Shanlan Tea", "contact_name": "沈清",
     "contact_phone": "13800001001", "contract_start": date(2023, 1, 1), "contract_end": date(2027, 12, 31)},
    {"code": "SONGYU", "name": "松屿家居", "name_en": "Songyu Home", "contact_name": "许嘉木",
     "contact_phone": "13800001002", "contract_start": date(2024, 4, 1), "contract_end": date(2027, 3, 31)},
]

# Five stores on five platforms (STO-01), each belonging to one client.
STORES = [
    {"code": "SL-TM", "name": "山岚茶业天猫旗舰店", "client": "SHANLAN", "platform": "tmall",
     "main_category": "茶叶", "opened_on": date(2023, 3, 1)},
    {"code": "SL-TB", "name": "山岚茶业淘宝店", "client": "SHANLAN", "platform": "taobao",
     "main_category": "茶叶", "opened_on": date(2023, 2, 15)},
    {"code": "SL-JD", "name": "山岚茶业京东旗舰店", "client": "SHANLAN", "platform": "jd",
     "main_category": "茶叶", "opened_on": date(2023, 9, 1)},
    {"code": "SY-PDD", "name": "松屿家居拼多多旗舰店", "client": "SONGYU", "platform": "pinduoduo",
     "main_category": "家居日用", "opened_on": date(2024, 5, 20)},
    {"code": "SY-AMZ", "name": "松屿家居亚马逊美国站", "client": "SONGYU", "platform": "amazon",
     "main_category": "Home & Kitchen", "opened_on": date(2024, 8, 1)},
]

# ORG-05: two ladders with a base-salary band per level, in CNY.
# (ladder, code, name, name_en, rank, salary_min, salary_max, review_months)
JOB_LEVELS = [
    ("professional", "P1", "初级专员", "Associate", 1, "3500.00", "4500.00", 6),
    ("professional", "P2", "专员", "Specialist", 2, "4500.00", "6000.00", 12),
    ("professional", "P3", "高级专员", "Senior Specialist", 3, "6000.00", "8000.00", 12),
    ("professional", "P4", "资深专员", "Lead Specialist", 4, "8000.00", "11000.00", 12),
    ("professional", "P5", "专家", "Expert", 5, "11000.00", "15000.00", 12),
    ("professional", "P6", "高级专家", "Senior Expert", 6, "15000.00", "20000.00", 12),
    ("management", "M1", "主管", "Supervisor", 1, "9000.00", "13000.00", 12),
    ("management", "M2", "经理", "Manager", 2, "13000.00", "18000.00", 12),
    ("management", "M3", "总经理", "General Manager", 3, "20000.00", "35000.00", 12),
]

BOTH = ("SHANLAN", "SONGYU")


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    department: str
    positions: tuple[str, ...]  # the first is the primary position
    level: str
    hired_on: date
    clients: tuple[str, ...] = ()  # client grants (DAT-02)
    stores: tuple[str, ...] = ()  # store grants


# ORG-01 departments, ORG-02 positions; four people hold two positions.
ROSTER = [
    Person("chenzhiyuan", "陈志远", "gm_office", ("general_manager",), "M3", date(2018, 3, 1)),
    Person("zhuguan", "周静怡", "ecom", ("ecom_supervisor",), "M1", date(2019, 5, 6), BOTH),
    Person("lijunjie", "李俊杰", "ecom.promotion", ("promoter",), "P3", date(2020, 2, 17), ("SHANLAN",)),
    Person("zhangxiaowen", "张晓雯", "ecom.promotion", ("promoter",), "P2", date(2021, 7, 1), ("SONGYU",)),
    Person("liuzihan", "刘子涵", "ecom.promotion", ("promoter",), "P1", date(2024, 3, 11), stores=("SL-TB",)),
    Person("yangsiqi", "杨思琪", "ecom.sales_cs", ("sales_cs",), "P2", date(2021, 9, 13), ("SHANLAN",)),
    Person("zhaomengting", "赵梦婷", "ecom.sales_cs", ("sales_cs",), "P1", date(2023, 6, 19), ("SHANLAN",)),
    Person("huangjiaxin", "黄嘉欣", "ecom.sales_cs", ("sales_cs",), "P1", date(2024, 8, 5), ("SONGYU",)),
    Person("wujianguo", "吴建国", "warehouse", ("warehouse_supervisor",), "M1", date(2018, 10, 8), BOTH),
    Person("cangku", "孙丽娟", "warehouse", ("warehouse_clerk", "statistician"), "P2", date(2020, 4, 1),
           ("SONGYU",)),
    Person("zhouwenbin", "周文斌", "warehouse", ("statistician",), "P3", date(2019, 11, 18), BOTH),
    Person("xuzhiqiang", "徐志强", "warehouse", ("qc_inspector", "receiver"), "P2", date(2021, 3, 8), BOTH),
    Person("machao", "马超", "warehouse", ("receiver",), "P1", date(2024, 5, 20), BOTH),
    Person("zhuxiaoyan", "朱晓燕", "warehouse.order_processing", ("order_clerk",), "P2", date(2020, 8, 10),
           BOTH),
    Person("huyating", "胡雅婷", "warehouse.order_processing", ("waybill_printer", "order_clerk"), "P1",
           date(2023, 2, 13), BOTH),
    Person("guominghui", "郭明辉", "warehouse.shipping", ("stock_keeper",), "P2", date(2019, 7, 15), BOTH),
    Person("hewei", "何伟", "warehouse.shipping", ("stock_keeper",), "P1", date(2022, 10, 10), BOTH),
    Person("gaolei", "高磊", "warehouse.shipping", ("verifier_weigher",), "P1", date(2023, 4, 3), BOTH),
    Person("linxiaohong", "林小红", "warehouse.shipping", ("packer", "verifier_weigher"), "P1",
           date(2022, 5, 16), BOTH),
    Person("luozhigang", "罗志刚", "warehouse.shipping", ("packer",), "P1", date(2025, 3, 3), BOTH),
    Person("liangxiaoming", "梁晓明", "operations", ("account_manager",), "M1", date(2019, 1, 14),
           ("SHANLAN",)),
    Person("songjiayi", "宋佳怡", "operations", ("account_manager",), "P4", date(2021, 11, 1), ("SONGYU",)),
    Person("zhenghuimin", "郑慧敏", "customer_service", ("after_sales",), "P2", date(2020, 6, 1), BOTH),
    Person("xiewanqing", "谢婉清", "customer_service", ("after_sales",), "P1", date(2024, 1, 8),
           ("SHANLAN",)),
    Person("hanxue", "韩雪", "product_editing", ("product_editor",), "P2", date(2021, 5, 10), ("SHANLAN",)),
    Person("pengcheng", "彭程", "product_editing", ("product_editor",), "P1", date(2024, 9, 2), ("SONGYU",)),
    Person("tangyuhang", "唐宇航", "design", ("designer",), "P3", date(2020, 9, 21), BOTH),
    Person("fengshufen", "冯淑芬", "finance", ("finance_officer",), "P4", date(2018, 6, 4)),
    Person("dongchenxi", "董晨曦", "legal", ("compliance_officer",), "P3", date(2022, 2, 14), BOTH),
    Person("chengli", "程丽", "hr", ("hr_officer",), "P3", date(2019, 4, 8)),
]

CLIENT_USER = {"username": "kehu", "name": "沈清", "client": "SHANLAN", "title": "电商负责人"}

# ORG-06: who has not signed yet. This year's version: two warehouse staff (due by the end of the
# day the demo is built, late after it); next year's: a few people, the demo supervisor and clerk
# among them (due before it takes effect).
NOT_SIGNED_CURRENT = ("machao", "luozhigang")
NOT_SIGNED_NEXT = ("zhuguan", "cangku", "huangjiaxin", "machao", "luozhigang", "pengcheng")

# The demo company's office hours and its attendance pattern (ORG-04). Sample data, not a rule.
OFFICE_START = time(9, 0)
OFFICE_END = time(18, 0)
LEAVE = {"zhaomengting": (8, 9)}  # first and last working day (0-based) of an approved personal leave (事假)
ABSENT = {"luozhigang": 14}  # the working day of an absence without leave (旷工)

LOGINS = [
    ("admin", "系统管理员（超级用户）", "administrator (superuser)"),
    ("zhuguan", "电商主管周静怡：两个委托方，有一份待签的制度承诺书",
     "e-commerce supervisor: both clients, one regulation to acknowledge"),
    ("cangku", "仓库文员兼统计员孙丽娟：只管松屿家居的货",
     "warehouse clerk and statistician: Songyu Home's goods only"),
    ("kehu", "委托方用户：只看山岚茶业", "client user: sees Shanlan Tea only"),
]


@dataclass
class DemoResult:
    created: bool
    company: Company | None
    month: tuple[int, int]
    counts: dict[str, int] = field(default_factory=dict)


class DemoRefused(BusinessError):
    code = "demo_refused"


def demo_exists() -> bool:
    return Company.objects.filter(name=COMPANY["name"]).exists()


def database_is_empty() -> bool:
    """No company, client, staff or login yet: only the reference data every migrate seeds."""
    User = get_user_model()
    return not (
        Company.objects.exists() or Client.objects.exists() or Staff.objects.exists() or User.objects.exists()
    )


def previous_month(today: date) -> tuple[int, int]:
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def month_days(year: int, month: int) -> list[date]:
    day, days = date(year, month, 1), []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def _at(clock: time, minutes: int) -> time:
    return (datetime.combine(date(2000, 1, 1), clock) + timedelta(minutes=minutes)).time()


def attendance_plan(index: int, username: str, workday: int) -> dict:
    """The attendance of roster member ``index`` on the ``workday``-th working day of the month.

    A fixed arithmetic pattern, so the demo is the same on every machine: most days on time, a late
    arrival about once a month per person, now and then an early leave, one leave, one absence.
    """
    first, last = LEAVE.get(username, (-1, -1))
    if first <= workday <= last:
        return {"kind": AttendanceKind.LEAVE, "note": "事假（已批准）"}
    if ABSENT.get(username) == workday:
        return {"kind": AttendanceKind.ABSENT, "note": "未打卡，未请假"}
    clock_in = _at(OFFICE_START, -20 + (index + workday) % 18)
    clock_out = _at(OFFICE_END, (index * workday) % 45)
    plan = {"kind": AttendanceKind.PRESENT, "clock_in": clock_in, "clock_out": clock_out}
    if (index * 7 + workday * 3) % 29 == 0:
        late = 3 + (index + workday) % 25
        plan.update(kind=AttendanceKind.LATE, clock_in=_at(OFFICE_START, late), late_minutes=late)
    elif (index * 5 + workday * 11) % 37 == 0:
        early = 10 + (index * workday) % 50
        plan.update(kind=AttendanceKind.EARLY_LEAVE, clock_out=_at(OFFICE_END, -early),
                    early_leave_minutes=early)
    return plan


def build(*, if_empty: bool = False) -> DemoResult:
    """Build the demo company once. Returns ``created=False`` (changing nothing) when it exists.

    Refuses (``DemoRefused``) with production settings, and when the database already holds other
    organisation data, unless ``if_empty`` asks to skip quietly in that case.
    """
    today = timezone.localdate()
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused(_("生产环境（ECOMOPS_ENV=production）不能建立演示公司：演示账号的密码是公开的。"))
    if demo_exists():
        return DemoResult(False, Company.objects.get(name=COMPANY["name"]), previous_month(today))
    if not database_is_empty():
        if if_empty:
            return DemoResult(False, None, previous_month(today))
        raise DemoRefused(_("数据库中已有公司、委托方、员工或登录账号：演示公司只能建在空数据库上。"))
    result = _build(today)
    # Issue 18: today's batch out of the door. After the build has committed: the imported orders are
    # reviewed by the import's on-commit hook, and only then do they reach a ship batch.
    from ecomops.demo.fulfilment import build as build_fulfilment

    with transaction.atomic():
        admin = get_user_model().objects.get(username="admin")
        staff_by_username = {s.user.username: s for s in Staff.objects.select_related("user")}
        result.counts.update(build_fulfilment(admin=admin, staff_by_username=staff_by_username, today=today))
    return result


@transaction.atomic
def _build(today: date) -> DemoResult:
    User = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo login
    admin = User.objects.create_superuser(username="admin", email="admin@example.com", password=None,
                                          first_name="系统管理员")
    admin.password = password_hash
    admin.save(update_fields=["password"])

    company = actions.save_company(user=admin, **COMPANY)

    clients = {
        row["code"]: actions.create_client(user=admin, status=ClientState.ACTIVE, **row) for row in CLIENTS
    }
    platforms = {p.code: p for p in Platform.objects.all()}
    stores = {
        row["code"]: actions.create_store(
            user=admin, **{**row, "client": clients[row["client"]], "platform": platforms[row["platform"]]},
            status=StoreState.ACTIVE,
        )
        for row in STORES
    }

    levels = {}
    for ladder, code, name, name_en, rank, low, high, review in JOB_LEVELS:
        levels[code] = actions.create_job_level(
            user=admin, ladder=ladder, code=code, name=name, name_en=name_en, rank=rank, salary_min=low,
            salary_max=high, review_months=review,
        )

    # Published before the staff are entered, so each new hire is asked to sign both on entry (ORG-06).
    regulations = _publish_regulations(today, admin)

    departments = {d.code: d for d in Department.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}
    staff_by_username = {}
    for number, person in enumerate(ROSTER, start=1):
        held = [positions[code] for code in person.positions]
        staff = actions.hire_staff(
            user=admin, username=person.username, name=person.name, employee_no=f"QH{number:03d}",
            department=departments[person.department], hired_on=person.hired_on, positions=held,
            primary_position=held[0], job_level=levels[person.level], phone=f"1380000{number:04d}",
            email=f"{person.username}@example.com",
        )
        staff_by_username[person.username] = staff
        for code in person.clients:
            actions.grant_client(staff.user, clients[code], user=admin)
        for code in person.stores:
            actions.grant_store(staff.user, stores[code], user=admin)
    User.objects.filter(staff__in=staff_by_username.values()).update(password=password_hash)

    member = actions.add_client_member(
        user=admin, client=clients[CLIENT_USER["client"]], username=CLIENT_USER["username"],
        name=CLIENT_USER["name"], title=CLIENT_USER["title"], email=f"{CLIENT_USER['username']}@example.com",
    )
    User.objects.filter(pk=member.user_id).update(password=password_hash)

    month = previous_month(today)
    _record_attendance(staff_by_username, month, admin)
    _acknowledge(regulations, staff_by_username)

    # Issue 3: the catalogue (about 200 styles, 1,500 SKUs) and the certificates behind it.
    from ecomops.demo.catalog import build_catalogue
    from ecomops.demo.stores import build_qualifications

    catalogue = build_catalogue(admin=admin, clients=clients, stores=stores)
    certificates = build_qualifications(admin=admin, clients=clients, stores=stores, today=today)
    from ecomops.demo.listing import build_suppliers_and_listings

    trade = build_suppliers_and_listings(admin=admin, clients=clients, stores=stores, today=today)
    warehouse_counts = _build_warehouse(admin, clients, staff_by_username, today)
    # ORD-04 routing: every store ships from Hangzhou first; the tea stores may fall back on Shanghai.
    from ecomops.inventory.models import Warehouse
    from ecomops.orders.models import StoreWarehouse

    for code, store in stores.items():
        StoreWarehouse.objects.create(store=store, warehouse=Warehouse.objects.get(code="HZ"), priority=1)
        if code.startswith("SL-"):
            StoreWarehouse.objects.create(store=store, warehouse=Warehouse.objects.get(code="SH"), priority=2)
    # Issue 5: 60 days of orders, imported from each store's platform exports like a real first week.
    import tempfile

    from ecomops.demo.orders import import_history

    with tempfile.TemporaryDirectory(prefix="ecomops-demo-") as directory:
        order_counts = import_history(admin=admin, today=today, directory=directory)
    from ecomops.demo.payroll import build_payroll  # issue 6: targets, KPIs and last month's locked pay run

    pay_counts = build_payroll(admin=admin, staff_by_username=staff_by_username, today=today)
    from ecomops.demo.logistics import build as build_logistics  # issue 18: carriers, tracking, cases

    logistics_counts = build_logistics(admin=admin, today=today)
    # Issue 17: the management reports the scheduler would have made by now (yesterday, last week and
    # last month), so 经营报表 has files to open; no mail (the demo has no SMTP server).
    from ecomops.dashboard.summaries import refresh as refresh_summaries
    from ecomops.reports.build import generate

    refresh_summaries()  # the closed days of the dashboard, as the scheduler's job would have by now
    for kind, day in (("daily", today - timedelta(days=1)), ("weekly", today - timedelta(days=7)),
                      ("monthly", today.replace(day=1) - timedelta(days=1))):
        generate(kind, day)

    result = DemoResult(True, company, month)
    result.counts = {
        "clients": Client.objects.count(),
        "stores": Store.objects.count(),
        "staff": Staff.objects.count(),
        "attendance": Attendance.objects.count(),
        "styles": catalogue["styles"],
        "skus": catalogue["skus"],
        "qualifications": certificates,
        **trade,
        **warehouse_counts,
        **order_counts,
        **pay_counts,
        **logistics_counts,
    }
    return result


def _build_warehouse(admin, clients: dict[str, Client], staff_by_username: dict[str, Staff], today: date) -> dict:
    """Issue 4: two warehouses with bins, opening stock, receipts with each QC outcome, an open transfer,
    an overdue sample loan, packaging below cover, a replenishment plan and a collecting supplier return."""
    from ecomops.catalog.models import SKU
    from ecomops.demo.inventory import build as build_warehouses
    from ecomops.demo.inventory import put_opening_stock
    from ecomops.demo.receiving import build as build_receipts
    from ecomops.demo.stockops import build as build_stock_operations
    from ecomops.demo.supply import build as build_supply
    from ecomops.inventory.models import StockMove
    from ecomops.suppliers.models import Supplier
    from ecomops.supply.purchasing import POItem, create_purchase_order

    warehouses = build_warehouses(admin=admin)
    # The warehouse story is 松屿家居's, so that its warehouse clerk (cangku, who sees that client only)
    # has her day in it: first a week of sales of a hero SKU (WMS-14 plan awaiting approval), packaging
    # use and a supplier return.
    build_supply(admin=admin, clients={"SONGYU": clients["SONGYU"]}, today=today, warehouse=warehouses["HZ"])
    lines = []
    for code in ("SHANLAN", "SONGYU"):
        skus = SKU.objects.filter(client=clients[code], style__is_hero=False).order_by("sku_code")[:120]
        lines += [(sku, 20 + (n * 7) % 60, ("A-01-01", "A-01-02", "A-02-01")[n % 3]) for n, sku in enumerate(skus)]
    put_opening_stock(admin=admin, warehouse=warehouses["HZ"], lines=lines)
    for code in ("SONGYU", "SHANLAN"):
        client = clients[code]
        supplier = Supplier.objects.filter(client=client).order_by("code").first()
        skus = list(SKU.objects.filter(client=client, style__is_hero=False).order_by("sku_code")[120:126])
        if supplier is not None and len(skus) >= 4:
            build_receipts(admin=admin, receiver=staff_by_username["machao"].user, warehouse=warehouses["HZ"],
                           skus=skus, suppliers={client.pk: supplier})
            # A confirmed purchase order whose goods have not come yet: the receiver's next delivery.
            create_purchase_order(user=admin, client=client, supplier=supplier, warehouse=warehouses["HZ"],
                                  confirm=True, lines=[POItem(sku, 24) for sku in skus[:3]],
                                  note="演示采购单：待到货")
            break
    songyu = list(SKU.objects.filter(client=clients["SONGYU"], style__is_hero=False).order_by("sku_code")[:2])
    build_stock_operations(admin=admin, client=clients["SONGYU"], from_warehouse=warehouses["HZ"],
                           to_warehouse=warehouses["SH"], skus=songyu, today=today)
    return {"warehouses": len(warehouses), "stock_moves": StockMove.objects.count()}


def _record_attendance(staff_by_username: dict[str, Staff], month: tuple[int, int], admin) -> None:
    """One record per person and day of the month (ORG-04); the working-day calendar's rest days (weekends,
    statutory holidays) are rest days, its make-up working days are worked."""
    from ecomops.org.calendar import working_days

    days = month_days(*month)
    working = set(working_days(days[0], days[-1]))
    for index, person in enumerate(ROSTER):
        staff = staff_by_username[person.username]
        workday = 0
        for day in days:
            if day not in working:
                actions.record_attendance(staff, user=admin, day=day, kind=AttendanceKind.REST)
                continue
            plan = attendance_plan(index, person.username, workday)
            actions.record_attendance(staff, user=admin, day=day, **plan)
            workday += 1
        if person.username in LEAVE:
            workdays = [d for d in days if d in working]
            first, last = LEAVE[person.username]
            leave = actions.request_leave(
                staff, user=staff.user, kind=AttendanceKind.LEAVE, start_date=workdays[first],
                end_date=workdays[last], reason="家中有事，需回老家处理。",
            )
            actions.decide_leave(leave, user=admin, approve=True)


def _publish_regulations(today: date, admin) -> list[tuple[RegulationVersion, tuple[str, ...]]]:
    """ORG-06: this year's regulations take effect today; next year's are announced, to be signed first.

    (A version can only be created to take effect today or later: it is announced before it applies.)
    """
    year = today.year
    current = policy_actions.create_regulation(
        code=f"QH-{year}", title=f"{year} 版运营管理制度", title_en=f"Operations Regulations, {year} edition",
        effective_from=today, user=admin,
        announcement=(
            f"《{year} 版运营管理制度》自 {today.year} 年 {today.month} 月 {today.day} 日起施行，"
            "适用于公司全体员工。\n"
            "主要内容：部门与岗位职责、仓库作业流程、客服与售后规范、考勤与请假、奖惩办法。\n"
            "请全体员工认真阅读并在系统中签署承诺书。"
        ),
    )
    upcoming = policy_actions.create_regulation(
        code=f"QH-{year + 1}", title=f"{year + 1} 版运营管理制度",
        title_en=f"Operations Regulations, {year + 1} edition", effective_from=date(year + 1, 1, 1),
        user=admin,
        announcement=(
            f"《{year + 1} 版运营管理制度》将于 {year + 1} 年 1 月 1 日起施行，{year} 版同时废止。\n"
            "主要修订：大促期间仓库作息与排班、直播带货合规要求、个人信息保护（电子面单隐藏规则）。\n"
            "新版本生效前，每位员工须阅读公告并签署承诺书。"
        ),
    )
    for regulation in (current, upcoming):
        policy_actions.publish_regulation(regulation, user=admin)
        regulation.refresh_from_db()
    return [(current, NOT_SIGNED_CURRENT), (upcoming, NOT_SIGNED_NEXT)]


def _acknowledge(regulations, staff_by_username: dict[str, Staff]) -> None:
    """Everybody signs, except the few named in NOT_SIGNED_* (their due items stay open)."""
    for regulation, not_signed in regulations:
        for person in ROSTER:
            if person.username not in not_signed:
                policy_actions.acknowledge(regulation, user=staff_by_username[person.username].user)
