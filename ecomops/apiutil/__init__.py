"""Plumbing shared by every app's API router (issue 2 §7).

- ``errors``: the one error shape of every 4xx, ``{"error": {"code", "message", "field"}}``, and the
  handlers that turn validation errors, 404s, refusals of actions and bad JSON into it;
- ``auth``: session (with CSRF on unsafe methods) and personal-token authentication;
- ``tokens``: issuing, checking and revoking personal API tokens (only a digest is stored);
- ``pagination``: ``{"items", "count", "page", "page_size"}`` lists;
- ``types``: constrained field types (lengths, patterns, ranges) so bad input is a 4xx, never a 500;
- ``accounts``: the ``/me`` and ``/tokens`` endpoints.

Each app keeps its own endpoints in ``<app>/api.py`` (a django-ninja ``Router``); ``ecomops/api.py``
mounts them. Endpoints stay thin: reads through scoped querysets, writes through ``actions.py``.
"""
