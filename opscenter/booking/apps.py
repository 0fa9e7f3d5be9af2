from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "opscenter.booking"
    label = "booking"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from opscenter.core import events

        from . import rules, services  # noqa: F401  (rules registers its alert evaluator)

        events.subscribe(services.record_crowd_count)
