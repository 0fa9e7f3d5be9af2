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
    """Store one message: kind is "events", "counts" or "health". Bad messages are logged and dropped."""
    close_old_connections()
    try:
        if kind == "events":
            services.ingest(None, message)
        elif kind == "counts":
            services.record_counts(None, message)
        elif kind == "health":
            services.record_health(None, message)
    except ValidationFailed as exc:
        log.warning("refused a %s message: %s", kind, exc)
    finally:
        close_old_connections()


def in_process_sink() -> CallbackSink:
    return CallbackSink(lambda m: handle("events", m), lambda m: handle("counts", m), lambda m: handle("health", m))
