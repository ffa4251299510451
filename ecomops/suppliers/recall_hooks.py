"""CAT-06: what a recall case asks of the apps above suppliers, without suppliers importing them.

A case that goes off sale takes the listings of its styles down (``listing``) and registers the orders
that shipped its lots (``orders``); its page shows both. Those apps sit above suppliers in the layers
(they import suppliers, never the reverse), so each one plugs its part in here from its
``AppConfig.ready``, and suppliers calls what is plugged in::

    recall_hooks.provide(delist=..., listings=...)                 # ListingConfig.ready
    recall_hooks.provide(register_orders=..., buyers=...)          # OrdersConfig.ready
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class RecallHooks:
    # listing: take every published listing of the case's styles off sale, in the caller's transaction;
    # (case, *, user) -> the listings taken down.
    delist: Callable | None = None
    # listing: the listings of the case's styles as ``user`` may see them, None without the right to.
    # (user, case) -> list | None
    listings: Callable | None = None
    # orders: record the orders that shipped the case's lots; (case, *, user) -> how many rows are new.
    register_orders: Callable | None = None
    # orders: the buyers of the registered orders (masked) and the orders holding the lots unshipped.
    # (case, user) -> (rows, pending)
    buyers: Callable | None = None


hooks = RecallHooks()


def provide(**functions: Callable) -> None:
    """Plug in an app's part (names: those of ``RecallHooks``); called from ``AppConfig.ready``."""
    for name, function in functions.items():
        if not hasattr(hooks, name):
            raise TypeError(f"unknown recall hook: {name}")
        setattr(hooks, name, function)


def delist(case, *, user) -> list:
    return hooks.delist(case, user=user) if hooks.delist else []


def listings(user, case):
    return hooks.listings(user, case) if hooks.listings else None


def register_orders(case, *, user) -> int:
    return hooks.register_orders(case, user=user) if hooks.register_orders else 0


def buyers(case, user) -> tuple[list, list]:
    return hooks.buyers(case, user) if hooks.buyers else ([], [])
