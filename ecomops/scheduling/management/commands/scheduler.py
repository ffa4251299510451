"""`ecomops scheduler [--interval 30] [--once]`: enqueue the due slots of the periodic jobs into the
background task queue (the ``db_worker`` runs them). Run one beside the worker; a second one is
harmless (each slot runs once: a database constraint). SIGTERM or SIGINT ends it after the current tick.

    ecomops scheduler            # tick every 30 s until stopped
    ecomops scheduler --once     # one tick, then exit (cron, tests)
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from ecomops.scheduling.scheduler import tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs whose time has come (issue 17); --once for a single tick."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks (default 30)")
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args, interval: float = 30.0, once: bool = False, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if once:
            self._tick()
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"scheduler: ticking every {interval:g} s (Asia/Shanghai); stop with Ctrl-C")
        while not stop.is_set():
            close_old_connections()
            self._tick()
            stop.wait(interval)
        self.stdout.write("scheduler: stopped")

    def _tick(self) -> None:
        for run in tick(timezone.now()):
            slot = f"{timezone.localtime(run.slot):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{run.job.code} {slot} {run.state} (run {run.pk})")
