"""Live updates across server processes: a report sent to one server reaches dashboards on another,
through the Redis event bus (as in production with several web processes or machines)."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).ping()
    except Exception:
        pytest.skip(f"Redis not reachable at {REDIS_URL}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python(env, code: str) -> str:
    prelude = "from opscenter.cli import setup_django; setup_django()\n"
    return subprocess.run([sys.executable, "-c", prelude + code], env=env, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_report_on_one_server_reaches_the_dashboard_stream_of_another(tmp_path):
    _redis_or_skip()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"OPSCENTER_DATA_DIR": str(tmp_path), "REDIS_URL": REDIS_URL,
            "EVENT_BUS_CHANNEL": f"opscenter.test.{uuid.uuid4().hex}",
            "SECRET_KEY": uuid.uuid4().hex * 2, "ALLOWED_HOSTS": "127.0.0.1,localhost"}  # serve requires them
    subprocess.run([sys.executable, "-m", "opscenter.cli", "seed-demo", "--days", "1"], env=env, check=True,
                   capture_output=True)
    key = _python(env, "from opscenter.org.models import User; from opscenter.org.services import issue_token\n"
                       "print(issue_token('test', User.objects.get(username='reporter'), 'HIS')[1])")
    session = _python(env, "from django.test import Client; from opscenter.org.models import User\n"
                           "c = Client(); c.force_login(User.objects.get(username='operator'))\n"
                           "print(c.cookies['sessionid'].value)")
    unit = _python(env, "from opscenter.org.models import User; print(User.objects.get(username='reporter').unit.code)")

    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "opscenter.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for port in ports]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                time.sleep(0.3)
            else:
                pytest.fail(f"server on {port} did not start")

        received: list[dict] = []
        listening = threading.Event()

        def listen() -> None:
            with contextlib.suppress(httpx.TransportError), httpx.Client(
                cookies={"sessionid": session}, timeout=15
            ) as client, client.stream("GET", f"http://127.0.0.1:{ports[0]}/events/stream") as stream:
                for line in stream.iter_lines():
                    listening.set()
                    if line.startswith("data: "):
                        received.append(json.loads(line[6:]))
                        if received[-1]["kind"] == "report.submitted":
                            return

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        assert listening.wait(10)
        time.sleep(0.5)  # the stream has subscribed to the Redis channel
        from opscenter.testing import full_report

        today = _python(env, "from django.utils import timezone; print(timezone.localdate())")
        response = httpx.post(f"http://127.0.0.1:{ports[1]}/api/reporting/reports",
                              json={"data_set": "HOSP_DAILY", "unit": unit, "period": today,
                                    "values": full_report(er_visits=777)},
                              headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
        thread.join(timeout=10)
        submitted = [e for e in received if e["kind"] == "report.submitted"]
        assert submitted and submitted[0]["unit"] == unit
        assert submitted[0]["payload"]["values"]["er_visits"] == 777
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=15)
