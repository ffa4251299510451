"""The event rows of the supplier library (issue 14: one small function per kind of event)."""

from __future__ import annotations

from .models import RecallCase, RecallEvent


def recall_moved(case: RecallCase, *, user, before: str, after: str, note: str = "", at=None) -> RecallEvent:
    """A recall case reached ``after`` (CAT-06); the event's kind is the state reached."""
    return RecallEvent.write(kind=after, user=user, before=before, after=after, note=note, at=at, case=case)
