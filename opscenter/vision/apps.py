from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisionConfig(AppConfig):
    name = "opscenter.vision"
    label = "vision"
    verbose_name = _("Camera AI")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the alert evaluator of the analytics)
