"""Demo data for the embedded run: the city's health network, demo users, and years of daily reports.

Everything goes through the services, as real data would. Running it again adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opscenter.org import demo_data
from opscenter.org import services as org
from opscenter.org.models import Unit, User, Ward
from opscenter.org.roles import Role
from opscenter.reporting import demo_series, services
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import DataSet, Report

ACTOR = "demo-seed"
DEMO_PASSWORD = demo_data.DEMO_PASSWORD
PILOT_HOSPITAL = "BV-CHORAY"


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role, unit code) of every demo user."""
    hospital = next((h["code"] for h in demo_data.HOSPITALS if h["code"] == PILOT_HOSPITAL),
                    demo_data.HOSPITALS[0]["code"])
    return [
        ("operator", Role.OPERATOR, demo_data.DEPARTMENT["code"]),
        ("leader", Role.LEADER, demo_data.DEPARTMENT["code"]),
        ("admin", Role.ADMIN, demo_data.DEPARTMENT["code"]),
        ("dispatcher", Role.DISPATCHER, demo_data.EMERGENCY_CENTER["code"]),
        ("reporter", Role.REPORTER, hospital),
        ("manager", Role.HOSPITAL_MANAGER, hospital),
        ("security", Role.SECURITY, hospital),
    ]


@transaction.atomic
def seed_network() -> None:
    for ward in demo_data.WARDS:
        if not Ward.objects.filter(code=ward["code"]).exists():
            org.upsert_ward(ACTOR, **ward)
    wards = {w.code: w for w in Ward.objects.all()}

    def unit_fields(entry: dict, kind: str, parent: Unit | None) -> dict:
        fields = {k: entry[k] for k in ("name", "short_name", "address", "latitude", "longitude") if k in entry}
        return {**fields, "kind": kind, "parent": parent, "ward": wards.get(entry.get("ward_code", ""))}

    department = _unit(demo_data.DEPARTMENT, unit_fields(demo_data.DEPARTMENT, Unit.Kind.DEPARTMENT, None))
    data_set = DataSet.objects.get(code=HOSPITAL_DAILY)
    for hospital in demo_data.HOSPITALS:
        unit = _unit(hospital, {
            **unit_fields(hospital, Unit.Kind.HOSPITAL, department),
            "level": hospital["level"], "specialties": hospital["specialties"], "is_pilot": hospital["is_pilot"],
        }, beds=hospital["beds"])
        data_set.reporting_units.add(unit)
    center = _unit(demo_data.EMERGENCY_CENTER,
                   unit_fields(demo_data.EMERGENCY_CENTER, Unit.Kind.EMERGENCY_CENTER, department))
    for station in demo_data.AMBULANCE_STATIONS:
        _unit(station, unit_fields(station, Unit.Kind.AMBULANCE_STATION, center))

    for username, role, unit_code in demo_accounts():
        if not User.objects.filter(username=username).exists():
            user = org.create_user(ACTOR, username=username, password=DEMO_PASSWORD, role=role,
                                   unit=Unit.objects.get(code=unit_code), email=f"{username}@demo.opscenter.local")
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])


def _unit(entry: dict, fields: dict, beds: dict | None = None) -> Unit:
    existing = Unit.objects.filter(code=entry["code"]).first()
    return existing or org.upsert_unit(ACTOR, code=entry["code"], beds=beds, **fields)


def _history_days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def seed_history(days: int, progress: Callable[[Iterator[dt.date], int], Iterable[dt.date]] | None = None,
                 batch_days: int = 14) -> int:
    """Daily reports for every demo hospital for `days` days up to yesterday; returns how many were added.

    Days already reported are skipped, so an interrupted seed resumes where it stopped."""
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    hospitals = [h for h in demo_data.HOSPITALS if Unit.objects.filter(code=h["code"]).exists()]
    done = set(
        Report.objects.filter(data_set__code=HOSPITAL_DAILY, period__gte=start, is_current=True)
        .values_list("unit__code", "period")
    )
    series = {h["code"]: demo_series.history(h, start, end) for h in hospitals}
    tz = ZoneInfo(settings.TIME_ZONE)
    added = 0
    batch: list[services.Submission] = []
    day_iter: Iterator[dt.date] = _history_days(start, end)
    for day in progress(day_iter, days) if progress else day_iter:
        for hospital in hospitals:
            _day, values = next(series[hospital["code"]])
            if (hospital["code"], day) in done:
                continue
            # Most hospitals report in the morning; some late, as in life.
            hour = 7 + zlib.crc32(f"{hospital['code']}{day}".encode()) % 6
            batch.append(services.Submission(
                data_set=HOSPITAL_DAILY, unit=hospital["code"], period=day, values=values,
                source=Report.Source.IMPORT, submitted_at=dt.datetime.combine(day, dt.time(hour, 15), tzinfo=tz),
            ))
        if len(batch) >= batch_days * len(hospitals):
            added += len(services.submit_many(ACTOR, batch))
            batch = []
    if batch:
        added += len(services.submit_many(ACTOR, batch))
    return added
