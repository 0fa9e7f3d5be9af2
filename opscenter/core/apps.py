from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "opscenter.core"
    label = "core"
    verbose_name = _("Platform: audit log and event outbox")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's events.py declares the kinds it publishes (core.events.declare): the catalogue is whole
        # before anything is published.
        autodiscover_modules("events")
