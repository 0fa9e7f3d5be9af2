"""Worker messages into the database: used by `opscenter vision-ingest` (from MQTT) and by a worker running
inside the server process (embedded default)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import close_old_connections

from opscenter.core.errors import ValidationFailed

from . import services
from .pipeline.publish import CallbackSink

log = logging.getLogger(__name__)


def handle(kind: str, message: dict[str, Any]) -> None:
    """Store one message: kind is "events", "counts", "health" or "status" (a worker's). Bad messages are logged
    and dropped."""
    close_old_connections()
    try:
        if kind == "events":
            services.ingest(None, message)
        elif kind == "counts":
            services.record_counts(None, message)
        elif kind == "health":
            services.record_health(None, message)
        elif kind == "status":
            worker_status(message)
    except ValidationFailed as exc:
        log.warning("refused a %s message: %s", kind, exc)
    finally:
        close_old_connections()


def worker_status(message: dict[str, Any]) -> None:
    """A worker offline (its MQTT last will when it died without a word, or its goodbye): every camera it
    served is offline, with the reason, until a worker reports it online again."""
    if message.get("status") != "offline":
        return
    reason = str(message.get("reason") or "vision worker lost")
    for camera in message.get("cameras") or []:
        try:
            services.record_health(None, {"camera": camera, "status": "offline", "reason": reason})
        except ValidationFailed as exc:  # a camera deleted since: the others still go offline
            log.warning("worker status for %s: %s", camera, exc)


def in_process_sink() -> CallbackSink:
    return CallbackSink(lambda m: handle("events", m), lambda m: handle("counts", m), lambda m: handle("health", m))
