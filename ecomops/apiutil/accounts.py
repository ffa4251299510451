"""``/me`` (who am I, what may I see) and ``/tokens`` (my personal API tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.core.errors import NotAllowed
from ecomops.core.models import APIToken
from ecomops.org.scoping import scope_for

from . import tokens
from .pagination import Page, PageQuery, paginate
from .schemas import InputSchema, Ref
from .types import Day, Id, Text

router = Router()


# --- /me -------------------------------------------------------------------------------------

class ScopeOut(Schema):
    all: bool = Field(description="可查看全部委托方与店铺")
    client_ids: list[int] = Field(description="可查看（整体授权）的委托方")
    store_ids: list[int] = Field(description="可查看的店铺")


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    is_superuser: bool
    kind: Literal["staff", "client_member", "user"]
    employee_no: str | None
    department: Ref | None
    client: Ref | None = Field(description="委托方用户所属的委托方")
    permissions: list[str]
    scope: ScopeOut
    auth: Literal["session", "token"]


@router.get("/me", response=MeOut, tags=["me"], summary="当前用户")
def me(request):
    user = request.auth
    staff = getattr(user, "staff", None)  # a missing one-to-one raises AttributeError: None
    member = getattr(user, "client_member", None)
    scope = scope_for(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": staff.name if staff else (user.get_full_name() or user.get_username()),
        "email": user.email,
        "is_superuser": user.is_superuser,
        "kind": "client_member" if member else ("staff" if staff else "user"),
        "employee_no": staff.employee_no if staff else None,
        "department": staff.department if staff else None,
        "client": member.client if member else None,
        "permissions": sorted(user.get_all_permissions()),
        "scope": {
            "all": scope.all,
            "client_ids": sorted(scope.client_ids),
            "store_ids": sorted(scope.store_ids),
        },
        "auth": "token" if getattr(request, "api_token", None) else "session",
    }


# --- /tokens ---------------------------------------------------------------------------------

class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="令牌开头几位，用于辨认")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    state: Literal["active", "revoked", "expired"]


class IssuedTokenOut(TokenOut):
    token: str = Field(description="完整令牌，只在创建时显示这一次；请妥善保存")


class TokenIn(InputSchema):
    name: Text(60, min_length=1) = Field(description="用途说明，如“ERP 同步脚本”")
    expires_on: Day | None = Field(None, description="有效至该日（含）结束；不填则长期有效，直到吊销")


def token_out(token: APIToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "state": token.state,
    }


@router.post("/tokens", response={201: IssuedTokenOut}, tags=["tokens"], summary="创建个人 API 令牌")
def create_token(request, payload: TokenIn):
    """The plain token is in the answer once and never again. Only a logged-in session may create
    tokens: a leaked token cannot mint fresh ones that outlive its revocation."""
    if getattr(request, "api_token", None) is not None:
        raise NotAllowed(_("只能在登录会话中创建令牌，不能用令牌创建令牌"), code="session_required")
    issued = tokens.issue_token(user=request.auth, name=payload.name, expires_on=payload.expires_on)
    return Status(201, {**token_out(issued.token), "token": issued.plain})


@router.get("/tokens", response=Page[TokenOut], tags=["tokens"], summary="我的 API 令牌")
def list_tokens(request, filters: Query[PageQuery]):
    queryset = APIToken.objects.filter(user=request.auth).order_by("-created_at", "-pk")
    return paginate(queryset, filters, token_out)


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"], summary="吊销 API 令牌")
def revoke_token(request, token_id: Path[Id]):
    # Somebody else's token is "not found", like one that does not exist.
    token = get_object_or_404(APIToken, pk=token_id, user=request.auth)
    tokens.revoke_token(token, user=request.auth)
    return Status(204, None)
