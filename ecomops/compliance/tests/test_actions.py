"""Maintaining the lists (LAW-02): the compliance owner edits them as data, with permissions, scope,
clear refusals and history; the seed fills a new installation and never overrides the owner."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from ecomops.compliance import actions
from ecomops.compliance.enums import PhraseKind, Severity, TermCategory, TermOrigin
from ecomops.compliance.models import AllowedPhrase, BarredTerm
from ecomops.compliance.seed import seed_library
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.org.models import Position
from ecomops.policy import actions as policy_actions
from ecomops.policy.models import PolicyParameter

pytestmark = pytest.mark.django_db

COMPLIANCE_PERMS = {
    "view_barredterm", "add_barredterm", "change_barredterm",
    "view_allowedphrase", "add_allowedphrase", "change_allowedphrase",
}


def new_term(user, term="镇店之宝", **kwargs):
    fields = {"category": TermCategory.SUPERLATIVE, "reason": "最高级的同义说法", **kwargs}
    return actions.create_barred_term(user=user, term=term, **fields)


# --- Who may change the lists ------------------------------------------------------------------


def test_the_seeded_compliance_officer_may_maintain_both_lists():
    """ORG-02 / LAW-02: the list is the compliance owner's (法务合规专员) to maintain."""
    group = Position.objects.get(code="compliance_officer").group
    granted = set(group.permissions.filter(content_type__app_label="compliance").values_list("codename", flat=True))
    assert granted == COMPLIANCE_PERMS


def test_without_the_permission_nobody_changes_the_list(org, writer, officer):
    with pytest.raises(NotAllowed):
        new_term(writer)
    with pytest.raises(NotAllowed):
        actions.update_barred_term(BarredTerm.objects.get(term="最佳"), user=writer, is_active=False)
    with pytest.raises(NotAllowed):
        actions.create_allowed_phrase(user=writer, phrase="极品红")
    with pytest.raises(NotAllowed):
        actions.import_policy_terms(user=writer)
    assert not BarredTerm.objects.filter(term="镇店之宝").exists()


def test_a_clients_own_user_never_maintains_the_list(org):
    for codename in COMPLIANCE_PERMS:
        org.member_a.user_permissions.add(Permission.objects.get(codename=codename))
    member = type(org.member_a).objects.get(pk=org.member_a.pk)
    with pytest.raises(NotAllowed):
        new_term(member)


# --- Barred terms ------------------------------------------------------------------------------


def test_adding_a_term_records_who_and_keeps_history(officer):
    term = new_term(officer, severity=Severity.MEDIUM)
    assert (term.origin, term.created_by, term.updated_by) == (TermOrigin.MANUAL, officer, officer)
    assert term.is_active
    assert term.history.get().history_user == officer


@pytest.mark.parametrize("spelling", ["No.1", "no 1", "ＮＯ．１", "N-O-1"])
def test_a_term_already_listed_in_another_spelling_is_refused(officer, spelling):
    with pytest.raises(Conflict) as refused:
        new_term(officer, term=spelling)
    assert refused.value.field == "term" and "NO.1" in refused.value.message


def test_a_switched_off_duplicate_says_it_can_be_switched_on_again(officer):
    actions.update_barred_term(BarredTerm.objects.get(term="王牌"), user=officer, is_active=False)
    with pytest.raises(Conflict) as refused:
        new_term(officer, term="王 牌")
    assert "已停用" in refused.value.message


@pytest.mark.parametrize(
    ("term", "field"),
    [("", "term"), ("  ", "term"), ("***", "term"), ("1", "term"), ("a", "term"), ("x" * 51, "term"),
     ("镇\n店", "term")],
)
def test_a_term_that_cannot_be_checked_is_refused_naming_the_field(officer, term, field):
    with pytest.raises(BusinessError) as refused:
        new_term(officer, term=term)
    assert refused.value.field == field and refused.value.message


def test_category_severity_and_reason_are_checked(officer):
    with pytest.raises(BusinessError) as refused:
        new_term(officer, category="nonsense")
    assert refused.value.field == "category"
    with pytest.raises(BusinessError) as refused:
        new_term(officer, severity="urgent")
    assert refused.value.field == "severity"
    with pytest.raises(BusinessError) as refused:
        new_term(officer, reason=" ")
    assert refused.value.field == "reason"


def test_editing_and_switching_off_a_term_is_in_its_history(officer):
    term = BarredTerm.objects.get(term="首发")
    actions.update_barred_term(term, user=officer, reason="首发须注明时间和平台", severity=Severity.LOW)
    actions.update_barred_term(term, user=officer, is_active=False)
    term.refresh_from_db()
    assert (term.reason, term.severity, term.is_active, term.updated_by) == (
        "首发须注明时间和平台", Severity.LOW, False, officer
    )
    reasons = list(term.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["change barred term", "disable barred term"]


def test_renaming_a_term_onto_another_is_refused(officer):
    with pytest.raises(Conflict):
        actions.update_barred_term(BarredTerm.objects.get(term="顶尖"), user=officer, term="顶 级")
    with pytest.raises(BusinessError) as refused:
        actions.update_barred_term(BarredTerm.objects.get(term="顶尖"), user=officer, origin="manual")
    assert refused.value.field == "origin"


# --- Allowed phrases ---------------------------------------------------------------------------


def test_clearing_a_phrase_for_a_client_needs_that_client_in_scope(org, officer):
    phrase = actions.create_allowed_phrase(user=officer, phrase="至尊宝", kind=PhraseKind.TRADEMARK,
                                           client=org.client_a, reference="第 1234567 号")
    assert (phrase.client, phrase.cleared_by) == (org.client_a, officer)
    with pytest.raises(BusinessError) as refused:
        actions.create_allowed_phrase(user=officer, phrase="至尊宝", client=org.client_b)
    assert (refused.value.field, refused.value.code) == ("client", "not_found")
    assert not AllowedPhrase.objects.filter(client=org.client_b).exists()


def test_an_allowed_phrase_is_not_cleared_twice(org, officer):
    actions.create_allowed_phrase(user=officer, phrase="至尊宝", client=org.client_a)
    with pytest.raises(Conflict):
        actions.create_allowed_phrase(user=officer, phrase="至 尊 宝", client=org.client_a)
    with pytest.raises(Conflict) as refused:  # already cleared for every client
        actions.create_allowed_phrase(user=officer, phrase="第一 次", client=org.client_a)
    assert "所有委托方" in refused.value.message


def test_another_clients_phrase_cannot_be_changed(org, officer):
    phrase = actions.create_allowed_phrase(user=org.admin, phrase="乙方王牌", client=org.client_b)
    with pytest.raises(BusinessError) as refused:
        actions.update_allowed_phrase(phrase, user=officer, is_active=False)
    assert refused.value.code == "not_found"


# --- The seed ----------------------------------------------------------------------------------


def test_seeding_again_creates_nothing_and_keeps_the_owners_edits_law02(officer):
    """LAW-02: the term list is data the compliance owner maintains: a deployment never undoes it."""
    best = BarredTerm.objects.get(term="最佳")
    actions.update_barred_term(best, user=officer, reason="自定义理由", is_active=False)
    phrase = AllowedPhrase.objects.get(phrase="第一次")
    actions.update_allowed_phrase(phrase, user=officer, is_active=False)
    counts = (BarredTerm.objects.count(), AllowedPhrase.objects.count())
    assert seed_library() == {"terms": 0, "phrases": 0}
    assert (BarredTerm.objects.count(), AllowedPhrase.objects.count()) == counts
    best.refresh_from_db()
    phrase.refresh_from_db()
    assert (best.reason, best.is_active, phrase.is_active) == ("自定义理由", False, False)


def test_seed_gives_each_policy_term_a_category_and_reason():
    for term in BarredTerm.objects.filter(origin=TermOrigin.POLICY):
        assert term.category != TermCategory.OTHER, term.term
        assert "广告法" in term.reason


def test_a_term_added_to_the_policy_parameter_is_imported_once(org, officer):
    """A new term in LAW-02.barred_terms reaches the list (the owner's import, or the next migrate)."""
    org.admin.refresh_from_db()
    parameter = PolicyParameter.objects.get(key="LAW-02.barred_terms")
    current = parameter.versions.order_by("-effective_from", "-number").first().value
    policy_actions.change_value(parameter, "\n".join([*current, "镇店之宝", "No 1"]), effective_from=date.today(),
                                reason="补充", user=org.admin)
    created = actions.import_policy_terms(user=officer)
    assert [t.term for t in created] == ["镇店之宝"]  # "No 1" is NO.1, already listed
    assert created[0].origin == TermOrigin.POLICY and created[0].category == TermCategory.OTHER
    assert actions.import_policy_terms(user=officer) == []
