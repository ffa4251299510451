"""API of the organisation: departments, positions, staff (ORG-01, ORG-02), clients, stores and
platforms (AGY-07, STO-01). Thin: reads through scoped querysets, writes through ``actions``.

- Departments, positions and staff are the company's own data: a client's user (ClientMember) is
  refused (403), everybody else needs the model's view permission.
- Clients and stores are scoped (DAT-02): a record the user may not see is a 404, for reading and
  for changing alike, so its existence does not leak.
- Staff phone numbers are masked (LAW-04) unless the user holds ``org.view_staff_personal``; every
  unmasked read is logged.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, Strict

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import (
    Clock,
    Code,
    Day,
    Email,
    Flag,
    Id,
    Name,
    Phone,
    RefId,
    Search,
    SortOrder,
    Text,
    Username,
)
from ecomops.audit.masking import mask_phone, personal_value
from ecomops.core.errors import BusinessError, NotAllowed

from . import actions
from .enums import AttendanceKind, ClientState, PlatformRegion, StaffState, StoreState
from .models import Attendance, Client, Department, JobLevel, Platform, Position, Staff, StaffPosition, Store
from .queries import month_bounds
from .scoping import get_visible_or_404

router = Router()

PERSONAL_PERM = "org.view_staff_personal"


def _search(queryset, q: str | None, *fields: str):
    if not q:
        return queryset
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition)


def _lookup(model, pk: int | None, *, field: str, message: str, queryset=None):
    """The record ``pk`` names in a request body, or a 400 naming ``field``."""
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects.all()).filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


# --- Departments (ORG-01) --------------------------------------------------------------------

class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    is_group: bool
    sort_order: int
    is_active: bool


class DepartmentFilters(PageQuery):
    parent_id: Id | None = Field(None, description="只列出此部门的直接下级")
    is_active: bool | None = None
    q: Search | None = Field(None, description="按编码或名称搜索")


class DepartmentIn(InputSchema):
    code: Code(40)
    name: Name
    name_en: Text(80) = ""
    parent_id: RefId | None = None
    is_group: Flag = False
    sort_order: SortOrder = 0
    is_active: Flag = True


class DepartmentPatch(PatchSchema):
    NULLABLE = frozenset({"parent_id"})

    code: Code(40) | None = None
    name: Name | None = None
    name_en: Text(80) | None = None
    parent_id: RefId | None = None
    is_group: Flag | None = None
    sort_order: SortOrder | None = None
    is_active: Flag | None = None


def _department_fields(data: dict) -> dict:
    if "parent_id" in data:
        data["parent"] = _lookup(Department, data.pop("parent_id"), field="parent_id", message=_("上级部门不存在"))
    return data


@router.get("/departments", response=Page[DepartmentOut], tags=["departments"], summary="部门列表")
def list_departments(request, filters: Query[DepartmentFilters]):
    require_perm(request.auth, "org.view_department", internal=True)
    queryset = Department.objects.order_by("sort_order", "code", "pk")
    if filters.parent_id is not None:
        queryset = queryset.filter(parent_id=filters.parent_id)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return paginate(_search(queryset, filters.q, "code", "name", "name_en"), filters)


@router.get("/departments/{department_id}", response=DepartmentOut, tags=["departments"], summary="部门详情")
def get_department(request, department_id: Path[Id]):
    require_perm(request.auth, "org.view_department", internal=True)
    return get_object_or_404(Department, pk=department_id)


@router.post("/departments", response={201: DepartmentOut}, tags=["departments"], summary="新建部门")
def create_department(request, payload: DepartmentIn):
    with fields_renamed({"parent": "parent_id"}):
        department = actions.create_department(user=request.auth, **_department_fields(payload.model_dump()))
    return Status(201, department)


@router.patch("/departments/{department_id}", response=DepartmentOut, tags=["departments"], summary="修改部门")
def update_department(request, department_id: Path[Id], payload: DepartmentPatch):
    require_perm(request.auth, "org.view_department", internal=True)
    department = get_object_or_404(Department, pk=department_id)
    with fields_renamed({"parent": "parent_id"}):
        return actions.update_department(department, user=request.auth, **_department_fields(payload.changes()))


# --- Positions (ORG-02) ----------------------------------------------------------------------

class PositionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    duties: str
    department_hint: str
    sort_order: int
    permissions: list[str] = Field(description="岗位权限组的权限（app_label.codename）")

    @staticmethod
    def resolve_permissions(obj: Position) -> list[str]:
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in obj.group.permissions.all())


class PositionFilters(PageQuery):
    q: Search | None = Field(None, description="按编码或名称搜索")


def _positions():
    return Position.objects.select_related("group").prefetch_related("group__permissions__content_type")


@router.get("/positions", response=Page[PositionOut], tags=["positions"], summary="岗位列表")
def list_positions(request, filters: Query[PositionFilters]):
    require_perm(request.auth, "org.view_position", internal=True)
    queryset = _positions().order_by("sort_order", "code", "pk")
    return paginate(_search(queryset, filters.q, "code", "name", "name_en"), filters)


@router.get("/positions/{position_id}", response=PositionOut, tags=["positions"], summary="岗位详情")
def get_position(request, position_id: Path[Id]):
    require_perm(request.auth, "org.view_position", internal=True)
    return get_object_or_404(_positions(), pk=position_id)


# --- Staff -----------------------------------------------------------------------------------

class PositionHeld(Schema):
    id: int
    code: str
    name: str
    is_primary: bool


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    username: str
    department: Ref
    positions: list[PositionHeld]
    job_level_id: int | None
    phone: str = Field(description="手机号；无 org.view_staff_personal 权限时为脱敏值")
    hired_on: date
    left_on: date | None
    status: StaffState


class StaffFilters(PageQuery):
    department_id: Id | None = None
    position_id: Id | None = None
    status: StaffState | None = None
    q: Search | None = Field(None, description="按工号或姓名搜索")


class StaffIn(InputSchema):
    username: Username = Field(description="登录账号；账号的密码由管理员另行设置")
    name: Text(40, min_length=1)
    employee_no: Code(20)
    department_id: RefId
    hired_on: Day
    position_ids: list[RefId] = Field(default_factory=list, max_length=20)
    primary_position_id: RefId | None = None
    job_level_id: RefId | None = None
    phone: Phone = ""
    email: Email = ""


class StaffPatch(PatchSchema):
    NULLABLE = frozenset({"job_level_id", "primary_position_id"})

    name: Text(40, min_length=1) | None = None
    department_id: RefId | None = None
    job_level_id: RefId | None = None
    phone: Phone | None = None
    hired_on: Day | None = None
    position_ids: list[RefId] | None = Field(None, max_length=20)
    primary_position_id: RefId | None = None


def _staff():
    return Staff.objects.select_related("user", "department").prefetch_related(
        Prefetch("position_links", queryset=StaffPosition.objects.select_related("position").order_by(
            "-is_primary", "position__sort_order", "pk"))
    )


def staff_out(staff: Staff, request) -> dict:
    return {
        "id": staff.pk,
        "employee_no": staff.employee_no,
        "name": staff.name,
        "username": staff.user.get_username(),
        "department": staff.department,
        "positions": [
            {"id": link.position.pk, "code": link.position.code, "name": link.position.name,
             "is_primary": link.is_primary}
            for link in staff.position_links.all()
        ],
        "job_level_id": staff.job_level_id,
        "phone": personal_value(request.auth, staff, "phone", perm=PERSONAL_PERM, request=request,
                                purpose="API"),
        "hired_on": staff.hired_on,
        "left_on": staff.left_on,
        "status": staff.status,
    }


def _positions_named(ids: list[int] | None) -> list[Position]:
    if not ids:
        return []
    found = {p.pk: p for p in Position.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise BusinessError(_("岗位 %(id)s 不存在") % {"id": missing[0]}, field="position_ids", code="not_found")
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get("/staff", response=Page[StaffOut], tags=["staff"], summary="员工列表")
def list_staff(request, filters: Query[StaffFilters]):
    require_perm(request.auth, "org.view_staff", internal=True)
    queryset = _staff().order_by("employee_no", "pk")
    if filters.department_id is not None:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.position_id is not None:
        queryset = queryset.filter(position_links__position_id=filters.position_id)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    queryset = _search(queryset, filters.q, "employee_no", "name")
    return paginate(queryset, filters, lambda staff: staff_out(staff, request))


@router.get("/staff/{staff_id}", response=StaffOut, tags=["staff"], summary="员工详情")
def get_staff(request, staff_id: Path[Id]):
    require_perm(request.auth, "org.view_staff", internal=True)
    return staff_out(get_object_or_404(_staff(), pk=staff_id), request)


@router.post("/staff", response={201: StaffOut}, tags=["staff"], summary="新员工入职（创建账号与员工档案）")
def create_staff(request, payload: StaffIn):
    data = payload.model_dump()
    department = _lookup(Department, data.pop("department_id"), field="department_id", message=_("部门不存在"))
    job_level = _lookup(JobLevel, data.pop("job_level_id"), field="job_level_id", message=_("职级不存在"))
    positions = _positions_named(data.pop("position_ids"))
    primary = _lookup(Position, data.pop("primary_position_id"), field="primary_position_id",
                      message=_("岗位不存在"))
    with fields_renamed({"department": "department_id", "job_level": "job_level_id"}):
        staff = actions.hire_staff(
            user=request.auth, department=department, job_level=job_level, positions=positions,
            primary_position=primary, **data,
        )
    return Status(201, staff_out(_staff().get(pk=staff.pk), request))


@router.patch("/staff/{staff_id}", response=StaffOut, tags=["staff"], summary="修改员工档案与岗位")
def update_staff(request, staff_id: Path[Id], payload: StaffPatch):
    require_perm(request.auth, "org.view_staff", internal=True)
    staff = get_object_or_404(Staff, pk=staff_id)
    changes = payload.changes()
    if "department_id" in changes:
        changes["department"] = _lookup(Department, changes.pop("department_id"), field="department_id",
                                        message=_("部门不存在"))
    if "job_level_id" in changes:
        changes["job_level"] = _lookup(JobLevel, changes.pop("job_level_id"), field="job_level_id",
                                       message=_("职级不存在"))
    position_ids = changes.pop("position_ids", None)
    has_primary = "primary_position_id" in changes
    primary = _lookup(Position, changes.pop("primary_position_id", None), field="primary_position_id",
                      message=_("岗位不存在"))
    with transaction.atomic(), fields_renamed({"department": "department_id", "job_level": "job_level_id"}):
        staff = actions.update_staff(staff, user=request.auth, **changes)
        if position_ids is not None or has_primary:
            positions = (_positions_named(position_ids) if position_ids is not None
                         else [link.position for link in staff.position_links.select_related("position")])
            if not has_primary:
                primary = next((link.position for link in staff.position_links.select_related("position")
                                if link.is_primary and link.position in positions), None)
            actions.set_positions(staff, positions, user=request.auth, primary=primary)
    return staff_out(_staff().get(pk=staff.pk), request)


class StaffLeaveIn(InputSchema):
    left_on: Day = Field(description="离职日期（最后工作日，含当日）；不能早于入职日期")


@router.post("/staff/{staff_id}/leave", response=StaffOut, tags=["staff"],
             summary="办理离职（ORG-03：登录账号随即停用，档案与历史保留）")
def staff_leave(request, staff_id: Path[Id], payload: StaffLeaveIn):
    require_perm(request.auth, "org.view_staff", internal=True)
    staff = get_object_or_404(Staff, pk=staff_id)
    staff = actions.staff_leaves(staff, user=request.auth, left_on=payload.left_on)
    return staff_out(_staff().get(pk=staff.pk), request)


# --- Platforms (STO-01) ----------------------------------------------------------------------

class PlatformOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    region: PlatformRegion
    is_active: bool


class PlatformFilters(PageQuery):
    is_active: bool | None = None
    region: PlatformRegion | None = None


@router.get("/platforms", response=Page[PlatformOut], tags=["platforms"], summary="平台列表")
def list_platforms(request, filters: Query[PlatformFilters]):
    queryset = Platform.objects.order_by("sort_order", "code", "pk")
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    if filters.region is not None:
        queryset = queryset.filter(region=filters.region)
    return paginate(queryset, filters)


# --- Clients (AGY-07) ------------------------------------------------------------------------

class ClientOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    is_self: bool
    contact_name: str
    contact_phone: str
    status: ClientState
    contract_start: date | None
    contract_end: date | None

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        """Always masked in the API (LAW-04); the full number is revealed, and logged, on the client page."""
        return mask_phone(obj.contact_phone)


class ClientFilters(PageQuery):
    status: ClientState | None = None
    q: Search | None = Field(None, description="按编码或名称搜索")


class ClientIn(InputSchema):
    code: Code(30)
    name: Text(100, min_length=1)
    name_en: Text(100) = ""
    is_self: Flag = False
    contact_name: Text(40) = ""
    contact_phone: Phone = ""
    status: ClientState = ClientState.ACTIVE
    contract_start: Day | None = None
    contract_end: Day | None = None


class ClientPatch(PatchSchema):
    NULLABLE = frozenset({"contract_start", "contract_end"})

    code: Code(30) | None = None
    name: Text(100, min_length=1) | None = None
    name_en: Text(100) | None = None
    is_self: Flag | None = None
    contact_name: Text(40) | None = None
    contact_phone: Phone | None = None
    status: ClientState | None = None
    contract_start: Day | None = None
    contract_end: Day | None = None


@router.get("/clients", response=Page[ClientOut], tags=["clients"], summary="委托方列表（仅限授权范围）")
def list_clients(request, filters: Query[ClientFilters]):
    require_perm(request.auth, "org.view_client")
    queryset = Client.objects.visible_to(request.auth).order_by("code", "pk")
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return paginate(_search(queryset, filters.q, "code", "name", "name_en"), filters)


@router.get("/clients/{client_id}", response=ClientOut, tags=["clients"], summary="委托方详情")
def get_client(request, client_id: Path[Id]):
    require_perm(request.auth, "org.view_client")
    return get_visible_or_404(Client, request.auth, pk=client_id)


@router.post("/clients", response={201: ClientOut}, tags=["clients"], summary="新建委托方")
def create_client(request, payload: ClientIn):
    return Status(201, actions.create_client(user=request.auth, **payload.model_dump()))


@router.patch("/clients/{client_id}", response=ClientOut, tags=["clients"], summary="修改委托方")
def update_client(request, client_id: Path[Id], payload: ClientPatch):
    client = get_visible_or_404(Client, request.auth, pk=client_id)
    return actions.update_client(client, user=request.auth, **payload.changes())


# --- Stores (AGY-07, STO-01) -----------------------------------------------------------------

class StoreOut(Schema):
    id: int
    code: str
    name: str
    client: Ref
    platform: Ref
    platform_shop_id: str
    main_category: str
    status: StoreState
    opened_on: date | None


class StoreFilters(PageQuery):
    client_id: Id | None = None
    platform: Code(30) | None = Field(None, description="平台编码，如 taobao")
    status: StoreState | None = None
    q: Search | None = Field(None, description="按编码或名称搜索")


class StoreIn(InputSchema):
    code: Code(30)
    name: Text(100, min_length=1)
    client_id: RefId
    platform_id: RefId
    platform_shop_id: Text(64) = ""
    main_category: Text(60) = ""
    status: StoreState = StoreState.ONBOARDING
    opened_on: Day | None = None


class StorePatch(PatchSchema):
    NULLABLE = frozenset({"opened_on"})

    code: Code(30) | None = None
    name: Text(100, min_length=1) | None = None
    client_id: RefId | None = None
    platform_id: RefId | None = None
    platform_shop_id: Text(64) | None = None
    main_category: Text(60) | None = None
    status: StoreState | None = None
    opened_on: Day | None = None


def _stores(user):
    return Store.objects.visible_to(user).select_related("client", "platform")


def _store_fields(data: dict, user) -> dict:
    if "client_id" in data:
        # A client outside the user's scope reads exactly like one that does not exist.
        data["client"] = _lookup(Client, data.pop("client_id"), field="client_id", message=_("委托方不存在"),
                                 queryset=Client.objects.visible_to(user))
    if "platform_id" in data:
        data["platform"] = _lookup(Platform, data.pop("platform_id"), field="platform_id",
                                   message=_("平台不存在"))
    return data


STORE_FIELD_NAMES = {"client": "client_id", "platform": "platform_id"}


@router.get("/stores", response=Page[StoreOut], tags=["stores"], summary="店铺列表（仅限授权范围）")
def list_stores(request, filters: Query[StoreFilters]):
    require_perm(request.auth, "org.view_store")
    queryset = _stores(request.auth).order_by("code", "pk")
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.platform is not None:
        queryset = queryset.filter(platform__code=filters.platform)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return paginate(_search(queryset, filters.q, "code", "name"), filters)


@router.get("/stores/{store_id}", response=StoreOut, tags=["stores"], summary="店铺详情")
def get_store(request, store_id: Path[Id]):
    require_perm(request.auth, "org.view_store")
    return get_visible_or_404(_stores(request.auth), request.auth, pk=store_id)


@router.post("/stores", response={201: StoreOut}, tags=["stores"], summary="新建店铺")
def create_store(request, payload: StoreIn):
    data = _store_fields(payload.model_dump(), request.auth)
    with fields_renamed(STORE_FIELD_NAMES):
        store = actions.create_store(user=request.auth, **data)
    return Status(201, _stores(request.auth).get(pk=store.pk))


@router.patch("/stores/{store_id}", response=StoreOut, tags=["stores"], summary="修改店铺")
def update_store(request, store_id: Path[Id], payload: StorePatch):
    store = get_visible_or_404(Store, request.auth, pk=store_id)
    data = _store_fields(payload.changes(), request.auth)
    with fields_renamed(STORE_FIELD_NAMES):
        store = actions.update_store(store, user=request.auth, **data)
    return _stores(request.auth).get(pk=store.pk)


# --- Attendance (ORG-04) ---------------------------------------------------------------------

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Minutes = Annotated[int, Strict(), Field(ge=0, le=1440)]
BULK_MAX = 1000


class AttendanceOut(Schema):
    id: int
    staff_id: int
    employee_no: str
    name: str
    department: Ref
    day: date
    kind: AttendanceKind
    clock_in: str | None = Field(description="HH:MM:SS")
    clock_out: str | None = Field(description="HH:MM:SS")
    late_minutes: int
    early_leave_minutes: int
    note: str


class AttendanceFilters(PageQuery):
    month: Text(7, min_length=7, pattern=MONTH_PATTERN) | None = Field(None, description="YYYY-MM")
    department_id: Id | None = Field(None, description="此部门及其下级部门、小组的员工")
    staff_id: Id | None = None
    kind: AttendanceKind | None = None


class AttendanceIn(InputSchema):
    staff_id: RefId
    day: Day
    kind: AttendanceKind
    clock_in: Clock | None = None
    clock_out: Clock | None = None
    late_minutes: Minutes = Field(0, description="迟到分钟（迟到、迟到且早退时必填）")
    early_leave_minutes: Minutes = Field(0, description="早退分钟（早退、迟到且早退时必填）")
    note: Text(200) = ""


class AttendanceBulkIn(InputSchema):
    items: list[AttendanceIn] = Field(min_length=1, max_length=BULK_MAX,
                                      description=f"最多 {BULK_MAX} 项；全部成功或全部不保存")


class AttendanceBulkOut(Schema):
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
    items: list[AttendanceOut]


ATTENDANCE_FIELD_NAMES = {"date": "day", "staff": "staff_id"}


def _clock(value) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def attendance_out(record: Attendance) -> dict:
    return {"id": record.pk, "staff_id": record.staff_id, "employee_no": record.staff.employee_no,
            "name": record.staff.name, "department": record.staff.department, "day": record.date,
            "kind": record.kind, "clock_in": _clock(record.clock_in), "clock_out": _clock(record.clock_out),
            "late_minutes": record.late_minutes, "early_leave_minutes": record.early_leave_minutes,
            "note": record.note}


def _attendance():
    return Attendance.objects.select_related("staff", "staff__department")


def _month_range(text: str) -> tuple[date, date]:
    year, month = int(text[:4]), int(text[5:7])
    if year < 1:
        raise BusinessError(_("月份格式应为 YYYY-MM，如 2026-10"), field="month")
    return month_bounds(year, month)


def _record(item: AttendanceIn, staff: Staff, user) -> tuple[Attendance, bool]:
    """One day through ``actions.record_attendance``; whether it was new."""
    existed = Attendance.objects.filter(staff=staff, date=item.day).exists()
    data = item.model_dump(exclude={"staff_id", "day"})
    with fields_renamed(ATTENDANCE_FIELD_NAMES):
        record = actions.record_attendance(staff, user=user, day=item.day, **data)
    return record, not existed


@router.get("/attendance", response=Page[AttendanceOut], tags=["attendance"],
            summary="考勤记录（ORG-04，按月份、部门、员工筛选）")
def list_attendance(request, filters: Query[AttendanceFilters]):
    require_perm(request.auth, "org.view_attendance", internal=True)
    queryset = _attendance().order_by("date", "staff__employee_no", "pk")
    if filters.month:
        queryset = queryset.filter(date__range=_month_range(filters.month))
    if filters.department_id is not None:
        department = Department.objects.filter(pk=filters.department_id).first()
        ids = department.descendant_ids() if department is not None else set()
        queryset = queryset.filter(staff__department_id__in=ids)
    if filters.staff_id is not None:
        queryset = queryset.filter(staff_id=filters.staff_id)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    return paginate(queryset, filters, attendance_out)


@router.post("/attendance", response={200: AttendanceOut, 201: AttendanceOut}, tags=["attendance"],
             summary="录入或更正一天的考勤（已有记录则更正，更正留有历史）")
def record_attendance(request, payload: AttendanceIn):
    require_perm(request.auth, "org.view_attendance", internal=True)
    staff = _lookup(Staff, payload.staff_id, field="staff_id", message=_("员工不存在"))
    record, created = _record(payload, staff, request.auth)
    return Status(201 if created else 200, attendance_out(_attendance().get(pk=record.pk)))


@router.post("/attendance/bulk", response=AttendanceBulkOut, tags=["attendance"],
             summary="批量录入或更正考勤（一个事务：全部成功或全部不保存；错误指出第几项的哪个字段）")
def record_attendance_bulk(request, payload: AttendanceBulkIn):
    require_perm(request.auth, "org.view_attendance", internal=True)
    staff = Staff.objects.select_related("department").in_bulk({item.staff_id for item in payload.items})
    seen: dict[tuple[int, date], int] = {}
    records, created = [], 0
    with transaction.atomic():
        for index, item in enumerate(payload.items):
            try:
                person = staff.get(item.staff_id)
                if person is None:
                    raise BusinessError(_("员工不存在"), field="staff_id", code="not_found")
                if (item.staff_id, item.day) in seen:
                    raise BusinessError(_("与第 %(n)d 项是同一员工的同一天") % {"n": seen[item.staff_id, item.day] + 1},
                                        field="day", code="duplicate")
                seen[item.staff_id, item.day] = index
                record, new = _record(item, person, request.auth)
            except NotAllowed:
                raise
            except BusinessError as error:
                error.field = f"items.{index}.{error.field}" if error.field else f"items.{index}"
                error.message = _("第 %(n)d 项：%(message)s") % {"n": index + 1, "message": error.message}
                raise
            records.append(record.pk)
            created += new
    rows = _attendance().in_bulk(records)
    return {"created": created, "updated": len(records) - created,
            "items": [attendance_out(rows[pk]) for pk in records]}
