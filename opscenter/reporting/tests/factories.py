"""Daily reports for tests, submitted through the reporting services (validated, audited, published)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import Report
from opscenter.testing import full_report


class ReportFactory(factory.Factory):
    """A consistent hospital daily report: ReportFactory(unit="BV-B", values=full_report(icu_occupied=19))."""

    class Meta:
        model = Report

    actor = "test"
    data_set = HOSPITAL_DAILY
    unit = "BV-A"
    period = factory.LazyFunction(timezone.localdate)
    values = factory.LazyFunction(full_report)

    @classmethod
    def _create(cls, model_class: type[Report], *args: Any, actor: Any = "test", **fields: Any) -> Report:
        return reporting.submit(actor, reporting.Submission(**fields)).report
