"""The events of a pay run (PER-14): one small function per kind that writes the ``RunEvent`` row
(Saleor's style). A step between states goes through ``core.flow.transition`` with ``RUN_FLOW``, which
calls :func:`run_stepped`; a (re)computation keeps the state and notes the totals before and after."""

from __future__ import annotations

from datetime import datetime

from .enums import RunEventKind
from .models import PayrollRun, RunEvent


def run_computed(run: PayrollRun, *, user, created: bool, at: datetime, note: str = "",
                 data: dict | None = None) -> RunEvent:
    return RunEvent.write(kind=RunEventKind.COMPUTED if created else RunEventKind.RECOMPUTED, user=user,
                          before=run.state, after=run.state, note=note, data=data, at=at, run=run)


def run_stepped(run: PayrollRun, *, kind: str, user, before: str, after: str, at: datetime, note: str = "",
                data: dict | None = None) -> RunEvent:
    """Checked, approved, locked, or returned to draft (``kind``, see ``RunEventKind``)."""
    return RunEvent.write(kind=kind, user=user, before=before, after=after, note=note, data=data, at=at, run=run)
