from celery import shared_task

from . import services


@shared_task(name="opscenter.vision.tasks.purge_expired_evidence")
def purge_expired_evidence() -> dict[str, int]:
    """Delete face crops and snapshots past their retention period (daily)."""
    return services.purge_expired()
