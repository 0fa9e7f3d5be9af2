from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "opscenter.emergency"
    label = "emergency"
    verbose_name = _("115 emergency coordination")

    def ready(self) -> None:
        from opscenter.core import events

        from . import rules, services  # noqa: F401  (rules registers its evaluators)

        events.subscribe(services.record_waiting_count)
        checks.register(check_destination_weights)


def check_destination_weights(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A mistyped EMERGENCY_DESTINATION_WEIGHTS stops the server at start-up, not a dispatcher mid-call."""
    from .queries import destination_weights

    try:
        destination_weights()
    except (TypeError, ValueError, AttributeError) as exc:
        return [checks.Error(f"EMERGENCY_DESTINATION_WEIGHTS: {exc}", id="emergency.E001")]
    return []
