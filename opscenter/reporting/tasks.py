from celery import shared_task

from . import services


@shared_task(name="opscenter.reporting.tasks.check_overdue_reports")
def check_overdue_reports() -> int:
    """Remind units whose daily report is overdue; returns how many were reminded."""
    return len(services.check_overdue())
