from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "opscenter.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from opscenter.core import events

        events.subscribe(_on_event)


def _on_event(event) -> None:
    """Keep the cached trends honest: a report for a past day (a late report, a correction) changes them."""
    if event.kind == "report.submitted":
        import datetime as dt

        from django.utils import timezone

        from .queries import history_changed

        if dt.date.fromisoformat(event.payload["period"]) < timezone.localdate():
            history_changed()
