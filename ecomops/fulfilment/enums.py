"""States of the packing station's check (FUL-02…04) and of the carrier's handover manifest (交接单)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckState(models.TextChoices):
    VERIFYING = "verifying", _("验货中")
    VERIFIED = "verified", _("验货通过")
    PACKED = "packed", _("已打包")
    WEIGHED = "weighed", _("已称重")
    HANDED_OVER = "handed_over", _("已交接")
    DISCARDED = "discarded", _("作废")


C = CheckState

# FUL-02 → FUL-03 → FUL-04 → leaving (ORD-01): every item scanned, then packed, then weighed (again,
# as long as the parcel is still here), then scanned out onto a carrier's manifest. Until it leaves, a
# check can be discarded (作废: the order went back on hold, its lines changed …); the order may then be
# checked again from the start, on a new check. A discarded check stays as the record of what happened.
CHECK_FLOW: dict[str, tuple[str, ...]] = {
    C.VERIFYING: (C.VERIFIED, C.DISCARDED),
    C.VERIFIED: (C.PACKED, C.DISCARDED),
    C.PACKED: (C.WEIGHED, C.DISCARDED),
    C.WEIGHED: (C.WEIGHED, C.HANDED_OVER, C.DISCARDED),
    C.HANDED_OVER: (),
    C.DISCARDED: (),
}

# The states of a check that has passed verification (the order is being packed or is packed).
PACKED_OR_LATER = (C.PACKED, C.WEIGHED, C.HANDED_OVER)

# The states a check can be discarded from: any before the parcel left (never after the handover).
DISCARDABLE = (C.VERIFYING, C.VERIFIED, C.PACKED, C.WEIGHED)


class HandoverState(models.TextChoices):
    OPEN = "open", _("交接中")
    CLOSED = "closed", _("已交接")


HANDOVER_FLOW: dict[str, tuple[str, ...]] = {
    HandoverState.OPEN: (HandoverState.CLOSED,),
    HandoverState.CLOSED: (),
}


class PrepackState(models.TextChoices):
    OPEN = "open", _("预打包中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# FUL-05: a pre-pack job is packed in one or more sittings; it is done when the planned parcels are
# packed, or closed early (done with what was packed, or cancelled when nothing was).
PREPACK_FLOW: dict[str, tuple[str, ...]] = {
    PrepackState.OPEN: (PrepackState.DONE, PrepackState.CANCELLED),
    PrepackState.DONE: (),
    PrepackState.CANCELLED: (),
}
