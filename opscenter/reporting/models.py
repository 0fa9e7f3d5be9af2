"""Data sets defined as data (DHIS2-style), and the reports units submit against them.

A report is kept as versions: one row per (data set, unit, period, version); exactly one is current.
A correction adds a version and never overwrites the earlier one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opscenter.core.texts import shown
from opscenter.org.models import BedType, Unit


def localized_name(name_vi: str, name_en: str) -> str:
    """Names defined as data carry Vietnamese and English; pick the active language's."""
    return name_en if name_en and (get_language() or "vi").startswith("en") else name_vi


class DataSet(models.Model):
    class Periodicity(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    periodicity = models.CharField(max_length=16, choices=Periodicity.choices, default=Periodicity.DAILY)
    due_time = models.TimeField(default=dt.time(10, 0), help_text=_("Local time by which the report is due"))
    due_days_after_period = models.PositiveSmallIntegerField(
        default=0, help_text=_("0: due on the day of the period; 1: the next day, ...")
    )
    reporting_units = models.ManyToManyField(Unit, blank=True, related_name="data_sets")
    jump_ratio = models.FloatField(
        default=0.5, help_text=_("A value changing by more than this share since the last period is flagged")
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized_name(self.name, self.name_en)

    def due_at(self, period: dt.date) -> dt.datetime:
        """When the report for `period` is due, as an aware datetime."""
        day = period + dt.timedelta(days=self.due_days_after_period)
        return dt.datetime.combine(day, self.due_time, tzinfo=ZoneInfo(settings.TIME_ZONE))


class DataElement(models.Model):
    class ValueType(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        NUMBER = "number", _("Number")

    class Category(models.TextChoices):
        BEDS = "beds", _("Beds")
        EQUIPMENT = "equipment", _("Equipment")
        FLOW = "flow", _("Patient flow")
        EMERGENCY = "emergency", _("Emergency")
        INFECTIOUS = "infectious", _("Notifiable infectious cases")
        HOSPITAL = "hospital", _("Whole hospital")
        OUTBREAK = "outbreak", _("Respiratory outbreak patients")
        LABORATORY = "laboratory", _("Laboratory testing")

    class Measure(models.TextChoices):
        TOTAL = "total", _("Total")
        OCCUPIED = "occupied", _("Occupied")
        AVAILABLE = "available", _("Available")
        COUNT = "count", _("Count")

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    value_type = models.CharField(max_length=16, choices=ValueType.choices, default=ValueType.INTEGER)
    unit_of_measure = models.CharField(max_length=32, default="count")
    category = models.CharField(max_length=16, choices=Category.choices)
    bed_type = models.CharField(max_length=24, choices=BedType.choices, blank=True)
    measure = models.CharField(max_length=16, choices=Measure.choices, default=Measure.COUNT)
    required = models.BooleanField(default=False)
    min_value = models.FloatField(null=True, blank=True, default=0)
    max_value = models.FloatField(null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["data_set", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["data_set", "code"], name="unique_element_code")]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    @property
    def label(self) -> str:
        return localized_name(self.name, self.name_en)


class ValidationRule(models.Model):
    """`sum(left) <operator> sum(right)` over data element codes, e.g. occupied <= total."""

    class Operator(models.TextChoices):
        LE = "<=", "≤"
        LT = "<", "<"
        EQ = "==", "="
        GE = ">=", "≥"

    class Severity(models.TextChoices):
        ERROR = "error", _("Error: rejected")
        WARNING = "warning", _("Warning: flagged for review")

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=64)
    message = models.CharField(max_length=255)
    left = models.JSONField(help_text=_("Data element codes summed on the left"))
    operator = models.CharField(max_length=2, choices=Operator.choices)
    right = models.JSONField(help_text=_("Data element codes summed on the right"))
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.ERROR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["data_set", "code"], name="unique_rule_code")]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.code


class Report(models.Model):
    class Source(models.TextChoices):
        FORM = "form", _("Web form")
        API = "api", _("API")
        FHIR = "fhir", _("FHIR")
        IMPORT = "import", _("Import")
        SIMULATOR = "simulator", _("Simulator")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        FLAGGED = "flagged", _("Flagged for review")

    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(help_text=_("First day of the reporting period"))
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    values = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    flags = models.JSONField(default=list, blank=True)  # validation warnings, in the site's language
    flag_texts = models.JSONField(default=dict, blank=True)  # the warnings in every language (core.texts)
    source = models.CharField(max_length=16, choices=Source.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True)
    # What a FHIR report brought that the data set has no element for (SANER populations without a
    # counterpart), kept with the version as sent; and the canonical Measure it was sent against.
    unmapped = models.JSONField(default=dict, blank=True)
    measure = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-period", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "unit", "period", "version"], name="unique_report_version"),
            models.UniqueConstraint(
                fields=["data_set", "unit", "period"], condition=Q(is_current=True), name="one_current_report"
            ),
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                name="unique_report_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["data_set", "period", "is_current"], name="report_period_current"),
            models.Index(fields=["unit", "data_set", "is_current", "period"], name="report_unit_history"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.unit.code} {self.period} v{self.version}"

    @property
    def shown_flags(self) -> list[str]:
        return shown(self.flag_texts, self.flags)


def _count() -> models.IntegerField:
    return models.IntegerField(null=True, blank=True)


class DailyFigures(models.Model):
    """The read model of the daily hospital report: the current version's figures in typed columns, one row
    per facility and day, written with the report by `services.submit_many` (see `figures`). What the
    dashboard, 115, surveillance and the briefing read; the report's `values` stay the record."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="figures")
    # Indexes are few on purpose (every submission writes here): the unique (unit, period) serves the unit's
    # reads; whole-city reads over a period scan.
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="daily_figures", db_index=False)
    period = models.DateField()
    submitted_at = models.DateTimeField()
    # Sums over the bed types reported (see DailyBeds), so that occupancy needs no join.
    beds_total = _count()
    beds_occupied = _count()
    beds_available = _count()
    # One column per non-bed element of the data set, named as the element (definitions.FLOW, DISEASES,
    # HOSPITAL_WIDE).
    ventilators_total = _count()
    ventilators_in_use = _count()
    er_visits = _count()
    er_waiting_for_bed = _count()
    admissions = _count()
    discharges = _count()
    transfers_out = _count()
    deaths = _count()
    cases_dengue = _count()
    cases_hfmd = _count()
    cases_ari = _count()
    cases_influenza = _count()
    cases_covid19 = _count()
    cases_measles = _count()
    beds_all_total = _count()
    beds_all_occupied = _count()
    beds_inpatient_total = _count()
    beds_inpatient_occupied = _count()
    covid19_inpatients = _count()
    covid19_ventilated = _count()
    covid19_hospital_onset = _count()
    covid19_overflow = _count()
    covid19_overflow_ventilated = _count()
    covid19_deaths = _count()
    lab_tests_ordered = _count()
    lab_tests_resulted = _count()
    lab_tests_positive = _count()
    beds: dict[str, Any]  # by bed type: figures.Beds, attached by figures.with_beds (no column)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_figures_per_day")]
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"


class DailyBeds(models.Model):
    """Beds of one type at a facility on a day, from the current daily report (the read model's bed rows)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="bed_rows")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)  # see DailyFigures
    period = models.DateField()
    bed_type = models.CharField(max_length=24, choices=BedType.choices)
    total = models.IntegerField()
    occupied = models.IntegerField()
    available = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period", "bed_type"], name="one_bed_row_per_day")]
        verbose_name = _("daily beds")
        verbose_name_plural = _("daily beds")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.bed_type}"


class OverdueNotice(models.Model):
    """That a unit was reminded of a missing report, so it is reminded once per period."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE)
    period = models.DateField()
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["data_set", "unit", "period"], name="unique_overdue_notice")
        ]

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.unit.code} {self.period}"
