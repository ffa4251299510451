"""Who a signed-in user is, as far as the leaf modules of ``core`` need to know (no other app imported)."""

from __future__ import annotations


def is_client_member(user) -> bool:
    """A client's own user (AGY-07): signed in and holding a ``client_member`` record (org.ClientMember)."""
    return bool(getattr(user, "is_authenticated", False)) and hasattr(user, "client_member")
