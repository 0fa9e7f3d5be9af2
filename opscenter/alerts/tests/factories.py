"""Alerts for tests, raised through the alerts service (deduplicated, audited, published)."""

from __future__ import annotations

from typing import Any

import factory

from opscenter.alerts import services
from opscenter.alerts.models import Alert, Severity


class AlertFactory(factory.Factory):
    """An open alert at a unit: AlertFactory(unit=city.hospital_a, severity=Severity.CRITICAL)."""

    class Meta:
        model = Alert

    source = "test"
    kind = "test.alert"
    severity = Severity.WARNING
    unit = None
    title = factory.Sequence(lambda n: f"Cảnh báo {n}")
    dedup_key = factory.Sequence(lambda n: f"test:{n}")

    @classmethod
    def _create(cls, model_class: type[Alert], *args: Any, **fields: Any) -> Alert:
        alert, _created = services.raise_alert(services.AlertCandidate(**fields))
        return alert
