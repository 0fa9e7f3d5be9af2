"""Read models for the operations views: what the map, the KPI tiles and the charts show.

Reads only; the numbers come from the reporting app's read model of the daily hospital reports (figures).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.org.models import BedType, Unit, User
from opscenter.reporting import figures
from opscenter.reporting.definitions import BED_TYPES
from opscenter.reporting.models import DailyFigures

# A facility's latest report counts as "live" for this many days (yesterday's when today's is not in yet).
FRESH_DAYS = 2


@dataclass
class FacilityLoad:
    code: str
    name: str
    latitude: float | None
    longitude: float | None
    is_pilot: bool
    period: dt.date | None = None
    reported_today: bool = False
    beds: dict[str, dict[str, int]] = field(default_factory=dict)  # bed type: total/occupied/available
    er_waiting: int | None = None
    er_visits: int | None = None
    occupancy: float | None = None  # occupied / total over all bed types

    def as_dict(self) -> dict[str, Any]:
        """For JSON: the fields as they are (no deep copy, unlike dataclasses.asdict) and the level."""
        return {**vars(self), "level": self.level}

    @property
    def level(self) -> str:
        """The colour band on the map."""
        if self.occupancy is None:
            return "unknown"
        if self.occupancy >= 0.95:
            return "critical"
        if self.occupancy >= 0.85:
            return "high"
        if self.occupancy >= 0.7:
            return "medium"
        return "low"


def facilities_in_scope(user: User) -> QuerySet[Unit]:
    return user.scope_units().filter(kind=Unit.Kind.HOSPITAL, active=True)


def facility_loads(user: User, today: dt.date | None = None) -> list[FacilityLoad]:
    today = today or timezone.localdate()
    units = list(facilities_in_scope(user).only("code", "name", "short_name", "latitude", "longitude", "is_pilot"))
    latest = figures.latest((u.pk for u in units), today, FRESH_DAYS)
    loads = []
    for unit in units:
        load = FacilityLoad(unit.code, str(unit), unit.latitude, unit.longitude, unit.is_pilot)
        row = latest.get(unit.pk)
        if row is not None:
            load.beds = {bed_type: beds._asdict() for bed_type, beds in row.beds.items()}
            load.occupancy = row.beds_occupied / row.beds_total if row.beds_total else None
            load.er_waiting, load.er_visits = row.er_waiting_for_bed, row.er_visits
            load.period = row.period
            load.reported_today = row.period == today
        loads.append(load)
    return loads


def kpis(loads: list[FacilityLoad], user: User) -> dict[str, Any]:
    free = {b: 0 for b in BED_TYPES}
    total = {b: 0 for b in BED_TYPES}
    for load in loads:
        for bed_type, beds in load.beds.items():
            free[bed_type] += beds["available"]
            total[bed_type] += beds["total"]
    reported = [x for x in loads if x.reported_today]
    return {
        "beds_free": free,
        "beds_total": total,
        "beds_free_all": sum(free.values()),
        "er_waiting": sum(x.er_waiting or 0 for x in loads),
        "er_visits_today": sum(x.er_visits or 0 for x in reported),
        "reports_today": len(reported),
        "reports_expected": len(loads),
        "open_alerts": Alert.objects.filter(user.scope_filter()).exclude(status=Alert.Status.RESOLVED).count(),
    }


TREND_SERIES = {  # the chart's series: read-model columns summed over the facilities
    "er_visits": "er_visits",
    "er_waiting": "er_waiting_for_bed",
    "admissions": "admissions",
    "occupied": "beds_occupied",
    "total": "beds_total",
    "icu_occupied": f"{BedType.ICU}_occupied",
    "icu_total": f"{BedType.ICU}_total",
    "cases_ari": "cases_ari",
    "cases_dengue": "cases_dengue",
}


HISTORY_VERSION_KEY = "dashboard:report-history-version"


def _daily_sums(unit_ids: list[int], start: dt.date, end: dt.date) -> dict[dt.date, dict[str, int | None]]:
    return figures.daily_sums(unit_ids, start, end, bed_types=[BedType.ICU])


def history_changed() -> None:
    """A report for a past day arrived: cached trends of past days are stale."""
    try:
        cache.incr(HISTORY_VERSION_KEY)
    except ValueError:
        cache.add(HISTORY_VERSION_KEY, 1, timeout=None)


def trends(units: QuerySet[Unit] | list[Unit], days: int = 90, today: dt.date | None = None) -> dict[str, Any]:
    """Daily sums over the given units. Past days change rarely, so their sums are cached until a
    report for a past day arrives (history_changed); today's are summed on every call."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    unit_ids = sorted(u.pk for u in units)
    digest = hashlib.sha1(",".join(map(str, unit_ids)).encode()).hexdigest()
    version = cache.get(HISTORY_VERSION_KEY, 0)
    past_key = f"dashboard:trends:{digest}:{start}:{today}:{version}"
    by_day = cache.get(past_key)
    if by_day is None:
        by_day = _daily_sums(unit_ids, start, today - dt.timedelta(days=1))
        cache.set(past_key, by_day, timeout=6 * 3600)
    by_day = {**by_day, **_daily_sums(unit_ids, today, today)}
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    series: dict[str, list[int | float | None]] = {}
    for name, column in TREND_SERIES.items():
        series[name] = [by_day[d].get(column) or 0 if d in by_day else None for d in dates]
    series["occupancy"] = [
        round(o / t, 4) if o is not None and t else None
        for o, t in zip(series["occupied"], series["total"], strict=True)
    ]
    return {"dates": [d.isoformat() for d in dates], "series": series}


def facility_history(unit: Unit, days: int = 365, today: dt.date | None = None) -> list[DailyFigures]:
    """The facility's figures of its last `days` days, oldest first, with their beds and report."""
    today = today or timezone.localdate()
    return figures.with_beds(list(
        DailyFigures.objects.filter(unit=unit, period__gt=today - dt.timedelta(days=days), period__lte=today)
        .select_related("report").order_by("period")
    ))
