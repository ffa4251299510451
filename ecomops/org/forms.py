"""Forms of the organisation pages. They check and show input; the changes go through org.actions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc, loc_path

from . import actions
from .enums import ClientState, StaffState, StoreState
from .models import (
    Client,
    ClientGrant,
    Department,
    JobLevel,
    Platform,
    Position,
    Staff,
    Store,
    StoreGrant,
    code_validator,
)
from .scoping import scope_for


class ClientForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = actions.CLIENT_FIELDS
        widgets = {"contract_start": DateInput(), "contract_end": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("合同结束日期不能早于合同开始日期"))
        return data


def clients_for_new_stores(user):
    """The clients a user may open stores for: those granted whole (a store grant is not enough)."""
    scope = scope_for(user)
    clients = Client.objects.all()
    return clients if scope.all else clients.filter(pk__in=scope.client_ids)


class StoreForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Store
        fields = actions.STORE_FIELDS
        widgets = {"opened_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_for_new_stores(user).order_by("code")
        platforms = Platform.objects.filter(is_active=True)
        if self.instance.pk:  # keep the current platform selectable even if it was switched off since
            platforms = Platform.objects.filter(pk=self.instance.platform_id) | platforms
        self.fields["platform"].queryset = platforms.order_by("sort_order", "code")
        self.fields["platform"].label_from_instance = loc


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)


class ClientFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *ClientState.choices],
    )


class StoreFilterForm(SearchForm):
    client = forms.ModelChoiceField(
        label=gettext_lazy("委托方"),
        required=False,
        queryset=Client.objects.none(),
        empty_label=gettext_lazy("全部委托方"),
    )
    platform = forms.ModelChoiceField(
        label=gettext_lazy("平台"),
        required=False,
        queryset=Platform.objects.all(),
        empty_label=gettext_lazy("全部平台"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *StoreState.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("code")
        self.fields["client"].label_from_instance = loc
        self.fields["platform"].queryset = Platform.objects.order_by("sort_order", "code")
        self.fields["platform"].label_from_instance = loc


ALL = "all"


def department_outline(departments=None) -> list[tuple[Department, int]]:
    """Every department in tree order (parents before their children) with its depth (ORG-01)."""
    departments = list(departments if departments is not None else Department.objects.all())
    children: dict[int | None, list[Department]] = {}
    known = {d.pk for d in departments}
    for department in departments:
        parent = department.parent_id if department.parent_id in known else None
        children.setdefault(parent, []).append(department)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.sort_order, d.code))
    outline: list[tuple[Department, int]] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        for department in children.get(parent_id, []):
            if department.pk in seen:
                continue
            seen.add(department.pk)
            outline.append((department, depth))
            walk(department.pk, depth + 1)

    walk(None, 0)
    return outline


class StaffFilterForm(SearchForm):
    department = forms.TypedChoiceField(
        label=gettext_lazy("部门"), required=False, coerce=int, empty_value=None
    )
    position = forms.ModelChoiceField(
        label=gettext_lazy("岗位"),
        required=False,
        queryset=Position.objects.all(),
        empty_label=gettext_lazy("全部岗位"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[*StaffState.choices, (ALL, gettext_lazy("全部"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Groups are indented below their department so the tree reads in the list.
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (d.pk, "\u3000" * depth + loc(d)) for d, depth in department_outline()
        ]
        self.fields["position"].queryset = Position.objects.order_by("sort_order", "code")
        self.fields["position"].label_from_instance = loc


# --- HR: hiring, staff data, positions, leaving (ORG-01, ORG-02, ORG-05) ------------------------

phone_validator = RegexValidator(r"^[0-9+\- ]*$", gettext_lazy("手机号只能包含数字、空格、+ 和 -"))


def department_choices(keep: int | None = None) -> list[tuple[str | int, str]]:
    """Active departments in tree order, each indented below its parent (ORG-01). ``keep`` stays
    selectable even when it has been switched off since (a person's current department)."""
    return [("", "---------")] + [
        (d.pk, "\u3000" * depth + loc(d))
        for d, depth in department_outline()
        if d.is_active or d.pk == keep
    ]


def position_groups() -> list[tuple[str, list[Position]]]:
    """Positions under the department they belong to, departments in tree order (ORG-02)."""
    by_department: dict[str, list[Position]] = {}
    for position in Position.objects.order_by("sort_order", "code"):
        by_department.setdefault(position.department_hint, []).append(position)
    groups = []
    for department, _depth in department_outline():
        if department.code in by_department:
            groups.append((loc_path(department), by_department.pop(department.code)))
    rest = sorted((p for ps in by_department.values() for p in ps), key=lambda p: (p.sort_order, p.code))
    if rest:
        groups.append((_("其他岗位"), rest))
    return groups


class StaffDataForm(StyledFormMixin, forms.Form):
    """The basic data of a staff record that HR keeps up to date (actions.STAFF_FIELDS)."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=40)
    department = forms.TypedChoiceField(label=gettext_lazy("部门"), coerce=int, empty_value=None)
    hired_on = forms.DateField(label=gettext_lazy("入职日期"), widget=DateInput())
    job_level = forms.ModelChoiceField(
        label=gettext_lazy("职级"), required=False, queryset=JobLevel.objects.none()
    )
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, required=False, validators=[phone_validator])

    def __init__(self, *args, person: Staff | None = None, **kwargs):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": person.name,
                    "department": person.department_id,
                    "hired_on": person.hired_on,
                    "job_level": person.job_level_id,
                    "phone": person.phone,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(keep=person.department_id if person else None)
        self.fields["job_level"].queryset = JobLevel.objects.order_by("ladder", "rank")

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_phone(self):
        return self.cleaned_data["phone"].strip()

    def clean_department(self):
        department = Department.objects.filter(pk=self.cleaned_data["department"]).first()
        if department is None:
            raise forms.ValidationError(_("部门不存在"))
        return department


class PositionsForm(StyledFormMixin, forms.Form):
    """The positions a person holds and the primary one (ORG-02); their permission groups follow."""

    positions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("岗位"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("可兼任多个岗位；账号的权限随岗位变化"),
    )
    primary_position = forms.TypedChoiceField(
        label=gettext_lazy("主岗"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("兼任多个岗位时须指定主岗"),
    )

    def __init__(self, *args, person: Staff | None = None, **kwargs):
        if person is not None:
            links = list(person.position_links.all())
            initial = kwargs.setdefault("initial", {})
            initial["positions"] = [link.position_id for link in links]
            initial["primary_position"] = next((link.position_id for link in links if link.is_primary), None)
        super().__init__(*args, **kwargs)
        self._groups = position_groups()
        grouped = [(label, [(p.pk, loc(p)) for p in members]) for label, members in self._groups]
        self.fields["positions"].choices = grouped
        self.fields["primary_position"].choices = [("", _("（无）")), *grouped]

    def position_groups(self):
        """(department, [checkbox …]) for the template: the checkboxes under their department."""
        widgets = {str(widget.data["value"]): widget for widget in self["positions"]}
        return [(label, [widgets[str(p.pk)] for p in members]) for label, members in self._groups]

    def clean(self):
        data = super().clean()
        ids = data.get("positions")
        if ids is None:
            return data
        found = Position.objects.in_bulk(ids)
        positions = [found[pk] for pk in ids if pk in found]
        primary_id = data.get("primary_position")
        if primary_id is not None and primary_id not in found:
            self.add_error("primary_position", _("主岗须是所选岗位之一"))
        elif primary_id is None and len(positions) > 1:
            self.add_error("primary_position", _("兼任多个岗位时请指定主岗"))
        data["positions"] = positions
        if primary_id is None and len(positions) == 1:
            data["primary_position"] = positions[0]
        else:
            data["primary_position"] = found.get(primary_id)
        return data


class NewAccountForm(StyledFormMixin, forms.Form):
    """A new login account: the user name, and an initial password checked by Django's password
    validators. Left empty, the account cannot log in until an administrator sets a password."""

    username = forms.CharField(
        label=gettext_lazy("登录账号"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=gettext_lazy("字母、数字和 @ . + - _，不区分大小写地唯一"),
    )
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), required=False)
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("可留空：留空时该账号暂不能登录，须由管理员设置密码后才能登录"),
    )
    password_confirm = forms.CharField(
        label=gettext_lazy("确认密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What Django's password validators ask for (length, not common, not all digits …), translated.
        self.fields["password"].help_text = format_html(
            "{}{}", self.fields["password"].help_text, password_validation.password_validators_help_text_html()
        )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("登录账号 %(u)s 已存在") % {"u": username})
        return username

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password") or "", data.get("password_confirm") or ""
        if not password and not confirm:
            data["password"] = None
            return data
        if password != confirm:
            self.add_error("password_confirm", _("两次输入的密码不一致"))
        elif password:
            # The validators compare the password with the account's own name and e-mail.
            candidate = get_user_model()(
                username=data.get("username") or "", first_name=data.get("name") or "", email=data.get("email") or ""
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", [_password_message(e) for e in error.error_list])
        return data


def _password_message(error: forms.ValidationError) -> forms.ValidationError:
    """Django 5.2 reworded its too-short message and its Chinese catalog has no translation for the
    new wording yet: say it ourselves, so that the field error is Chinese like the others."""
    if error.code == "password_too_short":
        return forms.ValidationError(
            _("密码太短，至少需要 %(min_length)d 个字符") % {"min_length": error.params["min_length"]},
            code=error.code,
        )
    return error


class HireForm(NewAccountForm, StaffDataForm, PositionsForm):
    """新员工: the login account, the staff record and the positions, in one step (ORG-02)."""

    employee_no = forms.CharField(label=gettext_lazy("工号"), max_length=20, validators=[code_validator])

    field_order = [
        "username", "name", "employee_no", "department", "hired_on", "job_level", "phone", "email",
        "positions", "primary_position", "password", "password_confirm",
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"hired_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_employee_no(self):
        employee_no = self.cleaned_data["employee_no"].strip()
        if Staff.objects.filter(employee_no__iexact=employee_no).exists():
            raise forms.ValidationError(_("工号 %(no)s 已被使用") % {"no": employee_no})
        return employee_no


class StaffLeaveForm(StyledFormMixin, forms.Form):
    """办理离职: the last day, and an explicit confirmation (the login is switched off at once)."""

    left_on = forms.DateField(label=gettext_lazy("离职日期"), widget=DateInput())
    confirm = forms.BooleanField(
        label=gettext_lazy("我确认该员工离职：其登录账号将停用，岗位权限随之收回"),
        error_messages={"required": gettext_lazy("请勾选确认后再办理离职")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"left_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Access scope: client and store grants (DAT-02) ---------------------------------------------


class _GrantForm(StyledFormMixin, forms.Form):
    """A grant to ``grantee`` offers only what the acting ``user`` may see themselves (DAT-02)."""

    def __init__(self, *args, user, grantee, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.grantee = user, grantee

    def clean(self):
        data = super().clean()
        if not self.grantee.is_active:
            raise forms.ValidationError(_("该账号已停用，不能再授权"))
        return data


class ClientGrantForm(_GrantForm):
    client = forms.ModelChoiceField(
        label=gettext_lazy("委托方"),
        queryset=Client.objects.none(),
        empty_label=gettext_lazy("选择委托方"),
        help_text=gettext_lazy("可查看该委托方及其全部店铺"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        granted = ClientGrant.objects.filter(user=self.grantee).values("client")
        self.fields["client"].queryset = clients_for_new_stores(self.user).exclude(pk__in=granted).order_by("code")
        self.fields["client"].label_from_instance = lambda c: f"{loc(c)}（{c.code}）"


class StoreGrantForm(_GrantForm):
    store = forms.TypedChoiceField(
        label=gettext_lazy("店铺"),
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("只可查看该店铺，不含该委托方的其他店铺"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = (
            Store.objects.visible_to(self.user)
            .exclude(pk__in=StoreGrant.objects.filter(user=self.grantee).values("store"))
            .exclude(client__in=ClientGrant.objects.filter(user=self.grantee).values("client"))
            .select_related("client")
            .order_by("client__code", "code")
        )
        groups: dict[Client, list[tuple[int, str]]] = {}
        for store in self.stores:
            groups.setdefault(store.client, []).append((store.pk, f"{store.name}（{store.code}）"))
        self.fields["store"].choices = [("", _("选择店铺"))] + [
            (loc(client), choices) for client, choices in groups.items()
        ]

    def clean_store(self):
        store = self.stores.filter(pk=self.cleaned_data["store"]).first()
        if store is None:
            raise forms.ValidationError(_("店铺不存在"))
        return store


class ClientMemberForm(NewAccountForm):
    """A login for one of the client's own people: sees that client only (AGY-07)."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=150)
    title = forms.CharField(label=gettext_lazy("职务"), max_length=40, required=False)

    field_order = ["username", "name", "title", "email", "password", "password_confirm"]

    def clean_name(self):
        return self.cleaned_data["name"].strip()


# --- The working-day calendar (ORG-04, PER-13) ----------------------------------------------------


class CalendarDayForm(StyledFormMixin, forms.Form):
    """Add or correct one day of the working-day calendar by hand."""

    date = forms.DateField(label=gettext_lazy("日期"), widget=DateInput())
    is_working = forms.TypedChoiceField(
        label=gettext_lazy("当天"), coerce=lambda v: v == "1", empty_value=None,
        choices=[("1", gettext_lazy("上班")), ("0", gettext_lazy("休息"))],
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=40, required=False,
                           help_text=gettext_lazy("如 国庆节、国庆节调休上班、公司年会"))
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)


class CalendarLoadForm(StyledFormMixin, forms.Form):
    """Load a year's statutory holidays and make-up working days."""

    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100)


class AttendanceImportForm(StyledFormMixin, forms.Form):
    """考勤导入: a month of a time clock's monthly report (.xlsx)."""

    AUTO = ""

    month = forms.DateField(label=gettext_lazy("月份"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text=gettext_lazy("文件的统计周期须是这个月"))
    format = forms.ChoiceField(label=gettext_lazy("考勤机"), required=False)
    file = forms.FileField(
        label=gettext_lazy("考勤报表文件（.xlsx）"),
        help_text=gettext_lazy("钉钉：考勤报表 → 月度汇总；企业微信：打卡 → 月报。原样上传，无需修改"))

    def __init__(self, *args, **kwargs):
        from .attendance_import import format_choices

        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [(self.AUTO, _("按表头自动识别")), *format_choices()]
