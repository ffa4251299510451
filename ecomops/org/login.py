"""The sign-in form with login throttling (DAT-02). It asks the audit throttle, so it lives in org, not core."""

from __future__ import annotations

import math

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.forms import StyledFormMixin


def throttled_message(retry_after) -> str:
    minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
    return _("登录失败次数过多，请 %(minutes)d 分钟后再试") % {"minutes": minutes}


class LoginForm(StyledFormMixin, AuthenticationForm):
    """Django's sign-in form, telling the person when the login is throttled (DAT-02, ASVS 2.2.1).

    The message is the same whether or not the account exists. The throttle and the sign-in signal
    receivers record the attempts; this form records nothing itself.
    """

    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码不正确（注意区分大小写）"),
        "inactive": gettext_lazy("该账号已停用"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = gettext_lazy("用户名")
        self.fields["password"].label = gettext_lazy("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def clean(self):
        from ecomops.audit import throttle
        from ecomops.audit.middleware import client_ip

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        try:
            self.user_cache = authenticate(self.request, username=username, password=password)
        except throttle.LoginThrottled as refused:  # a backend used outside django.contrib.auth's loop
            raise forms.ValidationError(throttled_message(refused.retry_after), code="throttled") from None
        if self.user_cache is None:
            # Refused by the throttle (Django swallows the backend's PermissionDenied), or this failure
            # has just reached the limit: either way the next attempts wait.
            state = throttle.check(username, ip)
            if state.blocked:
                raise forms.ValidationError(throttled_message(state.retry_after), code="throttled")
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
