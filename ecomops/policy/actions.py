"""Every change to policy values and regulation versions goes through here (POL-01, ORG-06)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.history import save_audited
from ecomops.org.enums import StaffState
from ecomops.org.models import Staff

from . import registry
from .kinds import PolicyValueError, normalise
from .models import Acknowledgement, PolicyParameter, PolicyVersion, RegulationVersion
from .registry import version_in_force

ACK_DUE_KIND = "policy.acknowledge_regulation"
CHANGE_PERM = "policy.change_policy_value"
REGULATION_PERM = "policy.change_regulationversion"


@transaction.atomic
def change_value(
    parameter: PolicyParameter,
    raw_value,
    *,
    effective_from: date,
    reason: str,
    user,
    human: bool = True,
    regulation: RegulationVersion | None = None,
) -> PolicyVersion:
    """Create a new version of ``parameter`` in force from ``effective_from``; the old stays readable.

    A later version with the same effective date supersedes the earlier one (a correction made
    before the date comes). Past dates cannot be changed: figures already computed used them.
    """
    if user is None or not user.has_perm(CHANGE_PERM):
        raise NotAllowed(_("您没有修改政策参数的权限"))
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(_("请填写变更原因"), field="reason")
    if len(reason) > 500:
        raise BusinessError(_("变更原因最多 500 字"), field="reason")
    if effective_from < timezone.localdate():
        raise BusinessError(_("生效日期不能早于今天：已经发生的计算用的是当时的取值"), field="effective_from")
    try:
        stored = normalise(parameter.kind, raw_value, parameter.options, human=human)
    except PolicyValueError as error:
        raise BusinessError(str(error), field="value") from None
    # Lock the parameter row so two simultaneous changes get distinct version numbers.
    PolicyParameter.objects.select_for_update().filter(pk=parameter.pk).first()
    number = (parameter.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = PolicyVersion(
        parameter=parameter,
        number=number,
        value=stored,
        effective_from=effective_from,
        reason=reason,
        regulation=regulation,
        created_by=user,
    )
    save_audited(version, user=user, reason=reason)
    registry.forget()
    return version


def previous_value(version: PolicyVersion):
    """The version that was in force for the day before ``version`` took over, for before/after views."""
    earlier = (
        PolicyVersion.objects.filter(parameter_id=version.parameter_id)
        .exclude(pk=version.pk)
        .filter(effective_from__lte=version.effective_from, number__lt=version.number)
        .order_by("-effective_from", "-number")
        .first()
    )
    return earlier or version_in_force(version.parameter, version.effective_from)


@transaction.atomic
def create_regulation(*, code: str, title: str, announcement: str, effective_from: date, user,
                      title_en: str = "") -> RegulationVersion:
    if user is None or not user.has_perm("policy.add_regulationversion"):
        raise NotAllowed(_("您没有发布制度的权限"))
    if effective_from < timezone.localdate():
        raise BusinessError(_("生效日期不能早于今天：新版本须先公告、签署承诺书后才生效"), field="effective_from")
    if RegulationVersion.objects.filter(code=code).exists():
        raise BusinessError(_("版本号 %(code)s 已存在") % {"code": code}, field="code")
    regulation = RegulationVersion(
        code=code, title=title, title_en=title_en, announcement=announcement, effective_from=effective_from
    )
    save_audited(regulation, user=user)
    return regulation


@transaction.atomic
def publish_regulation(regulation: RegulationVersion, *, user) -> int:
    """Announce a regulation version: every active staff member gets a due item to acknowledge it
    before it takes effect (ORG-06). Returns the number of due items raised."""
    if user is None or not user.has_perm(REGULATION_PERM):
        raise NotAllowed(_("您没有发布制度的权限"))
    regulation = RegulationVersion.objects.select_for_update().get(pk=regulation.pk)
    if regulation.published_at is not None:
        raise BusinessError(_("该制度版本已发布"), code="already_published")
    regulation.published_at = timezone.now()
    regulation.published_by = user
    save_audited(regulation, user=user, update_fields=["published_at", "published_by"])
    return raise_acknowledgement_dues(regulation)


def acknowledgement_deadline(regulation: RegulationVersion) -> datetime:
    """Acknowledged before it takes effect: by the end of the day before the effective date."""
    start = datetime.combine(regulation.effective_from, time.min)
    return timezone.make_aware(start, timezone.get_current_timezone())


def raise_acknowledgement_dues(regulation: RegulationVersion) -> int:
    signed = set(regulation.acknowledgements.values_list("staff_id", flat=True))
    raised = 0
    title = _("签署制度承诺书：%(code)s %(title)s") % {"code": regulation.code, "title": regulation.title}
    active = Staff.objects.filter(status=StaffState.ACTIVE).select_related("user").exclude(pk__in=signed)
    for staff in active.order_by("pk"):
        dues.raise_due(
            kind=ACK_DUE_KIND,
            owner=staff.user,
            title=title,
            due_at=acknowledgement_deadline(regulation),
            source=regulation,
            clause="ORG-06",
            link=f"/policy/regulations/{regulation.pk}/",
        )
        raised += 1
    return raised


@transaction.atomic
def acknowledge(regulation: RegulationVersion, *, user, ip_address: str | None = None) -> Acknowledgement:
    """The user signs the commitment for this regulation version (承诺书)."""
    staff = Staff.objects.filter(user=user).first()
    if staff is None:
        raise BusinessError(_("只有员工需要签署制度承诺书"))
    regulation = RegulationVersion.objects.get(pk=regulation.pk)  # the caller's copy may predate publishing
    if regulation.published_at is None:
        raise BusinessError(_("该制度版本尚未发布"))
    ack = Acknowledgement.objects.filter(regulation=regulation, staff=staff).first()
    if ack is not None:
        return ack  # signing twice changes nothing
    ack = Acknowledgement(
        regulation=regulation, staff=staff, acknowledged_at=timezone.now(), ip_address=ip_address
    )
    try:
        with transaction.atomic():
            save_audited(ack, user=user)
    except IntegrityError:  # the same person signed in another tab at the same moment
        return Acknowledgement.objects.get(regulation=regulation, staff=staff)
    dues.complete_due(kind=ACK_DUE_KIND, source=regulation, owner=user, user=user, at=ack.acknowledged_at)
    return ack


def regulation_in_force(on: date | None = None) -> RegulationVersion | None:
    on = on or timezone.localdate()
    return (
        RegulationVersion.objects.filter(published_at__isnull=False, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )


def not_acknowledged(regulation: RegulationVersion):
    """Active staff who have not signed this version yet."""
    return (
        Staff.objects.filter(status=StaffState.ACTIVE)
        .exclude(acknowledgements__regulation=regulation)
        .select_related("department")
        .order_by("department__sort_order", "employee_no")
    )
