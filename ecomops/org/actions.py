"""Every change to the organisation, clients, stores and access grants goes through here.

Views, the API, the CLI and the demo builder call these functions; they check permissions and
scope, run in one transaction, and leave the audit history (django-simple-history) behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import delete_audited, save_audited
from ecomops.core.validate import apply_changes, save_checked, validate_model

from .enums import STAFF_FLOW, StaffState
from .models import (
    Client,
    ClientGrant,
    ClientMember,
    Department,
    Position,
    Staff,
    StaffPosition,
    Store,
    StoreGrant,
)
from .scoping import forget_scope, is_client_member, scope_for

User = get_user_model()

# An IntegrityError on save: the same unique value saved at the same moment by somebody else.
DUPLICATE = gettext_lazy("保存失败：编码或唯一字段与已有记录重复")


def require_perm(user, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise NotAllowed(_("您没有执行此操作的权限"))


# --- Departments and positions ---------------------------------------------------------------

DEPARTMENT_FIELDS = ("code", "name", "name_en", "parent", "is_group", "sort_order", "is_active")


@transaction.atomic
def create_department(*, user, **fields) -> Department:
    require_perm(user, "org.add_department")
    department = Department(**{k: v for k, v in fields.items() if k in DEPARTMENT_FIELDS})
    validate_model(department)
    save_checked(department, user=user, duplicate=DUPLICATE)
    return department


@transaction.atomic
def update_department(department: Department, *, user, **changes) -> Department:
    require_perm(user, "org.change_department")
    department = Department.objects.select_for_update().get(pk=department.pk)
    apply_changes(department, changes, DEPARTMENT_FIELDS)
    if department.parent_id is not None:
        # ORG-01 is a tree: a department cannot sit below itself.
        if department.parent_id == department.pk or department.parent_id in department.descendant_ids():
            raise BusinessError(_("上级部门不能是本部门或其下级部门"), field="parent")
    validate_model(department)
    save_checked(department, user=user, duplicate=DUPLICATE)
    return department


# --- Staff -----------------------------------------------------------------------------------

def _new_account(*, username: str, name: str, email: str = "", password: str | None = None):
    """A login account; without a password it cannot log in until an administrator sets one."""
    username = (username or "").strip()
    if not username:
        raise BusinessError(_("请填写登录账号"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessError(_("登录账号 %(u)s 已存在") % {"u": username}, field="username")
    account = User(username=username, email=email, first_name=name[:150])
    if password:
        account.set_password(password)
    else:
        account.set_unusable_password()
    account.save()
    return account


@transaction.atomic
def hire_staff(
    *,
    user,
    username: str,
    name: str,
    employee_no: str,
    department: Department,
    hired_on: date,
    positions: Iterable[Position] = (),
    primary_position: Position | None = None,
    job_level=None,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> Staff:
    """Create the login account and the staff record; the positions give the permissions."""
    require_perm(user, "org.add_staff")
    account = _new_account(username=username, name=name, email=email, password=password)
    staff = Staff(
        user=account, name=name, employee_no=employee_no, department=department, hired_on=hired_on,
        job_level=job_level, phone=phone,
    )
    validate_model(staff)
    save_checked(staff, user=user, duplicate=DUPLICATE)
    set_positions(staff, list(positions), primary=primary_position, user=user, check=False)
    _raise_pending_acknowledgements(staff)
    return staff


def _raise_pending_acknowledgements(staff: Staff) -> None:
    """ORG-06: a new employee signs the regulation in force and any announced future version."""
    from ecomops.audit import dues
    from ecomops.policy.actions import ACK_DUE_KIND, acknowledgement_deadline, regulation_in_force
    from ecomops.policy.models import RegulationVersion

    today = timezone.localdate()
    current = regulation_in_force(today)
    versions = list(RegulationVersion.objects.filter(published_at__isnull=False, effective_from__gt=today))
    if current is not None:
        versions.append(current)
    end_of_today = timezone.make_aware(datetime.combine(today, time.max), timezone.get_current_timezone())
    for regulation in versions:
        dues.raise_due(
            kind=ACK_DUE_KIND,
            owner=staff.user,
            title=_("签署制度承诺书：%(code)s %(title)s") % {"code": regulation.code, "title": regulation.title},
            due_at=max(acknowledgement_deadline(regulation), end_of_today),
            source=regulation,
            clause="ORG-06",
            link=f"/policy/regulations/{regulation.pk}/",
        )


STAFF_FIELDS = ("name", "department", "job_level", "phone", "hired_on")


@transaction.atomic
def update_staff(staff: Staff, *, user, **changes) -> Staff:
    require_perm(user, "org.change_staff")
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    apply_changes(staff, changes, STAFF_FIELDS)
    validate_model(staff)
    save_checked(staff, user=user, duplicate=DUPLICATE)
    return staff


@transaction.atomic
def set_positions(staff: Staff, positions: list[Position], *, user, primary: Position | None = None,
                  check: bool = True) -> None:
    """ORG-02: the positions a person holds; their Django groups follow, so permissions follow."""
    if check:
        require_perm(user, "org.change_staff")
    staff = Staff.objects.select_for_update().get(pk=staff.pk)  # the caller's copy may be stale
    if staff.status != StaffState.ACTIVE:
        raise BusinessError(_("该员工已离职，不能调整岗位"), field="positions")
    if primary is not None and primary not in positions:
        positions = [primary, *positions]
    wanted = {p.pk: p for p in positions}
    current = {link.position_id: link for link in staff.position_links.all()}
    for position_id, link in current.items():
        if position_id not in wanted:
            delete_audited(link, user=user)
    for position_id, position in wanted.items():
        is_primary = primary is not None and position.pk == primary.pk
        link = current.get(position_id)
        if link is None:
            link = StaffPosition(staff=staff, position=position, is_primary=is_primary, since=timezone.localdate())
            save_checked(link, user=user, duplicate=DUPLICATE)
        elif link.is_primary != is_primary:
            link.is_primary = is_primary
            save_checked(link, user=user, duplicate=DUPLICATE)
    position_groups = set(Position.objects.values_list("group_id", flat=True))
    staff.user.groups.remove(*[g for g in staff.user.groups.all() if g.pk in position_groups])
    staff.user.groups.add(*[p.group for p in positions])
    forget_scope(staff.user)


@transaction.atomic
def staff_leaves(staff: Staff, *, user, left_on: date) -> Staff:
    """The person leaves: the account can no longer log in; the record and history stay."""
    require_perm(user, "org.change_staff")
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if staff.status == StaffState.LEFT:
        message = _("该员工已于 %(day)s 离职") % {"day": staff.left_on} if staff.left_on else _("该员工已离职")
        raise Conflict(message, field="left_on", code="already_left")
    if left_on < staff.hired_on:
        raise BusinessError(_("离职日期不能早于入职日期"), field="left_on")
    transition(staff, StaffState.LEFT, flow=STAFF_FLOW, field="status", user=user, changes={"left_on": left_on})
    account = staff.user
    account.is_active = False
    account.save(update_fields=["is_active"])
    account.groups.clear()
    return staff


# --- Clients and stores ----------------------------------------------------------------------

CLIENT_FIELDS = ("code", "name", "name_en", "is_self", "contact_name", "contact_phone", "status",
                 "contract_start", "contract_end")
STORE_FIELDS = ("code", "name", "client", "platform", "platform_shop_id", "main_category", "status", "opened_on")


def require_staff_perm(user, perm: str) -> None:
    """A signed-in user holding ``perm`` who is company staff: a client's own user only looks (AGY-07)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise NotAllowed(_("您没有执行此操作的权限"))
    if is_client_member(user):
        raise NotAllowed(_("委托方用户只能查看，不能办理此操作"))


def require_internal(user) -> None:
    """Refuse a client's own user (AGY-07): company work is done by the company's staff."""
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能执行此操作"))


_require_internal = require_internal


@transaction.atomic
def create_client(*, user, **fields) -> Client:
    require_perm(user, "org.add_client")
    _require_internal(user)
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    validate_model(client)
    save_checked(client, user=user, duplicate=DUPLICATE)
    if not scope_for(user).all:
        # Whoever signs a client up can work on it.
        save_checked(ClientGrant(user=user, client=client, granted_by=user), user=user, duplicate=DUPLICATE)
        forget_scope(user)
    return client


@transaction.atomic
def update_client(client: Client, *, user, **changes) -> Client:
    require_perm(user, "org.change_client")
    _require_internal(user)
    if not scope_for(user).sees_client(client.pk):
        raise NotAllowed(_("您无权修改该委托方"))
    client = Client.objects.select_for_update().get(pk=client.pk)
    apply_changes(client, changes, CLIENT_FIELDS)
    validate_model(client)
    save_checked(client, user=user, duplicate=DUPLICATE)
    return client


@transaction.atomic
def create_store(*, user, client: Client, **fields) -> Store:
    require_perm(user, "org.add_store")
    _require_internal(user)
    if not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    store = Store(client=client, **{k: v for k, v in fields.items() if k in STORE_FIELDS and k != "client"})
    validate_model(store)
    save_checked(store, user=user, duplicate=DUPLICATE)
    forget_scope(user)
    return store


@transaction.atomic
def update_store(store: Store, *, user, **changes) -> Store:
    require_perm(user, "org.change_store")
    _require_internal(user)
    scope = scope_for(user)
    if not scope.sees_store(store.pk):
        raise NotAllowed(_("您无权修改该店铺"))
    if "client" in changes and not scope.sees_client(changes["client"].pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    store = Store.objects.select_for_update().get(pk=store.pk)
    apply_changes(store, changes, STORE_FIELDS)
    validate_model(store)
    save_checked(store, user=user, duplicate=DUPLICATE)
    return store


# --- Access grants ---------------------------------------------------------------------------

def _grantor(user) -> None:
    require_perm(user, "org.add_clientgrant")
    _require_internal(user)


def _grantee(grantee) -> None:
    if not grantee.is_active:
        raise BusinessError(_("该账号已停用，不能授权"), field="user")


@transaction.atomic
def grant_client(grantee, client: Client, *, user) -> ClientGrant:
    """Grant a whole client; the granting user can only pass on what they see whole themselves."""
    _grantor(user)
    _grantee(grantee)
    if not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    if is_client_member(grantee):
        raise BusinessError(_("委托方用户只能查看本委托方，不能再授权其他委托方"), field="user")
    grant = ClientGrant.objects.filter(user=grantee, client=client).first()
    if grant is None:
        grant = ClientGrant(user=grantee, client=client, granted_by=user)
        save_checked(grant, user=user, duplicate=DUPLICATE)
    forget_scope(grantee)
    return grant


@transaction.atomic
def grant_store(grantee, store: Store, *, user) -> StoreGrant:
    _grantor(user)
    _grantee(grantee)
    if not scope_for(user).sees_store(store.pk):
        raise BusinessError(_("店铺不存在"), field="store", code="not_found")
    if is_client_member(grantee):
        raise BusinessError(_("委托方用户只能查看本委托方，不能再授权其他店铺"), field="user")
    grant = StoreGrant.objects.filter(user=grantee, store=store).first()
    if grant is None:
        grant = StoreGrant(user=grantee, store=store, granted_by=user)
        save_checked(grant, user=user, duplicate=DUPLICATE)
    forget_scope(grantee)
    return grant


@transaction.atomic
def revoke_grants(grantee, *, user, clients: Iterable[Client] = (), stores: Iterable[Store] = ()) -> int:
    """Revoke grants; only those the revoking user could have given (inside their own scope)."""
    _grantor(user)
    scope = scope_for(user)
    clients, stores = list(clients), list(stores)
    if any(not scope.sees_client(c.pk) for c in clients) or any(not scope.sees_store(s.pk) for s in stores):
        raise BusinessError(_("授权不存在"), code="not_found")
    removed = 0
    for grant in ClientGrant.objects.filter(user=grantee, client__in=list(clients)):
        delete_audited(grant, user=user)
        removed += 1
    for grant in StoreGrant.objects.filter(user=grantee, store__in=list(stores)):
        delete_audited(grant, user=user)
        removed += 1
    forget_scope(grantee)
    return removed


@transaction.atomic
def add_client_member(*, user, client: Client, username: str, name: str, password: str | None = None,
                      title: str = "", email: str = "") -> ClientMember:
    """A client's own staff member gets a login that sees that client only (AGY-07)."""
    require_perm(user, "org.add_clientmember")
    _require_internal(user)
    if not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    account = _new_account(username=username, name=name, email=email, password=password)
    member = ClientMember(user=account, client=client, title=title)
    save_checked(member, user=user, duplicate=DUPLICATE)
    from .seed import role_group

    account.groups.add(role_group("client_user"))
    return member


# --- Company and job levels (ORG-05) ---------------------------------------------------------

COMPANY_FIELDS = ("name", "name_en", "kind", "credit_code")
JOB_LEVEL_FIELDS = ("ladder", "code", "name", "name_en", "rank", "salary_min", "salary_max", "review_months")


@transaction.atomic
def save_company(*, user, **fields):
    """The company running this installation (one row): create it or change it."""
    from .models import Company

    require_perm(user, "org.change_company")
    company = Company.objects.select_for_update().first() or Company()
    apply_changes(company, fields, COMPANY_FIELDS)
    validate_model(company)
    save_checked(company, user=user, duplicate=DUPLICATE)
    return company


@transaction.atomic
def create_job_level(*, user, **fields):
    from .models import JobLevel

    require_perm(user, "org.add_joblevel")
    level = JobLevel(**{k: v for k, v in fields.items() if k in JOB_LEVEL_FIELDS})
    validate_model(level)
    save_checked(level, user=user, duplicate=DUPLICATE)
    return level


@transaction.atomic
def update_job_level(level, *, user, **changes):
    """A salary band changes as a new history row; pay slips keep the figures they used."""
    from .models import JobLevel

    require_perm(user, "org.change_joblevel")
    level = JobLevel.objects.select_for_update().get(pk=level.pk)
    apply_changes(level, changes, JOB_LEVEL_FIELDS)
    validate_model(level)
    save_checked(level, user=user, duplicate=DUPLICATE)
    return level


# --- The working-day calendar (ORG-04, PER-13) ------------------------------------------------

CALENDAR_PERM = "org.change_calendarday"


@transaction.atomic
def set_calendar_day(*, user, day: date, is_working: bool, name: str = "", note: str = ""):
    """Add or correct one day of the working-day calendar by hand: the row becomes manual, and a
    later reload of the statutory data leaves it alone."""
    from .enums import CalendarSource
    from .models import CalendarDay

    require_perm(user, CALENDAR_PERM)
    _require_internal(user)
    row = CalendarDay.objects.select_for_update().filter(date=day).first() or CalendarDay(date=day)
    row.is_working, row.name, row.note = bool(is_working), (name or "").strip(), (note or "").strip()
    row.source = CalendarSource.MANUAL
    validate_model(row)
    save_checked(row, user=user, reason=_("手工维护工作日历"), duplicate=DUPLICATE)
    return row


def load_statutory_calendar(year: int, *, user):
    """Load a year's statutory holidays and make-up working days (manual days stay as they are)."""
    from .calendar import load_statutory_year

    require_perm(user, CALENDAR_PERM)
    _require_internal(user)
    return load_statutory_year(year, user=user)


# --- Attendance and leave (ORG-04) -----------------------------------------------------------

@transaction.atomic
def record_attendance(staff: Staff, *, user, day: date, kind: str, clock_in=None, clock_out=None,
                      late_minutes: int = 0, early_leave_minutes: int = 0, note: str = ""):
    """Record (or correct) one day's attendance; a correction is a new history row, never silent."""
    from .enums import AttendanceKind
    from .models import Attendance

    require_perm(user, "org.add_attendance")
    if kind not in AttendanceKind.values:
        raise BusinessError(_("出勤类型不正确"), field="kind")
    if kind in (AttendanceKind.LATE, AttendanceKind.LATE_AND_EARLY) and late_minutes <= 0:
        raise BusinessError(_("迟到须填写迟到分钟数"), field="late_minutes")
    if kind in (AttendanceKind.EARLY_LEAVE, AttendanceKind.LATE_AND_EARLY) and early_leave_minutes <= 0:
        raise BusinessError(_("早退须填写早退分钟数"), field="early_leave_minutes")
    if staff.hired_on > day or (staff.left_on is not None and day > staff.left_on):
        raise BusinessError(_("该日期员工不在职"), field="day")
    record = Attendance.objects.select_for_update().filter(staff=staff, date=day).first() or Attendance(
        staff=staff, date=day
    )
    if record.pk is not None and (record.kind, record.clock_in, record.clock_out, record.late_minutes,
                                  record.early_leave_minutes, record.note) == (
            kind, clock_in, clock_out, late_minutes, early_leave_minutes, note):
        return record  # the same day recorded again (a repeated import): nothing to correct, no history row
    record.kind, record.clock_in, record.clock_out = kind, clock_in, clock_out
    record.late_minutes, record.early_leave_minutes, record.note = late_minutes, early_leave_minutes, note
    validate_model(record)
    save_checked(record, user=user, duplicate=DUPLICATE)
    return record


@transaction.atomic
def request_leave(staff: Staff, *, user, kind: str, start_date: date, end_date: date, reason: str,
                  certificate=None):
    """A written leave request (ORG-04); sick leave needs the hospital certificate attached."""
    from .enums import AttendanceKind
    from .models import LeaveRequest

    if user != staff.user and not user.has_perm("org.add_leaverequest"):
        raise NotAllowed(_("只能为本人提交请假申请"))
    if end_date < start_date:
        raise BusinessError(_("结束日期不能早于开始日期"), field="end_date")
    if not (reason or "").strip():
        raise BusinessError(_("请填写请假事由"), field="reason")
    if kind == AttendanceKind.SICK_LEAVE and not certificate:
        raise BusinessError(_("病假须附医院证明"), field="certificate")
    leave = LeaveRequest(staff=staff, kind=kind, start_date=start_date, end_date=end_date, reason=reason.strip())
    if certificate:
        from ecomops.core.uploads import random_name

        leave.certificate = random_name(certificate)  # health data: the stored name says nothing
    validate_model(leave)
    save_checked(leave, user=user, duplicate=DUPLICATE)
    return leave


@transaction.atomic
def decide_leave(leave, *, user, approve: bool):
    from .enums import LEAVE_FLOW, LeaveState
    from .models import LeaveRequest

    require_perm(user, "org.change_leaverequest")
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    if leave.status != LeaveState.PENDING:
        raise BusinessError(_("该请假申请已处理"), code="already_decided")
    if leave.staff.user_id == user.pk:
        raise NotAllowed(_("不能审批本人的请假申请"))
    transition(leave, LeaveState.APPROVED if approve else LeaveState.REJECTED, flow=LEAVE_FLOW, field="status",
               user=user, changes={"decided_by": user, "decided_at": timezone.now()})
    return leave


# --- Passwords (DAT-02) ----------------------------------------------------------------------

PASSWORD_ADMIN_PERM = "auth.change_user"


def must_change_password(user) -> bool:
    """Whether ``user`` must choose a new password before doing anything else (read once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_ecomops_must_change_password", None)
    if cached is None:
        from .models import PasswordState

        cached = PasswordState.objects.filter(user_id=user.pk, must_change=True).exists()
        user._ecomops_must_change_password = cached
    return cached


@transaction.atomic
def require_password_change(account, *, user, required: bool = True):
    """An administrator (``auth.change_user``) requires ``account`` to choose a new password at its next
    request, or withdraws that. Its web pages lead to the change page and its API tokens are refused
    until it has changed its password. Kept in the account's history (who, when)."""
    from .models import PasswordState

    require_perm(user, PASSWORD_ADMIN_PERM)
    state, _created = PasswordState.objects.select_for_update().get_or_create(user=account)
    if state.must_change != required:
        state.must_change = required
        state.required_by, state.required_at = user, timezone.now()
        save_checked(state, user=user, reason=_("要求修改密码") if required else _("撤销修改密码要求"),
                     duplicate=DUPLICATE)
    account._ecomops_must_change_password = required
    return state


def change_own_password(user, *, old_password: str, new_password: str):
    """The signed-in person changes their own password: the old one first, then Django's password
    validators. The requirement to change it clears; an AuthEvent records the change (with the
    address). Other sessions of the account end at their next request (Django checks the session's
    password hash); the caller keeps the current one (``update_session_auth_hash``).

    Wrong old passwords count as failed sign-ins, so the login limits hold here too."""
    from django.contrib.auth import password_validation

    from ecomops.audit import throttle
    from ecomops.audit.middleware import client_ip, current_request
    from ecomops.audit.models import AuthEventKind

    from .models import PasswordState

    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("请先登录"))
    request = current_request()
    state = throttle.check(user.get_username(), client_ip(request))
    if state.blocked:
        raise BusinessError(_("密码错误次数过多，请稍后再试"), field="old_password", code="throttled")
    if not user.check_password(old_password or ""):
        throttle.record(AuthEventKind.FAILED, username=user.get_username(), request=request, user=user,
                        channel="password")
        raise BusinessError(_("原密码不正确"), field="old_password")
    if new_password == old_password:
        raise BusinessError(_("新密码不能与原密码相同"), field="new_password1")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise BusinessError(" ".join(error.messages), field="new_password1") from None
    # Only now one transaction: a refused attempt above stays recorded.
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        account.set_password(new_password)
        save_audited(account, user=user, reason=_("本人修改密码"), update_fields=["password"])
        password_state, _created = PasswordState.objects.select_for_update().get_or_create(user=account)
        password_state.must_change = False
        password_state.changed_at = timezone.now()
        save_checked(password_state, user=user, reason=_("本人修改密码"), duplicate=DUPLICATE)
        throttle.record(AuthEventKind.PASSWORD_CHANGED, username=user.get_username(), request=request,
                        user=account)
    user.password = account.password  # the caller's copy: its session hash must follow
    user._ecomops_must_change_password = False
    return account
