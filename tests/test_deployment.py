"""Deploying: `opscenter serve` refuses to run without its secrets, HTTPS mode passes Django's deployment
checks and sends HSTS and secure cookies, and the data folder and database are the service account's alone."""

import os
import signal
import socket
import stat
import subprocess
import sys

import httpx
import pytest

from opscenter.testing import wait_until_healthy

CLI = [sys.executable, "-m", "opscenter.cli"]
PRODUCTION = {"SECRET_KEY": "k" * 20 + "-Zq8#x1!vB7@pL3$wN5%rT9^yU2&mE6*", "ALLOWED_HOSTS": "127.0.0.1,soc.example.vn"}


def _env(tmp_path, **extra: str) -> dict[str, str]:
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "OPSCENTER_HTTPS",
             "SECURE_COOKIES", "DEBUG", "STATIC_ROOT", "MEDIA_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["OPSCENTER_DATA_DIR"] = str(tmp_path / "data")
    return {**env, **extra}


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("given,missing", [
    ({}, ["SECRET_KEY", "ALLOWED_HOSTS"]),
    ({"SECRET_KEY": PRODUCTION["SECRET_KEY"]}, ["ALLOWED_HOSTS"]),
    ({"ALLOWED_HOSTS": "soc.example.vn"}, ["SECRET_KEY"]),
    ({"SECRET_KEY": " ", "ALLOWED_HOSTS": "soc.example.vn"}, ["SECRET_KEY"]),
])
def test_serve_refuses_to_start_without_its_secret_key_and_hosts(tmp_path, given, missing):
    result = subprocess.run([*CLI, "serve", "--port", "1"], env=_env(tmp_path, **given),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    for name in missing:
        assert name in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()  # nothing was invented on the way


def test_https_mode_passes_the_deployment_checks(tmp_path):
    check = [*CLI, "manage", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(check, env=_env(tmp_path, OPSCENTER_HTTPS="1", **PRODUCTION),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # Without HTTPS mode the same check complains (HSTS, redirect, cookies): the test above means something.
    plain = subprocess.run(check, env=_env(tmp_path, **PRODUCTION), capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and "security.W004" in plain.stderr + plain.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_in_https_mode_sends_hsts_secure_cookies_and_a_csp_and_keeps_its_data_private(tmp_path):
    port = _free_port()
    process = subprocess.Popen([*CLI, "serve", "--migrate", "--host", "127.0.0.1", "--port", str(port)],
                               env=_env(tmp_path, OPSCENTER_HTTPS="1", **PRODUCTION),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base, "opscenter serve", seconds=180)
        plain = httpx.get(f"{base}/login/", timeout=5)
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
        page = httpx.get(f"{base}/login/", headers={"X-Forwarded-Proto": "https"}, timeout=5)
        assert page.status_code == 200
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("csrftoken="))
        assert "Secure" in cookie
        assert "script-src 'self'" in page.headers["content-security-policy"]
        login = httpx.post(f"{base}/login/", headers={"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{port}/"},
                           data={"username": "nobody", "password": "x",
                                 "csrfmiddlewaretoken": page.cookies["csrftoken"]},
                           cookies={"csrftoken": page.cookies["csrftoken"]}, timeout=5)
        assert login.status_code == 200  # a failed login, CSRF passed behind the proxy
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    database = data / "opscenter.sqlite3"
    assert _mode(database) == 0o600
    for companion in (data / "opscenter.sqlite3-wal", data / "opscenter.sqlite3-shm"):
        if companion.exists():
            assert _mode(companion) == 0o600


def test_the_embedded_data_folder_and_database_are_private(tmp_path):
    """The demo's way (no SECRET_KEY: one is generated into the folder) gives the same modes."""
    subprocess.run([*CLI, "manage", "migrate", "--no-input", "-v", "0"], env=_env(tmp_path), check=True,
                   capture_output=True, timeout=300)
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "opscenter.sqlite3") == 0o600
