"""Forms of the organisation pages. They check and show input; the changes go through org.actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import DateInput, StyledFormMixin
from ecomops.core.templatetags.ecomops_ui import loc

from . import actions
from .enums import ClientStatus, StaffStatus, StoreStatus
from .models import Client, Department, Platform, Position, Store
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
        choices=[("", gettext_lazy("全部状态")), *ClientStatus.choices],
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
        choices=[("", gettext_lazy("全部状态")), *StoreStatus.choices],
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
        choices=[*StaffStatus.choices, (ALL, gettext_lazy("全部"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Groups are indented below their department so the tree reads in the list.
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (d.pk, "\u3000" * depth + loc(d)) for d, depth in department_outline()
        ]
        self.fields["position"].queryset = Position.objects.order_by("sort_order", "code")
        self.fields["position"].label_from_instance = loc
