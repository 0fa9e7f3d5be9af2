from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "opscenter.work"
    label = "work"
    verbose_name = _("Direction and internal work")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the overdue-directive evaluator)
