"""Notifiable-disease cases for tests, reported through the surveillance services."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from opscenter.surveillance import services
from opscenter.surveillance.models import Case, Classification


class CaseFactory(factory.Factory):
    """A dengue case at hospital A in its ward: CaseFactory(ward=city.hospital_a.ward.code, disease="hfmd")."""

    class Meta:
        model = Case

    actor = "test"
    disease = "dengue"
    onset_date = factory.LazyFunction(timezone.localdate)
    report_date = factory.LazyAttribute(lambda case: case.onset_date)
    age_years = 30
    ward = "W-CL"
    facility = "BV-A"
    classification = Classification.PROBABLE

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, actor: Any = "test", **fields: Any) -> Case:
        return services.report_case(actor, services.CaseInput(**fields)).case
