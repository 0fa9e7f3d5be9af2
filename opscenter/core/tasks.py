"""Queueing work after commit, and the delivery of durable events (core.outbox): one task per entry after
commit, and the periodic sweep."""

import logging
from typing import Any

from celery import Task, shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def queue_after_commit(task: Task, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (at once outside one); run in-process in the embedded
    default (eager). A broker that is away must not turn a committed write into an error page: the failure is
    logged, and the task's periodic sweep does the work later (every task queued so has one)."""
    transaction.on_commit(lambda: _queue(task, kwargs))


def _queue(task: Task, kwargs: dict[str, Any]) -> None:
    try:
        task.apply_async(kwargs=kwargs)
    except OperationalError:
        log.warning("could not queue %s%s: the broker is unreachable; its sweep will do it", task.name, kwargs,
                    exc_info=True)


@shared_task(name="opscenter.core.tasks.deliver_event")
def deliver_event(entry_id: int) -> bool:
    """Run the durable subscribers (alert rules) on one outbox entry; a second delivery changes nothing."""
    from . import outbox

    return outbox.deliver(entry_id)


@shared_task(name="opscenter.core.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Deliver the entries whose delivery never happened or failed; returns how many were handled."""
    from . import outbox

    return outbox.sweep()
