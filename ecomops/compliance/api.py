"""API of content compliance (LAW-02, CAT-02): the content check and the two lists behind it.

- ``POST /compliance/check`` takes any text (a title, a description, a marketing post, a live
  script) and answers every hit with the term, the matched text, its position and the reason. Hits
  mean "send to human review"; the API never rejects content. Any of the company's own users may
  check text; with ``client_id`` that client's allowed phrases (its trademarks …) apply too, and a
  client the user may not see is a 404.
- ``/compliance/terms`` and ``/compliance/allowed-phrases``: list, read, add and change (switch off
  with ``is_active: false``; nothing is deleted), with the model permissions of the compliance owner.
A client's own user (ClientMember) is refused (403): the lists are the agency's working material.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import AfterValidator, Field, StringConstraints

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.errors import ApiError
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import Flag, Id, RefId, Search, Text
from ecomops.org.models import Client
from ecomops.org.scoping import scope_for

from . import actions
from .checker import MAX_TEXT_LENGTH, check_text, line_column
from .enums import PhraseKind, Severity, TermCategory, TermOrigin
from .models import PHRASE_MAX_LENGTH, TERM_MAX_LENGTH, AllowedPhrase, BarredTerm

router = Router(tags=["compliance"])

VIEW_TERMS = "compliance.view_barredterm"
VIEW_PHRASES = "compliance.view_allowedphrase"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("不能包含控制字符"))
    return value


# The text is checked exactly as sent (no stripping): positions in the answer point into it.
CheckText = Annotated[
    str,
    StringConstraints(max_length=MAX_TEXT_LENGTH),
    AfterValidator(_no_control),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"}),
]


# --- The check -------------------------------------------------------------------------------


class CheckIn(InputSchema):
    text: CheckText = Field(
        description=f"要检测的文字（标题、卖点、描述、推文、直播脚本…），最多 {MAX_TEXT_LENGTH} 个字符；原样检测"
    )
    client_id: RefId | None = Field(
        None, description="按该委托方的允许词（注册商标、商品名称等）检测；不填只用通用允许词"
    )


class HitOut(Schema):
    term: str = Field(description="命中的禁用词（词库中的写法）")
    matched: str = Field(description="原文中命中的文字，即 text[start:end]")
    start: int = Field(ge=0, description="起始位置（按 Unicode 字符计，从 0 开始）")
    end: int = Field(ge=0, description="结束位置（不含）")
    line: int = Field(ge=1, description="所在行（从 1 开始）")
    column: int = Field(ge=1, description="所在列（按字符计，从 1 开始）")
    category: TermCategory
    category_label: str
    severity: Severity
    severity_label: str
    reason: str = Field(description="提示理由")
    term_id: int


class ClearedOut(Schema):
    phrase: str = Field(description="放行的允许词")
    kind: PhraseKind
    matched: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    terms: list[str] = Field(description="因此未计为命中的禁用词")
    client_id: int | None = Field(description="只适用于该委托方的允许词；通用的为 null")


class CheckOut(Schema):
    needs_review: bool = Field(description="有命中时为 true：内容须转人工审核（不自动驳回，LAW-02）")
    hit_count: int = Field(ge=0)
    hits: list[HitOut] = Field(description="按在原文中的位置排序")
    cleared: list[ClearedOut] = Field(description="因允许词而未计为命中的位置")
    length: int = Field(ge=0, description="检测的字符数")


def _visible_client(user, client_id: int | None, *, whole: bool = False) -> Client | None:
    """The client a body names, or a 404 naming the field: one outside the scope reads as missing."""
    if client_id is None:
        return None
    client = Client.objects.visible_to(user).filter(pk=client_id).first()
    if client is None or (whole and not scope_for(user).sees_client(client.pk)):
        raise ApiError(404, "not_found", _("委托方不存在"), field="client_id")
    return client


@router.post("/compliance/check", response=CheckOut, summary="内容合规检测（广告法禁用词）")
def check_content(request, payload: CheckIn):
    """Every hit of a barred term in the text, also in disguised forms (全角、插入空格或符号、
    大小写、NO.1 / No1 / TOP 1 …); hits inside allowed phrases are not counted."""
    require_internal(request.auth)
    client = _visible_client(request.auth, payload.client_id)
    result = check_text(payload.text, client=client)
    hits = []
    for hit in result.hits:
        line, column = line_column(payload.text, hit.start)
        hits.append({
            "term": hit.term, "matched": hit.matched, "start": hit.start, "end": hit.end, "line": line,
            "column": column, "category": hit.category, "category_label": hit.category_label,
            "severity": hit.severity, "severity_label": hit.severity_label, "reason": hit.reason,
            "term_id": hit.term_id,
        })
    return {
        "needs_review": result.needs_review,
        "hit_count": len(hits),
        "hits": hits,
        "cleared": [
            {"phrase": c.phrase, "kind": c.kind, "matched": c.matched, "start": c.start, "end": c.end,
             "terms": list(c.terms), "client_id": c.client_id}
            for c in result.cleared
        ],
        "length": len(payload.text),
    }


# --- Barred terms ----------------------------------------------------------------------------


class TermOut(Schema):
    id: int
    term: str
    category: TermCategory
    reason: str
    severity: Severity
    origin: TermOrigin
    is_active: bool
    created_by: str | None = Field(description="添加人登录账号；系统预置的为 null")
    created_at: datetime
    updated_by: str | None
    updated_at: datetime

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None

    @staticmethod
    def resolve_updated_by(obj) -> str | None:
        return obj.updated_by.get_username() if obj.updated_by_id else None


class TermFilters(PageQuery):
    q: Search | None = Field(None, description="按禁用词或理由搜索")
    category: TermCategory | None = None
    severity: Severity | None = None
    is_active: bool | None = None


TermText = Text(TERM_MAX_LENGTH, min_length=1)
Reason = Text(actions.REASON_MAX_LENGTH, min_length=1)


class TermIn(InputSchema):
    term: TermText = Field(description="禁用词；全角半角、大小写、空格和符号不计，NO.1 即 No.1、ＮＯ．１")
    category: TermCategory
    reason: Reason = Field(description="命中时显示的理由")
    severity: Severity = Severity.HIGH
    is_active: Flag = True


class TermPatch(PatchSchema):
    term: TermText | None = None
    category: TermCategory | None = None
    reason: Reason | None = None
    severity: Severity | None = None
    is_active: Flag | None = Field(None, description="false 即停用（不删除）")


def _terms():
    return BarredTerm.objects.select_related("created_by", "updated_by")


@router.get("/compliance/terms", response=Page[TermOut], summary="禁用词列表")
def list_terms(request, filters: Query[TermFilters]):
    require_perm(request.auth, VIEW_TERMS, internal=True)
    queryset = _terms().order_by("category", "term", "pk")
    if filters.q:
        queryset = queryset.filter(Q(term__icontains=filters.q) | Q(reason__icontains=filters.q))
    if filters.category is not None:
        queryset = queryset.filter(category=filters.category)
    if filters.severity is not None:
        queryset = queryset.filter(severity=filters.severity)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return paginate(queryset, filters)


@router.get("/compliance/terms/{term_id}", response=TermOut, summary="禁用词详情")
def get_term(request, term_id: Path[Id]):
    require_perm(request.auth, VIEW_TERMS, internal=True)
    return get_object_or_404(_terms(), pk=term_id)


@router.post("/compliance/terms", response={201: TermOut}, summary="添加禁用词")
def create_term(request, payload: TermIn):
    term = actions.create_barred_term(user=request.auth, **payload.model_dump())
    return Status(201, _terms().get(pk=term.pk))


@router.patch("/compliance/terms/{term_id}", response=TermOut, summary="修改或停用禁用词")
def update_term(request, term_id: Path[Id], payload: TermPatch):
    require_perm(request.auth, VIEW_TERMS, internal=True)
    term = get_object_or_404(BarredTerm, pk=term_id)
    term = actions.update_barred_term(term, user=request.auth, **payload.changes())
    return _terms().get(pk=term.pk)


# --- Allowed phrases -------------------------------------------------------------------------


class PhraseOut(Schema):
    id: int
    phrase: str
    kind: PhraseKind
    client: Ref | None = Field(description="只适用于该委托方；null 表示适用于所有委托方")
    reference: str = Field(description="依据：商标注册号、标准编号等")
    note: str
    is_active: bool
    cleared_by: str | None = Field(description="放行人登录账号；系统预置的为 null")
    created_at: datetime
    updated_by: str | None
    updated_at: datetime

    @staticmethod
    def resolve_cleared_by(obj) -> str | None:
        return obj.cleared_by.get_username() if obj.cleared_by_id else None

    @staticmethod
    def resolve_updated_by(obj) -> str | None:
        return obj.updated_by.get_username() if obj.updated_by_id else None


class PhraseFilters(PageQuery):
    q: Search | None = Field(None, description="按允许词、依据或说明搜索")
    kind: PhraseKind | None = None
    client_id: Id | None = Field(None, description="只列出该委托方专用的允许词")
    for_everyone: bool | None = Field(None, description="true 只列出通用的允许词，false 只列出委托方专用的")
    is_active: bool | None = None


PhraseText = Text(PHRASE_MAX_LENGTH, min_length=1)


class PhraseIn(InputSchema):
    phrase: PhraseText = Field(description="允许词，如注册商标“极品红”；命中的禁用词完全落在其中时不计")
    kind: PhraseKind = PhraseKind.CLEARED
    client_id: RefId | None = Field(None, description="只对该委托方的文字生效；不填则对所有文字生效")
    reference: Text(100) = ""
    note: Text(200) = ""
    is_active: Flag = True


class PhrasePatch(PatchSchema):
    phrase: PhraseText | None = None
    kind: PhraseKind | None = None
    reference: Text(100) | None = None
    note: Text(200) | None = None
    is_active: Flag | None = Field(None, description="false 即停用（不删除）")


def _phrases(user):
    return AllowedPhrase.objects.visible_to(user).select_related("client", "cleared_by", "updated_by")


@router.get("/compliance/allowed-phrases", response=Page[PhraseOut], summary="允许词列表（仅限授权范围）")
def list_phrases(request, filters: Query[PhraseFilters]):
    require_perm(request.auth, VIEW_PHRASES, internal=True)
    queryset = _phrases(request.auth).order_by("phrase", "pk")
    if filters.q:
        queryset = queryset.filter(
            Q(phrase__icontains=filters.q) | Q(reference__icontains=filters.q) | Q(note__icontains=filters.q)
        )
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.for_everyone is not None:
        queryset = queryset.filter(client__isnull=filters.for_everyone)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return paginate(queryset, filters)


@router.get("/compliance/allowed-phrases/{phrase_id}", response=PhraseOut, summary="允许词详情")
def get_phrase(request, phrase_id: Path[Id]):
    require_perm(request.auth, VIEW_PHRASES, internal=True)
    return get_object_or_404(_phrases(request.auth), pk=phrase_id)


@router.post("/compliance/allowed-phrases", response={201: PhraseOut}, summary="添加允许词（放行）")
def create_phrase(request, payload: PhraseIn):
    actions.require_perm(request.auth, actions.ADD_PHRASE)
    data = payload.model_dump()
    client = _visible_client(request.auth, data.pop("client_id"), whole=True)
    phrase = actions.create_allowed_phrase(user=request.auth, client=client, **data)
    return Status(201, _phrases(request.auth).get(pk=phrase.pk))


@router.patch("/compliance/allowed-phrases/{phrase_id}", response=PhraseOut, summary="修改或停用允许词")
def update_phrase(request, phrase_id: Path[Id], payload: PhrasePatch):
    require_perm(request.auth, VIEW_PHRASES, internal=True)
    phrase = get_object_or_404(_phrases(request.auth), pk=phrase_id)
    phrase = actions.update_allowed_phrase(phrase, user=request.auth, **payload.changes())
    return _phrases(request.auth).get(pk=phrase.pk)
