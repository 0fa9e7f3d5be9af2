"""The embedded default's stand-in for Celery beat: runs CELERY_BEAT_SCHEDULE's tasks in a thread.

Entries are read as beat reads them: seconds between runs, or a `celery.schedules.crontab` (local time). Unlike
beat, every entry also runs once at start, so that a freshly started demo has its forecasts and detections.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)


def schedules() -> dict[str, tuple[dict[str, Any], BaseSchedule]]:
    from opscenter.celery import app

    return {name: (entry, maybe_schedule(entry["schedule"], app=app))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def due(schedule: BaseSchedule, last_run: dt.datetime | None) -> bool:
    return last_run is None or schedule.is_due(last_run).is_due


def run_forever(stop: threading.Event) -> None:
    from opscenter.celery import app

    app.loader.import_default_modules()
    entries = schedules()
    last_run: dict[str, dt.datetime | None] = dict.fromkeys(entries)
    while not stop.is_set():
        for name, (entry, schedule) in entries.items():
            if not due(schedule, last_run[name]):
                continue
            last_run[name] = schedule.now()
            try:
                app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            except Exception:
                log.exception("scheduled task %s failed", name)
            finally:
                close_old_connections()
        stop.wait(1.0)


def start() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="scheduler", daemon=True).start()
    return stop
