"""Scheduled and background work: daily detection and forecasts, personal-data retention."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="opscenter.surveillance.tasks.detect_outbreaks")
def detect_outbreaks(diseases: list[str] | None = None, wards: list[str] | None = None) -> int:
    """Daily (and after new cases, for the series they touch): every detection method, per ward and city."""
    from . import services

    return len(services.run_detection(diseases=diseases, wards=wards))


@shared_task(name="opscenter.surveillance.tasks.compute_forecasts")
def compute_forecasts() -> int:
    """Daily: forecasts with backtests for cases, admissions and occupied beds."""
    from . import services

    return services.run_forecasts()


@shared_task(name="opscenter.surveillance.tasks.erase_expired_personal_data")
def erase_expired_personal_data() -> int:
    """Daily: blank the personal data of cases past the retention period."""
    from . import services

    return services.erase_expired_personal_data()
