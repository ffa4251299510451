"""Who may see the management reports and who receives them (DAT-01, DAT-02, AGY-07).

The reports hold the whole company's figures: a user sees them only with the view permission *and*
a scope over every client (``org.access_all_clients`` or superuser); a client's own user never. Anyone
else gets the same 404 as for a report that does not exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from ecomops.org.scoping import is_client_member, scope_for

from .models import ManagementReport

VIEW_PERM = "reports.view_managementreport"
GENERATE_PERM = "reports.add_managementreport"
RECEIVE_PERM = "reports.receive_managementreport"


def sees_company(user) -> bool:
    """Whether ``user`` may see company-wide figures: every client, and not a client's own user."""
    return (getattr(user, "is_authenticated", False) and not is_client_member(user)
            and scope_for(user).all)


def may_view(user) -> bool:
    return sees_company(user) and user.has_perm(VIEW_PERM)


def may_generate(user) -> bool:
    return may_view(user) and user.has_perm(GENERATE_PERM)


def visible_reports(user):
    """The reports ``user`` may list and download: all of them, or none (core.uploads reads this too)."""
    return ManagementReport.objects.all() if may_view(user) else ManagementReport.objects.none()


def recipients() -> list:
    """Active users holding the receive permission (through a group, directly, or as superuser) who
    see every client and have an email address, in a stable order."""
    users = get_user_model().objects.with_perm(RECEIVE_PERM, is_active=True, include_superusers=True)
    return [user for user in users.exclude(email="").order_by("pk") if sees_company(user)]
