"""The admin site is for superusers only (the admin of personal API tokens is in ``ecomops.org.admin``).

DAT-02, AGY-07: the Django admin lists and edits every client's records without any client scope, so
only superusers — who see every client anyway — may use it; staff accounts (``is_staff``) may not,
whatever model permissions they hold. One rule, on the site itself, for every registered model.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def superusers_only(request) -> bool:
    """DAT-02: only an active superuser may use the admin (it ignores client scope)."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only


# Issue 15: the admin's index and side menu list the models in six sections instead of one flat list
# per app. Every app of the project has its section; an app not named here (Django's own, a library's)
# falls into 系统, so every registered model stays reachable.
ADMIN_SECTIONS = (
    (_("订单"), ("orders", "orderimport", "dispatch", "logistics")),
    (_("仓储"), ("inventory", "receiving", "stockops", "supply")),
    (_("商品"), ("catalog", "listing", "compliance", "stores", "suppliers")),
    (_("组织与制度"), ("org", "policy")),
    (_("薪资"), ("payroll",)),
)
OTHER_SECTION = _("系统")


def grouped_app_list(app_list: list[dict]) -> list[dict]:
    """Django's app list (one entry per app) regrouped into ADMIN_SECTIONS, then 系统 for the rest.
    A section keeps the first app's label and link (the app page still lists that app's models)."""
    by_label = {app["app_label"]: app for app in app_list}
    placed: set[str] = set()
    sections = []
    for name, labels in (*ADMIN_SECTIONS, (OTHER_SECTION, tuple(by_label))):
        apps = [by_label[label] for label in labels if label in by_label and label not in placed]
        if not apps:
            continue
        placed.update(app["app_label"] for app in apps)
        sections.append({
            **apps[0],
            "name": str(name),
            "models": [model for app in apps for model in app["models"]],
        })
    return sections


_django_get_app_list = admin.AdminSite.get_app_list


def get_app_list(self, request, app_label=None):
    """The sections on the index and in the side menu; one app's own page (``app_label``) as Django has it."""
    app_list = _django_get_app_list(self, request, app_label)
    return app_list if app_label else grouped_app_list(app_list)


admin.site.get_app_list = get_app_list.__get__(admin.site)
