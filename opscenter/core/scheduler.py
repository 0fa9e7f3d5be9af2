"""The embedded default's stand-in for Celery beat: runs CELERY_BEAT_SCHEDULE's tasks in a thread."""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)


def run_forever(stop: threading.Event) -> None:
    import opscenter.celery  # noqa: F401  (registers the app and its tasks)

    current_app.loader.import_default_modules()
    next_run = {name: 0.0 for name in settings.CELERY_BEAT_SCHEDULE}
    while not stop.is_set():
        now = time.monotonic()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            if now >= next_run[name]:
                next_run[name] = now + float(entry["schedule"])  # type: ignore[arg-type]
                try:
                    current_app.tasks[entry["task"]].apply()
                except Exception:
                    log.exception("scheduled task %s failed", name)
                finally:
                    close_old_connections()
        stop.wait(1.0)


def start() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="scheduler", daemon=True).start()
    return stop
