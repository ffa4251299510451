"""STO-04: the qualification archive — status against the reminder period of the policy, renewal due
items raised once, and whether a store may sell special goods (a store whose food licence expired
cannot list food). LAW-03: the licences a store shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.policy import registry
from ecomops.stores import actions
from ecomops.stores.enums import HolderKind, QualificationKind, QualificationState, SpecialGoods
from ecomops.stores.models import Qualification
from ecomops.stores.queries import displayed_licences, may_sell, qualification_status, renewal_owners, with_status

from .conftest import make_user, pdf

REMINDER = "STO-04.renewal_reminder_before"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def reminder(today):
    return registry.value(REMINDER, on=today)


def licence(user, *, valid_to, kind=QualificationKind.FOOD_LICENCE, store=None, client=None, number="JY001",
            valid_from=None, **extra):
    holder = HolderKind.STORE if store else HolderKind.CLIENT
    return actions.create_qualification(
        user=user, holder_kind=extra.pop("holder_kind", holder), store=store, client=client, kind=kind,
        number=number, issuer="杭州市市场监督管理局", valid_from=valid_from, valid_to=valid_to, **extra)


# --- status boundaries (the reminder period comes from the policy) -------------------------------

def test_status_boundaries_follow_the_policy_reminder_period(org, people, today, reminder):
    cases = {
        today - timedelta(days=1): QualificationState.EXPIRED,
        today: QualificationState.EXPIRING,
        today + reminder: QualificationState.EXPIRING,
        today + reminder + timedelta(days=1): QualificationState.VALID,
    }
    for n, (valid_to, expected) in enumerate(cases.items()):
        q = licence(people.clerk, valid_to=valid_to, store=org.store_a1, number=f"N{n}")
        assert qualification_status(q, today) == expected, valid_to
        assert list(with_status(Qualification.objects.filter(pk=q.pk), expected, today)) == [q]
    no_end = licence(people.clerk, valid_to=None, store=org.store_a1, number="FOREVER")
    assert qualification_status(no_end, today) == QualificationState.VALID
    later = licence(people.clerk, valid_from=today + timedelta(days=3), valid_to=None, store=org.store_a1,
                    number="LATER")
    assert qualification_status(later, today) == QualificationState.NOT_YET_VALID


def test_changing_the_policy_moves_the_expiring_boundary(org, people, today, reminder, settings):
    from ecomops.policy import actions as policy_actions
    from ecomops.policy.models import PolicyParameter

    q = licence(people.clerk, valid_to=today + reminder + timedelta(days=5), store=org.store_a1)
    assert qualification_status(q, today) == QualificationState.VALID
    longer = reminder + timedelta(days=10)
    policy_actions.change_value(PolicyParameter.objects.get(key=REMINDER), f"{longer.days}d",
                                effective_from=today, reason="测试延长提醒期", user=org.admin)
    assert qualification_status(q, today) == QualificationState.EXPIRING


def test_dates_must_be_ordered_and_number_given(org, people, today):
    with pytest.raises(BusinessError) as refused:
        licence(people.clerk, valid_from=today, valid_to=today - timedelta(days=1), store=org.store_a1)
    assert refused.value.field == "valid_to"
    with pytest.raises(BusinessError) as refused:
        licence(people.clerk, valid_to=today, store=org.store_a1, number="  ")
    assert refused.value.field == "number"


def test_holder_rules(org, people, today):
    with pytest.raises(BusinessError) as refused:
        actions.create_qualification(user=people.clerk, holder_kind=HolderKind.BRAND, kind=QualificationKind.TRADEMARK,
                                     number="TM1", client=org.client_a)
    assert refused.value.field == "holder_name"
    brand = actions.create_qualification(user=people.clerk, holder_kind=HolderKind.BRAND, holder_name="西湖牌",
                                         kind=QualificationKind.TRADEMARK, number="TM1", client=org.client_a)
    assert brand.holder_display == "西湖牌"
    store_level = licence(people.clerk, valid_to=today, store=org.store_a1)
    assert store_level.client == org.client_a  # a store's certificate belongs to its client too
    with pytest.raises(BusinessError) as refused:
        actions.create_qualification(user=people.clerk, holder_kind=HolderKind.COMPANY,
                                     kind=QualificationKind.BUSINESS_LICENCE, number="C1")
    assert refused.value.field == "holder_kind"
    company = actions.create_qualification(user=org.admin, holder_kind=HolderKind.COMPANY,
                                           kind=QualificationKind.BUSINESS_LICENCE, number="C1")
    assert company.client is None and company.store is None


def test_licence_kinds_record_the_special_goods_they_cover(org, people, today):
    q = licence(people.clerk, valid_to=today, store=org.store_a1, special_goods=["none"])
    assert q.special_goods == [SpecialGoods.FOOD]
    with pytest.raises(BusinessError) as refused:
        licence(people.clerk, valid_to=today, store=org.store_a1, special_goods=["weapons"], number="X")
    assert refused.value.field == "special_goods"


def test_scanned_file_limits(org, people, today):
    with pytest.raises(BusinessError, match="类型不支持"):
        licence(people.clerk, valid_to=today, store=org.store_a1, file=pdf("scan.docx"))
    assert not Qualification.objects.exists()
    q = licence(people.clerk, valid_to=today, store=org.store_a1, file=pdf("食品经营许可证.pdf"))
    assert q.original_name == "食品经营许可证.pdf" and q.file.name.startswith("stores/qualifications/")


# --- may a store sell special goods ----------------------------------------------------------

def test_store_level_licence_allows_food_until_it_expires(org, people, today):
    licence(people.clerk, valid_to=today + timedelta(days=3), store=org.store_a1, number="JY-STORE")
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today)
    assert allowed and "JY-STORE" in reason and "店铺" in reason
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today + timedelta(days=4))
    assert not allowed and "已于" in reason and "过期" in reason and "食品" in reason


def test_a_store_whose_food_licence_expired_cannot_list_food(org, people, today):
    licence(people.clerk, valid_to=today - timedelta(days=1), store=org.store_a1)
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today)
    assert not allowed
    assert (today - timedelta(days=1)).isoformat() in reason


def test_the_clients_licence_covers_all_its_stores_but_not_other_clients(org, people, today):
    licence(people.clerk, valid_to=None, client=org.client_a, number="JY-CLIENT")
    for store in (org.store_a1, org.store_a2):
        allowed, reason = may_sell(store, SpecialGoods.FOOD, on=today)
        assert allowed and "委托方" in reason and "JY-CLIENT" in reason
    allowed, reason = may_sell(org.store_b1, SpecialGoods.FOOD, on=today)
    assert not allowed and "没有食品经营许可证" in reason


def test_another_stores_licence_does_not_count(org, people, today):
    licence(people.clerk, valid_to=None, store=org.store_a2)
    assert may_sell(org.store_a1, SpecialGoods.FOOD, on=today)[0] is False


def test_a_licence_of_the_wrong_kind_does_not_count(org, people, today):
    licence(people.clerk, valid_to=None, store=org.store_a1, kind=QualificationKind.COSMETICS_LICENCE)
    licence(people.clerk, valid_to=None, store=org.store_a1, kind=QualificationKind.BUSINESS_LICENCE, number="B")
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today)
    assert not allowed and "食品经营许可证" in reason
    assert may_sell(org.store_a1, SpecialGoods.COSMETICS, on=today)[0] is True
    assert may_sell(org.store_a1, SpecialGoods.DRUG, on=today)[0] is False


def test_a_licence_not_yet_in_force_does_not_count(org, people, today):
    licence(people.clerk, valid_from=today + timedelta(days=2), valid_to=None, store=org.store_a1)
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today)
    assert not allowed and "起生效" in reason
    assert may_sell(org.store_a1, SpecialGoods.FOOD, on=today + timedelta(days=2))[0] is True


def test_ordinary_goods_need_no_licence(org):
    assert may_sell(org.store_b1, SpecialGoods.NONE)[0] is True


def test_a_renewal_replaces_the_old_licence(org, people, today):
    old = licence(people.clerk, valid_to=today - timedelta(days=1), store=org.store_a1, number="OLD")
    new = licence(people.clerk, valid_to=today + timedelta(days=365 * 3), store=org.store_a1, number="NEW",
                  replaces=old)
    assert qualification_status(Qualification.objects.get(pk=old.pk), today) == QualificationState.SUPERSEDED
    allowed, reason = may_sell(org.store_a1, SpecialGoods.FOOD, on=today)
    assert allowed and "NEW" in reason
    with pytest.raises(BusinessError):
        licence(people.clerk, valid_to=None, store=org.store_a1, number="THIRD", replaces=old)
    assert new.replaces == old


# --- renewal due items -----------------------------------------------------------------------

def test_due_command_raises_reminders_once_for_the_account_managers(org, people, today, reminder):
    soon = licence(people.clerk, valid_to=today + reminder, store=org.store_a1, number="SOON")
    expired = licence(people.clerk, valid_to=today - timedelta(days=3), client=org.client_a, number="GONE")
    licence(people.clerk, valid_to=today + reminder + timedelta(days=1), store=org.store_a1, number="LATER")
    licence(people.clerk, valid_to=None, store=org.store_a1, number="NOEND")
    call_command("qualifications-due")
    items = DueItem.objects.filter(kind=actions.RENEWAL_DUE_KIND)
    owners = set(renewal_owners(soon))
    assert org.user_a in owners and people.applicant in owners  # granted client A, may change its stores
    assert org.user_b not in owners and people.reviewer not in owners
    assert {i.source_id for i in items} == {str(soon.pk), str(expired.pk)}
    assert all(i.clause == "STO-04" for i in items)
    assert items.filter(source_id=str(soon.pk)).count() == len(owners)
    late = items.filter(source_id=str(expired.pk))
    assert late.exists() and all(i.is_late for i in late)
    count = items.count()
    call_command("qualifications-due")
    call_command("qualifications-due")
    assert DueItem.objects.filter(kind=actions.RENEWAL_DUE_KIND).count() == count


def test_company_certificates_are_reminded_to_superusers(org, today):
    q = actions.create_qualification(user=org.admin, holder_kind=HolderKind.COMPANY,
                                     kind=QualificationKind.BUSINESS_LICENCE, number="C1", valid_to=today)
    assert renewal_owners(q) == [org.admin]


def test_renewal_settles_the_reminder(org, people, today):
    old = licence(people.clerk, valid_to=today, store=org.store_a1)
    call_command("qualifications-due")
    assert DueItem.objects.open().filter(source_id=str(old.pk)).exists()
    licence(people.clerk, valid_to=today + timedelta(days=400), store=org.store_a1, number="NEW", replaces=old)
    assert not DueItem.objects.open().filter(source_id=str(old.pk)).exists()


# --- scope and rights ------------------------------------------------------------------------

def test_client_member_sees_own_clients_qualifications_read_only(org, people, today):
    from django.contrib.auth.models import Permission

    own = licence(people.clerk, valid_to=today, client=org.client_a, number="A")
    other = licence(people.applicant_b, valid_to=today, client=org.client_b, number="B")
    company = actions.create_qualification(user=org.admin, holder_kind=HolderKind.COMPANY,
                                           kind=QualificationKind.BUSINESS_LICENCE, number="C")
    org.member_a.user_permissions.add(Permission.objects.get(codename="add_qualification"))
    visible = set(Qualification.objects.visible_to(org.member_a))
    assert visible == {own}
    with pytest.raises(NotAllowed):
        licence(org.member_a, valid_to=today, client=org.client_a, number="X")
    staff_visible = set(Qualification.objects.visible_to(people.clerk))
    assert staff_visible == {own, company} and other not in staff_visible


def test_another_clients_store_cannot_hold_a_new_qualification(org, people, today):
    with pytest.raises(BusinessError) as refused:
        licence(people.clerk, valid_to=today, store=org.store_b1)
    assert refused.value.code == "not_found"


def test_filing_needs_the_permission(org, today):
    clerkless = make_user("no_rights", "org.view_store", client=org.client_a)
    with pytest.raises(NotAllowed):
        licence(clerkless, valid_to=today, store=org.store_a1)


# --- LAW-03: what the store shows ------------------------------------------------------------

def test_store_shows_its_valid_business_licence_and_permits(org, people, today):
    business = licence(people.clerk, kind=QualificationKind.BUSINESS_LICENCE, valid_to=None, client=org.client_a,
                       number="BL")
    food = licence(people.clerk, valid_to=today + timedelta(days=2), store=org.store_a1, number="FOOD")
    licence(people.clerk, valid_to=today - timedelta(days=1), store=org.store_a1, number="EXPIRED")
    licence(people.clerk, kind=QualificationKind.TRADEMARK, valid_to=None, store=org.store_a1, number="TM")
    licence(people.clerk, valid_to=None, store=org.store_a2, number="OTHER-STORE")
    shown = displayed_licences(org.store_a1, today)
    assert {q.pk for q in shown} == {business.pk, food.pk}
