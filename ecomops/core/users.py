"""Who a signed-in user is, as far as the leaf modules of ``core`` need to know (no other app imported)."""

from __future__ import annotations


def is_client_member(user) -> bool:
    """A client's own user (AGY-07): signed in and holding a ``client_member`` record (org.ClientMember)."""
    return bool(getattr(user, "is_authenticated", False)) and hasattr(user, "client_member")


def person_name(user) -> str:
    """How a person is shown on a page: the staff member's name (周静怡), else the account's full name
    (a client's user: the name entered with the account), else the login. Never raises for a missing
    staff or client record; an empty value (nobody) is an empty string."""
    if user is None or user == "":
        return ""
    if isinstance(user, str):
        return user
    staff = getattr(user, "staff", None)  # a missing one-to-one raises AttributeError: None
    if staff is not None and getattr(staff, "name", ""):
        return staff.name
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if full_name:
        return full_name
    return user.get_username() if hasattr(user, "get_username") else str(user)
