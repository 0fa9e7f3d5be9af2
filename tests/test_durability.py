"""Nothing acknowledged is lost: `opscenter serve` killed with SIGKILL twice while clients submit reports, then
restarted; every report the clients got a 2xx for is stored, with its audit entry.

Runs on the database of the test run: a fresh SQLite file, or a fresh PostgreSQL database on the server
DATABASE_URL names (CI runs the suite once on each)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from opscenter.testing import full_report

pytestmark = pytest.mark.slow

CLIENTS = 3
KILLS = 2
ACKS_BETWEEN_KILLS = 40  # reports acknowledged before each kill, and after the last restart


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database(tmp_path):
    """The environment of a fresh database: SQLite under tmp_path, or a new PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                                             "CELERY_BROKER_URL"}}
    env |= {"OPSCENTER_DATA_DIR": str(tmp_path), "SECRET_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield env
        return
    import psycopg

    name = f"opscenter_durability_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield env | {"DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _python(env: dict[str, str], code: str) -> str:
    prelude = "from opscenter.cli import setup_django; setup_django()\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


class Server:
    """`opscenter serve` in its own process group, so that SIGKILL takes everything it started."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.port = env, _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "opscenter.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read() if self.process.stderr else ""
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail("opscenter serve did not answer /healthz")

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Client(threading.Thread):
    """Submits one report per day going back from `first`, each with its own Idempotency-Key, retrying a
    submission whose answer never came (the server died) until it is acknowledged."""

    def __init__(self, server: Server, key: str, first: dt.date, stride: int, offset: int) -> None:
        super().__init__(daemon=True)
        self.server, self.key = server, key
        self.periods = (first - dt.timedelta(days=offset + stride * i) for i in range(10_000))
        self.acked: list[dict] = []  # what a 2xx answer said was stored
        self.failures = 0  # requests that got no answer
        self.error = ""
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            self._submit()
        except Exception as exc:  # reported by the test, not lost in the thread
            self.error = repr(exc)

    def _submit(self) -> None:
        with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {self.key}"}) as http:
            for period in self.periods:
                body = {"data_set": "HOSP_DAILY", "unit": "BV-A", "period": period.isoformat(),
                        "values": full_report(er_visits=period.toordinal() % 500)}
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                while not self.stop.is_set():
                    try:
                        response = http.post(f"http://127.0.0.1:{self.server.port}/api/reporting/reports",
                                             json=body, headers=headers)
                    except httpx.TransportError:
                        self.failures += 1
                        time.sleep(0.05)
                        continue
                    if response.status_code not in (200, 201):
                        raise AssertionError(f"{response.status_code}: {response.text[:500]}")
                    report = response.json()["report"]
                    self.acked.append({"id": report["id"], "period": body["period"], "version": report["version"],
                                       "er_visits": report["values"]["er_visits"]})
                    break
                if self.stop.is_set():
                    return


def _wait_for_acks(clients: list[Client], count: int) -> None:
    deadline = time.monotonic() + 120
    while sum(len(c.acked) for c in clients) < count:
        assert time.monotonic() < deadline, "the clients stopped getting answers"
        assert all(c.is_alive() for c in clients), [c.error for c in clients]
        time.sleep(0.05)


def test_reports_acknowledged_before_a_kill_9_are_all_stored_with_their_audit_entries(database):
    env = database
    key = _python(env, (
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from opscenter.testing import build_city; from opscenter.org.models import User\n"
        "from opscenter.org.services import issue_token\n"
        "build_city(); print(issue_token('test', User.objects.get(username='reporter_a'), 'HIS')[1])"
    ))
    today = dt.date.fromisoformat(_python(env, "from django.utils import timezone; print(timezone.localdate())"))
    server = Server(env)
    server.start()
    clients = [Client(server, key, today, CLIENTS, i) for i in range(CLIENTS)]
    try:
        for client in clients:
            client.start()
        for kill in range(1, KILLS + 1):
            _wait_for_acks(clients, kill * ACKS_BETWEEN_KILLS)
            server.kill()  # mid-load: the clients have requests in flight
            server.start()
        _wait_for_acks(clients, (KILLS + 1) * ACKS_BETWEEN_KILLS)
    finally:
        for client in clients:
            client.stop.set()
        for client in clients:
            client.join(timeout=30)
        server.stop()

    acked = [a for c in clients for a in c.acked]
    assert sum(c.failures for c in clients) > 0, "no request was in flight when the server was killed"
    assert len({a["period"] for a in acked}) == len(acked)  # one report per day, each acknowledged once
    stored = json.loads(_python(env, (
        "import json; from opscenter.reporting.models import Report; from opscenter.core.models import AuditLog\n"
        "audited = set(AuditLog.objects.filter(action='reporting.report.submitted').values_list('object_id', "
        "flat=True))\n"
        "print(json.dumps({str(r.pk): [r.period.isoformat(), r.version, r.values['er_visits'], r.is_current, "
        "str(r.pk) in audited] for r in Report.objects.filter(unit__code='BV-A')}))"
    )))
    missing = [a for a in acked if str(a["id"]) not in stored]
    assert not missing, f"{len(missing)} acknowledged reports lost: {missing[:5]}"
    for a in acked:
        period, version, er_visits, is_current, audited = stored[str(a["id"])]
        assert (period, version, er_visits, is_current) == (a["period"], a["version"], a["er_visits"], True)
        assert audited, f"report {a['id']} has no audit entry"
