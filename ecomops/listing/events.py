"""The event rows of admission reviews and listings (issue 14: one small function per kind of event;
actions call these, never build rows). Steps that change the state are written by
``core.flow.transition`` through ``review_moved`` / ``listing_moved``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .enums import AdmissionEventKind, ListingEventKind
from .models import AdmissionEvent, AdmissionReview, Listing, ListingEvent

# --- CAT-01: admission review -----------------------------------------------------------------


def review_moved(review: AdmissionReview, *, kind: str, user, before: str, after: str,
                 note: str = "") -> AdmissionEvent:
    """A step of the review's flow (approved, rejected, returned, resubmitted)."""
    return AdmissionEvent.write(kind=kind, user=user, before=before, after=after, note=note, review=review)


def review_opened(review: AdmissionReview, *, user, note: str = "") -> AdmissionEvent:
    return AdmissionEvent.write(kind=AdmissionEventKind.OPENED, user=user, after=review.status, note=note,
                                review=review)


def review_item_checked(review: AdmissionReview, *, user, summary: str, note: str = "") -> AdmissionEvent:
    """One checklist item was judged; the review keeps its state."""
    return AdmissionEvent.write(kind=AdmissionEventKind.ITEM, user=user, before=review.status, after=review.status,
                                note=f"{summary}{'；' + note if note else ''}", review=review)


# --- CAT-02 / CAT-03: listings ------------------------------------------------------------------


def listing_moved(listing: Listing, *, kind: str, user, before: str, after: str, note: str = "",
                  recall_case=None) -> ListingEvent:
    """A step of the listing's flow; a delisting ordered by a recall case names the case (CAT-06)."""
    return ListingEvent.write(kind=kind, user=user, before=before, after=after, note=note, listing=listing,
                              recall_case=recall_case)


def listing_created(listing: Listing, *, user) -> ListingEvent:
    return ListingEvent.write(kind=ListingEventKind.CREATED, user=user, after=listing.status, listing=listing)


def listing_edited(listing: Listing, *, user, fields: str) -> ListingEvent:
    return ListingEvent.write(kind=ListingEventKind.EDITED, user=user, before=listing.status, after=listing.status,
                              note=_("修改了：%(fields)s") % {"fields": fields}, listing=listing)


def listing_checked(listing: Listing, *, user, note: str) -> ListingEvent:
    """The compliance check of a submission (CAT-03) and what it found."""
    return ListingEvent.write(kind=ListingEventKind.COMPLIANCE, user=user, before=listing.status,
                              after=listing.status, note=note, listing=listing)
