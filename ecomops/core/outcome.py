"""Run an action from a page's button and report its outcome (issue 14: one helper instead of the same
``except NotAllowed / except BusinessError`` block in every view).

A refusal for lack of rights is a 403 (or, with ``flash_forbidden``, a message like any other refusal);
any other refusal becomes an error message and the call gives None, so the view redirects or renders
the page again as before. Forms use ``ecomops.core.forms.submit``, which shows the refusal on the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from .errors import BusinessError, NotAllowed


def run_action(request, action: Callable, /, *args, done: str | Callable[[Any], str] | None = None,
               flash_forbidden: bool = False, **kwargs):
    """Call ``action(*args, **kwargs)``. On success show ``done`` (a message, or a function of the
    action's result giving one) and give the result; on a refusal show its message and give None."""
    try:
        result = action(*args, **kwargs)
    except NotAllowed as error:
        if not flash_forbidden:
            raise PermissionDenied from None
        messages.error(request, error.message)
        return None
    except BusinessError as error:
        messages.error(request, error.message)
        return None
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return result
