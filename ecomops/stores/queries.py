"""Read side of STO-04: qualification status, who is reminded, may a store sell special goods, and
which licences a store shows (LAW-03)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.org.models import ClientGrant, Store, StoreGrant
from ecomops.policy import registry

from .enums import DISPLAYED_KINDS, LICENCE_FOR, HolderKind, QualificationKind, QualificationState, SpecialGoods
from .models import Qualification

REMINDER_KEY = "STO-04.renewal_reminder_before"


def reminder_until(on: date) -> date:
    """The last expiry day that counts as "expiring" on ``on``: the STO-04 reminder period ahead."""
    return on + registry.value(REMINDER_KEY, on=on)


def qualification_status(q: Qualification, on: date | None = None, until: date | None = None) -> str:
    on = on or timezone.localdate()
    return q.status_on(on, until or reminder_until(on))


def with_status(queryset, status: str, on: date | None = None):
    on = on or timezone.localdate()
    return queryset.status_on(status, on, reminder_until(on))


def annotate_status(qualifications, on: date | None = None) -> list[Qualification]:
    """Give each row ``status`` and ``status_label`` for display (one policy read for the lot)."""
    on = on or timezone.localdate()
    until = reminder_until(on)
    rows = list(qualifications)
    for q in rows:
        q.status = q.status_on(on, until)
        q.status_label = QualificationState(q.status).label
        q.days_left = (q.valid_to - on).days if q.valid_to else None
    return rows


# --- who is reminded -------------------------------------------------------------------------


def renewal_owners(q: Qualification) -> list:
    """The people reminded to renew ``q``: the account managers of its client (users granted the
    client, or for a store's certificate also the store, who hold org.change_store); when there are
    none, or the certificate is the company's own, the active superusers."""
    User = get_user_model()
    owners = User.objects.none()
    if q.client_id is not None:
        granted = Q(pk__in=ClientGrant.objects.filter(client_id=q.client_id).values("user_id"))
        if q.store_id is not None:
            granted |= Q(pk__in=StoreGrant.objects.filter(store_id=q.store_id).values("user_id"))
        owners = (
            User.objects.with_perm("org.change_store", include_superusers=True)
            .filter(granted, is_active=True)
            .exclude(client_member__isnull=False)
        )
    found = list(owners.order_by("pk"))
    if not found:
        found = list(User.objects.filter(is_superuser=True, is_active=True).order_by("pk"))
    return found


# --- may a store sell special goods (STO-04) -----------------------------------------------------


def store_licences(store: Store, licence_kind: str):
    """The licences of that kind that count for ``store``: its own, and its client's."""
    return Qualification.objects.filter(kind=licence_kind).filter(
        Q(store=store) | Q(store__isnull=True, client_id=store.client_id, holder_kind=HolderKind.CLIENT)
    )


def may_sell(store: Store, special_goods_kind: str, on: date | None = None) -> tuple[bool, str]:
    """STO-04: may ``store`` list goods of this special kind on ``on``? A store whose food licence has
    expired cannot list food. Returns (answer, reason)."""
    on = on or timezone.localdate()
    if special_goods_kind not in SpecialGoods.values:
        raise ValueError(f"unknown special goods kind {special_goods_kind!r}")
    if special_goods_kind == SpecialGoods.NONE:
        return True, _("普通商品无需专项许可")
    licence_kind = LICENCE_FOR[special_goods_kind]
    licence_label = QualificationKind(licence_kind).label
    goods_label = SpecialGoods(special_goods_kind).label
    candidates = list(store_licences(store, licence_kind).order_by("-valid_to", "pk"))
    in_force = [q for q in candidates if q.status_on(on, on) not in (
        QualificationState.EXPIRED, QualificationState.NOT_YET_VALID, QualificationState.SUPERSEDED)]
    if in_force:
        best = sorted(in_force, key=lambda q: (q.valid_to is not None, q.valid_to or on, q.store_id is None))[-1]
        holder = _("店铺") if best.store_id else _("委托方")
        until = best.valid_to.isoformat() if best.valid_to else _("长期")
        return True, _("%(holder)s持有有效的%(licence)s %(number)s（有效期至 %(until)s）") % {
            "holder": holder, "licence": licence_label, "number": best.number, "until": until}
    expired = [q for q in candidates if q.valid_to and q.valid_to < on]
    if expired:
        latest = max(expired, key=lambda q: q.valid_to)
        return False, _("%(licence)s %(number)s 已于 %(day)s 过期，不能销售%(goods)s") % {
            "licence": licence_label, "number": latest.number, "day": latest.valid_to.isoformat(),
            "goods": goods_label}
    pending = [q for q in candidates if q.valid_from and q.valid_from > on]
    if pending:
        first = min(pending, key=lambda q: q.valid_from)
        return False, _("%(licence)s %(number)s 自 %(day)s 起生效，此前不能销售%(goods)s") % {
            "licence": licence_label, "number": first.number, "day": first.valid_from.isoformat(),
            "goods": goods_label}
    return False, _("店铺及其委托方没有%(licence)s，不能销售%(goods)s") % {
        "licence": licence_label, "goods": goods_label}


def displayed_licences(store: Store, on: date | None = None) -> list[Qualification]:
    """LAW-03 art. 15: the business licence and permits in force that the store shows continuously."""
    on = on or timezone.localdate()
    rows = (
        Qualification.objects.in_force_on(on)
        .filter(kind__in=DISPLAYED_KINDS)
        .filter(Q(store=store) | Q(store__isnull=True, client_id=store.client_id, holder_kind=HolderKind.CLIENT))
        .select_related("client", "store")
        .order_by("kind", "-valid_to", "pk")
    )
    return annotate_status(rows, on)
