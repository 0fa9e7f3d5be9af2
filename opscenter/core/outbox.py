"""Durable subscribers: events that must not be lost between the commit of a write and its consequences.

`events.publish` writes an `OutboxEntry` in the publishing transaction when a durable subscriber (the alert
rules) wants the event. After commit the entry is delivered by a task (on a Celery worker in production, at
once in-process in the embedded default); the sweep, scheduled every OUTBOX_SWEEP_SECONDS, delivers again the
entries still pending OUTBOX_RETRY_SECONDS after they were written: the process died after the commit, the
broker lost the task, or a subscriber failed.

A delivery marks its entry done in the same transaction as what the subscribers write, so an entry is handled
exactly once: a delivery that dies leaves nothing behind and the entry pending; a second one finds it done.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .events import Event, Handler

log = logging.getLogger(__name__)

Wants = Callable[[Event], bool]  # decided on the event alone, before any database work
MAX_ATTEMPTS = 5  # an entry whose subscribers failed this often waits for a person (last_error says why)
KEEP_DONE_DAYS = 7

_durable: list[tuple[Handler, Wants]] = []


def subscribe(handler: Handler, wants: Wants) -> Handler:
    """Register a durable subscriber: it sees, exactly once, every event for which `wants` is true."""
    if all(h is not handler for h, _w in _durable):
        _durable.append((handler, wants))
    return handler


def _wanted(event: Event) -> list[Handler]:
    return [handler for handler, wants in list(_durable) if wants(event)]


def record(event: Event) -> int | None:
    """Write the event to the outbox in the current transaction if a durable subscriber wants it; its id."""
    if not _wanted(event):
        return None
    from .models import OutboxEntry

    return OutboxEntry.objects.create(kind=event.kind, event=event.to_json()).pk


def deliver_soon(entry_id: int) -> None:
    """After commit: hand the entry to a worker (run it here in the embedded default). If the broker is away,
    the sweep delivers it later."""
    from .tasks import deliver_event

    try:
        deliver_event.delay(entry_id)
    except Exception:
        log.warning("could not queue outbox entry %s; the sweep will deliver it", entry_id, exc_info=True)


def deliver(entry_id: int) -> bool:
    """Run the durable subscribers on one entry, unless it is done already. True if this call handled it."""
    from .models import OutboxEntry

    with transaction.atomic():
        # Claiming by update waits for a concurrent delivery of the same entry to end, then finds it done.
        if not OutboxEntry.objects.filter(pk=entry_id, done_at=None).update(done_at=timezone.now()):
            return False
        event = Event.from_json(OutboxEntry.objects.values_list("event", flat=True).get(pk=entry_id))
        try:
            with transaction.atomic():
                for handler in _wanted(event):
                    handler(event)
        except Exception as exc:  # what the subscribers wrote is rolled back; the sweep tries again
            log.exception("outbox entry %s (%s) failed", entry_id, event.kind)
            OutboxEntry.objects.filter(pk=entry_id).update(done_at=None, attempts=F("attempts") + 1,
                                                          last_error=repr(exc)[:2000])
            return False
    return True


def sweep(now: dt.datetime | None = None) -> int:
    """Deliver the entries left pending past OUTBOX_RETRY_SECONDS; forget those done long ago. How many ran."""
    from .models import OutboxEntry

    now = now or timezone.now()
    OutboxEntry.objects.filter(created_at__lt=now - dt.timedelta(days=KEEP_DONE_DAYS), done_at__isnull=False).delete()
    stale = (OutboxEntry.objects
             .filter(done_at=None, attempts__lt=MAX_ATTEMPTS,
                     created_at__lt=now - dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS))
             .order_by("pk").values_list("pk", flat=True)[:1000])
    return sum(deliver(pk) for pk in list(stale))
