"""Read-side helpers shared by the API and the pages: shaping cases, signals, forecasts; Rt on demand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema

from opscenter.core.errors import ValidationFailed
from opscenter.core.inputs import Line, SaneDate
from opscenter.org.models import Unit, User

from . import rt as rt_method
from . import services, wording
from .models import Case, CaseReport, Disease, Forecast, Signal, age_group


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk, "disease": case.disease, "onset_date": case.onset_date, "report_date": case.report_date,
        "age_group": case.age_group, "sex": case.sex, "ward": case.ward.code, "facility": case.facility.code,
        "classification": case.classification, "hospitalised": case.hospitalised, "outcome": case.outcome,
        "status": case.status, "version": case.version,
    }


def result_out(user: Any, result: services.CaseOutcome) -> dict[str, Any]:
    """The answer to a case report. A report merged into a case outside the caller's scope gets back what it
    said itself, and that it was merged: nothing of the other facility's case."""
    detail = _("merged with an existing case") if result.merged else ""
    if services.sees_case(user, result.case):
        return {"created": result.created, "merged": result.merged, "detail": detail, "case": case_out(result.case)}
    own = result.submitted
    return {"created": False, "merged": True, "detail": detail, "case": {
        **{k: own.get(k) for k in ("disease", "onset_date", "report_date", "sex", "ward", "classification",
                                   "hospitalised", "outcome", "facility")},
        "id": None, "version": None, "age_group": age_group(own.get("age_years", -1)),
        "status": Case.Status.ACTIVE,
    }}


def case_detail_out(case: Case) -> dict[str, Any]:
    return {**case_out(case), "age_years": case.age_years, "patient_name": case.patient_name,
            "date_of_birth": case.date_of_birth, "phone": case.phone,
            "personal_data_erased": case.personal_data_erased_at is not None}


def report_out(r: CaseReport) -> dict[str, Any]:
    return {"kind": r.kind, "facility": r.facility.code, "source": r.source, "values": r.values,
            "previous": r.previous, "reason": r.reason, "version": r.version,
            "submitted_by": r.submitted_by.get_username() if r.submitted_by else None, "submitted_at": r.submitted_at}


class AuditedCases:
    """A queryset whose page, once sliced for an answer, is recorded as viewed (personal data)."""

    def __init__(self, queryset, user, how: str):
        self.queryset, self.user, self.how = queryset, user, how

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        cases = list(self.queryset[page])
        services.record_case_access(self.user, cases, self.how)
        return [case_detail_out(c) for c in cases]


def signals(user: User, day: dt.date | None, disease: str | None, area: str | None, alarm: bool | None):
    """Detection results (of a day, the latest by default). They count every facility's cases: city-wide
    scopes only."""
    if not services.city_wide(user):
        return Signal.objects.none()
    day = day or Signal.objects.order_by("-day").values_list("day", flat=True).first()
    qs = Signal.objects.filter(day=day).select_related("ward") if day else Signal.objects.none()
    if disease:
        qs = qs.filter(disease=disease)
    if area:
        qs = qs.filter(area=area)
    if alarm is not None:
        qs = qs.filter(alarm=alarm)
    return qs


def signal_out(s: Signal) -> dict[str, Any]:
    return {"day": s.day, "disease": s.disease, "area": s.area, "area_name": s.ward.name if s.ward else "",
            "method": s.method, "observed": s.observed, "expected": s.expected, "threshold": s.threshold,
            "alarm": s.alarm, "series": s.series}


def forecast_out(f: Forecast) -> dict[str, Any]:
    return {
        "series_key": f.series_key, "run_date": f.run_date, "target": f.target, "disease": f.disease,
        "ward": f.ward.code if f.ward else None, "unit": f.unit.code if f.unit else None, "bed_type": f.bed_type,
        "capacity": f.capacity, "model": f.model, "dates": f.dates, "mean": f.mean, "lower80": f.lower80,
        "upper80": f.upper80, "lower95": f.lower95, "upper95": f.upper95, "baseline": f.baseline,
        "history": f.history, "mae": f.mae, "mae_baseline": f.mae_baseline, "mase": f.mase,
        "mase_baseline": f.mase_baseline, "beats_baseline": f.beats_baseline,
        "mase_by_horizon": f.mase_by_horizon or [], "mase_baseline_by_horizon": f.mase_baseline_by_horizon or [],
        "shown": f.shown, "shown_method": f.shown_method, "shown_reason": wording.naive_shown_reason(f),
        "model_mean": f.model_mean or [], "naive_days": f.naive_days or [],
    }


class RtParams(Schema):
    disease: Line
    area: Line = Field(Signal.CITY, description="Ward code, or CITY")
    days: int = Field(120, ge=14, le=1100, description="Days of history shown")
    window: int = Field(7, ge=1, le=28, description="Sliding window (days)")
    si_mean: float = Field(7.0, gt=1, le=30, description="Mean serial interval (days); 7 suits dengue in the city")
    si_sd: float = Field(4.0, gt=0, le=30, description="Standard deviation of the serial interval (days)")
    date_to: SaneDate | None = None


def rt(user: User, params: RtParams) -> dict[str, Any]:
    end = params.date_to or services.local_today()
    lead = 60  # earlier days, so the first windows shown have their infectiousness
    start = end - dt.timedelta(days=params.days + lead - 1)
    ward = None if params.area == Signal.CITY else params.area
    incidence = services.daily_counts(params.disease, start, end, ward=ward, cases=services.scoped_cases(user))
    try:
        si = rt_method.discretised_gamma(params.si_mean, params.si_sd)
    except ValueError as exc:
        raise ValidationFailed.one("si_mean", str(exc)) from None
    estimate = rt_method.estimate_rt(incidence, si, window=params.window)
    shown = estimate.end >= lead
    return {
        "dates": [start + dt.timedelta(days=int(i)) for i in estimate.end[shown]],
        "mean": [round(float(v), 3) for v in estimate.mean[shown]],
        "lower": [round(float(v), 3) for v in estimate.lower[shown]],
        "upper": [round(float(v), 3) for v in estimate.upper[shown]],
        "serial_interval": [round(float(v), 4) for v in si],
        "window": params.window,
    }


# ---- the epidemic page: the day's signals, one row per disease and area, worst first ------------------------

@dataclass
class MethodAlarm:
    """One detection method's alarm on a series, and whether the outbreak rule makes it an alert."""

    signal: Signal
    raises_alert: bool
    critical: bool

    @property
    def ratio(self) -> float:
        """How many times its threshold (a threshold of 0 counts as 1 case)."""
        return self.signal.observed / max(self.signal.threshold or 0, 1.0)

    @property
    def excess(self) -> float:
        """Cases above the threshold: the size of the alarm."""
        return self.signal.observed - (self.signal.threshold or 0)


@dataclass
class SeriesSignals:
    """The alarms of the day on one disease in one area (a ward, or the whole city)."""

    day: dt.date
    disease: str
    area: str
    ward_name: str
    alarms: list[MethodAlarm]
    recent: list[int] = field(default_factory=list)  # daily counts, oldest first, the last one the day's

    @property
    def spark_width(self) -> int:
        return len(self.recent) * 6

    @property
    def bars(self) -> list[dict[str, Any]]:
        """The recent counts as the bars of a small chart (x, y and height in a 14 × 20 box), each with its day."""
        top = max(self.recent, default=0) or 1
        first = self.day - dt.timedelta(days=len(self.recent) - 1)
        return [{"x": i * 6, "height": round(18 * n / top, 1) + (1 if n else 0.5),
                 "y": 20 - round(18 * n / top, 1) - (1 if n else 0.5), "count": n,
                 "day": first + dt.timedelta(days=i), "last": i == len(self.recent) - 1}
                for i, n in enumerate(self.recent)]

    @property
    def disease_label(self) -> str:
        return str(Disease(self.disease).label) if self.disease in Disease.values else self.disease

    @property
    def raises_alert(self) -> bool:
        return any(a.raises_alert for a in self.alarms)

    @property
    def critical(self) -> bool:
        return any(a.critical for a in self.alarms)

    @property
    def worst(self) -> tuple:
        """Alerts first, critical ones first among them, then by the most cases above a threshold."""
        return (self.raises_alert, self.critical, max(a.excess for a in self.alarms),
                max(a.ratio for a in self.alarms))

    def only(self, alerting: bool) -> SeriesSignals:
        return SeriesSignals(self.day, self.disease, self.area, self.ward_name,
                             [a for a in self.alarms if a.raises_alert == alerting], self.recent)


SHOWN_ALERTS = 10  # series with an alert shown open on the epidemic page


@dataclass
class DaySignals:
    day: dt.date | None  # the latest detection run (None: never run)
    series: list[SeriesSignals]
    checked: int  # series the detection looked at that day
    city_wide: bool  # signals count every facility's cases: city-wide scopes only

    @property
    def alerting(self) -> list[SeriesSignals]:
        """The series with alarms the outbreak rule alerts on, with those alarms only."""
        return [s.only(alerting=True) for s in self.series if s.raises_alert]

    @property
    def alerting_first(self) -> list[SeriesSignals]:
        """The most worrying series, shown open; the rest of the alerts are folded under them."""
        return self.alerting[:SHOWN_ALERTS]

    @property
    def alerting_more(self) -> list[SeriesSignals]:
        return self.alerting[SHOWN_ALERTS:]

    @property
    def for_analysis(self) -> list[SeriesSignals]:
        """The alarms below the outbreak rule, per series (there for the analyst, folded on the page)."""
        rest = [s.only(alerting=False) for s in self.series]
        return sorted((s for s in rest if s.alarms), key=lambda s: s.worst, reverse=True)

    @property
    def analysis_alarms(self) -> int:
        return sum(len(s.alarms) for s in self.for_analysis)


def day_signals(user: User, rule: Any) -> DaySignals:
    """The latest day's alarms for every disease, grouped per disease and area, the worst first: those the
    outbreak `rule` alerts on, critical ones (observed at least `critical_ratio` times the threshold), then by
    the most cases above a threshold."""
    from .rules import signal_raises_alert

    if not services.city_wide(user):
        return DaySignals(None, [], 0, False)
    day = Signal.objects.order_by("-day").values_list("day", flat=True).first()
    if day is None:
        return DaySignals(None, [], 0, True)
    critical_ratio = float(rule.params.get("critical_ratio", 2.0)) if rule is not None else 2.0
    grouped: dict[tuple[str, str], SeriesSignals] = {}
    for s in signals(user, day, None, None, True):
        raises = rule is not None and signal_raises_alert(rule, s.method, s.observed)
        critical = raises and bool(s.threshold) and s.observed >= critical_ratio * (s.threshold or 0)
        series = grouped.setdefault((s.disease, s.area), SeriesSignals(
            day, s.disease, s.area, s.ward.name if s.ward else "", []))
        series.alarms.append(MethodAlarm(s, raises, critical))
    if grouped:
        # The daily counts to show beside them (Farrington's own series are weekly): those of a daily method.
        daily = (Signal.objects.filter(day=day, disease__in={k[0] for k in grouped}, area__in={k[1] for k in grouped})
                 .exclude(method="farrington").values_list("disease", "area", "series"))
        for disease, area, series in daily:
            if (disease, area) in grouped and not grouped[disease, area].recent:
                grouped[disease, area].recent = list(series)[-14:]
    for series in grouped.values():
        series.alarms.sort(key=lambda a: (a.raises_alert, a.critical, a.excess, a.ratio), reverse=True)
    checked = Signal.objects.filter(day=day).values("disease", "area").distinct().count()
    return DaySignals(day, sorted(grouped.values(), key=lambda s: s.worst, reverse=True), checked, True)


# ---- the forecasts page: per hospital, the closest to capacity first ---------------------------------------

NEAR_CAPACITY = 0.9  # share of capacity the next week's forecast reaches: "near capacity"
RISING = 0.2  # expected change of the next week's daily average over the last week's: "rising"


@dataclass
class SeriesOutlook:
    """One forecast as the page reads it: the last week against the next, the highest day against capacity."""

    forecast: Forecast
    label: str
    last_week: float | None  # average a day over the last 7 days
    next_week: float  # average a day over the next 7 days (forecast)
    peak: float  # the highest forecast of the next 7 days
    peak_day: str  # ISO date of it
    peak_range: tuple[float, float]  # its 80% prediction interval
    share: float | None  # peak / capacity

    @property
    def change(self) -> float | None:
        if self.last_week is None:
            return None
        return (self.next_week - self.last_week) / max(self.last_week, 1.0)

    @property
    def level(self) -> str:
        """critical: over capacity, high: near it, medium: rising, low: steady (the colours of core.ui)."""
        if self.share is not None and self.share >= 1:
            return "critical"
        if self.share is not None and self.share >= NEAR_CAPACITY:
            return "high"
        change = self.change
        if change is not None and change >= RISING and self.next_week - (self.last_week or 0) >= 1:
            return "medium"
        return "low"

    @property
    def accuracy(self) -> str:
        return wording.accuracy(self.forecast)

    @property
    def accuracy_figures(self) -> str:
        return wording.accuracy_figures(self.forecast)

    @property
    def flagged(self) -> bool:
        """Repeating last week is shown instead of the model on every day ahead, or (a forecast stored before that
        rule) the model shown did worse than it. Not when each is shown on its days."""
        f = self.forecast
        return f.shown == f.Shown.NAIVE or (f.shown == f.Shown.MODEL and f.beats_baseline is False)


LEVEL_RANK = {"critical": 3, "high": 2, "medium": 1, "low": 0}


@dataclass
class OutlookGroup:
    """A hospital's forecasts (or an area's case forecasts of one disease), the most pressing series first."""

    key: str  # unit code or disease code
    title: str
    series: list[SeriesOutlook]
    open: bool = False

    @property
    def headline(self) -> SeriesOutlook:
        return self.series[0]

    @property
    def level(self) -> str:
        return self.headline.level

    @property
    def admissions(self) -> SeriesOutlook | None:
        """A hospital's admissions forecast, told beside its headline when that is a bed type."""
        found = [s for s in self.series if s.forecast.target == Forecast.Target.ADMISSIONS]
        return found[0] if found and found[0] is not self.headline else None

    @property
    def naive_shown(self) -> int:
        """How many of the group's series show repeating last week instead of the model."""
        return sum(1 for s in self.series if s.forecast.naive_shown)

    @property
    def losing(self) -> int:
        """How many show a model that did worse than repeating last week (forecasts stored before that was
        replaced)."""
        return sum(1 for s in self.series if not s.forecast.naive_shown and s.forecast.beats_baseline is False)

    def rank(self) -> tuple:
        head = self.headline
        return (LEVEL_RANK[head.level], head.share or 0, head.change or 0)


def _outlook(forecast: Forecast, label: str) -> SeriesOutlook:
    history = [float(v) for v in (forecast.history or [])][-7:]
    ahead = [float(v) for v in forecast.mean[:7]]
    peak_at = max(range(len(ahead)), key=ahead.__getitem__) if ahead else 0
    peak = ahead[peak_at] if ahead else 0.0
    return SeriesOutlook(
        forecast=forecast, label=label,
        last_week=sum(history) / len(history) if history else None,
        next_week=sum(ahead) / len(ahead) if ahead else 0.0,
        peak=peak, peak_day=forecast.dates[peak_at] if forecast.dates else "",
        peak_range=(float(forecast.lower80[peak_at]), float(forecast.upper80[peak_at])) if ahead else (0.0, 0.0),
        share=peak / forecast.capacity if forecast.capacity else None,
    )


def _series_label(forecast: Forecast) -> str:
    if forecast.target == Forecast.Target.ADMISSIONS:
        return _("Admissions")
    if forecast.target == Forecast.Target.BEDS:
        return _("%(beds)s beds") % {"beds": forecast.bed_type_label}
    return forecast.ward.name if forecast.ward else _("Whole city")


def _by_rank(series: list[SeriesOutlook]) -> list[SeriesOutlook]:
    return sorted(series, key=lambda s: (LEVEL_RANK[s.level], s.share or 0, s.change or 0), reverse=True)


OPEN_GROUPS = 3  # the most pressing hospitals shown open; the rest folded to their one-line summary


def hospital_outlooks(forecasts: list[Forecast]) -> list[OutlookGroup]:
    """Each hospital's admissions and bed forecasts under its name, the hospitals closest to (or over) capacity
    first, then those with the largest expected rise. The first few that need a look are open."""
    by_unit: dict[Unit, list[SeriesOutlook]] = defaultdict(list)
    for f in forecasts:
        if f.unit is not None and f.target != Forecast.Target.CASES:
            by_unit[f.unit].append(_outlook(f, _series_label(f)))
    groups = [OutlookGroup(unit.code, unit.name, _by_rank(series)) for unit, series in by_unit.items()]
    groups.sort(key=lambda g: g.title)
    groups.sort(key=OutlookGroup.rank, reverse=True)
    for i, group in enumerate(groups):
        group.open = i == 0 or (i < OPEN_GROUPS and group.level != "low")
    return groups


def case_outlooks(forecasts: list[Forecast]) -> list[OutlookGroup]:
    """Case forecasts per disease: the whole city first, then the wards with the largest expected rise; the
    diseases whose city-wide cases are expected to rise most first."""
    by_disease: dict[str, list[SeriesOutlook]] = defaultdict(list)
    for f in forecasts:
        if f.target == Forecast.Target.CASES:
            by_disease[f.disease].append(_outlook(f, _series_label(f)))
    groups = []
    for disease, series in by_disease.items():
        city = [s for s in series if s.forecast.ward is None]
        wards = sorted((s for s in series if s.forecast.ward is not None),
                       key=lambda s: (LEVEL_RANK[s.level], s.change or 0), reverse=True)
        label = str(Disease(disease).label) if disease in Disease.values else disease
        groups.append(OutlookGroup(disease, label, city + wards))
    groups.sort(key=lambda g: (LEVEL_RANK[g.level], g.headline.change or 0), reverse=True)
    return groups
