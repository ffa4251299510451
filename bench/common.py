"""What every benchmark starts with: Django on a fresh SQLite file database of its own (or on
DATABASE_URL when it is set, e.g. a throwaway PostgreSQL, or on the SQLite file ECOMOPS_SQLITE_PATH
names, to measure again on data built by an earlier run), migrated, with quiet logs."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(**env: str) -> str:
    """Configure and migrate; ``env`` are more environment defaults (a variable already set wins).
    Returns "vendor database-name" for the report's first line."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL") and not os.environ.get("ECOMOPS_SQLITE_PATH"):
        directory = tempfile.mkdtemp(prefix="ecomops-bench-")
        os.environ["ECOMOPS_SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecomops.settings")
    os.environ.setdefault("ECOMOPS_LOG_LEVEL", "WARNING")
    for name, value in env.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return f"{connection.vendor} {connection.settings_dict['NAME']}"
