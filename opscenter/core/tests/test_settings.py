"""The settings: switches refuse what they do not understand, and importing them (and setting Django up)
writes nothing; the commands that need the data folder make it, private."""

import os
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from opscenter.settings import _env_bool


@pytest.mark.parametrize("value,expected", [
    ("1", True), ("true", True), ("YES", True), (" On ", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_a_switch_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_SWITCH", value)
    assert _env_bool("SOME_SWITCH", default=not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_an_unset_or_empty_switch_keeps_its_default(monkeypatch, default):
    monkeypatch.delenv("SOME_SWITCH", raising=False)
    assert _env_bool("SOME_SWITCH", default) is default
    monkeypatch.setenv("SOME_SWITCH", "")
    assert _env_bool("SOME_SWITCH", default) is default


@pytest.mark.parametrize("value", ["ture", "2", "enabled", "y e s", "-1"])
def test_a_switch_refuses_an_unknown_value_by_name(monkeypatch, value):
    monkeypatch.setenv("SOME_SWITCH", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_SWITCH"):
        _env_bool("SOME_SWITCH")


def _env(tmp_path, **extra: str) -> dict[str, str]:
    unset = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "STATIC_ROOT", "MEDIA_ROOT", "DEBUG", "OPSCENTER_HTTPS"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return env | {"OPSCENTER_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "opscenter.settings",
                  **extra}


def test_a_misspelt_switch_stops_the_process_naming_the_variable(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"],
                            env=_env(tmp_path, OPSCENTER_HTTPS="ture"), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "OPSCENTER_HTTPS='ture'" in result.stderr


SETUP = """
import django
django.setup()
from django.urls import get_resolver
from django.conf import settings
get_resolver().url_patterns
import opscenter.asgi, opscenter.wsgi
print(settings.SECRET_KEY != "")
"""


@pytest.mark.slow
def test_importing_the_settings_and_setting_django_up_creates_no_file(tmp_path):
    result = subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
    assert list(tmp_path.iterdir()) == []  # no data folder, secret key, database or static folder


@pytest.mark.slow
def test_migrate_makes_the_data_folder_private_and_keeps_the_key_it_generated(tmp_path):
    migrate = [sys.executable, "-m", "opscenter.cli", "manage", "migrate", "--no-input", "-v", "0"]
    subprocess.run(migrate, env=_env(tmp_path), check=True, capture_output=True, timeout=300)
    data = tmp_path / "data"
    mode = {name: stat.S_IMODE((data / name).stat().st_mode) for name in ("", "secret_key", "opscenter.sqlite3")}
    assert mode == {"": 0o700, "secret_key": 0o600, "opscenter.sqlite3": 0o600}
    key = (data / "secret_key").read_text()
    read = subprocess.run([sys.executable, "-c", SETUP.replace("!= \"\"", "")], env=_env(tmp_path),
                          check=True, capture_output=True, text=True, timeout=120)
    assert read.stdout.split()[-1] == key  # the next process signs with the key written by the first
    subprocess.run(migrate, env=_env(tmp_path), check=True, capture_output=True, timeout=300)
    assert (data / "secret_key").read_text() == key
