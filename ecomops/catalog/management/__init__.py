"""Shared by the catalogue's commands: the account a command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None):
    """``username``, or the first active superuser: its rights and scope apply, and history names it."""
    users = get_user_model().objects.filter(is_active=True)
    user = (users.filter(username=username).first() if username
            else users.filter(is_superuser=True).order_by("pk").first())
    if user is None:
        raise CommandError(f"no active user {username!r}" if username else
                           "no active superuser: name the acting account with --user")
    return user
