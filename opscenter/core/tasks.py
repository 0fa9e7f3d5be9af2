"""Delivery of durable events (core.outbox): one task per entry after commit, and the periodic sweep."""

from celery import shared_task


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
