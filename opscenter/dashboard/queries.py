"""Read models for the operations views: what the map, the KPI tiles and the charts show.

Reads only; the numbers come from the current versions of the daily hospital reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import IntegerField, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.org.models import BedType, Unit, User
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import Report

BED_TYPES = [b.value for b in BedType]
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
    # Newest first, one day at a time: on most days one query reads exactly one report per facility.
    latest: dict[int, Report] = {}
    for days_ago in range(FRESH_DAYS):
        missing = [u for u in units if u.pk not in latest]
        if not missing:
            break
        for report in Report.objects.filter(
            data_set__code=HOSPITAL_DAILY, is_current=True, unit__in=missing,
            period=today - dt.timedelta(days=days_ago),
        ).only("unit_id", "period", "values"):
            latest[report.unit_id] = report
    loads = []
    for unit in units:
        load = FacilityLoad(unit.code, str(unit), unit.latitude, unit.longitude, unit.is_pilot)
        latest_report = latest.get(unit.pk)
        if latest_report is not None:
            _fill(load, latest_report.values)
            load.period = latest_report.period
            load.reported_today = latest_report.period == today
        loads.append(load)
    return loads


def _fill(load: FacilityLoad, values: dict[str, Any]) -> None:
    total = occupied = 0
    for bed_type in BED_TYPES:
        t = values.get(f"beds_{bed_type}_total")
        if t is None:
            continue
        o = values.get(f"beds_{bed_type}_occupied", 0)
        a = values.get(f"beds_{bed_type}_available", max(t - o, 0))
        load.beds[bed_type] = {"total": t, "occupied": o, "available": a}
        total += t
        occupied += o
    load.occupancy = occupied / total if total else None
    load.er_waiting = values.get("er_waiting_for_bed")
    load.er_visits = values.get("er_visits")


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


TREND_SERIES = {
    "er_visits": ["er_visits"],
    "er_waiting": ["er_waiting_for_bed"],
    "admissions": ["admissions"],
    "occupied": [f"beds_{b}_occupied" for b in BED_TYPES],
    "total": [f"beds_{b}_total" for b in BED_TYPES],
    "icu_occupied": ["beds_icu_occupied"],
    "icu_total": ["beds_icu_total"],
    "cases_ari": ["cases_ari"],
    "cases_dengue": ["cases_dengue"],
}


HISTORY_VERSION_KEY = "dashboard:report-history-version"
TREND_KEYS = sorted({k for keys in TREND_SERIES.values() for k in keys})


def _daily_sums(unit_ids: list[int], start: dt.date, end: dt.date) -> dict[dt.date, dict[str, int | None]]:
    """Sums per day of the trend values, in the database (one aggregate query)."""
    rows = (
        Report.objects.filter(data_set__code=HOSPITAL_DAILY, is_current=True, unit_id__in=unit_ids,
                              period__gte=start, period__lte=end)
        .values("period")
        .annotate(**{k: Sum(Cast(KT(f"values__{k}"), IntegerField())) for k in TREND_KEYS})
        .order_by("period")
    )
    return {row.pop("period"): row for row in rows}


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
    for name, parts in TREND_SERIES.items():
        series[name] = [
            sum(by_day[d][k] or 0 for k in parts) if d in by_day else None for d in dates
        ]
    series["occupancy"] = [
        round(o / t, 4) if o is not None and t else None
        for o, t in zip(series["occupied"], series["total"], strict=True)
    ]
    return {"dates": [d.isoformat() for d in dates], "series": series}


def facility_history(unit: Unit, days: int = 365, today: dt.date | None = None) -> list[Report]:
    today = today or timezone.localdate()
    return list(
        Report.objects.filter(data_set__code=HOSPITAL_DAILY, is_current=True, unit=unit,
                              period__gt=today - dt.timedelta(days=days), period__lte=today)
        .select_related("submitted_by").order_by("period")
    )
