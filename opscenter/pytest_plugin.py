"""Loaded by pytest before anything else (`-p opscenter.pytest_plugin` in pyproject's addopts): each test process
gets a data folder of its own (OPSCENTER_DATA_DIR: the secret key and static folder `migrate` prepares, default
media, e-mail files), before pytest-django reads the settings. A root conftest.py is imported after that, too late.

Under pytest-xdist every worker makes its own: workers inherit the environment of the process that started
them, so a folder made there would be shared. A folder the caller chose is kept."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def _own_data_dir() -> None:
    made_here = os.environ.get("OPSCENTER_TEST_DATA_DIR")
    if os.environ.get("OPSCENTER_DATA_DIR", made_here) != made_here:
        return  # the caller's own folder
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1… on xdist's workers
    path = tempfile.mkdtemp(prefix=f"opscenter-test-{worker}-")
    os.environ["OPSCENTER_DATA_DIR"] = os.environ["OPSCENTER_TEST_DATA_DIR"] = path
    atexit.register(shutil.rmtree, path, ignore_errors=True)


_own_data_dir()
