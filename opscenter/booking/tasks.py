"""Scheduled work of appointments: tomorrow's slots made every night, reminders the day before, personal data
erased after its time."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="opscenter.booking.tasks.make_slots")
def make_slots() -> int:
    """The next two weeks of slots from the schedules (those that exist stay); returns how many were new."""
    from . import services

    return services.make_slots(timezone.localdate(), services.SLOT_DAYS)


@shared_task(name="opscenter.booking.tasks.purge")
def purge() -> int:
    """Retention: the personal data of bookings BOOKING_RETENTION_DAYS after their time is erased."""
    from . import services

    return services.purge()


@shared_task(name="opscenter.booking.tasks.publish_lead_times")
def publish_lead_times() -> int:
    """Every hour: how far ahead each specialty's first free appointment is (the alert rule reads it)."""
    from . import services

    return services.publish_lead_times()


@shared_task(name="opscenter.booking.tasks.send_reminders")
def send_reminders() -> int:
    """Every hour in the day: reminders to the people booked for tomorrow (once each)."""
    from . import services

    return services.send_reminders()
