"""CAT-06: listing's part in a recall case (plugged into ``suppliers.recall_hooks`` by
``ListingConfig.ready``): ``actions.delist_for_recall`` takes the listings down, ``case_listings`` shows them."""

from __future__ import annotations

from .models import Listing


def case_listings(user, case):
    """CAT-06: the listings of the case's styles, so the handler sees what is (still) on sale and what
    the case took down; None for those who may not read listings."""
    if not user.has_perm("listing.view_listing"):
        return None
    return list(Listing.objects.visible_to(user).filter(style__in=case.styles.all())
                .select_related("store", "style").order_by("store__code", "style__style_no"))
