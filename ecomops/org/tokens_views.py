"""My API tokens (我的 API 令牌): create one (shown once), see the list, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ecomops.apiutil import tokens
from ecomops.core.errors import BusinessError
from ecomops.core.models import APIToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("用途说明，如“ERP 同步脚本”"))
    expires_on = forms.DateField(label=_("有效期至"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("留空表示长期有效，直到吊销"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = tokens.issue_token(user=request.user, name=form.cleaned_data["name"],
                                        expires_on=form.cleaned_data["expires_on"])
            form = TokenForm()
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    now = timezone.now()
    rows = [{"token": t, "usable": t.is_usable(now)} for t in APIToken.objects.filter(user=request.user)]
    return render(request, "core/tokens.html", {"form": form, "issued": issued, "rows": rows})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = APIToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404  # another user's token: as if it did not exist
    tokens.revoke_token(token, user=request.user)
    return redirect("tokens")
