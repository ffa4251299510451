"""Schedule arithmetic: the slots of a job, in Asia/Shanghai local time.

A ``cron`` job's slots are those of its five-field cron expression (croniter), read in local time; a
``times`` job's slots are the times its registered function gives for each day (the ORD-05 cut-offs of
the policy in force that day, say), so a change of policy moves the job by itself.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from croniter import croniter
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import ScheduleKind

ONE_SECOND = timedelta(seconds=1)


def cron_problem(text: str) -> str:
    """Why ``text`` is not a usable cron expression ("" when it is): five fields, croniter's syntax."""
    fields = text.split()
    if len(fields) != 5:
        return _("须为五段（分 时 日 月 周），现为 %(n)d 段") % {"n": len(fields)}
    if not croniter.is_valid(text):
        return _("无法识别的定时表达式")
    return ""


def _local(at: datetime) -> datetime:
    return timezone.localtime(at)


def cron_latest(expr: str, now: datetime) -> datetime:
    """The latest slot at or before ``now``."""
    return croniter(expr, _local(now) + ONE_SECOND).get_prev(datetime)


def cron_next(expr: str, now: datetime) -> datetime:
    """The first slot after ``now``."""
    return croniter(expr, _local(now)).get_next(datetime)


def day_times(source: str, day: date) -> list[time]:
    return sorted(import_string(source)(day))


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def times_latest(source: str, now: datetime) -> datetime | None:
    """The latest of today's (else yesterday's) times at or before ``now``."""
    today = _local(now).date()
    for day in (today, today - timedelta(days=1)):
        passed = [_at(day, moment) for moment in day_times(source, day) if _at(day, moment) <= now]
        if passed:
            return passed[-1]
    return None


def times_next(source: str, now: datetime) -> datetime | None:
    """The first of today's (else tomorrow's) times after ``now``."""
    today = _local(now).date()
    for day in (today, today + timedelta(days=1)):
        coming = [_at(day, moment) for moment in day_times(source, day) if _at(day, moment) > now]
        if coming:
            return coming[0]
    return None


def latest_slot(job, now: datetime) -> datetime | None:
    if job.kind == ScheduleKind.TIMES:
        return times_latest(job.times_source, now)
    return cron_latest(job.cron, now)


def next_slot(job, now: datetime) -> datetime | None:
    if job.kind == ScheduleKind.TIMES:
        return times_next(job.times_source, now)
    return cron_next(job.cron, now)


def describe(job) -> str:
    """The schedule in words for the list page."""
    if job.kind == ScheduleKind.TIMES:
        return _("按政策时刻（%(clause)s）") % {"clause": job.clause} if job.clause else _("按政策时刻")
    return job.cron
