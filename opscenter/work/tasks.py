"""Background and scheduled work of the work app: text extraction of uploaded files, overdue tasks, notices."""

from celery import shared_task
from django.conf import settings


@shared_task(name="opscenter.work.tasks.extract_file_text")
def extract_file_text(file_id: int) -> int:
    """Text (OCR for scans) and signatures of an uploaded file; returns the number of characters found."""
    from .services import files

    return len(files.extract(file_id).text)


@shared_task(name="opscenter.work.tasks.extract_pending_files")
def extract_pending_files() -> int:
    """The sweep of text extraction: files whose extraction was lost; returns how many were extracted."""
    from .services import files

    return len(files.extract_pending())


@shared_task(name="opscenter.work.tasks.check_overdue_directives")
def check_overdue_directives() -> int:
    """Flag tasks past their deadline (the alert rule raises the alerts); returns how many were flagged."""
    from .services import directives

    return len(directives.flag_overdue())


@shared_task(name="opscenter.work.tasks.purge_notifications")
def purge_notifications() -> int:
    """Retention of notices: read ones older than WORK_NOTIFICATION_RETENTION_DAYS go."""
    from .services import notify

    return notify.purge_read(settings.WORK_NOTIFICATION_RETENTION_DAYS)
