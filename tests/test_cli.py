"""The `opscenter` command as an operator runs it: a real process on its own data folder."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from opscenter.testing import wait_until_healthy

CLI = [sys.executable, "-m", "opscenter.cli"]


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["OPSCENTER_DATA_DIR"] = str(tmp_path)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_demo_until_healthy(tmp_path, port: int) -> str:
    """Start `opscenter demo`, wait for /healthz, stop it; return what it printed."""
    process = subprocess.Popen(
        [*CLI, "demo", "--port", str(port), "--days", "3", "--interval", "0.5"],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}", "opscenter demo")
        time.sleep(3)  # let the simulator send a few reports
        login = httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5)
        assert login.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    return output


def _count(tmp_path, expression: str) -> int:
    code = f"from opscenter.cli import setup_django; setup_django(); {expression}"
    out = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_demo_seeds_runs_simulates_and_keeps_its_data(tmp_path):
    first = _run_demo_until_healthy(tmp_path, _free_port())
    assert "http://127.0.0.1:" in first and "operator" in first and "opscenter-demo" in first
    assert "/booking/" in first and "Text messages sent (booking codes)" in first  # where a demo code is read
    assert "Added" in first  # history seeded on the first run
    reports = "from opscenter.reporting.models import Report; print(Report.objects.count())"
    today = ("from opscenter.reporting.models import Report; from django.utils import timezone; "
             "print(Report.objects.filter(period=timezone.localdate(), source='simulator').count())")
    seeded = _count(tmp_path, reports)
    assert seeded >= 3 * 24  # three days for every demo hospital
    assert _count(tmp_path, today) >= 1  # the simulator reported through the services

    second = _run_demo_until_healthy(tmp_path, _free_port())
    assert "Added" not in second  # the history was kept, not seeded again
    assert _count(tmp_path, reports) >= seeded


@pytest.mark.slow
def test_simulate_sends_reports_through_the_services(tmp_path):
    env = _env(tmp_path)
    subprocess.run([*CLI, "seed-demo", "--days", "1"], env=env, check=True, capture_output=True)
    out = subprocess.run([*CLI, "simulate", "--ticks", "3", "--interval", "0"], env=env, check=True,
                         capture_output=True, text=True)
    assert "Sent 3 simulated reports" in out.stdout
    audited = ("from opscenter.core.models import AuditLog; "
               "print(AuditLog.objects.filter(actor_label='simulator', action='reporting.report.submitted').count())")
    assert _count(tmp_path, audited) == 3
