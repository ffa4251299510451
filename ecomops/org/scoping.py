"""Who may see which clients and stores (DAT-02, AGY-07). Written once; every module reuses it.

A model that hangs off a client or a store uses ``ScopedQuerySet`` (or a subclass) as its manager and
names the paths to its client and store::

    class Order(models.Model):
        store = models.ForeignKey(Store, ...)
        objects = ScopedQuerySet.as_manager()
        scope_store_field = "store"            # a record of one store
        scope_client_field = "store__client"   # (optional for store records)

    Order.objects.visible_to(request.user)

Rules:
- a superuser, or a user with ``org.access_all_clients``, sees everything;
- a client's own user (ClientMember) sees exactly that client and its stores, whatever else is granted;
- other users see the clients granted to them (with all their stores) and the stores granted to
  them one by one; a store grant does not open the client's other stores or its client-level records;
- anybody else sees nothing. A record outside the scope answers 404, never 403, so that its
  existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

from ecomops.core.users import is_client_member  # noqa: F401  (the apps import it from here, with the scope)

ALL_CLIENTS_PERM = "org.access_all_clients"


@dataclass(frozen=True)
class Scope:
    all: bool = False
    client_ids: frozenset[int] = frozenset()  # clients granted whole
    store_ids: frozenset[int] = frozenset()  # every visible store (granted stores + stores of granted clients)
    partial_client_ids: frozenset[int] = frozenset()  # clients seen only through one of their stores

    @property
    def visible_client_ids(self) -> frozenset[int]:
        return self.client_ids | self.partial_client_ids

    def sees_client(self, client_id: int, *, whole: bool = True) -> bool:
        if self.all:
            return True
        return client_id in (self.client_ids if whole else self.visible_client_ids)

    def sees_store(self, store_id: int) -> bool:
        return self.all or store_id in self.store_ids


NO_SCOPE = Scope()
ALL_SCOPE = Scope(all=True)


def scope_for(user) -> Scope:
    """The scope of ``user``, computed once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_ecomops_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._ecomops_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after grants changed."""
    if hasattr(user, "_ecomops_scope"):
        del user._ecomops_scope


def _compute_scope(user) -> Scope:
    from .models import ClientGrant, ClientMember, Store, StoreGrant

    member = ClientMember.objects.filter(user=user).only("client_id").first()
    if member is not None:
        client_ids = frozenset([member.client_id])
        store_ids = frozenset(Store.objects.filter(client_id=member.client_id).values_list("pk", flat=True))
        return Scope(client_ids=client_ids, store_ids=store_ids)
    if user.is_superuser or user.has_perm(ALL_CLIENTS_PERM):
        return ALL_SCOPE
    client_ids = frozenset(ClientGrant.objects.filter(user=user).values_list("client_id", flat=True))
    granted_stores = set(StoreGrant.objects.filter(user=user).values_list("store_id", "store__client_id"))
    store_ids = frozenset(Store.objects.filter(client_id__in=client_ids).values_list("pk", flat=True)) | {
        store_id for store_id, _ in granted_stores
    }
    partial = frozenset(client_id for _, client_id in granted_stores) - client_ids
    return Scope(client_ids=client_ids, store_ids=frozenset(store_ids), partial_client_ids=partial)


def scope_q(model, scope: Scope) -> Q | None:
    """The filter that keeps the rows of ``model`` inside ``scope``; None means everything."""
    if scope.all:
        return None
    store_field = getattr(model, "scope_store_field", None)
    client_field = getattr(model, "scope_client_field", None)
    if store_field is None and client_field is None:
        raise TypeError(f"{model.__name__} declares neither scope_store_field nor scope_client_field")
    if client_field == "pk" and store_field is None:
        # The Client table itself: a client seen through one of its stores is visible (read side).
        return Q(pk__in=scope.visible_client_ids)
    if store_field is None:
        return Q(**{f"{client_field}__in": scope.client_ids})
    by_store = Q(**{f"{store_field}__in": scope.store_ids})
    if client_field is None or store_field == "pk" or client_field.startswith(f"{store_field}__"):
        return by_store
    # A record that may hang off a client only (store left empty) or off one of its stores.
    return by_store | Q(**{f"{store_field}__isnull": True, f"{client_field}__in": scope.client_ids})


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        condition = scope_q(self.model, scope_for(user))
        return self if condition is None else self.filter(condition)


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one record the user may see; anything else, existing or not, is a 404."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model)
        else queryset_or_model
    )
    condition = scope_q(queryset.model, scope_for(user))
    if condition is not None:
        queryset = queryset.filter(condition)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
