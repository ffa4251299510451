"""A carrier's services (承运服务, LOG-01): 标准快递, 特快, 经济件 … and the provinces each delivers to.

Each carrier has at most one default service (seeded: 标准快递 for the whole country). ``service_for``
picks the service a waybill prints for a parcel to a province: the carrier's default when it covers the
province, else another active service that does, else none. Services are added and taken out of use,
never deleted; a changed coverage is a new service.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ecomops.core import validate
from ecomops.core.addresses import province_name
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.history import save_audited
from ecomops.org.actions import require_internal, require_perm

from .freight import clean_provinces
from .models import Carrier, CarrierService
from .numbers import CHANGE_CARRIER_PERM

NAME_MAX = 40


@transaction.atomic
def add_service(carrier: Carrier, *, user, name: str, provinces=(), is_default: bool = False) -> CarrierService:
    """A new service of ``carrier`` covering ``provinces`` (empty: the whole country). Made the default,
    it takes the place of the carrier's former default in the same transaction. All or nothing."""
    require_perm(user, CHANGE_CARRIER_PERM)
    require_internal(user)
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)  # one change of its services at a time
    service = CarrierService(
        carrier=carrier,
        name=validate.text(name, field="name", label=_("服务名称"), max_length=NAME_MAX, required=True,
                           single_line=True),
        provinces=clean_provinces(provinces), is_default=bool(is_default))
    duplicate = _("承运商“%(carrier)s”已有服务“%(name)s”") % {"carrier": carrier.name, "name": service.name}
    if CarrierService.objects.filter(carrier=carrier, name=service.name).exists():
        raise Conflict(duplicate, field="name")
    if service.is_default:
        for former in CarrierService.objects.filter(carrier=carrier, is_default=True):
            former.is_default = False
            save_audited(former, user=user, reason=_("默认服务改为“%(name)s”") % {"name": service.name},
                         update_fields=["is_default"])
    validate.save_checked(service, user=user, duplicate=duplicate, field="name")
    return service


@transaction.atomic
def set_service_active(service: CarrierService, *, user, active: bool) -> CarrierService:
    """Take a service out of use (no waybill prints it any more) or back in. The default service stays
    in use: make another service the default first."""
    require_perm(user, CHANGE_CARRIER_PERM)
    require_internal(user)
    service = CarrierService.objects.select_for_update().get(pk=service.pk)
    if service.is_active == active:
        return service
    if not active and service.is_default:
        raise BusinessError(_("“%(name)s”是默认服务，不能停用；请先添加另一项默认服务") % {"name": service.name},
                            field="is_active")
    service.is_active = active
    save_audited(service, user=user, update_fields=["is_active"])
    return service


def service_for(courier_code: str, province: str) -> CarrierService | None:
    """The service of the carrier of ``courier_code`` for a parcel to ``province``: its default if the
    default is in use and covers the province, else an active service covering it (by name), else None."""
    province = province_name(province) or (province or "").strip()
    services = CarrierService.objects.filter(carrier__code=courier_code, is_active=True).order_by(
        "-is_default", "name", "pk")
    return next((s for s in services if s.covers(province)), None)
