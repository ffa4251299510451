"""Concurrent API writers against a real server (issue 12, item 8; WMS-11 reservations, WMS-13 账物相符).

gunicorn serves EcomOps on 127.0.0.1 (a free port; 2 workers × 4 threads; killed at the end whatever
happens) against a database named only by DATABASE_URL, as a deployment configures it. Eight API
clients, each with its own bearer token, reserve one unit of the same SKU at once, eight times each:
64 requests for fewer units than that. Every answer must be a reservation (201) or a clear refusal
for lack of stock (400): never a 5xx ("database is locked" on SQLite, a serialisation failure on
PostgreSQL). Exactly as many units are reserved as there were, never more (no oversell), and the
balances equal the ledger (``ecomops stock-verify``).

SQLite is always tested (a file under a temporary directory); PostgreSQL too when the suite itself
runs on it (a throwaway database beside the suite's own, dropped at the end).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORLD = Path(__file__).with_name("load_world.py")

CLIENTS = 8
REQUESTS_EACH = 8
STOCK = 40  # fewer than CLIENTS × REQUESTS_EACH: some must be refused, none may oversell
REQUEST_TIMEOUT = 40  # seconds for one request (SQLite writers wait up to 30 s for the lock)
SERVER_START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "ECOMOPS_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="ecomops.settings",
        DJANGO_DEBUG="0",
        ECOMOPS_TASKS_BACKEND="immediate",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(args: list[str], env: dict, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and scripts, fixed arguments
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def _world(command: str, env: dict, *args: str) -> dict:
    done = _run([sys.executable, str(WORLD), command, *args], env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn on 127.0.0.1, bounded in workers, threads and time; always stopped."""

    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "ecomops.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", "-", "--error-logfile", "-"],
            env=env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/login/", timeout=5) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within {SERVER_START_TIMEOUT}s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")[-4000:]


def _reserve(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the server under test, on loopback
        url + "/api/v1/inventory/reservations", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw[:300].decode(errors="replace")}


def _contend(url: str, world: dict) -> list[tuple[int, dict]]:
    """CLIENTS threads, released together, each sending REQUESTS_EACH reservations one after another."""
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        start.wait(timeout=30)
        for k in range(REQUESTS_EACH):
            body = {"doc_kind": "load", "doc_id": f"C{n}-{k}", "doc_number": f"C{n}-{k}",
                    "warehouse_id": world["warehouse_id"], "lines": [{"sku_id": world["sku_id"], "quantity": 1}]}
            try:
                outcome = _reserve(url, world["tokens"][n], body)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                outcome = (599, {"transport": repr(error)})
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUESTS_EACH * REQUEST_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    return results


def _check_concurrent_reservations(database_url: str, tmp_path: Path) -> None:
    env = _env(database_url)
    world = _world("prepare", env, str(CLIENTS), str(STOCK))
    server = Server(env, tmp_path / "gunicorn.log")
    try:
        server.wait_ready()
        results = _contend(server.url, world)
    finally:
        server.stop()

    statuses = sorted(status for status, _ in results)
    failures = [(status, body) for status, body in results if status >= 500]
    assert not failures, f"{len(failures)} of {len(results)} answered 5xx: {failures[:3]}\n{server.output()}"
    assert len(results) == CLIENTS * REQUESTS_EACH
    assert set(statuses) <= {201, 400}, statuses
    refused = [body for status, body in results if status == 400]
    assert all(body["error"]["field"] == "lines" for body in refused), refused[:3]
    # Every unit found a taker (the writers queued, none gave up) and none was promised twice.
    assert statuses.count(201) == STOCK
    assert _world("summary", env) == {
        "on_hand": STOCK, "reserved": STOCK, "active_reservations": STOCK, "active_units": STOCK,
    }
    verified = _run([str(BIN / "ecomops"), "stock-verify"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "账物相符" in verified.stdout


def test_concurrent_reservations_under_gunicorn_on_sqlite(tmp_path):
    """DATABASE_URL=sqlite:///… gets the same WAL, busy-timeout and BEGIN IMMEDIATE as the default."""
    _check_concurrent_reservations(f"sqlite:///{tmp_path / 'load.sqlite3'}", tmp_path)


@pytest.fixture
def postgres_url():
    """A throwaway database on the suite's PostgreSQL server, when the suite runs on PostgreSQL."""
    suite_url = os.environ.get("DATABASE_URL", "")
    if not suite_url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the suite runs on SQLite; the PostgreSQL run happens in the PostgreSQL phase")
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(suite_url)
    name = f"ecomops_load_{uuid.uuid4().hex[:12]}"
    admin = dict(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                 password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(suite_url)._replace(path="/" + name).geturl()
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_concurrent_reservations_under_gunicorn_on_postgresql(postgres_url, tmp_path):
    _check_concurrent_reservations(postgres_url, tmp_path)


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/a.sqlite3", "sqlite:///{tmp}/b.sqlite3?timeout=5"])
def test_every_sqlite_url_gets_the_write_options(url, tmp_path):
    """The options are not only for the default path: a DATABASE_URL naming SQLite gets them too (an
    option in the URL itself wins), and its tests get a database file per test process."""
    script = ("import json; from django.conf import settings; d = settings.DATABASES['default'];"
              "print(json.dumps({'options': d['OPTIONS'], 'test': d['TEST']['NAME']}))")
    done = _run([sys.executable, "-c", script], _env(url.format(tmp=tmp_path)))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    options = found["options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in options["init_command"]
    assert "PRAGMA busy_timeout=30000;" in options["init_command"]
    assert options["timeout"] == (5 if "timeout=5" in url else 30)
    assert found["test"].endswith(".sqlite3") and str(tmp_path) not in found["test"]
