"""ORG-06: every staff member signs a commitment (承诺书) to each announced regulation version;
POL-01: the version in force on a date is the latest published one effective by then."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org.actions import staff_leaves
from ecomops.policy.actions import (
    ACK_DUE_KIND,
    acknowledge,
    create_regulation,
    not_acknowledged,
    publish_regulation,
    regulation_in_force,
)
from ecomops.policy.models import Acknowledgement, RegulationVersion

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def new_regulation(org, code="2026-01", *, effective_from, publish=False):
    fields = dict(code=code, title="电商运营管理制度", title_en="E-commerce operations regulations",
                  announcement="第六章修订：提成比例按新表执行。", effective_from=effective_from)
    if effective_from < timezone.localdate():
        # Versions already in force before this system was installed: the action refuses past dates.
        return RegulationVersion.objects.create(
            **fields, published_at=timezone.now() if publish else None, published_by=org.admin if publish else None
        )
    regulation = create_regulation(**fields, user=org.admin)
    if publish:
        publish_regulation(regulation, user=org.admin)
        regulation.refresh_from_db()
    return regulation


def dues_of(regulation):
    return DueItem.objects.filter(kind=ACK_DUE_KIND, source_id=str(regulation.pk))


def test_org_06_publishing_asks_every_active_staff_member_to_sign_before_it_takes_effect(org, hire, today):
    staff = [hire("张伟"), hire("王芳", department="ecom"), hire("李娜")]
    gone = hire("刘洋")
    staff_leaves(gone, user=org.admin, left_on=today)
    effective = today + timedelta(days=10)
    regulation = new_regulation(org, effective_from=effective)

    raised = publish_regulation(regulation, user=org.admin)

    assert raised == 3
    items = dues_of(regulation)
    assert sorted(items.values_list("owner_id", flat=True)) == sorted(s.user_id for s in staff)
    start_of_effective_day = datetime.combine(effective, time.min, tzinfo=SHANGHAI)
    for item in items:
        assert item.due_at == start_of_effective_day
        assert item.clause == "ORG-06"
        assert item.done_at is None
        assert regulation.code in item.title
    assert set(not_acknowledged(regulation)) == set(staff)


def test_org_06_signing_completes_that_persons_due_item_only(org, hire, today):
    zhang, wang = hire("张伟"), hire("王芳")
    regulation = new_regulation(org, effective_from=today + timedelta(days=5), publish=True)

    ack = acknowledge(regulation, user=zhang.user, ip_address="10.0.0.8")

    assert ack.staff == zhang and ack.ip_address == "10.0.0.8"
    mine = dues_of(regulation).get(owner=zhang.user)
    assert mine.done_at is not None and mine.done_by == zhang.user
    assert dues_of(regulation).get(owner=wang.user).done_at is None
    assert list(not_acknowledged(regulation)) == [wang]
    record = Acknowledgement.history.get(id=ack.pk)
    assert record.history_user == zhang.user


def test_org_06_signing_twice_changes_nothing(org, hire, today):
    zhang = hire("张伟")
    regulation = new_regulation(org, effective_from=today + timedelta(days=5), publish=True)
    first = acknowledge(regulation, user=zhang.user)
    done_at = dues_of(regulation).get(owner=zhang.user).done_at

    second = acknowledge(regulation, user=zhang.user)

    assert second.pk == first.pk and second.acknowledged_at == first.acknowledged_at
    assert Acknowledgement.objects.filter(regulation=regulation).count() == 1
    assert dues_of(regulation).get(owner=zhang.user).done_at == done_at


def test_org_06_an_unpublished_version_cannot_be_signed(org, hire, today):
    zhang = hire("张伟")
    draft = new_regulation(org, effective_from=today + timedelta(days=5))
    with pytest.raises(BusinessError, match="尚未发布"):
        acknowledge(draft, user=zhang.user)
    assert not Acknowledgement.objects.exists()
    assert not dues_of(draft).exists()


def test_org_06_only_staff_sign(org, today):
    regulation = new_regulation(org, effective_from=today + timedelta(days=5), publish=True)
    with pytest.raises(BusinessError, match="员工"):
        acknowledge(regulation, user=org.member_a)  # a client's own login is not staff


def test_org_06_publishing_needs_the_permission_and_happens_once(org, hire, today):
    hire("张伟")
    regulation = new_regulation(org, effective_from=today + timedelta(days=5))
    with pytest.raises(NotAllowed):
        publish_regulation(regulation, user=org.nobody)
    with pytest.raises(NotAllowed):
        create_regulation(code="X", title="t", announcement="a", effective_from=today, user=org.nobody)
    assert publish_regulation(regulation, user=org.admin) == 1
    with pytest.raises(BusinessError, match="已发布"):
        publish_regulation(regulation, user=org.admin)
    assert dues_of(regulation).count() == 1
    with pytest.raises(BusinessError) as error:
        new_regulation(org, code=regulation.code, effective_from=today)
    assert error.value.field == "code"


def test_org_06_a_person_hired_after_publication_is_asked_to_sign(org, hire, today):
    """org.actions.hire_staff raises the due items for the version in force and announced ones."""
    current = new_regulation(org, "2025-01", effective_from=today - timedelta(days=30), publish=True)
    coming = new_regulation(org, "2026-01", effective_from=today + timedelta(days=20), publish=True)
    draft = new_regulation(org, "2026-02", effective_from=today + timedelta(days=40))
    older = new_regulation(org, "2024-01", effective_from=today - timedelta(days=300), publish=True)

    newcomer = hire("赵敏", hired_on=today)

    assert dues_of(current).filter(owner=newcomer.user).count() == 1
    assert dues_of(coming).get(owner=newcomer.user).due_at == datetime.combine(
        coming.effective_from, time.min, tzinfo=SHANGHAI
    )
    # The version already in force cannot be signed "before it takes effect": due by today's end.
    assert dues_of(current).get(owner=newcomer.user).due_at.astimezone(SHANGHAI).date() == today
    assert not dues_of(draft).exists()
    assert not dues_of(older).filter(owner=newcomer.user).exists()  # superseded
    assert newcomer in not_acknowledged(current)
    acknowledge(current, user=newcomer.user)
    assert newcomer not in not_acknowledged(current)


def test_pol_01_the_regulation_in_force_is_the_latest_published_one_effective_that_day(org, today):
    assert regulation_in_force(today) is None
    v1 = new_regulation(org, "2024-01", effective_from=today - timedelta(days=100), publish=True)
    v2 = new_regulation(org, "2025-01", effective_from=today - timedelta(days=10), publish=True)
    new_regulation(org, "2025-02", effective_from=today - timedelta(days=5))  # never published
    v3 = new_regulation(org, "2026-01", effective_from=today + timedelta(days=10), publish=True)

    assert regulation_in_force(today - timedelta(days=101)) is None
    assert regulation_in_force(today - timedelta(days=100)) == v1
    assert regulation_in_force(today - timedelta(days=11)) == v1
    assert regulation_in_force(today - timedelta(days=10)) == v2
    assert regulation_in_force(today) == v2
    assert regulation_in_force() == v2
    assert regulation_in_force(today + timedelta(days=10)) == v3
    assert RegulationVersion.objects.count() == 4


def test_not_acknowledged_lists_active_staff_only(org, hire, today):
    zhang, wang = hire("张伟"), hire("王芳")
    regulation = new_regulation(org, effective_from=today + timedelta(days=5), publish=True)
    staff_leaves(wang, user=org.admin, left_on=today)
    assert list(not_acknowledged(regulation)) == [zhang]


def test_org_06_a_new_version_cannot_take_effect_in_the_past(org, today):
    with pytest.raises(BusinessError) as error:
        create_regulation(code="X", title="t", announcement="a", effective_from=today - timedelta(days=1),
                          user=org.admin)
    assert error.value.field == "effective_from"
