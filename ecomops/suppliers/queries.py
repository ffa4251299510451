"""Reads of the supplier library (CAT-06), scoped (DAT-02)."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404

from ecomops.org.scoping import is_client_member
from ecomops.stores.enums import HolderKind
from ecomops.stores.models import Qualification

from .models import Supplier, SupplierRating


def visible_or_404(queryset, user, **lookup):
    """One record of a supplier-scoped queryset that ``user`` may see; anything else is a 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def with_current_rating(queryset):
    """Annotate each supplier with its latest rating (``current_score``, ``current_period``)."""
    latest = SupplierRating.objects.filter(supplier=OuterRef("pk")).order_by("-rated_at", "-pk")
    return queryset.annotate(
        current_score=Subquery(latest.values("score")[:1]),
        current_period=Subquery(latest.values("period")[:1]),
    )


def search_suppliers(user, *, q: str = "", status: str = "", client=None, shared: bool = False,
                     min_score=None, max_score=None):
    suppliers = with_current_rating(Supplier.objects.visible_to(user).select_related("client"))
    if q:
        suppliers = suppliers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(credit_code__icontains=q))
    if status:
        suppliers = suppliers.filter(status=status)
    if client is not None:
        suppliers = suppliers.filter(client=client)
    if shared:
        suppliers = suppliers.filter(client__isnull=True)
    if min_score is not None:
        suppliers = suppliers.filter(current_score__gte=min_score)
    if max_score is not None:
        suppliers = suppliers.filter(current_score__lt=max_score)
    return suppliers.order_by("code", "pk")


def current_rating(supplier: Supplier) -> SupplierRating | None:
    return supplier.ratings.select_related("rated_by").order_by("-rated_at", "-pk").first()


def supplier_qualifications(user, supplier: Supplier):
    """The STO-04 archive's certificates of this supplier (holder kind supplier, matched by name), as
    far as the user may see the archive. Read-only here: they are filed in the archive."""
    if not user.has_perm("stores.view_qualification"):
        return Qualification.objects.none()
    rows = Qualification.objects.visible_to(user).filter(holder_kind=HolderKind.SUPPLIER, holder_name=supplier.name)
    if supplier.client_id is not None:
        rows = rows.filter(Q(client__isnull=True) | Q(client_id=supplier.client_id))
    elif is_client_member(user):
        rows = rows.none()
    return rows.select_related("replaced_by").order_by("kind", "-valid_to", "pk")
