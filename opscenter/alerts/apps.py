from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "opscenter.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from opscenter.core import events

        from . import rules

        events.subscribe(rules.on_event)
