from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "opscenter.emergency"
    label = "emergency"
    verbose_name = _("115 emergency coordination")

    def ready(self) -> None:
        from opscenter.core import events

        from . import rules, services  # noqa: F401  (rules registers its evaluators)

        events.subscribe(services.record_waiting_count)
