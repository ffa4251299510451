"""Permission checks for reads. Writes are checked by the actions; records outside the user's
client/store scope are 404 through ``ecomops.org.scoping`` (never 403)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ecomops.core.errors import NotAllowed
from ecomops.org.scoping import is_client_member


def require_perm(user, perm: str, *, internal: bool = False) -> None:
    """``user`` must hold ``perm``; with ``internal``, a client's own user (ClientMember) never may:
    the company's departments, staff and rules are not that client's data (AGY-07)."""
    if internal and is_client_member(user):
        raise NotAllowed(_("委托方用户不能查看公司内部数据"))
    if not user.has_perm(perm):
        raise NotAllowed(_("您没有查看此数据的权限"))


def require_internal(user) -> None:
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能查看公司内部数据"))
