from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveillanceConfig(AppConfig):
    name = "opscenter.surveillance"
    label = "surveillance"
    verbose_name = _("Epidemic surveillance")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the alert evaluators)
