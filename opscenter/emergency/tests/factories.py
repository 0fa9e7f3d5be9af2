"""Ambulances and incidents for tests, made through the emergency services."""

from __future__ import annotations

from typing import Any

import factory

from opscenter.emergency import services
from opscenter.emergency.models import Ambulance, Incident
from opscenter.org.tests.factories import StationFactory


class AmbulanceFactory(factory.Factory):
    """AmbulanceFactory(code="AMB-1", station=a_station, equipment="als")."""

    class Meta:
        model = Ambulance

    code = factory.Sequence(lambda n: f"AMB-F{n}")
    station = factory.SubFactory(StationFactory)
    equipment = Ambulance.Equipment.BLS

    @classmethod
    def _create(cls, model_class: type[Ambulance], *args: Any, **fields: Any) -> Ambulance:
        ambulance, _created = services.register_ambulance("test", **{**fields, "station": fields["station"].code})
        return ambulance


class IncidentFactory(factory.Factory):
    """An incident opened by a dispatcher: IncidentFactory(actor=city.user(Role.DISPATCHER), priority=2)."""

    class Meta:
        model = Incident

    actor = None
    chief_complaint = "Đau ngực"
    priority = 1
    latitude = 10.7575
    longitude = 106.6600
    address = "201B Nguyễn Chí Thanh"
    caller_phone = "0909 123 456"

    @classmethod
    def _create(cls, model_class: type[Incident], *args: Any, actor: Any = None, **fields: Any) -> Incident:
        incident, _created = services.create_incident(actor, services.IncidentInput(**fields))
        return incident
