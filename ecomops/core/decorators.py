"""Access checks shared by the server-rendered pages.

Order matters and is always the same: signed in → not a client's own user (internal pages answer 404
to client users, AGY-07, so that the page's existence does not leak) → the permission (403).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from ecomops.core.access import Access


def _guarded(perm: str | tuple[str, ...] | None, *, internal: bool):
    """Signed in, then the page's rule (``core.access.Access.enforce``), recorded on the view so that
    links to the page can ask the same rule (``core.access.may_open``)."""
    rule = Access((perm,) if isinstance(perm, str) else tuple(perm or ()), internal=internal)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            rule.enforce(request.user)
            return view(request, *args, **kwargs)

        return rule.mark(login_required(wrapped))

    return decorator


def internal_page(perm: str | tuple[str, ...] | None = None):
    """A page for the agency's own staff: 404 for client users, 403 without ``perm`` (all of them)."""
    return _guarded(perm, internal=True)


def page(perm: str | tuple[str, ...] | None = None):
    """A page client users may open too (the data is scoped); 403 without ``perm``."""
    return _guarded(perm, internal=False)
