"""The test city's 115 fleet: two stations under the centre, three ambulances, hospitals with capabilities."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opscenter.emergency import definitions
from opscenter.emergency.models import Ambulance
from opscenter.org.models import Unit
from opscenter.org.tests.factories import StationFactory
from opscenter.testing import City

from .factories import AmbulanceFactory


@dataclass
class Fleet:
    city: City
    near_a: Unit  # station beside hospital A
    north: Unit  # station in the north-east, beside hospital B
    ambulances: dict[str, Ambulance]


@pytest.fixture
def fleet(city) -> Fleet:
    from django.apps import apps

    definitions.install(apps)  # idempotent; a transactional test before this one flushed what the migration shipped
    city.hospital_a.specialties = ["general", "trauma", "stroke"]
    city.hospital_a.save()
    city.hospital_b.specialties = ["general", "paediatrics"]
    city.hospital_b.save()
    near_a = StationFactory(code="CC115-S1", name="Trạm 1", parent=city.emergency_center,
                            latitude=10.758, longitude=106.660)
    north = StationFactory(code="CC115-S2", name="Trạm 2", parent=city.emergency_center,
                           latitude=10.800, longitude=106.700)
    ambulances = {code: AmbulanceFactory(code=code, station=station, equipment=equipment)
                  for code, station, equipment in (("AMB-1", near_a, "als"), ("AMB-2", north, "bls"),
                                                   ("AMB-3", north, "als"))}
    return Fleet(city, near_a, north, ambulances)  # type: ignore[arg-type]  # factories return the models


INCIDENT = {"chief_complaint": "Đau ngực", "priority": 1, "latitude": 10.7575, "longitude": 106.6600,
            "address": "201B Nguyễn Chí Thanh", "caller_phone": "0909 123 456", "patients": 1}
