"""Read-side helpers shared by the API and the pages: shaping cases, signals, forecasts; Rt on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema

from opscenter.core.errors import ValidationFailed
from opscenter.core.inputs import Line, SaneDate
from opscenter.org.models import User

from . import rt as rt_method
from . import services
from .models import Case, CaseReport, Forecast, Signal, age_group


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
