"""The periodic jobs the product runs by itself (DAT-04, ORD-05/09, WMS-11…18, PER-06 …).

Each app registers its jobs from its ``AppConfig.ready`` (the scheduling app sits low in the layers and
names no app above it)::

    from ecomops.scheduling.registry import register_job

    register_job(
        code="orders.late",                       # stable key, the row of the job in the database
        name=_("订单确认超时标记"),
        clause="ORD-09",
        func="ecomops.orders.jobs.flag_late",     # dotted path to ``func(at: datetime) -> str``
        cron="5 * * * *",                         # default schedule, Asia/Shanghai
    )

``func`` does the work as of ``at`` (the slot's time, aware) and returns a one-line summary for the
run's log; it raises to fail. Instead of ``cron`` a job may give ``times``: a dotted path to
``times(day: date) -> list[time]``, the local times of that day (the ship-batch cut-offs of the
ORD-05 policy, say), so a change of policy moves the job without touching it.

The registered spec is the default: the job's row (schedule, enabled, owner) is created from it once
and then belongs to the administrators, who may pause it, run it now or change its time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    code: str
    name: str
    func: str
    clause: str = ""
    cron: str = ""
    times: str = ""
    description: str = ""


_REGISTRY: dict[str, JobSpec] = {}


def register_job(*, code: str, name, func: str, clause: str = "", cron: str = "", times: str = "",
                 description="") -> JobSpec:
    """Register a periodic job (idempotent for the same spec; a second spec under one code is an error)."""
    if bool(cron) == bool(times):
        raise ValueError(f"job {code}: give exactly one of cron= or times=")
    _check_spec(code, func, cron, times)
    spec = JobSpec(code=code, name=str(name), func=func, clause=clause, cron=cron, times=times,
                   description=str(description))
    known = _REGISTRY.get(code)
    if known is not None and known != spec:
        raise ValueError(f"job {code} is registered twice with different specs")
    _REGISTRY[code] = spec
    return spec


def _check_spec(code: str, func: str, cron: str, times: str) -> None:
    """A wrong spec fails at start-up, not at 3 a.m.: code and dotted paths present, cron valid."""
    from .schedule import cron_problem

    if not code:
        raise ValueError("a job needs a code")
    for label, path in (("func", func), ("times", times)):
        if path and "." not in path:
            raise ValueError(f"job {code}: {label}= must be a dotted path, got {path!r}")
    if not func:
        raise ValueError(f"job {code}: func= is required")
    if cron and cron_problem(cron):
        raise ValueError(f"job {code}: bad cron {cron!r}: {cron_problem(cron)}")


def registered() -> dict[str, JobSpec]:
    """Every registered job by code."""
    return dict(_REGISTRY)
