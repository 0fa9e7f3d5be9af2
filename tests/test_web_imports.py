"""The web process stays light: the URLconf and the pages load none of the heavy libraries that only the
camera worker, the road-graph import, the document pipeline or the forecasting task need."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The libraries a role loads on demand (see the extras in pyproject.toml).
HEAVY = ["cv2", "dlib", "face_recognition_models", "onnxruntime", "supervision", "paho", "osmnx", "osmium",
         "pyhanko", "pytesseract", "docx", "pypdf", "statsforecast", "pandas"]

SCRIPT = """
import json, sys
for name in BLOCKED:  # as if the extras were not installed: importing one raises ModuleNotFoundError
    sys.modules[name] = None
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.urls import get_resolver
from opscenter.org.roles import Role
from opscenter.testing import build_city

get_resolver().url_patterns  # the whole URLconf, every app's views and API routers
import opscenter.asgi  # noqa: F401
city = build_city()
statuses = {}
for role, paths in [
    (Role.OPERATOR, ["/dashboard/", "/alerts/", "/work/", "/api/dashboard/overview", "/api/work/notifications"]),
    (Role.SECURITY, ["/vision/", "/vision/events/", "/api/vision/cameras"]),
    (Role.DISPATCHER, ["/emergency/", "/api/emergency/incidents"]),
    (Role.EPIDEMIOLOGIST, ["/surveillance/", "/surveillance/cases/", "/api/surveillance/cases"]),
]:
    client = Client()
    client.force_login(city.user(role))
    for path in paths:
        statuses[path] = client.get(path).status_code
print(json.dumps({"statuses": statuses,
                  "modules": sorted({m.split(".")[0] for m, module in sys.modules.items() if module is not None})}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("installed", [True, False], ids=["with-extras", "without-extras"])
def test_pages_and_api_load_no_heavy_library(tmp_path: Path, installed: bool):
    """With the extras installed, none is loaded; without them, the pages work all the same."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"OPSCENTER_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "opscenter.settings",
            "ALLOWED_HOSTS": "testserver"}
    script = f"BLOCKED = {[] if installed else HEAVY!r}\n" + SCRIPT
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["statuses"] and set(result["statuses"].values()) == {200}, result["statuses"]
    assert [m for m in HEAVY if m in result["modules"]] == []
