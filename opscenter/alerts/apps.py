from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "opscenter.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from opscenter.core import outbox

        from . import rules

        # Through the outbox: an event committed is evaluated even if the process dies right after the commit.
        outbox.subscribe(rules.on_event, rules.wants)
