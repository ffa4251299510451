"""Who may open a page, asked before a link to it is shown (issue 15: a page shows a link or a button
only when the viewer may use it).

The page decorators (``core.decorators.page`` / ``internal_page``) record their rule on the view they
wrap; ``may_open(user, path)`` resolves a path to its view and asks that rule, so a template or a list
of due items can leave out, or show as plain text, what the viewer would get a 403 or 404 for. Rules of
a single record (another client's receipt) are the list's scope, not this check: a list shows only
records the viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, resolve

from ecomops.core.users import is_client_member


@dataclass(frozen=True)
class Access:
    """A page's rule: the permissions it needs, and whether client users are kept out (AGY-07)."""

    perms: tuple[str, ...]
    internal: bool
    # A page whose rule is more than permissions (a position may open it too) says so here; the view
    # still checks it itself, this only lets a link ask the same question.
    check: Callable | None = None

    def enforce(self, user) -> None:
        """The page decorators' check of a signed-in user, in its fixed order: a client user on an
        internal page is a 404 (the page's existence does not leak), missing permissions a 403."""
        if self.internal and is_client_member(user):
            raise Http404
        if self.perms and not user.has_perms(self.perms):
            raise PermissionDenied

    def allows(self, user) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.check is not None:
            return not (self.internal and is_client_member(user)) and bool(self.check(user))
        try:
            self.enforce(user)
        except (Http404, PermissionDenied):
            return False
        return True

    def mark(self, view):
        view.access = self
        return view


def opens_when(check: Callable, *, internal: bool = False):
    """For a page that lets a user in by its own rule (``check(user)``) rather than by permissions
    alone: put above the page decorator (it amends the rule that decorator recorded), so links to it
    ask the same rule."""

    def decorator(view):
        rule = getattr(view, "access", None) or Access((), internal=internal)
        view.access = Access(rule.perms, rule.internal, check)
        return view

    return decorator


def may_open(user, path: str) -> bool:
    """Whether ``user`` would be let into the page at ``path`` (a URL path, with or without a query).
    A path that resolves to nothing is not opened; a view without a recorded rule (the login page, a
    few of Django's own) is."""
    if not path:
        return False
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    rule = getattr(match.func, "access", None)
    return True if rule is None else rule.allows(user)
