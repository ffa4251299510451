"""The admin site is for superusers only (the admin of personal API tokens is in ``ecomops.org.admin``).

DAT-02, AGY-07: the Django admin lists and edits every client's records without any client scope, so
only superusers — who see every client anyway — may use it; staff accounts (``is_staff``) may not,
whatever model permissions they hold. One rule, on the site itself, for every registered model.
"""

from django.contrib import admin


def superusers_only(request) -> bool:
    """DAT-02: only an active superuser may use the admin (it ignores client scope)."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only
