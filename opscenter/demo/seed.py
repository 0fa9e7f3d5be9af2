"""Demo data for the embedded run: the city's health network, demo users, and years of daily reports.

Everything goes through the services, as real data would. Running it again adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
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
        ("epidemiologist", Role.EPIDEMIOLOGIST, demo_data.DEPARTMENT["code"]),
        ("clerk", Role.CLERK, demo_data.DEPARTMENT["code"]),
        ("reporter", Role.REPORTER, hospital),
        ("manager", Role.HOSPITAL_MANAGER, hospital),
        ("security", Role.SECURITY, hospital),
    ]


# People are shown by name (Django's full name is "first last": family and middle names first, as in Vietnamese).
DEMO_NAMES = {
    "operator": ("Nguyễn Thị Thu", "Hà"), "leader": ("Trần Minh", "Quang"), "admin": ("Lê Hoàng", "Nam"),
    "dispatcher": ("Phạm Thị", "Lan"), "epidemiologist": ("Võ Thanh", "Tùng"), "clerk": ("Đặng Thị", "Mai"),
    "reporter": ("Huỳnh Văn", "Phúc"), "manager": ("Bùi Thị Ngọc", "Anh"), "security": ("Đỗ Văn", "Hùng"),
}


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
            given, family = DEMO_NAMES[username]
            user = org.create_user(ACTOR, username=username, password=DEMO_PASSWORD, role=role,
                                   unit=Unit.objects.get(code=unit_code), email=f"{username}@demo.opscenter.local",
                                   first_name=given, last_name=family)
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


def report_time(code: str, day: dt.date) -> dt.datetime:
    """When a hospital sends its daily report that day: most in the morning, some late, as in life."""
    hour = 7 + zlib.crc32(f"{code}{day}".encode()) % 6
    return dt.datetime.combine(day, dt.time(hour, 15), tzinfo=ZoneInfo(settings.TIME_ZONE))


def silent_hospitals(codes: Iterable[str], day: dt.date, count: int = 2) -> set[str]:
    """The few hospitals that send nothing that day, so that the overdue check has something to find; the same
    ones all day, whichever process asks."""
    codes = sorted(codes)
    return set(random.Random(f"silent-{day}").sample(codes, min(count, len(codes))))


# Every hospital's demo series runs from this day, so that a day's figures are the same whoever asks (the history
# seed, today's first report, the simulator's level): today continues yesterday instead of jumping.
SERIES_START = dt.date(2023, 1, 1)


def _series(hospital: dict, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dict[str, int]]]:
    for day, values in demo_series.history(hospital, min(start, SERIES_START), end):
        if day >= start:
            yield day, values


@functools.lru_cache(maxsize=256)
def _figures_of(code: str, day: dt.date) -> tuple[tuple[str, int], ...]:
    hospital = next(h for h in demo_data.HOSPITALS if h["code"] == code)
    return tuple(next(_series(hospital, day, day))[1].items())


def first_report(hospital: dict, day: dt.date) -> dict[str, int]:
    """A hospital's figures for `day` in its demo series: its first report of the day, and the level the
    simulator's updates wander around."""
    return dict(_figures_of(hospital["code"], day))


def seed_today(now: dt.datetime | None = None) -> int:
    """Today's first reports of the hospitals whose usual hour has passed (not the silent ones), sent at that
    hour: a demo started in the evening shows a day that went as days go, not every hospital late at once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hospitals = [h for h in demo_data.HOSPITALS if Unit.objects.filter(code=h["code"]).exists()]
    silent = silent_hospitals((h["code"] for h in hospitals), today)
    reported = Report.objects.filter(data_set__code=HOSPITAL_DAILY, period=today).values_list("unit__code", flat=True)
    skip = silent | set(reported)
    batch = [
        services.Submission(data_set=HOSPITAL_DAILY, unit=h["code"], period=today, values=first_report(h, today),
                            source=Report.Source.IMPORT, submitted_at=report_time(h["code"], today))
        for h in hospitals
        if h["code"] not in skip and report_time(h["code"], today) <= now
    ]
    return len(services.submit_many(ACTOR, batch)) if batch else 0


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
    series = {h["code"]: _series(h, start, end) for h in hospitals}
    added = 0
    batch: list[services.Submission] = []
    day_iter: Iterator[dt.date] = _history_days(start, end)
    for day in progress(day_iter, days) if progress else day_iter:
        for hospital in hospitals:
            _day, values = next(series[hospital["code"]])
            if (hospital["code"], day) in done:
                continue
            batch.append(services.Submission(
                data_set=HOSPITAL_DAILY, unit=hospital["code"], period=day, values=values,
                source=Report.Source.IMPORT, submitted_at=report_time(hospital["code"], day),
            ))
        if len(batch) >= batch_days * len(hospitals):
            added += len(services.submit_many(ACTOR, batch))
            batch = []
    if batch:
        added += len(services.submit_many(ACTOR, batch))
    return added
