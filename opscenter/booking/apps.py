from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "opscenter.booking"
    label = "booking"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers its alert evaluator)
