from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opscenter.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's events.py declares the kinds it publishes (core.events.declare): the catalogue is whole
        # before anything is published.
        autodiscover_modules("events")
