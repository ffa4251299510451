"""Who a supply document concerns: the acting user must see its client, and who is told of
its due items (WMS-14, WMS-16, WMS-18).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.errors import NotAllowed
from ecomops.inventory.models import Warehouse
from ecomops.org.enums import StaffState
from ecomops.org.models import ClientGrant
from ecomops.org.scoping import ALL_CLIENTS_PERM, scope_for


def require_client(user, client_id: int) -> None:
    if user is not None and not scope_for(user).sees_client(client_id, whole=False):
        raise NotAllowed(_("您无权操作该委托方的数据"))



WAREHOUSE_POSITIONS = ("warehouse_supervisor", "stock_keeper")
PURCHASING_FINANCE_DEPARTMENTS = ("purchasing", "finance")
PURCHASING_FINANCE_POSITIONS = ("finance_officer",)
APPROVE_PERM = "supply.approve_replenishmentplan"



def _active_staff():
    User = get_user_model()
    return User.objects.filter(is_active=True, staff__status=StaffState.ACTIVE, client_member__isnull=True)


def _or_superusers(found: list) -> list:
    if found:
        return found
    User = get_user_model()
    return list(User.objects.filter(is_superuser=True, is_active=True).order_by("pk"))


def _seeing(people: list, client_id: int | None) -> list:
    """DAT-02: of ``people``, those who see the client (all of them for the company's own matters)."""
    return [u for u in people if client_id is None or scope_for(u).sees_client(client_id)]


def warehouse_owners(warehouse: Warehouse, client_id: int | None = None) -> list:
    """The warehouse's supervisor, then the active warehouse supervisors and keepers (WMS-16, WMS-18);
    with ``client_id`` (a client's return), only those who see the client."""
    found = list(_active_staff().filter(staff__positions__code__in=WAREHOUSE_POSITIONS).distinct().order_by("pk"))
    if warehouse.supervisor_id and warehouse.supervisor.is_active and warehouse.supervisor not in found:
        found.insert(0, warehouse.supervisor)
    return _or_superusers(_seeing(found, client_id))


def purchasing_finance_owners(client_id: int | None = None) -> list:
    """Purchasing and finance (WMS-16 month-end list); with ``client_id``, only those who see the client."""
    found = list(
        _active_staff()
        .filter(Q(staff__department__code__in=PURCHASING_FINANCE_DEPARTMENTS)
                | Q(staff__positions__code__in=PURCHASING_FINANCE_POSITIONS))
        .distinct().order_by("pk")
    )
    return _or_superusers(_seeing(found, client_id))


def plan_approvers(client_id: int) -> list:
    """Who approves a plan (GM office or purchasing, WMS-14): holders of the approve permission who see
    the client."""
    User = get_user_model()
    holders = User.objects.with_perm(APPROVE_PERM, include_superusers=False).filter(is_active=True)
    all_clients = User.objects.with_perm(ALL_CLIENTS_PERM, include_superusers=False).values("pk")
    granted = ClientGrant.objects.filter(client_id=client_id).values("user_id")
    found = list(holders.filter(Q(pk__in=granted) | Q(pk__in=all_clients))
                 .exclude(client_member__isnull=False).order_by("pk"))
    return _or_superusers(found)


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))
