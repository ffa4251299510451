"""The admin site is for superusers only, and the admin of personal API tokens.

DAT-02, AGY-07: the Django admin lists and edits every client's records without any client scope, so
only superusers — who see every client anyway — may use it; staff accounts (``is_staff``) may not,
whatever model permissions they hold. One rule, on the site itself, for every registered model.

Tokens: administrators see who holds which token and may revoke one. Tokens are never created here (a
token is shown once to its own user, through the API) and the digest is not shown. Revoking goes
through ``ecomops.apiutil.tokens`` like every other revocation.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import APIToken


def superusers_only(request) -> bool:
    """DAT-02: only an active superuser may use the admin (it ignores client scope)."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record stays for the audit trail

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset):
        from ecomops.apiutil.tokens import revoke_token

        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token, user=request.user)
            count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌") % {"n": count}, messages.SUCCESS)
