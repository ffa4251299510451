"""Every change to the compliance lists (LAW-02) goes through here.

The compliance owner adds, edits and switches off barred terms and allowed phrases; nothing is
deleted, so the audit history always shows what the list was on a day. Each function checks the
permission (and, for a client's own phrases, that the user sees that client whole, DAT-02), runs in
one transaction and records the acting user.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ecomops.core import validate
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.validate import save_checked
from ecomops.org.models import Client
from ecomops.org.scoping import is_client_member, scope_for
from ecomops.policy import registry

from .enums import PhraseKind, Severity, TermCategory, TermOrigin
from .folding import is_word, skeleton
from .models import KEY_MAX_LENGTH, PHRASE_MAX_LENGTH, TERM_MAX_LENGTH, AllowedPhrase, BarredTerm

logger = logging.getLogger(__name__)

ADD_TERM = "compliance.add_barredterm"
CHANGE_TERM = "compliance.change_barredterm"
ADD_PHRASE = "compliance.add_allowedphrase"
CHANGE_PHRASE = "compliance.change_allowedphrase"

POLICY_KEY = "LAW-02.barred_terms"
TERM_FIELDS = ("term", "category", "reason", "severity", "is_active")
PHRASE_FIELDS = ("phrase", "kind", "reference", "note", "is_active")
REASON_MAX_LENGTH = 200


def require_perm(user, perm: str) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(perm):
        raise NotAllowed(_("您没有执行此操作的权限"))
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能维护合规词库"))


# --- Checking input --------------------------------------------------------------------------


def _choice(value, choices, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise BusinessError(_("%(label)s不是有效的选项") % {"label": label}, field=field)
    return value


def term_key(term: str, *, field: str = "term") -> str:
    """The folded form of a new term; refuses one that could not be found or would flag everything."""
    key = skeleton(term)
    if not key:
        raise BusinessError(_("禁用词须包含文字或数字：只有空格和符号的词无法检测"), field=field)
    if all(is_word(ch) for ch in key) and (key.isdigit() or len(key) < 2):
        raise BusinessError(
            _("“%(term)s”过短或只有数字，会命中大量正常文字；请写完整，如 NO.1") % {"term": term}, field=field
        )
    if len(key) > KEY_MAX_LENGTH:
        raise BusinessError(_("禁用词过长"), field=field)
    return key


def phrase_key(phrase: str, *, field: str = "phrase") -> str:
    key = skeleton(phrase)
    if not key:
        raise BusinessError(_("允许词须包含文字或数字"), field=field)
    if len(key) > KEY_MAX_LENGTH:
        raise BusinessError(_("允许词过长"), field=field)
    return key


def _full_clean(instance) -> None:
    """The model's own validation as a last safety net, named by field."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise BusinessError(messages[0], field=None if field == "__all__" else field) from None


# --- Barred terms ----------------------------------------------------------------------------


def _term_duplicate(key: str, exclude: int | None = None) -> BarredTerm | None:
    existing = BarredTerm.objects.filter(key=key)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    return existing.first()


def _duplicate_term_message(other: BarredTerm) -> str:
    state = "" if other.is_active else _("（已停用，可重新启用）")
    return _("与已有禁用词“%(term)s”%(state)s相同：全角半角、大小写、空格和符号不计") % {
        "term": other.term, "state": state,
    }


@transaction.atomic
def create_barred_term(*, user, term: str, category: str, reason: str, severity: str = Severity.HIGH,
                       is_active: bool = True) -> BarredTerm:
    require_perm(user, ADD_TERM)
    return _create_term(
        user=user, term=term, category=category, reason=reason, severity=severity, is_active=is_active,
        origin=TermOrigin.MANUAL,
    )


def _create_term(*, user, term, category, reason, severity, is_active, origin) -> BarredTerm:
    term = validate.text(term, field="term", label=_("禁用词"), max_length=TERM_MAX_LENGTH, required=True,
                         single_line=True)
    key = term_key(term)
    other = _term_duplicate(key)
    if other is not None:
        raise Conflict(_duplicate_term_message(other), field="term")
    row = BarredTerm(
        term=term,
        key=key,
        category=_choice(category, TermCategory, field="category", label=_("类别")),
        reason=validate.text(reason, field="reason", label=_("提示理由"), max_length=REASON_MAX_LENGTH, required=True,
                             single_line=True),
        severity=_choice(severity, Severity, field="severity", label=_("严重程度")),
        origin=origin,
        is_active=bool(is_active),
        created_by=user,
        updated_by=user,
    )
    _full_clean(row)
    save_checked(row, user=user, reason="add barred term", duplicate=_("该禁用词已存在"), field="term")
    return row


@transaction.atomic
def update_barred_term(term: BarredTerm, /, *, user, **changes) -> BarredTerm:
    """Change a term's text, category, reason, severity or switch it off/on (``is_active``)."""
    require_perm(user, CHANGE_TERM)
    row = BarredTerm.objects.select_for_update().get(pk=term.pk)
    for name in changes:
        if name not in TERM_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
    if "term" in changes:
        text = validate.text(changes["term"], field="term", label=_("禁用词"), max_length=TERM_MAX_LENGTH,
                             required=True,
                             single_line=True)
        key = term_key(text)
        other = _term_duplicate(key, exclude=row.pk)
        if other is not None:
            raise Conflict(_duplicate_term_message(other), field="term")
        row.term, row.key = text, key
    if "category" in changes:
        row.category = _choice(changes["category"], TermCategory, field="category", label=_("类别"))
    if "reason" in changes:
        row.reason = validate.text(changes["reason"], field="reason", label=_("提示理由"), max_length=REASON_MAX_LENGTH,
                                   required=True, single_line=True)
    if "severity" in changes:
        row.severity = _choice(changes["severity"], Severity, field="severity", label=_("严重程度"))
    if "is_active" in changes:
        row.is_active = bool(changes["is_active"])
    row.updated_by = user
    _full_clean(row)
    reason = "change barred term" if set(changes) - {"is_active"} else (
        "enable barred term" if row.is_active else "disable barred term"
    )
    save_checked(row, user=user, reason=reason, duplicate=_("该禁用词已存在"), field="term")
    return row


def policy_terms() -> list[str]:
    """The terms of LAW-02.barred_terms in force today (none when the parameter is missing)."""
    try:
        return list(registry.value(POLICY_KEY))
    except registry.PolicyMissing:
        logger.warning("policy parameter %s is missing: no barred terms seeded from it", POLICY_KEY)
        return []


@transaction.atomic
def import_policy_terms(*, user, rows: dict[str, dict] | None = None, reasons: dict[str, str] | None = None
                        ) -> list[BarredTerm]:
    """Add the terms of LAW-02.barred_terms that the list lacks (compared by folded form).

    A term the owner switched off stays off: it is there, only inactive. ``user`` None is the
    system seeding a new installation; a person needs the permission to add terms.
    """
    from .seed import load_library  # the categories and reasons of the known terms

    if user is not None:
        require_perm(user, ADD_TERM)
    if rows is None or reasons is None:
        data = load_library()
        rows = {row["term"]: row for row in data.get("term", [])}
        reasons = {code: entry["reason"] for code, entry in data.get("category", {}).items()}
    existing = set(BarredTerm.objects.values_list("key", flat=True))
    created = []
    for term in policy_terms():
        key = skeleton(term)
        if not key or key in existing:
            continue
        row = rows.get(term, {})
        category = row.get("category", TermCategory.OTHER)
        created.append(
            _create_term(
                user=user,
                term=term,
                category=category,
                reason=row.get("reason") or reasons.get(category) or reasons[TermCategory.OTHER],
                severity=row.get("severity", Severity.HIGH),
                is_active=True,
                origin=TermOrigin.POLICY,
            )
        )
        existing.add(key)
    return created


# --- Allowed phrases -------------------------------------------------------------------------


def _phrase_duplicate(key: str, client_id: int | None, exclude: int | None = None) -> AllowedPhrase | None:
    """The same phrase for the same client, or for everybody (which already covers every client)."""
    same_scope = Q(client__isnull=True) if client_id is None else Q(client__isnull=True) | Q(client_id=client_id)
    existing = AllowedPhrase.objects.filter(same_scope, key=key)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    return existing.order_by("pk").first()


def _duplicate_phrase_message(other: AllowedPhrase) -> str:
    if other.client_id is None:
        return _("已有适用于所有委托方的允许词“%(phrase)s”") % {"phrase": other.phrase}
    return _("该委托方已有允许词“%(phrase)s”") % {"phrase": other.phrase}


@transaction.atomic
def create_allowed_phrase(*, user, phrase: str, kind: str = PhraseKind.CLEARED, client: Client | None = None,
                          reference: str = "", note: str = "", is_active: bool = True) -> AllowedPhrase:
    """Clear a phrase, for every text (``client`` None) or only for texts of one client."""
    require_perm(user, ADD_PHRASE)
    if client is not None and not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    return _create_phrase(user=user, phrase=phrase, kind=kind, client=client, reference=reference, note=note,
                          is_active=is_active)


def _create_phrase(*, user, phrase, kind, client, reference, note, is_active) -> AllowedPhrase:
    phrase = validate.text(phrase, field="phrase", label=_("允许词"), max_length=PHRASE_MAX_LENGTH, required=True,
                           single_line=True)
    key = phrase_key(phrase)
    other = _phrase_duplicate(key, client.pk if client else None)
    if other is not None:
        raise Conflict(_duplicate_phrase_message(other), field="phrase")
    row = AllowedPhrase(
        phrase=phrase,
        key=key,
        kind=_choice(kind, PhraseKind, field="kind", label=_("类型")),
        client=client,
        reference=validate.text(reference, field="reference", label=_("依据"), max_length=100, required=False,
                                single_line=True),
        note=validate.text(note, field="note", label=_("说明"), max_length=200, required=False, single_line=True),
        is_active=bool(is_active),
        cleared_by=user,
        updated_by=user,
    )
    _full_clean(row)
    save_checked(row, user=user, reason="clear phrase", duplicate=_("该允许词已存在"), field="phrase")
    return row


@transaction.atomic
def update_allowed_phrase(phrase: AllowedPhrase, /, *, user, **changes) -> AllowedPhrase:
    """Change a phrase, its kind, reference or note, or switch it off/on. Its client stays: a phrase
    cleared for one client is not moved to another (clear it there anew)."""
    require_perm(user, CHANGE_PHRASE)
    row = AllowedPhrase.objects.select_for_update().get(pk=phrase.pk)
    if row.client_id is not None and not scope_for(user).sees_client(row.client_id):
        raise BusinessError(_("允许词不存在"), field=None, code="not_found")
    for name in changes:
        if name not in PHRASE_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
    if "phrase" in changes:
        text = validate.text(changes["phrase"], field="phrase", label=_("允许词"), max_length=PHRASE_MAX_LENGTH,
                             required=True, single_line=True)
        key = phrase_key(text)
        other = _phrase_duplicate(key, row.client_id, exclude=row.pk)
        if other is not None:
            raise Conflict(_duplicate_phrase_message(other), field="phrase")
        row.phrase, row.key = text, key
    if "kind" in changes:
        row.kind = _choice(changes["kind"], PhraseKind, field="kind", label=_("类型"))
    if "reference" in changes:
        row.reference = validate.text(changes["reference"], field="reference", label=_("依据"), max_length=100,
                              required=False, single_line=True)
    if "note" in changes:
        row.note = validate.text(changes["note"], field="note", label=_("说明"), max_length=200, required=False,
                                 single_line=True)
    if "is_active" in changes:
        row.is_active = bool(changes["is_active"])
    row.updated_by = user
    _full_clean(row)
    reason = "change allowed phrase" if set(changes) - {"is_active"} else (
        "enable allowed phrase" if row.is_active else "disable allowed phrase"
    )
    save_checked(row, user=user, reason=reason, duplicate=_("该允许词已存在"), field="phrase")
    return row


def seed_phrase(*, phrase: str, kind: str, note: str) -> AllowedPhrase:
    """A cleared phrase for everybody, as a new installation starts with it (no acting user)."""
    return _create_phrase(user=None, phrase=phrase, kind=kind, client=None, reference="", note=note,
                          is_active=True)


def seed_term(*, term: str, category: str, reason: str, severity: str) -> BarredTerm:
    return _create_term(user=None, term=term, category=category, reason=reason, severity=severity, is_active=True,
                        origin=TermOrigin.BUILTIN)
