"""Epidemic surveillance: case reports (with their history), detection signals and forecasts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.org.models import BedType, Unit, Ward


class Disease(models.TextChoices):
    # the notifiable diseases of the daily hospital report (cases_<code>)
    DENGUE = "dengue", _("Dengue")
    HFMD = "hfmd", _("Hand, foot and mouth disease")
    ARI = "ari", _("Acute respiratory infection")
    INFLUENZA = "influenza", _("Influenza")
    COVID19 = "covid19", _("COVID-19")
    MEASLES = "measles", _("Measles")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class Classification(models.TextChoices):
    # ordered from least to most certain: a merge keeps the most certain
    SUSPECTED = "suspected", _("Suspected")
    PROBABLE = "probable", _("Probable")
    CONFIRMED = "confirmed", _("Confirmed")


class Outcome(models.TextChoices):
    UNDER_TREATMENT = "under_treatment", _("Under treatment")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")
    UNKNOWN = "unknown", _("Unknown")


AGE_GROUPS = ((0, 4), (5, 14), (15, 24), (25, 49), (50, 64), (65, 200))


def age_group(age: int) -> str:
    for low, high in AGE_GROUPS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "unknown"


class Case(models.Model):
    """One patient's episode of a disease, counted once however many facilities report it.

    Its current values; every submission, merge, correction and cancellation is kept in CaseReport.
    Personal data (name, birth date, phone, identifier) is for epidemiology roles only and is erased
    after the retention period; `patient_key` is a keyed hash used to recognise the same patient.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    disease = models.CharField(max_length=16, choices=Disease.choices)
    onset_date = models.DateField()
    report_date = models.DateField(db_index=True)
    age_years = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="cases")
    facility = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases",
                                 help_text=_("The facility that reported it first"))
    classification = models.CharField(max_length=16, choices=Classification.choices)
    hospitalised = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.UNKNOWN)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    # personal data, minimised
    patient_key = models.CharField(max_length=64, blank=True, db_index=True)
    patient_name = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-report_date", "-id"]
        indexes = [models.Index(fields=["disease", "report_date"], name="case_disease_day")]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.get_disease_display()} #{self.pk}"

    @property
    def age_group(self) -> str:
        return age_group(self.age_years)


class CaseReport(models.Model):
    """What was received or changed, never edited: the case's history."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("First report")
        DUPLICATE = "duplicate", _("Same patient reported again (merged)")
        CORRECTION = "correction", _("Correction")
        CANCELLATION = "cancellation", _("Cancellation")

    class Source(models.TextChoices):
        FORM = "form", _("Web form")
        API = "api", _("API")
        FHIR = "fhir", _("FHIR")
        SIMULATOR = "simulator", _("Simulator")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    facility = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    values = models.JSONField(help_text=_("The values received (no personal data)"))
    previous = models.JSONField(default=dict, blank=True, help_text=_("Values they replaced"))
    reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(help_text=_("The case's version after this report"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="unique_case_report_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} v{self.version}"


class Signal(models.Model):
    """The daily result of one detection method on one series (a disease in a ward, or city-wide)."""

    CITY = "CITY"

    day = models.DateField()
    disease = models.CharField(max_length=16, choices=Disease.choices)
    area = models.CharField(max_length=16, help_text=_("Ward code, or CITY"))
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=16)
    observed = models.FloatField()
    expected = models.FloatField(null=True)
    threshold = models.FloatField(null=True)
    alarm = models.BooleanField(default=False)
    series = models.JSONField(default=list, help_text=_("Recent counts up to the day, for display"))
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "disease", "area", "method"]
        constraints = [models.UniqueConstraint(fields=["day", "disease", "area", "method"], name="unique_signal")]
        indexes = [models.Index(fields=["alarm", "day"], name="signal_alarm_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.disease} {self.area} {self.method}"


class Forecast(models.Model):
    """The forecast of one series made on one day (recomputing on the same day replaces it: derived data)."""

    class Target(models.TextChoices):
        CASES = "cases", _("Cases")
        ADMISSIONS = "admissions", _("Admissions")
        BEDS = "beds", _("Occupied beds")

    class Shown(models.TextChoices):
        """Which forecast the series shows: the model's, or the seasonal naive one on the days ahead where the model
        did not beat it in the backtest (every day when it could not be checked), or each on its days."""

        MODEL = "model", _("The model's forecast")
        NAIVE = "naive", _("Repeating last week (seasonal naive)")
        MIXED = "mixed", _("Each where it did better")

    run_date = models.DateField(db_index=True)
    series_key = models.CharField(max_length=100)
    target = models.CharField(max_length=16, choices=Target.choices)
    disease = models.CharField(max_length=16, choices=Disease.choices, blank=True)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bed_type = models.CharField(max_length=24, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    model = models.CharField(max_length=40, help_text=_("The forecasting model tried (shown or not)"))
    shown = models.CharField(max_length=8, choices=Shown.choices, default=Shown.MODEL)
    dates = models.JSONField()
    mean = models.JSONField()
    lower80 = models.JSONField()
    upper80 = models.JSONField()
    lower95 = models.JSONField()
    upper95 = models.JSONField()
    baseline = models.JSONField()
    history = models.JSONField(default=list, help_text=_("The last weeks of the series, for display"))
    model_mean = models.JSONField(default=list, help_text=_("The model's forecast, shown or not"))
    naive_days = models.JSONField(default=list, help_text=_("The days ahead (1: the next day) showing the naive "
                                                            "forecast"))
    mae = models.FloatField(null=True)
    mae_baseline = models.FloatField(null=True)
    mase = models.FloatField(null=True)
    mase_baseline = models.FloatField(null=True)
    mase_by_horizon = models.JSONField(default=list, help_text=_("The model's MASE 1, 2, ... days ahead"))
    mase_baseline_by_horizon = models.JSONField(default=list, help_text=_("The naive forecast's MASE, by horizon"))
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-run_date", "series_key"]
        constraints = [models.UniqueConstraint(fields=["series_key", "run_date"], name="unique_forecast_run")]

    def __str__(self) -> str:
        return f"{self.series_key} {self.run_date}"

    @property
    def beats_baseline(self) -> bool | None:
        """The model's backtest MASE is below the seasonal naive forecast's (None: not checked)."""
        return None if self.mase is None or self.mase_baseline is None else self.mase < self.mase_baseline

    @property
    def naive_shown(self) -> bool:
        """The naive forecast is shown on at least one day ahead."""
        return self.shown != self.Shown.MODEL

    @property
    def shown_method(self) -> str:
        """The method whose figures `mean` and the intervals hold (both, joined by +, when mixed)."""
        return {self.Shown.NAIVE: "SeasonalNaive", self.Shown.MIXED: f"{self.model}+SeasonalNaive"}.get(
            self.Shown(self.shown), self.model)

    def horizon_mase(self) -> tuple[float, float] | None:
        """The model's and the naive forecast's backtest MASE over the days ahead showing the naive forecast."""
        days = [d for d in self.naive_days or [] if 0 < d <= len(self.mase_by_horizon or [])]
        if not days or len(self.mase_by_horizon) != len(self.mase_baseline_by_horizon or []):
            return None
        return (sum(self.mase_by_horizon[d - 1] for d in days) / len(days),
                sum(self.mase_baseline_by_horizon[d - 1] for d in days) / len(days))

    @property
    def bed_type_label(self) -> str:
        return str(BedType(self.bed_type).label) if self.bed_type in BedType.values else self.bed_type

    @property
    def next_week(self) -> list[int]:
        """The mean forecast of the next seven days, in whole patients or beds (for tables)."""
        return [round(v) for v in self.mean[:7]]
