"""修改密码 (user menu): the signed-in person changes their own password (DAT-02). Also the page an
account is led to when an administrator requires a new password (``org.middleware``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import StyledFormMixin, submit
from ecomops.org import actions as org_actions


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("原密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("新密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


@login_required
def password_change(request):
    required = org_actions.must_change_password(request.user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = submit(form, org_actions.change_own_password, request.user,
                         old_password=form.cleaned_data["old_password"],
                         new_password=form.cleaned_data["new_password1"])
        if changed is not None:
            update_session_auth_hash(request, request.user)  # this session stays; the others end
            messages.success(request, _("密码已修改。其他设备上的登录已失效，需要用新密码重新登录。"))
            return redirect(_next_url(request) or "home")
    return render(request, "core/password_change.html",
                  {"form": form, "required": required, "next": _next_url(request) or ""})
