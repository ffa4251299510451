"""Form helpers shared by every page, and the sign-in form with login throttling (DAT-02)."""

from __future__ import annotations

import math

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.errors import BusinessError, NotAllowed


class StyledFormMixin:
    """Give every widget its Bootstrap class, and mark fields with errors as invalid.

    ``compact = True`` gives the small controls used in search bars above lists.
    """

    compact = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if self.compact and css != "form-check-input":
                css += " " + css.replace("-control", "-control-sm").replace("-select", "-select-sm")
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


def add_business_error(form: forms.BaseForm, error: BusinessError) -> None:
    """Show an action's refusal on the field it names (or above the form when it names none)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if field is not None:
        widget = form.fields[field].widget
        if "is-invalid" not in widget.attrs.get("class", ""):
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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


def submit(form: forms.BaseForm, action, *args, **kwargs):
    """Run an action for a valid form. A refusal for lack of rights is a 403; any other refusal is
    shown on the field it names and gives None, so the view renders the form again."""
    try:
        return action(*args, **kwargs)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as error:
        add_business_error(form, error)
        return None
