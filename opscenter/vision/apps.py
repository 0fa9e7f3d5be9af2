from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisionConfig(AppConfig):
    name = "opscenter.vision"
    label = "vision"
    verbose_name = _("Camera AI")
