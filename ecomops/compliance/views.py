"""Pages of content compliance (LAW-02, CAT-02): 内容检测 (paste a text, see its hits highlighted with
their reasons) and 合规词库 (the barred terms and the allowed phrases, for the compliance owner).

The agency's own staff only: a client's user gets a 404 (AGY-07). Views stay thin: the check is
``checker.check_text``; every change goes through ``compliance.actions``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action

from . import actions
from .checker import Cleared, Hit, check_text, line_column
from .enums import SEVERITY_ORDER
from .forms import FOR_EVERYONE, CheckForm, PhraseFilterForm, PhraseForm, TermFilterForm, TermForm
from .models import AllowedPhrase, BarredTerm

PER_PAGE = 50
VIEW_TERMS = "compliance.view_barredterm"
VIEW_PHRASES = "compliance.view_allowedphrase"


def _paginate(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# --- 内容检测 ------------------------------------------------------------------------------------


@dataclass
class Segment:
    """A stretch of the checked text with the hits (numbered from 1) and allowed phrases covering it."""

    text: str
    hits: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    cleared: Cleared | None = None
    severity: str = ""
    title: str = ""


def segments(text: str, hits: list[Hit], cleared: list[Cleared]) -> list[Segment]:
    """Cut the text where a hit or an allowed phrase begins or ends (hits may overlap partly)."""
    starts_at: dict[int, list] = defaultdict(list)
    ends_at: dict[int, list] = defaultdict(list)
    for number, hit in enumerate(hits, start=1):
        starts_at[hit.start].append(("hit", number))
        ends_at[hit.end].append(("hit", number))
    for index, span in enumerate(cleared):
        starts_at[span.start].append(("cleared", index))
        ends_at[span.end].append(("cleared", index))
    points = sorted({0, len(text), *starts_at, *ends_at})
    open_hits: set[int] = set()
    open_cleared: set[int] = set()
    result = []
    for left, right in zip(points, points[1:], strict=False):
        for kind, key in ends_at.get(left, ()):
            (open_hits if kind == "hit" else open_cleared).discard(key)
        started = []
        for kind, key in starts_at.get(left, ()):
            if kind == "hit":
                open_hits.add(key)
                started.append(key)
            else:
                open_cleared.add(key)
        numbers = sorted(open_hits)
        covering = [hits[n - 1] for n in numbers]
        result.append(Segment(
            text=text[left:right],
            hits=numbers,
            starts=sorted(started),
            cleared=cleared[min(open_cleared)] if open_cleared and not numbers else None,
            severity=min((h.severity for h in covering), key=lambda s: SEVERITY_ORDER.get(s, 9)) if covering else "",
            title="；".join(f"{h.term}：{h.reason}" for h in covering),
        ))
    return result


@internal_page()
def check_page(request):
    """Paste a text, see every hit with its reason; hits mean human review, never a silent reject."""
    form = CheckForm(request.POST or None, user=request.user)
    context: dict = {"form": form, "can_clear": request.user.has_perm(actions.ADD_PHRASE)}
    if request.method == "POST" and form.is_valid():
        text, client = form.cleaned_data["text"], form.cleaned_data["client"]
        result = check_text(text, client=client)
        rows = []
        for number, hit in enumerate(result.hits, start=1):
            line, column = line_column(text, hit.start)
            rows.append({"number": number, "hit": hit, "line": line, "column": column})
        context.update({
            "checked": True,
            "result": result,
            "rows": rows,
            "segments": segments(text, result.hits, result.cleared),
            "client": client,
        })
    if request.htmx:
        return render(request, "compliance/check.html#result", context)
    return render(request, "compliance/check.html", context)


# --- 禁用词 ---------------------------------------------------------------------------------------


@internal_page(VIEW_TERMS)
def term_list(request):
    form = TermFilterForm(request.GET or None)
    terms = BarredTerm.objects.select_related("updated_by").order_by("category", "term", "pk")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            terms = terms.filter(Q(term__icontains=q) | Q(reason__icontains=q))
        if form.cleaned_data["category"]:
            terms = terms.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["active"]:
            terms = terms.filter(is_active=form.cleaned_data["active"] == "1")
    page_obj = _paginate(request, terms)
    user = request.user
    return render(request, "compliance/term_list.html", {
        "form": form,
        "page_obj": page_obj,
        "terms": page_obj.object_list,
        "can_add": user.has_perm(actions.ADD_TERM),
        "can_change": user.has_perm(actions.CHANGE_TERM),
        "active_count": BarredTerm.objects.filter(is_active=True).count(),
    })


@internal_page((VIEW_TERMS, actions.ADD_TERM))
def term_create(request):
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = submit(form, actions.create_barred_term, user=request.user, **form.cleaned_data)
        if term is not None:
            messages.success(request, _("已添加禁用词“%(term)s”") % {"term": term.term})
            return redirect("compliance:terms")
    return render(request, "compliance/term_form.html", {"form": form})


@internal_page((VIEW_TERMS, actions.CHANGE_TERM))
def term_edit(request, pk: int):
    term = get_object_or_404(BarredTerm, pk=pk)
    initial = {"term": term.term, "category": term.category, "severity": term.severity, "reason": term.reason}
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        saved = submit(form, actions.update_barred_term, term, user=request.user, **changes)
        if saved is not None:
            messages.success(request, _("已保存禁用词“%(term)s”") % {"term": saved.term})
            return redirect("compliance:terms")
    return render(request, "compliance/term_form.html", {"form": form, "term": term})


@require_POST
@internal_page((VIEW_TERMS, actions.CHANGE_TERM))
def term_toggle(request, pk: int):
    """Switch a term off (it stays in the list and in the history) or on again."""
    term = get_object_or_404(BarredTerm, pk=pk)
    run_action(request, actions.update_barred_term, term, user=request.user, is_active=not term.is_active,
               done=lambda term: (_("已启用禁用词“%(term)s”") if term.is_active else _("已停用禁用词“%(term)s”"))
               % {"term": term.term})
    return redirect(_back(request, "compliance:terms"))


@require_POST
@internal_page((VIEW_TERMS, actions.ADD_TERM))
def term_import(request):
    """Add the terms of the policy parameter LAW-02.barred_terms that the list lacks."""
    created = run_action(request, actions.import_policy_terms, user=request.user)
    if created:
        messages.success(
            request,
            _("已从政策参数 LAW-02 补充 %(n)d 个禁用词：%(terms)s")
            % {"n": len(created), "terms": "、".join(t.term for t in created)},
        )
    elif created is not None:
        messages.info(request, _("政策参数 LAW-02 中的词条都已在词库中（含已停用的）"))
    return redirect("compliance:terms")


def _back(request, default: str) -> str:
    """Return to the list page the form was sent from (with its filters), never to another site."""
    target = request.POST.get("next", "")
    return target if target.startswith("/compliance/") and "//" not in target else default


# --- 允许词 ---------------------------------------------------------------------------------------


def _phrases(user):
    return AllowedPhrase.objects.visible_to(user).select_related("client", "cleared_by")


@internal_page(VIEW_PHRASES)
def phrase_list(request):
    form = PhraseFilterForm(request.GET or None, user=request.user)
    phrases = _phrases(request.user).order_by("phrase", "pk")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            phrases = phrases.filter(Q(phrase__icontains=q) | Q(reference__icontains=q) | Q(note__icontains=q))
        if form.cleaned_data["kind"]:
            phrases = phrases.filter(kind=form.cleaned_data["kind"])
        scope = form.cleaned_data["client"]
        if scope == FOR_EVERYONE:
            phrases = phrases.filter(client__isnull=True)
        elif scope:
            phrases = phrases.filter(client_id=int(scope))
        if form.cleaned_data["active"]:
            phrases = phrases.filter(is_active=form.cleaned_data["active"] == "1")
    page_obj = _paginate(request, phrases)
    user = request.user
    return render(request, "compliance/phrase_list.html", {
        "form": form,
        "page_obj": page_obj,
        "phrases": page_obj.object_list,
        "can_add": user.has_perm(actions.ADD_PHRASE),
        "can_change": user.has_perm(actions.CHANGE_PHRASE),
    })


@internal_page((VIEW_PHRASES, actions.ADD_PHRASE))
def phrase_create(request):
    """Clear a phrase; the check page links here with the matched text (and client) filled in."""
    initial = {}
    if request.method == "GET":
        initial["phrase"] = (request.GET.get("phrase") or "").strip()[:80]
        client_id = request.GET.get("client") or ""
        if client_id.isdigit():
            initial["client"] = int(client_id)
    form = PhraseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        phrase = submit(form, actions.create_allowed_phrase, user=request.user, **form.cleaned_data)
        if phrase is not None:
            messages.success(request, _("已放行“%(phrase)s”") % {"phrase": phrase.phrase})
            return redirect("compliance:phrases")
    return render(request, "compliance/phrase_form.html", {"form": form})


def _visible_phrase(user, pk: int) -> AllowedPhrase:
    phrase = _phrases(user).filter(pk=pk).first()
    if phrase is None:
        raise Http404  # another client's phrase reads like one that does not exist
    return phrase


@internal_page((VIEW_PHRASES, actions.CHANGE_PHRASE))
def phrase_edit(request, pk: int):
    phrase = _visible_phrase(request.user, pk)
    initial = {"phrase": phrase.phrase, "kind": phrase.kind, "reference": phrase.reference, "note": phrase.note}
    form = PhraseForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        saved = submit(form, actions.update_allowed_phrase, phrase, user=request.user, **changes)
        if saved is not None:
            messages.success(request, _("已保存允许词“%(phrase)s”") % {"phrase": saved.phrase})
            return redirect("compliance:phrases")
    return render(request, "compliance/phrase_form.html", {"form": form, "phrase": phrase})


@require_POST
@internal_page((VIEW_PHRASES, actions.CHANGE_PHRASE))
def phrase_toggle(request, pk: int):
    phrase = _visible_phrase(request.user, pk)
    run_action(request, actions.update_allowed_phrase, phrase, user=request.user, is_active=not phrase.is_active,
               done=lambda phrase: (_("已启用允许词“%(phrase)s”") if phrase.is_active
                                    else _("已停用允许词“%(phrase)s”")) % {"phrase": phrase.phrase})
    return redirect(_back(request, "compliance:phrases"))
