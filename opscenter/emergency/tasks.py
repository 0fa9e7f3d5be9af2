"""Scheduled work of the 115 coordination."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="opscenter.emergency.tasks.check_waiting_incidents")
def check_waiting_incidents() -> int:
    """Every half minute or so: how long each call has waited for an ambulance (rules raise the alerts)."""
    return services.announce_waiting()


@shared_task(name="opscenter.emergency.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Daily: clear callers' personal data and old vehicle tracks past their retention."""
    return {
        "incidents": services.clear_personal_data(settings.EMERGENCY_PERSONAL_DATA_DAYS),
        "positions": services.purge_track(settings.EMERGENCY_TRACK_DAYS),
    }
