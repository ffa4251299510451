"""The logistics job (LOG-02, LOG-03): every morning, the parcels shipped in the last days that have no
``Shipment`` yet get one (orders shipped through a platform's own tool and imported, or shipped before
this job existed), then parcels past their due day without delivery are flagged as delayed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job

LOOK_BACK = timedelta(days=31)  # a parcel still undelivered after a month is long a case already


def daily(at: datetime) -> str:
    from . import freight, tracking

    today = timezone.localtime(at).date()
    added = 0
    for order in tracking.shipped_orders_without_record(today - LOOK_BACK):
        freight.record_shipment(order)
        added += 1
    delayed = tracking.flag_delays(today)
    return _("LOG-02：补记运单 %(added)d 票，登记延误 %(delayed)d 票") % {"added": added, "delayed": delayed}


def register() -> None:
    register_job(code="logistics.daily", name=gettext_lazy("物流时效检查"), clause="LOG-02",
                 func="ecomops.logistics.jobs.daily", cron="30 8 * * *",
                 description=gettext_lazy("每天早上补记已发货包裹的运单记录，并把超过承诺时效仍未签收的包裹登记为延误异常。"))
