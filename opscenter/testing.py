"""Builders shared by the tests of every app (and the benchmarks): a small city to test against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opscenter.org.models import Unit, User
from opscenter.org.roles import Role
from opscenter.reporting.definitions import BED_TYPES, HOSPITAL_DAILY, bed_element

HOSPITAL_ROLES = {Role.REPORTER, Role.HOSPITAL_MANAGER, Role.SECURITY}
PASSWORD = "test-password-123"


@dataclass
class City:
    department: Unit
    hospital_a: Unit
    hospital_b: Unit
    emergency_center: Unit
    users: dict[tuple[str, str], User] = field(default_factory=dict)

    def user(self, role: str, hospital: str = "A") -> User:
        """Department roles live at the department; hospital roles at hospital A or B; dispatchers at 115."""
        return self.users[(role, hospital if role in HOSPITAL_ROLES else "-")]


def install_definitions() -> None:
    """What the data migrations ship; tests that flush the database (transactional) need it again."""
    from django.apps import apps

    from opscenter.alerts import definitions as alert_definitions
    from opscenter.booking import definitions as booking_definitions
    from opscenter.reporting import definitions as reporting_definitions

    reporting_definitions.install(apps)
    alert_definitions.install(apps)
    booking_definitions.install(apps)


def build_city() -> City:
    from opscenter.org import services as org
    from opscenter.org.models import Ward
    from opscenter.reporting.models import DataSet

    install_definitions()
    ward = Ward.objects.create(code="W-CL", name="Phường Chợ Lớn", former_district="Quận 5", population=130000)
    department = org.upsert_unit("test", code="SYT", name="Sở Y tế", kind=Unit.Kind.DEPARTMENT)
    a = org.upsert_unit(
        "test", code="BV-A", name="Bệnh viện A", short_name="BV A", kind=Unit.Kind.HOSPITAL, parent=department,
        ward=ward, latitude=10.757, longitude=106.659, level=Unit.Level.CITY,
        beds={"icu": 20, "emergency": 30}, is_pilot=True,
    )
    b = org.upsert_unit(
        "test", code="BV-B", name="Bệnh viện B", short_name="BV B", kind=Unit.Kind.HOSPITAL, parent=department,
        ward=ward, latitude=10.78, longitude=106.69, level=Unit.Level.CITY, beds={"icu": 10},
    )
    center = org.upsert_unit("test", code="CC115", name="Trung tâm Cấp cứu 115", kind=Unit.Kind.EMERGENCY_CENTER,
                             parent=department)
    DataSet.objects.get(code=HOSPITAL_DAILY).reporting_units.add(a, b)
    city = City(department, a, b, center)
    for role in Role.values:
        if role in HOSPITAL_ROLES:
            for key, unit in (("A", a), ("B", b)):
                city.users[(role, key)] = org.create_user(
                    "test", username=f"{role}_{key.lower()}", password=PASSWORD, role=role, unit=unit,
                    email=f"{role}_{key.lower()}@example.org",
                )
        else:
            unit = center if role == Role.DISPATCHER else department
            city.users[(role, "-")] = org.create_user("test", username=role, password=PASSWORD, role=role, unit=unit)
    return city


def full_report(icu_total: int = 20, icu_occupied: int = 12, **overrides: Any) -> dict[str, int]:
    """A consistent daily capacity report; override any value by its element code."""
    values: dict[str, int] = {}
    for bed_type in BED_TYPES:
        total = icu_total if bed_type == "icu" else 30
        occupied = icu_occupied if bed_type == "icu" else 20
        values |= {bed_element(bed_type, "total"): total, bed_element(bed_type, "occupied"): occupied,
                   bed_element(bed_type, "available"): max(total - occupied, 0)}
    values |= {"ventilators_total": 10, "ventilators_in_use": 4, "er_visits": 120, "er_waiting_for_bed": 3,
               "admissions": 40, "discharges": 38, "transfers_out": 2, "deaths": 1, "cases_dengue": 2,
               "cases_hfmd": 1, "cases_ari": 5, "cases_influenza": 1, "cases_covid19": 0, "cases_measles": 0}
    values.update(overrides)
    return values


def report_payload(unit: str = "BV-A", period: dt.date | None = None, **overrides: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {"data_set": HOSPITAL_DAILY, "unit": unit, "period": (period or timezone.localdate()).isoformat(),
            "values": full_report(**overrides)}


def load_daily_history(today: dt.date, unit: str = "BV-A", days: int = 120) -> None:
    """`days` daily reports up to today: ICU filling slowly towards its 20 beds, admissions higher on weekdays."""
    from opscenter.reporting import services as reporting

    submissions = []
    for i in range(days):
        day = today - dt.timedelta(days=days - 1 - i)
        weekday_bump = 2 if day.weekday() < 5 else 0
        submissions.append(reporting.Submission(
            data_set=HOSPITAL_DAILY, unit=unit, period=day, source="import",
            values=full_report(icu_total=20, icu_occupied=min(20, 6 + i // 10 + weekday_bump),
                               admissions=30 + 10 * weekday_bump)))
    reporting.submit_many("test", submissions)


def wait_until_healthy(process: Any, base_url: str, what: str, seconds: float = 120) -> None:
    """Wait for a server process started by a test to answer /healthz; fail with its output if it dies."""
    import time

    import httpx
    import pytest

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:  # exempt from the HTTPS redirect
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        time.sleep(0.5)
    pytest.fail(f"{what} did not answer /healthz")


def listed(client: Any, url: str, **params: Any) -> list[Any]:
    """A list operation's items (paginated or not) for these query parameters; 200 expected."""
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


def refused(client: Any, url: str, **params: Any) -> set[str]:
    """The fields a 422 names for these query parameters."""
    response = client.get(url, params)
    assert response.status_code == 422, (url, params, response.status_code, response.content[:300])
    return {e["field"] for e in response.json()["detail"]}
