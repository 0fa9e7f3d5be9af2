"""The read model of the daily hospital report: `DailyFigures` (counts, bed sums) and `DailyBeds` (one row per
bed type), holding the current version of each facility's report for each day.

`write` keeps it, inside the transaction that stores the reports (services.submit_many), so it is never behind
them. Every screen that shows hospital figures (dashboard, 115 beds board, surveillance, briefing) reads here,
through the functions below, instead of picking keys out of the reports' JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db.models import Sum

from opscenter.core import bulk

from .definitions import HOSPITAL_DAILY, bed_sums, split_figures
from .models import DailyBeds, DailyFigures, Report

COUNT_COLUMNS = ("ventilators_total", "ventilators_in_use", "er_visits", "er_waiting_for_bed", "admissions",
                 "discharges", "transfers_out", "deaths", "cases_dengue", "cases_hfmd", "cases_ari",
                 "cases_influenza", "cases_covid19", "cases_measles",
                 # whole hospital, respiratory outbreak patients and laboratory tests (SANER reports)
                 "beds_all_total", "beds_all_occupied", "beds_inpatient_total", "beds_inpatient_occupied",
                 "covid19_inpatients", "covid19_ventilated", "covid19_hospital_onset", "covid19_overflow",
                 "covid19_overflow_ventilated", "covid19_deaths", "lab_tests_ordered", "lab_tests_resulted",
                 "lab_tests_positive")
VALUE_COLUMNS = ("beds_total", "beds_occupied", "beds_available", *COUNT_COLUMNS)
FIGURES_COLUMNS = ("report_id", "unit_id", "period", "submitted_at", *VALUE_COLUMNS)
BEDS_COLUMNS = ("report_id", "unit_id", "period", "bed_type", "total", "occupied", "available")


def write(reports: Sequence[Report], replaced: Iterable[int] = ()) -> None:
    """Within the storing transaction: the rows of the replaced versions (their report ids) go, and the new
    current versions' come. Reports of other data sets have no rows here."""
    replaced = list(replaced)
    if replaced:
        DailyBeds.objects.filter(report_id__in=replaced).delete()
        DailyFigures.objects.filter(report_id__in=replaced).delete()
    figures: list[tuple[Any, ...]] = []
    beds: list[tuple[Any, ...]] = []
    for report in reports:
        if report.data_set.code != HOSPITAL_DAILY:
            continue
        counts, by_type = split_figures(report.values)
        key = (report.pk, report.unit_id, report.period)
        figures.append((*key, report.submitted_at, *bed_sums(by_type), *(counts[c] for c in COUNT_COLUMNS)))
        beds.extend((*key, bed_type, *numbers) for bed_type, numbers in by_type.items())
    # Plain rows, not model instances: this runs for every report of every batch.
    bulk.copy(DailyFigures, FIGURES_COLUMNS, figures)
    bulk.copy(DailyBeds, BEDS_COLUMNS, beds)


def rebuild() -> int:
    """Write the read model again from the current reports (after a restore, or to check it); how many rows."""
    DailyBeds.objects.all().delete()
    DailyFigures.objects.all().delete()
    written = 0
    current = (Report.objects.filter(data_set__code=HOSPITAL_DAILY, is_current=True)
               .select_related("data_set").order_by("pk"))
    batch: list[Report] = []
    for report in current.iterator(chunk_size=2000):
        batch.append(report)
        if len(batch) == 2000:
            write(batch)
            written, batch = written + len(batch), []
    write(batch)
    return written + len(batch)


class Beds(NamedTuple):
    total: int
    occupied: int
    available: int


def with_beds(rows: list[DailyFigures]) -> list[DailyFigures]:
    """Attach `beds` (bed type: Beds) to each row, in one query (plain tuples: a city's worth is 1,400 rows)."""
    by_report: dict[int, dict[str, Beds]] = {r.report_id: {} for r in rows}
    for report_id, bed_type, *numbers in DailyBeds.objects.filter(report_id__in=by_report).values_list(
            "report_id", "bed_type", "total", "occupied", "available"):
        by_report[report_id][bed_type] = Beds(*numbers)
    for row in rows:
        row.beds = by_report[row.report_id]
    return rows


def latest(unit_ids: Iterable[int], today: dt.date, days: int) -> dict[int, DailyFigures]:
    """Per facility, its figures of the newest day among the last `days` up to `today`, with their beds.
    Newest day first, one day at a time: on most days one query finds every facility's."""
    missing = set(unit_ids)
    rows: dict[int, DailyFigures] = {}
    for days_ago in range(days):
        if not missing:
            break
        for row in DailyFigures.objects.filter(unit_id__in=missing, period=today - dt.timedelta(days=days_ago)):
            rows[row.unit_id] = row
        missing -= rows.keys()
    with_beds(list(rows.values()))
    return rows


def daily_sums(unit_ids: Iterable[int], start: dt.date, end: dt.date,
               bed_types: Iterable[str] = ()) -> dict[dt.date, dict[str, int | None]]:
    """Per day, the sums over the facilities of every count column and bed sum, and of `<bed type>_occupied` /
    `<bed type>_total` for the bed types asked for: one aggregate query each."""
    unit_ids = list(unit_ids)
    columns = VALUE_COLUMNS
    by_day: dict[dt.date, dict[str, Any]] = {
        row.pop("period"): row
        for row in DailyFigures.objects.filter(unit_id__in=unit_ids, period__gte=start, period__lte=end)
        .values("period").annotate(**{f"sum_{c}": Sum(c) for c in columns}).order_by("period")
    }
    for day, row in by_day.items():
        by_day[day] = {c: row[f"sum_{c}"] for c in columns}
    bed_types = list(bed_types)
    if bed_types:
        for row in (DailyBeds.objects.filter(unit_id__in=unit_ids, period__gte=start, period__lte=end,
                                             bed_type__in=bed_types)
                    .values("period", "bed_type").annotate(occupied=Sum("occupied"), total=Sum("total"))):
            day_row = by_day.setdefault(row["period"], {})
            day_row[f"{row['bed_type']}_occupied"] = row["occupied"]
            day_row[f"{row['bed_type']}_total"] = row["total"]
    return by_day


def in_range(start: dt.date, end: dt.date, units: Any = None) -> list[DailyFigures]:
    """The figures of every day in [start, end] (of these units, a queryset or list), by day then unit; with
    the unit."""
    rows = DailyFigures.objects.filter(period__gte=start, period__lte=end)
    if units is not None:
        rows = rows.filter(unit__in=units)
    return list(rows.select_related("unit").order_by("period", "unit_id"))


def beds_in_range(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, str, int, int]]:
    """(unit code, day, bed type, total, occupied) of every facility's bed rows in [start, end], by unit then day."""
    return list(DailyBeds.objects.filter(period__gte=start, period__lte=end).order_by("unit_id", "period")
                .values_list("unit__code", "period", "bed_type", "total", "occupied"))


def newest(unit_id: int) -> DailyFigures | None:
    """A facility's newest figures, with their beds and their report (and its submitter and data set)."""
    row = (DailyFigures.objects.filter(unit_id=unit_id).select_related("report__submitted_by", "report__data_set")
           .order_by("-period").first())
    return with_beds([row])[0] if row else None
