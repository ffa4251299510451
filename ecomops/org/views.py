"""Pages of the organisation: clients and stores (AGY-07, scoped by DAT-02), departments (ORG-01),
staff with positions (ORG-02), job levels (ORG-05) and attendance (ORG-04).

Views stay thin: they scope, filter and render; every change goes through ``org.actions``.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.audit import masking
from ecomops.core.access import opens_when
from ecomops.core.decorators import internal_page, page
from ecomops.core.errors import NotAllowed
from ecomops.core.forms import submit
from ecomops.core.templatetags.ecomops_ui import loc

from . import actions, queries
from .enums import StaffState
from .forms import (
    ALL,
    AttendanceImportForm,
    CalendarDayForm,
    CalendarLoadForm,
    ClientFilterForm,
    ClientForm,
    ClientGrantForm,
    ClientMemberForm,
    HireForm,
    PositionsForm,
    StaffDataForm,
    StaffFilterForm,
    StaffLeaveForm,
    StoreFilterForm,
    StoreForm,
    StoreGrantForm,
    department_outline,
)
from .models import (
    Attendance,
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
from .scoping import get_visible_or_404, is_client_member, scope_for

PER_PAGE = 25
PERSONAL_PERM = "org.view_staff_personal"
# Who may hand out and take back client and store grants (DAT-02); the action checks it again.
GRANT_PERM = "org.add_clientgrant"
# A client's contact phone is shown in full to those who manage the client (LAW-04).
CONTACT_PERM = "org.change_client"


def paginate(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def last_change(record):
    """The latest audit-history row of a record: who changed it last, and when (DAT-02)."""
    history = getattr(record, "history", None)
    return (
        history.select_related("history_user").order_by("-history_date", "-history_id").first()
        if history
        else None
    )


# --- Clients ---------------------------------------------------------------------------------


def _may_list_clients(user) -> bool:
    return user.has_perm("org.view_client") or user.has_perm("org.view_store")


@opens_when(_may_list_clients)
@login_required
def client_list(request):
    if not request.user.has_perm("org.view_client"):
        if request.user.has_perm("org.view_store"):
            return redirect("org:stores")
        raise PermissionDenied
    form = ClientFilterForm(request.GET or None)
    clients = Client.objects.visible_to(request.user).order_by("code")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            clients = clients.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
        if form.cleaned_data["status"]:
            clients = clients.filter(status=form.cleaned_data["status"])
    page_obj = paginate(request, clients)
    store_counts = dict(
        Store.objects.visible_to(request.user)
        .filter(client__in=[c.pk for c in page_obj.object_list])
        .values("client")
        .annotate(n=Count("pk"))
        .values_list("client", "n")
    )
    for client in page_obj.object_list:
        client.visible_store_count = store_counts.get(client.pk, 0)
    return render(
        request,
        "org/client_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "clients": page_obj.object_list,
            "can_add": request.user.has_perm("org.add_client") and not is_client_member(request.user),
        },
    )


@page("org.view_client")
def client_detail(request, pk: int):
    client = get_visible_or_404(Client, request.user, pk=pk)
    stores = (
        Store.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("platform")
        .order_by("code")
    )
    scope = scope_for(request.user)
    internal = not is_client_member(request.user)
    return render(
        request,
        "org/client_detail.html",
        {
            "client": client,
            "stores": stores,
            "contact_phone_masked": masking.mask_phone(client.contact_phone),
            "can_reveal_phone": bool(client.contact_phone)
            and internal
            and request.user.has_perm(CONTACT_PERM),
            "whole_client": scope.sees_client(client.pk),
            "can_edit": internal
            and request.user.has_perm("org.change_client")
            and scope.sees_client(client.pk),
            "can_add_store": internal
            and request.user.has_perm("org.add_store")
            and scope.sees_client(client.pk),
            "last_change": last_change(client),
            **_client_members_context(request.user, client),
        },
    )


def _client_members_context(user, client) -> dict:
    """The client's own logins (AGY-07), for the agency's people who manage them and see the client whole."""
    can_manage = (
        not is_client_member(user) and user.has_perm("org.add_clientmember") and scope_for(user).sees_client(client.pk)
    )
    if not can_manage:
        return {"can_manage_members": False}
    members = ClientMember.objects.filter(client=client).select_related("user").order_by("user__username")
    return {"can_manage_members": True, "members": members}


@internal_page("org.add_clientmember")
def client_member_create(request, pk: int):
    """委托方用户: a login for one of the client's own people, seeing that client only (AGY-07)."""
    client = get_visible_or_404(Client, request.user, pk=pk)
    if not scope_for(request.user).sees_client(client.pk):
        raise Http404  # seen only through one of its stores: its logins are not theirs to hand out
    form = ClientMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = submit(
            form,
            actions.add_client_member,
            user=request.user,
            client=client,
            username=data["username"],
            name=data["name"],
            title=data["title"],
            email=data["email"],
            password=data["password"],
        )
        if member is not None:
            messages.success(
                request,
                _("已为委托方 %(client)s 添加用户 %(username)s")
                % {"client": client.name, "username": member.user.get_username()},
            )
            return redirect("org:client_detail", pk=client.pk)
    return render(request, "org/client_member_form.html", {"form": form, "client": client})


@require_POST
@internal_page(("org.view_client", CONTACT_PERM))
def client_phone(request, pk: int):
    """Show a client's contact phone in full on request; the read is logged (LAW-04, DAT-02)."""
    client = get_visible_or_404(Client, request.user, pk=pk)
    phone = masking.personal_value(
        request.user,
        client,
        "contact_phone",
        perm=CONTACT_PERM,
        request=request,
        purpose=_("委托方详情页查看联系电话"),
    )
    context = {"client": client, "phone": phone, "revealed": True}
    return render(request, "org/client_detail.html#contact-phone", context)


@internal_page("org.add_client")
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = submit(form, actions.create_client, user=request.user, **form.cleaned_data)
        if client is not None:
            messages.success(request, _("已创建委托方 %(name)s") % {"name": client.name})
            return redirect("org:client_detail", pk=client.pk)
    return render(request, "org/client_form.html", {"form": form, "client": None})


@internal_page("org.change_client")
def client_edit(request, pk: int):
    client = get_visible_or_404(Client, request.user, pk=pk)
    if not scope_for(request.user).sees_client(client.pk):
        raise Http404  # seen only through one of its stores: the client itself is not theirs to edit
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_client, client, user=request.user, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存委托方 %(name)s") % {"name": saved.name})
            return redirect("org:client_detail", pk=saved.pk)
    return render(request, "org/client_form.html", {"form": form, "client": Client.objects.get(pk=pk)})


# --- Stores ----------------------------------------------------------------------------------


@page("org.view_store")
def store_list(request):
    form = StoreFilterForm(request.GET or None, user=request.user)
    stores = Store.objects.visible_to(request.user).select_related("client", "platform").order_by("code")
    if form.is_valid():
        data = form.cleaned_data
        q = data["q"].strip()
        if q:
            stores = stores.filter(
                Q(code__icontains=q)
                | Q(name__icontains=q)
                | Q(platform_shop_id__icontains=q)
                | Q(main_category__icontains=q)
            )
        if data["client"]:
            stores = stores.filter(client=data["client"])
        if data["platform"]:
            stores = stores.filter(platform=data["platform"])
        if data["status"]:
            stores = stores.filter(status=data["status"])
    page_obj = paginate(request, stores)
    return render(
        request,
        "org/store_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "stores": page_obj.object_list,
            "can_add": request.user.has_perm("org.add_store") and not is_client_member(request.user),
        },
    )


@page("org.view_store")
def store_detail(request, pk: int):
    store = get_visible_or_404(Store.objects.select_related("client", "platform"), request.user, pk=pk)
    internal = not is_client_member(request.user)
    return render(
        request,
        "org/store_detail.html",
        {
            "store": store,
            "can_edit": internal and request.user.has_perm("org.change_store"),
            "can_view_client": request.user.has_perm("org.view_client"),
            "last_change": last_change(store),
        },
    )


@internal_page("org.add_store")
def store_create(request):
    initial = {}
    if request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    form = StoreForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        client = fields.pop("client")
        store = submit(form, actions.create_store, user=request.user, client=client, **fields)
        if store is not None:
            messages.success(request, _("已创建店铺 %(name)s") % {"name": store.name})
            return redirect("org:store_detail", pk=store.pk)
    return render(request, "org/store_form.html", {"form": form, "store": None})


@internal_page("org.change_store")
def store_edit(request, pk: int):
    store = get_visible_or_404(Store, request.user, pk=pk)
    form = StoreForm(request.POST or None, instance=store, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_store, store, user=request.user, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存店铺 %(name)s") % {"name": saved.name})
            return redirect("org:store_detail", pk=saved.pk)
    return render(request, "org/store_form.html", {"form": form, "store": Store.objects.get(pk=pk)})


# --- Departments -----------------------------------------------------------------------------


def _tree(outline):
    """Nest the outline for the template: [{department, children: [...]}]."""
    roots, stack = [], []
    for department, depth in outline:
        node = {"department": department, "children": []}
        del stack[depth:]
        (stack[-1]["children"] if stack else roots).append(node)
        stack.append(node)
    return roots


@internal_page("org.view_department")
def department_list(request):
    departments = list(Department.objects.all())
    counts = dict(
        Staff.objects.filter(status=StaffState.ACTIVE)
        .values("department")
        .annotate(n=Count("pk"))
        .values_list("department", "n")
    )
    outline = department_outline(departments)
    # A department's head count includes its groups.
    below: dict[int, int] = {}
    for department, _depth in reversed(outline):
        total = counts.get(department.pk, 0) + sum(
            below.get(child.pk, 0) for child in departments if child.parent_id == department.pk
        )
        below[department.pk] = total
    for department, _depth in outline:
        department.own_count = counts.get(department.pk, 0)
        department.total_count = below.get(department.pk, 0)
    return render(
        request,
        "org/department_list.html",
        {
            "tree": _tree(outline),
            "department_count": len(departments),
            "staff_count": sum(counts.values()),
            "can_view_staff": request.user.has_perm("org.view_staff"),
        },
    )


@internal_page("org.view_department")
def department_detail(request, pk: int):
    department = get_object_or_404(Department.objects.select_related("parent"), pk=pk)
    include_groups = request.GET.get("groups", "1") != "0"
    ids = department.descendant_ids() if include_groups else {department.pk}
    can_view_staff = request.user.has_perm("org.view_staff")
    staff_page = None
    if can_view_staff:
        staff = (
            Staff.objects.filter(department_id__in=ids, status=StaffState.ACTIVE)
            .select_related("department", "job_level")
            .prefetch_related(_positions_prefetch())
            .order_by("employee_no")
        )
        staff_page = paginate(request, staff)
    return render(
        request,
        "org/department_detail.html",
        {
            "department": department,
            "ancestors": department.ancestors(),
            "children": department.children.order_by("sort_order", "code"),
            "positions": Position.objects.filter(department_hint=department.code).order_by(
                "sort_order", "code"
            ),
            "include_groups": include_groups,
            "can_view_staff": can_view_staff,
            "page_obj": staff_page,
            "staff_list": staff_page.object_list if staff_page else [],
        },
    )


# --- Staff -----------------------------------------------------------------------------------


def _positions_prefetch():
    return Prefetch(
        "position_links",
        queryset=StaffPosition.objects.select_related("position").order_by(
            "-is_primary", "position__sort_order"
        ),
    )


@internal_page("org.view_staff")
def staff_list(request):
    form = StaffFilterForm(request.GET or None)
    staff = (
        Staff.objects.select_related("department", "job_level", "user")
        .prefetch_related(_positions_prefetch())
        .order_by("employee_no")
    )
    status = StaffState.ACTIVE
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or StaffState.ACTIVE
        q = data["q"].strip()
        if q:
            staff = staff.filter(
                Q(name__icontains=q) | Q(employee_no__icontains=q) | Q(user__username__icontains=q)
            )
        if data["department"]:
            department = Department.objects.filter(pk=data["department"]).first()
            if department is not None:
                staff = staff.filter(department_id__in=department.descendant_ids())
        if data["position"]:
            staff = staff.filter(position_links__position=data["position"]).distinct()
    if status != ALL:
        staff = staff.filter(status=status)
    page_obj = paginate(request, staff)
    # The list shows phone numbers masked for everybody (LAW-04): the full number is read one person
    # at a time on the staff page, where the read is logged (DAT-02).
    for person in page_obj.object_list:
        person.phone_masked = masking.mask_phone(person.phone)
    return render(
        request,
        "org/staff_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "staff_list": page_obj.object_list,
            "status": status,
            "can_add": request.user.has_perm("org.add_staff"),
        },
    )


def _staff_or_404(pk: int) -> Staff:
    return get_object_or_404(
        Staff.objects.select_related("department", "job_level", "user").prefetch_related(_positions_prefetch()),
        pk=pk,
    )


def _staff_context(request, person: Staff, **access) -> dict:
    """Everything the staff page shows; ``access`` carries the bound grant forms after a refusal."""
    today = timezone.localdate()
    user = request.user
    active = person.status == StaffState.ACTIVE
    context = {
        "person": person,
        "phone_masked": masking.mask_phone(person.phone),
        "can_reveal_phone": bool(person.phone) and user.has_perm(PERSONAL_PERM),
        "can_view_levels": user.has_perm("org.view_joblevel"),
        "can_view_attendance": user.has_perm("org.view_attendance"),
        "can_change": user.has_perm("org.change_staff"),
        "can_change_positions": active and user.has_perm("org.change_staff"),
        "can_leave": active and user.has_perm("org.change_staff"),
        "can_require_password": user.has_perm(actions.PASSWORD_ADMIN_PERM),
        "must_change_password": actions.must_change_password(person.user),
        "last_change": last_change(person),
    }
    if user.has_perm(GRANT_PERM):
        context["access"] = _access_context(request, person, **access)
    if context["can_view_levels"]:
        context["salary_band"] = queries.salary_band_of(person)
    if context["can_view_attendance"]:
        # This month and the one before (the month payroll works on, ORG-04).
        previous = today.replace(day=1) - timedelta(days=1)
        months = []
        for year, month in ((today.year, today.month), (previous.year, previous.month)):
            first, last = queries.month_bounds(year, month)
            summary = queries.month_attendance([person.pk], year, month)[person.pk]
            minutes = Attendance.objects.filter(staff=person, date__range=(first, last)).aggregate(
                late=Sum("late_minutes"), early=Sum("early_leave_minutes")
            )
            months.append(
                {
                    "start": first,
                    "summary": summary,
                    "late_minutes": minutes["late"] or 0,
                    "early_minutes": minutes["early"] or 0,
                }
            )
        context.update(
            {
                "months": months,
                "recent_attendance": Attendance.objects.filter(staff=person).order_by("-date")[:10],
            }
        )
    return context


@internal_page("org.view_staff")
def staff_detail(request, pk: int):
    person = _staff_or_404(pk)
    return render(request, "org/staff_detail.html", _staff_context(request, person))


@internal_page("org.add_staff")
def staff_create(request):
    """新员工: the login account, the staff record and the positions in one step (ORG-02, ORG-06)."""
    form = HireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = submit(
            form,
            actions.hire_staff,
            user=request.user,
            username=data["username"],
            name=data["name"],
            employee_no=data["employee_no"],
            department=data["department"],
            hired_on=data["hired_on"],
            positions=data["positions"],
            primary_position=data["primary_position"],
            job_level=data["job_level"],
            phone=data["phone"],
            email=data["email"],
            password=data["password"],
        )
        if person is not None:
            if data["password"]:
                messages.success(request, _("已办理入职：%(name)s") % {"name": person.name})
            else:
                messages.warning(
                    request,
                    _("已办理入职：%(name)s。尚未设置密码，该账号暂不能登录") % {"name": person.name},
                )
            if request.user.has_perm("org.view_staff"):
                return redirect("org:staff_detail", pk=person.pk)
            return redirect("org:staff_create")
    return render(request, "org/staff_form.html", {"form": form, "person": None})


@internal_page(("org.view_staff", "org.change_staff"))
def staff_edit(request, pk: int):
    person = _staff_or_404(pk)
    form = StaffDataForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_staff, person, user=request.user, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存员工 %(name)s") % {"name": saved.name})
            return redirect("org:staff_detail", pk=saved.pk)
    return render(request, "org/staff_form.html", {"form": form, "person": Staff.objects.get(pk=pk)})


@internal_page(("org.view_staff", "org.change_staff"))
def staff_positions(request, pk: int):
    """ORG-02: change the positions a person holds; the account's permission groups follow."""
    person = _staff_or_404(pk)
    if person.status != StaffState.ACTIVE:
        messages.warning(request, _("该员工已离职，不能调整岗位"))
        return redirect("org:staff_detail", pk=person.pk)
    form = PositionsForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        done = submit(
            form,
            _set_positions,
            Staff.objects.get(pk=person.pk),
            form.cleaned_data["positions"],
            user=request.user,
            primary=form.cleaned_data["primary_position"],
        )
        if done:
            messages.success(request, _("已调整 %(name)s 的岗位，权限已随岗位更新") % {"name": person.name})
            return redirect("org:staff_detail", pk=person.pk)
    return render(request, "org/staff_positions.html", {"form": form, "person": person})


def _set_positions(*args, **kwargs) -> bool:
    actions.set_positions(*args, **kwargs)
    return True


@internal_page(("org.view_staff", "org.change_staff"))
def staff_leave(request, pk: int):
    """办理离职: the record and its history stay; the login is switched off at once."""
    person = _staff_or_404(pk)
    if person.status != StaffState.ACTIVE:
        messages.info(request, _("该员工已离职"))
        return redirect("org:staff_detail", pk=person.pk)
    form = StaffLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        left = submit(form, actions.staff_leaves, person, user=request.user, left_on=form.cleaned_data["left_on"])
        if left is not None:
            messages.success(request, _("已为 %(name)s 办理离职，登录账号已停用") % {"name": left.name})
            return redirect("org:staff_detail", pk=left.pk)
    return render(request, "org/staff_leave.html", {"form": form, "person": person})


# --- Access scope of a person: client and store grants (DAT-02) --------------------------------


def _access_context(request, person: Staff, *, client_form=None, store_form=None, notice: str = "") -> dict:
    """The grants of one person, as far as the acting user may see them, and the forms to add more.

    Grants of clients or stores outside the acting user's own scope are counted, never named: their
    existence must not leak (DAT-02). The summary is the person's effective scope."""
    actor, grantee = request.user, person.user
    mine = scope_for(actor)
    client_grants = list(
        ClientGrant.objects.filter(user=grantee).select_related("client", "granted_by").order_by("client__code")
    )
    store_grants = list(
        StoreGrant.objects.filter(user=grantee)
        .select_related("store__client", "store__platform", "granted_by")
        .order_by("store__client__code", "store__code")
    )
    shown_clients = [g for g in client_grants if mine.sees_client(g.client_id)]
    shown_stores = [g for g in store_grants if mine.sees_store(g.store_id)]
    theirs = scope_for(grantee)
    if not grantee.is_active:
        summary, note = _("账号已停用，看不到任何委托方与店铺"), ""
    elif theirs.all:
        summary = _("全部委托方")
        note = _("超级管理员或有“可查看全部委托方与店铺”权限的岗位：以下授权不影响其数据范围")
    elif not theirs.store_ids and not theirs.client_ids:
        summary, note = _("尚无数据范围"), _("未授权任何委托方或店铺：看不到任何业务数据")
    else:
        summary = _("%(clients)s 个委托方，%(stores)s 个店铺") % {
            "clients": len(theirs.client_ids),
            "stores": len(theirs.store_ids),
        }
        note = ""
    can_add = grantee.is_active and not is_client_member(actor)
    if can_add:
        client_form = client_form or ClientGrantForm(user=actor, grantee=grantee)
        store_form = store_form or StoreGrantForm(user=actor, grantee=grantee)
    return {
        "client_grants": shown_clients,
        "store_grants": shown_stores,
        "hidden_count": len(client_grants) - len(shown_clients) + len(store_grants) - len(shown_stores),
        "summary": summary,
        "note": note,
        "can_add": can_add,
        "client_form": client_form,
        "store_form": store_form,
        "notice": notice,
    }


def _access_response(request, person: Staff, *, done: str = "", **forms):
    """htmx re-renders the section; without scripts the page is redirected to (or shown with errors)."""
    if request.htmx:
        context = {"person": person, "access": _access_context(request, person, notice=done, **forms)}
        return render(request, "org/staff_detail.html#access", context)
    if done:
        messages.success(request, done)
        return redirect(reverse("org:staff_detail", args=[person.pk]) + "#staff-access")
    return render(request, "org/staff_detail.html", _staff_context(request, person, **forms))


@require_POST
@internal_page(("org.view_staff", GRANT_PERM))
def staff_grant_client(request, pk: int):
    person = _staff_or_404(pk)
    form = ClientGrantForm(request.POST, user=request.user, grantee=person.user)
    if form.is_valid():
        client = form.cleaned_data["client"]
        if submit(form, actions.grant_client, person.user, client, user=request.user) is not None:
            return _access_response(request, person, done=_("已授权委托方 %(name)s") % {"name": loc(client)})
    return _access_response(request, person, client_form=form)


@require_POST
@internal_page(("org.view_staff", GRANT_PERM))
def staff_grant_store(request, pk: int):
    person = _staff_or_404(pk)
    form = StoreGrantForm(request.POST, user=request.user, grantee=person.user)
    if form.is_valid():
        store = form.cleaned_data["store"]
        if submit(form, actions.grant_store, person.user, store, user=request.user) is not None:
            return _access_response(request, person, done=_("已授权店铺 %(name)s") % {"name": store.name})
    return _access_response(request, person, store_form=form)


@require_POST
@internal_page(("org.view_staff", GRANT_PERM))
def staff_revoke_grant(request, pk: int, kind: str, target: int):
    """Take back one grant. A grant outside the acting user's own scope does not exist for them (404)."""
    person = _staff_or_404(pk)
    mine = scope_for(request.user)
    if kind == "client":
        grant = ClientGrant.objects.select_related("client").filter(user=person.user, client_id=target).first()
        if grant is None or not mine.sees_client(grant.client_id):
            raise Http404
        revoke, name = {"clients": [grant.client]}, loc(grant.client)
    else:
        grant = StoreGrant.objects.select_related("store").filter(user=person.user, store_id=target).first()
        if grant is None or not mine.sees_store(grant.store_id):
            raise Http404
        revoke, name = {"stores": [grant.store]}, grant.store.name
    try:
        actions.revoke_grants(person.user, user=request.user, **revoke)
    except NotAllowed:
        raise PermissionDenied from None
    return _access_response(request, person, done=_("已撤销 %(name)s 的授权") % {"name": name})


@require_POST
@internal_page(("org.view_staff", actions.PASSWORD_ADMIN_PERM))
def staff_require_password_change(request, pk: int):
    """DAT-02: require (or no longer require) this person to choose a new password at the next request."""
    person = _staff_or_404(pk)
    required = request.POST.get("required") == "1"
    try:
        actions.require_password_change(person.user, user=request.user, required=required)
    except NotAllowed:
        raise PermissionDenied from None
    if required:
        messages.success(request, _("已要求 %(name)s 下次登录时修改密码") % {"name": person.name})
    else:
        messages.success(request, _("已取消对 %(name)s 修改密码的要求") % {"name": person.name})
    return redirect("org:staff_detail", pk=person.pk)


@require_POST
@internal_page(("org.view_staff", PERSONAL_PERM))
def staff_phone(request, pk: int):
    """Show one person's full phone number on request; the read is logged (LAW-04, DAT-02)."""
    person = get_object_or_404(Staff, pk=pk)
    phone = masking.personal_value(
        request.user, person, "phone", perm=PERSONAL_PERM, request=request, purpose=_("员工详情页查看手机号")
    )
    return render(
        request, "org/staff_detail.html#phone", {"person": person, "phone": phone, "revealed": True}
    )


# --- The working-day calendar (ORG-04, PER-13) ----------------------------------------------------

def _weekday_names() -> list[str]:
    """Monday to Sunday as the calendar and the attendance grid head their columns."""
    return [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]


CALENDAR_VIEW_PERM = "org.view_calendarday"


def _calendar_year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


def _calendar_context(request, year: int, *, day_form=None, load_form=None) -> dict:
    import calendar as pycalendar
    from datetime import date as date_cls

    from .calendar import day_info, statutory_years

    infos = day_info(date_cls(year, 1, 1), date_cls(year, 12, 31))
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append([infos[d] if d.month == month else None for d in week])
        working = sum(1 for d, info in infos.items() if d.month == month and info.working)
        months.append({"month": month, "weeks": weeks, "working": working})
    special = [info for info in infos.values() if info.special]
    may_change = request.user.has_perm(actions.CALENDAR_PERM)
    return {
        "year": year, "months": months, "special": special, "may_change": may_change,
        "working_total": sum(1 for info in infos.values() if info.working),
        "statutory_known": year in statutory_years(),
        "day_form": day_form or CalendarDayForm(initial={"is_working": "0"}),
        "load_form": load_form or CalendarLoadForm(initial={"year": year}),
        "weekdays": _weekday_names(),
    }


@internal_page(CALENDAR_VIEW_PERM)
def work_calendar(request):
    """工作日历: a year month by month, the statutory holidays and make-up working days marked."""
    year = _calendar_year(request)
    return render(request, "org/work_calendar.html", _calendar_context(request, year))


@internal_page((CALENDAR_VIEW_PERM, actions.CALENDAR_PERM))
@require_POST
def work_calendar_day(request):
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        row = submit(form, actions.set_calendar_day, user=request.user, day=data["date"],
                     is_working=data["is_working"], name=data["name"], note=data["note"])
        if row is not None:
            messages.success(request, _("已保存 %(day)s：%(kind)s") % {
                "day": row.date, "kind": _("上班") if row.is_working else _("休息")})
            return redirect(f"{reverse('org:work_calendar')}?year={row.date.year}")
    year = form.cleaned_data["date"].year if form.cleaned_data.get("date") else _calendar_year(request)
    return render(request, "org/work_calendar.html", _calendar_context(request, year, day_form=form), status=400)


@internal_page((CALENDAR_VIEW_PERM, actions.CALENDAR_PERM))
@require_POST
def work_calendar_load(request):
    form = CalendarLoadForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        result = submit(form, actions.load_statutory_calendar, year, user=request.user)
        if result is not None:
            messages.success(request, _("已载入 %(year)d 年法定节假日：新增 %(created)d 天，更新 %(updated)d 天，"
                                        "未变 %(unchanged)d 天，保留手工维护 %(manual)d 天") % {
                "year": year, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, "manual": result.kept_manual})
            return redirect(f"{reverse('org:work_calendar')}?year={year}")
    year = form.cleaned_data.get("year") or _calendar_year(request)
    return render(request, "org/work_calendar.html", _calendar_context(request, year, load_form=form), status=400)


# --- Import of time-clock reports (ORG-04, PER-13, issue 16) --------------------------------------

IMPORT_PERM = "org.add_attendance"
REPORT_SESSION_KEY = "org_attendance_import_report"
REPORT_MAX_BYTES = 5 << 20


@internal_page(IMPORT_PERM)
def attendance_import(request):
    """考勤导入: a 钉钉 or 企业微信 monthly report; all or nothing, with an error report."""
    import tempfile
    from pathlib import Path

    from ecomops.core import crypto

    from . import attendance_import as engine

    form = AttendanceImportForm(request.POST or None, request.FILES or None,
                                initial={"month": timezone.localdate().replace(day=1)})
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            path = Path(handle.name)
        try:
            def source():
                return path.open("rb")

            fmt = engine.formats().get(form.cleaned_data["format"]) if form.cleaned_data["format"] else None
            try:
                result = engine.import_file(source, user=request.user, fmt=fmt, month=form.cleaned_data["month"])
            except NotAllowed:
                raise PermissionDenied from None
            request.session.pop(REPORT_SESSION_KEY, None)
            if result.ok:
                totals = result.totals
                messages.success(request, _("已导入 %(first)s 至 %(last)s 的考勤：新增 %(created)d 天，"
                                            "更正 %(corrected)d 天，未变 %(unchanged)d 天") % {
                    "first": result.first, "last": result.last, **totals})
            else:
                report = engine.error_report(source, result)
                if len(report) <= REPORT_MAX_BYTES:
                    import base64

                    request.session[REPORT_SESSION_KEY] = crypto.encrypt(base64.b64encode(report).decode())
        finally:
            path.unlink(missing_ok=True)
    return render(request, "org/attendance_import.html", {
        "form": form, "result": result,
        "has_report": bool(result is not None and not result.ok and request.session.get(REPORT_SESSION_KEY)),
        "formats": engine.formats().values()}, status=400 if result is not None and not result.ok else 200)


@internal_page(IMPORT_PERM)
def attendance_import_report(request):
    """The error report of the user's last refused import (kept, encrypted, in their session)."""
    import base64

    from django.http import HttpResponse

    from ecomops.core import crypto

    sealed = request.session.get(REPORT_SESSION_KEY)
    if not sealed:
        raise Http404
    response = HttpResponse(base64.b64decode(crypto.decrypt(sealed)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="attendance-import-errors.xlsx"'
    return response


# --- The attendance month grid (ORG-04, PER-13, issue 16) ------------------------------------------

GRID_VIEW_PERM = "org.view_attendance"
GRID_EDIT_PERM = "org.add_attendance"


def _grid_month(request):
    from datetime import date

    text = (request.GET.get("month") or request.POST.get("month") or "").strip()
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _grid_department(request):
    from .models import Department

    departments = list(Department.objects.order_by("code"))
    wanted = request.GET.get("department") or request.POST.get("department")
    chosen = next((d for d in departments if str(d.pk) == wanted), None)
    if chosen is None:
        own = getattr(getattr(request.user, "staff", None), "department_id", None)
        chosen = next((d for d in departments if d.pk == own), departments[0] if departments else None)
    return departments, chosen


@internal_page(GRID_VIEW_PERM)
def attendance_grid(request):
    """考勤月表: a department's month, one row per person, one cell per day, corrected by keyboard."""
    from . import attendance_grid as grid

    month = _grid_month(request)
    departments, department = _grid_department(request)
    if department is None:
        raise Http404
    days, calendar, rows = grid.build(department, month)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(GRID_EDIT_PERM):
            raise PermissionDenied
        changes, cells = [], {}
        for row in rows:
            for cell in row.cells:
                name = f"c-{row.staff.pk}-{cell.day:%d}"
                if not cell.employed or name not in request.POST:  # no cell is shown outside employment
                    continue
                text = request.POST[name]
                if grid.normalise(text) != grid.normalise(cell.text):
                    changes.append(grid.Change(row.staff.pk, cell.day, text))
                cell.text = text  # shown again as typed if the grid is refused
                cells[(row.staff.pk, cell.day)] = cell
        if not changes:
            messages.info(request, _("没有修改"))
            return redirect(f"{reverse('org:attendance')}?department={department.pk}&month={month:%Y-%m}")
        try:
            saved = grid.save(changes, user=request.user, allowed_staff={row.staff.pk for row in rows})
        except NotAllowed:
            raise PermissionDenied from None
        except grid.GridErrors as error:  # nothing was saved: the grid as read above is still the truth
            for key, why in error.problems.items():
                cells[key].error = why
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, _("已保存 %(n)d 处考勤修改") % {"n": saved})
            return redirect(f"{reverse('org:attendance')}?department={department.pk}&month={month:%Y-%m}")
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    weekdays = _weekday_names()
    return render(request, "org/attendance_grid.html", {
        "month": month, "previous": previous, "following": following, "department": department,
        "departments": departments, "days": [(d, calendar[d], weekdays[d.weekday()]) for d in days],
        "rows": rows, "editable": request.user.has_perm(GRID_EDIT_PERM),
        "missing_total": sum(row.missing for row in rows),
    }, status=status)
