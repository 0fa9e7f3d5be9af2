from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opscenter.core"
    label = "core"
    verbose_name = "Core"
