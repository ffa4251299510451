"""Access checks shared by the server-rendered pages.

Order matters and is always the same: signed in → not a client's own user (internal pages answer 404
to client users, AGY-07, so that the page's existence does not leak) → the permission (403).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ecomops.core.access import Access
from ecomops.core.users import is_client_member


def internal_page(perm: str | tuple[str, ...] | None = None):
    """A page for the agency's own staff: 404 for client users, 403 without ``perm`` (all of them)."""
    perms = (perm,) if isinstance(perm, str) else tuple(perm or ())

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if is_client_member(request.user):
                raise Http404
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return Access(perms, internal=True).mark(login_required(wrapped))

    return decorator


def page(perm: str | tuple[str, ...] | None = None):
    """A page client users may open too (the data is scoped); 403 without ``perm``."""
    perms = (perm,) if isinstance(perm, str) else tuple(perm or ())

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return Access(perms, internal=False).mark(login_required(wrapped))

    return decorator
