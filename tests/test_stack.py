"""The production stack, run together on this machine: PostgreSQL, a private Redis and Mosquitto, two web
processes, a Celery worker and beat, a vision worker on real footage and the vision ingest.

Signals from the public surfaces (a report over HTTP, a camera over MQTT, a scheduled check through beat) reach
a dashboard's live stream as alerts; then Redis is restarted with a task queued in it, and the worker's
processes are killed (SIGKILL) in the middle of tasks: every acknowledged report still raises its alert, once.

Run by .ci/run as its own step (`pytest -m stack`, with DATABASE_URL on PostgreSQL); the plain suite leaves
it out. Every wait is bounded."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.stack

BIN = Path(sys.executable).parent
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
HOSPITALS = ["BV-S1", "BV-S2", "BV-S3", "BV-S4"]  # besides the test city's BV-A and BV-B

SETUP = """
import json
from opscenter.cli import setup_django; setup_django()
from django.test import Client
from opscenter.org import services as org
from opscenter.org.models import Unit
from opscenter.org.roles import Role
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import DataSet
from opscenter.testing import PASSWORD, build_city
from opscenter.vision import services as vision

city = build_city()
reporters = {"BV-A": city.user(Role.REPORTER, "A"), "BV-B": city.user(Role.REPORTER, "B")}
for code in CODES:
    unit = org.upsert_unit("stack", code=code, name="Bệnh viện " + code, kind=Unit.Kind.HOSPITAL,
                           parent=city.department, ward=city.hospital_a.ward, latitude=10.76, longitude=106.66,
                           level=Unit.Level.CITY, beds={"icu": 20})
    DataSet.objects.get(code=HOSPITAL_DAILY).reporting_units.add(unit)
    reporters[code] = org.create_user("stack", username="reporter_" + code.lower(), password=PASSWORD,
                                      role=Role.REPORTER, unit=unit)
vision.save_camera("stack", CAMERA)
client = Client()
client.force_login(city.user(Role.OPERATOR))
print(json.dumps({
    "session": client.cookies["sessionid"].value,
    "operator": org.issue_token("stack", city.user(Role.OPERATOR), "stack")[1],
    "reporters": {code: org.issue_token("stack", user, "stack")[1] for code, user in reporters.items()},
}))
"""


def camera() -> dict[str, Any]:
    """The waiting room of hospital A on vtest.avi; more than one person there is crowding."""
    return {"code": "CAM-STACK", "unit": "BV-A", "name": "Phòng chờ cấp cứu", "location_kind": "emergency_waiting",
            "stream_url": str(VTEST), "width": 640, "height": 360, "fps": 5,
            "zones": [{"name": "waiting", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                       "rules": [{"type": "count", "max_people": 1}]}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, condition: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if result := condition():
                return result
        time.sleep(0.3)
    pytest.fail(f"waited {seconds:g} s for {what}")


def server() -> str:
    """DATABASE_URL without its database name: the stack gets a database of its own there."""
    return DATABASE_URL.rsplit("/", 1)[0]


def missing_prerequisite() -> str | None:
    if not DATABASE_URL.startswith("postgres"):
        return "the stack runs on PostgreSQL: set DATABASE_URL=postgres://…"
    for program in ("redis-server", "mosquitto"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            return f"{program} is not installed"
    if not VTEST.exists():
        return "Debian's opencv-doc (vtest.avi) is not installed"
    try:
        import psycopg

        psycopg.connect(f"{server()}/postgres", connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL not reachable at {server()}: {exc}"
    return None


class Stack:
    """Processes of the stack, each in its own process group with its log in the run's folder."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(argv, cwd=self.folder, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        """As systemd's KillMode=mixed: SIGTERM to the main process (Celery's warm shutdown lets running tasks
        end), then SIGKILL to whatever of its group is left."""
        proc = self.procs.pop(name)
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)

    def logs(self) -> str:
        return "\n".join(f"---- {p.name} (last lines)\n" + "\n".join(p.read_text(errors="replace").splitlines()[-25:])
                         for p in sorted(self.folder.glob("*.log")))


class LiveStream:
    """A dashboard's connection to /events/stream, reconnecting as a browser does."""

    def __init__(self, url: str, session: str) -> None:
        self.url, self.session = url, session
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(httpx.HTTPError), httpx.Client(
                cookies={"sessionid": self.session}, timeout=httpx.Timeout(5, read=20)
            ) as client, client.stream("GET", self.url) as response:
                for line in response.iter_lines():
                    self.connected.set()
                    if line.startswith("data: "):
                        self.events.append(json.loads(line[6:]))
                    if self._stop.is_set():
                        return
            self._stop.wait(1)

    def alerts(self, kind: str, unit: str | None = None) -> list[dict[str, Any]]:
        return [e for e in list(self.events) if e["kind"] == "alert.raised" and e["payload"]["kind"] == kind
                and (unit is None or e["unit"] == unit)]

    def close(self) -> None:
        self._stop.set()


@pytest.fixture
def database():
    """A database of its own on the PostgreSQL server of DATABASE_URL, dropped afterwards."""
    if reason := missing_prerequisite():
        pytest.skip(reason)
    import psycopg
    from psycopg import sql

    name = f"opscenter_stack_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server()}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server()}/{name}"
    finally:
        with psycopg.connect(f"{server()}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def start_redis(stack: Stack, port: int) -> None:
    # No persistence: a restart empties the broker's queues, the case the outbox is there for.
    stack.start("redis", shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
    import redis

    wait_for("Redis", lambda: redis.Redis(port=port).ping(), 15)


def start_worker(stack: Stack, name: str) -> subprocess.Popen:
    # Named in PostgreSQL's activity view, so that the test sees its processes inside a task.
    env = {**stack.env, "DATABASE_URL": stack.env["DATABASE_URL"] + "?application_name=stack-worker"}
    return stack.start(name, str(BIN / "celery"), "-A", "opscenter", "worker", "-l", "info", "--concurrency", "2",
                       "-n", f"{name}@%h", "--without-gossip", "--without-mingle", env=env)


def pending_outbox(database: str) -> int:
    import psycopg

    with psycopg.connect(database) as db:
        return db.execute("SELECT count(*) FROM core_outboxentry WHERE done_at IS NULL").fetchone()[0]


def test_the_production_stack_end_to_end(tmp_path, database):
    from opscenter.testing import report_payload

    redis_port, mqtt_port, web_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env |= {
        "DATABASE_URL": database, "OPSCENTER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1", "LOG_LEVEL": "INFO",
        # Short schedules, so that what beat and the sweep do shows within the test.
        "OVERDUE_CHECK_SECONDS": "3", "OUTBOX_SWEEP_SECONDS": "2", "OUTBOX_RETRY_SECONDS": "4",
        "CELERY_VISIBILITY_TIMEOUT": "10",
    }
    stack = Stack(tmp_path, env)
    stream: LiveStream | None = None
    try:
        subprocess.run([str(BIN / "opscenter"), "manage", "migrate", "--no-input", "-v", "0"], env=env,
                       cwd=tmp_path, check=True, timeout=240)
        setup = SETUP.replace("CODES", repr(HOSPITALS)).replace("CAMERA", repr(camera()))
        done = subprocess.run([sys.executable, "-c", setup], env=env, cwd=tmp_path, check=True, timeout=120,
                              capture_output=True, text=True)
        ids = json.loads(done.stdout.strip().splitlines()[-1])

        start_redis(stack, redis_port)
        stack.start("mosquitto", shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-p", str(mqtt_port))
        stack.start("web", str(BIN / "opscenter"), "serve", "--workers", "2", "--host", "127.0.0.1",
                    "--port", str(web_port))
        worker = start_worker(stack, "worker1")
        prefix = f"stack/{uuid.uuid4().hex[:8]}"
        stack.start("ingest", str(BIN / "opscenter"), "vision-ingest", "--mqtt", f"127.0.0.1:{mqtt_port}",
                    "--prefix", prefix, "--client-id", f"ingest-{prefix[-8:]}")
        (tmp_path / "camera.json").write_text(json.dumps(camera()))
        base = f"http://127.0.0.1:{web_port}"
        wait_for("the web server", lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200, 60)

        stream = LiveStream(f"{base}/events/stream", ids["session"])
        assert stream.connected.wait(20), "the live stream did not open"
        time.sleep(1)  # the stream's process has subscribed to the Redis channel

        def report(unit: str, **values: int) -> None:
            response = httpx.post(f"{base}/api/reporting/reports", json=report_payload(unit=unit, **values),
                                  headers={"Authorization": f"Bearer {ids['reporters'][unit]}"}, timeout=20)
            assert response.status_code == 201, response.text

        # 1. A report over HTTP (on either web process) reaches the dashboard as an alert.
        report("BV-A", icu_total=20, icu_occupied=20)
        wait_for("the ICU alert on the live stream", lambda: stream.alerts("bed_occupancy", "BV-A"), 45)

        # 2. A scheduled job through beat: the overdue check finds yesterday's reports missing.
        stack.start("beat", str(BIN / "celery"), "-A", "opscenter", "beat", "-l", "info",
                    "-s", str(tmp_path / "beat-schedule"), "--pidfile", str(tmp_path / "beat.pid"))
        wait_for("an overdue-report alert from beat", lambda: stream.alerts("report_overdue"), 45)

        # 3. The vision worker on real footage: crowding in hospital A's waiting room, through MQTT and ingest.
        stack.start("vision-worker", str(BIN / "opscenter"), "vision-worker", "--config", "camera.json",
                    "--mqtt", f"127.0.0.1:{mqtt_port}", "--prefix", prefix, "--spool", "spool.sqlite3")
        wait_for("the camera's crowding alert on the live stream", lambda: stream.alerts("camera_crowding", "BV-A"), 90)
        stack.stop("vision-worker")  # its part is done; the cores are the other processes' now

        # 4. The worker's processes are killed (SIGKILL) mid-task: the reports' evaluations are not lost. The
        # alerts table is locked meanwhile, so that both processes are inside an evaluation when they die.
        import psutil
        import psycopg

        with psycopg.connect(database) as blocker, psycopg.connect(database, autocommit=True) as observer:
            blocker.execute("LOCK TABLE alerts_alert IN EXCLUSIVE MODE")  # reads pass, writes wait
            for unit in HOSPITALS[:2]:
                report(unit, icu_total=20, icu_occupied=20)
            wait_for("both worker processes inside an evaluation", lambda: observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stack-worker' "
                "AND wait_event_type = 'Lock'").fetchone()[0] >= 2, 30)
            pool = psutil.Process(worker.pid).children()
            for child in pool:
                child.kill()
            psutil.wait_procs(pool, timeout=10)
        for unit in HOSPITALS[:2]:
            wait_for(f"{unit}'s alert after the worker's processes were killed",
                     lambda unit=unit: stream.alerts("bed_occupancy", unit), 60)

        # 5. Redis restarted (its queues lost) while a report's task waited in it, no worker running.
        stack.stop("worker1")
        report(HOSPITALS[2], icu_total=20, icu_occupied=20)
        stack.stop("redis")
        start_redis(stack, redis_port)
        start_worker(stack, "worker2")
        wait_for(f"{HOSPITALS[2]}'s alert after Redis restarted",
                 lambda: stream.alerts("bed_occupancy", HOSPITALS[2]), 60)
        # ... and events flow again as usual.
        report(HOSPITALS[3], icu_total=20, icu_occupied=20)
        wait_for(f"{HOSPITALS[3]}'s alert", lambda: stream.alerts("bed_occupancy", HOSPITALS[3]), 45)

        # Every acknowledged report was evaluated once: one open alert each, raised once, seen once.
        wait_for("the outbox to be empty", lambda: pending_outbox(database) == 0, 30)
        operator = {"Authorization": f"Bearer {ids['operator']}"}
        for unit in ["BV-A", *HOSPITALS]:
            items = httpx.get(f"{base}/api/alerts", params={"open": "true", "unit": unit}, headers=operator,
                              timeout=20).json()["items"]
            occupancy = [a for a in items if a["kind"] == "bed_occupancy"]
            assert len(occupancy) == 1 and occupancy[0]["occurrences"] == 1, (unit, occupancy)
            assert len(stream.alerts("bed_occupancy", unit)) == 1, unit
    except BaseException:
        print(stack.logs())
        raise
    finally:
        if stream is not None:
            stream.close()
        stack.stop_all()
