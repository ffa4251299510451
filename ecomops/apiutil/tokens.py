"""Personal API tokens: issue, check, revoke. The only code that changes ``core.APIToken``.

A token looks like ``ecm_`` followed by 43 URL-safe characters (256 random bits). The database keeps
its SHA-256 digest and its first 12 characters (to recognise it in a list); the plain token is
returned once by ``issue_token`` and never stored or logged. A revoked or expired token, or one of
an account that can no longer log in, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.history import save_audited
from ecomops.core.models import APIToken

ADMIN_PERM = "core.change_apitoken"
TOKEN_MARK = "ecm_"
PREFIX_LENGTH = 12
SECRET_BYTES = 32
MAX_TOKEN_LENGTH = 200
# Recording every use would write on every request; a minute is precise enough for "last used".
TOUCH_INTERVAL = timedelta(minutes=1)


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: APIToken
    plain: str  # shown to the user once, then forgotten


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_current_timezone())


@transaction.atomic
def issue_token(*, user, name: str, expires_on: date | None = None) -> IssuedToken:
    """Create a token for ``user`` (valid through the end of ``expires_on``, if given)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("账号不可用，不能创建令牌"))
    name = (name or "").strip()
    if not name:
        raise BusinessError(_("请填写令牌名称"), field="name")
    if len(name) > 60:
        raise BusinessError(_("令牌名称最多 60 个字符"), field="name")
    if expires_on is not None and expires_on < timezone.localdate():
        raise BusinessError(_("过期日期不能早于今天"), field="expires_on")
    plain = TOKEN_MARK + secrets.token_urlsafe(SECRET_BYTES)
    token = APIToken(
        user=user,
        name=name,
        prefix=plain[:PREFIX_LENGTH],
        digest=digest(plain),
        expires_at=end_of_day(expires_on) if expires_on else None,
    )
    save_audited(token, user=user, reason="issue API token")
    return IssuedToken(token, plain)


@transaction.atomic
def revoke_token(token: APIToken, *, user) -> APIToken:
    """Revoke a token: its owner may, and so may an administrator holding ``core.change_apitoken``
    (a leaked token is stopped at once). Revoking twice changes nothing."""
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != getattr(user, "pk", None) and not (user is not None and user.has_perm(ADMIN_PERM)):
        raise NotAllowed(_("只能吊销自己的令牌"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_audited(token, user=user, reason="revoke API token")
    return token


def authenticate(plain: str, now: datetime | None = None) -> APIToken | None:
    """The usable token ``plain`` stands for, or None. Says nothing about why it failed."""
    if not plain or len(plain) > MAX_TOKEN_LENGTH or not plain.startswith(TOKEN_MARK):
        return None
    now = now or timezone.now()
    token = APIToken.objects.select_related("user").filter(digest=digest(plain)).first()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at < now - TOUCH_INTERVAL:
        # A plain UPDATE: no history row, no race with a revoke running at the same time.
        APIToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
