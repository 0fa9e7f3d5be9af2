"""Surveillance pages: the epidemic page, the case form, the line list (epidemiology roles), forecasts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule
from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import ValidationFailed
from opscenter.core.exports import export_format, table_response
from opscenter.core.permissions import perm_required
from opscenter.core.ui import form_failure, page
from opscenter.org.models import Unit, Ward
from opscenter.org.roles import Perm

from . import queries, services, wording
from .filters import CaseFilterSet
from .forms import CaseForm
from .models import CaseReport, Classification, Disease, Forecast, Outcome, Sex, Signal

PAGE_SIZE = 50


@perm_required(Perm.VIEW_SURVEILLANCE)
def epidemic(request: AuthedRequest) -> HttpResponse:
    """The epidemiologist's start of the day: the day's outbreak signals of every disease, worst first, then the
    chosen disease and area (curve, Rt, map, case forecasts)."""
    asked = request.GET.get("disease") or ""
    disease = Disease(asked) if asked in Disease.values else Disease.DENGUE
    area = request.GET.get("area") or Signal.CITY
    ward = Ward.objects.filter(code=area).first()
    if ward is None:
        area = Signal.CITY
    city_wide = services.city_wide(request.user)
    # Each alarm with whether the outbreak rule makes it an alert (the others are there for the analyst).
    rule = AlertRule.objects.filter(evaluator="outbreak_signal", enabled=True).first()
    today = services.local_today()
    day_signals = queries.day_signals(request.user, rule)
    forecasts = list(services.forecasts_for(request.user).filter(target=Forecast.Target.CASES, disease=disease))
    config = {
        "disease": disease, "area": area,
        # The city's date, not the browser's: after 17:00 UTC they differ, and today's cases would fall outside.
        "today": today.isoformat(),
        "urls": {
            "counts": reverse("api:surveillance_counts"), "incidence": reverse("api:surveillance_incidence"),
            "rt": reverse("api:surveillance_rt"),
            "forecasts": reverse("api:surveillance_forecasts"), "signals": reverse("api:surveillance_signals"),
            "stream": reverse("event-stream"),
        },
        "labels": {
            "cases": _("Cases"), "average": _("7-day average"), "forecast": _("Forecast"), "band80": _("80% interval"),
            "band95": _("95% interval"), "rt": _("Rt"), "ci": _("95% credible interval"),
            "noData": _("No case of this disease reported in this area in the last 6 months"),
            "per100k": _("per 100,000 (28 days)"), "threshold": _("Threshold"), "observed": _("Observed"),
            "rates": {
                "r50": _("50 and above"), "r20": _("20 to under 50"), "r5": _("5 to under 20"),
                "r0": _("above 0, under 5"), "zero": _("no case"), "unknown": _("population not known"),
            },
            "rateTitle": _("Cases per 100,000, last 28 days"), "sizeCases": _("Circle size: number of cases"),
            "selectedWard": _("Selected ward"),
        },
    }
    return page(request, "surveillance/epidemic.html", {
        "diseases": Disease.choices, "disease": disease, "disease_label": disease.label, "area": area,
        "ward": ward, "wards": Ward.objects.order_by("name"), "day_signals": day_signals, "today": today,
        "scope": _("Whole city") if city_wide else (request.user.unit.name if request.user.unit else ""),
        "city_wide": city_wide, "case_outlook": queries.case_outlooks(forecasts),
        "methods": [(code, name, help_) for code, (name, help_) in wording.METHODS.items()],
        "may_report": request.user.has_perm_in(Perm.REPORT_CASES),
        "may_see_cases": request.user.has_perm_in(Perm.VIEW_CASE_DETAILS),
        "config": config,
    })


@perm_required(Perm.REPORT_CASES)
def case_new(request: AuthedRequest) -> HttpResponse:
    facilities = request.user.scope_units().filter(kind__in=[Unit.Kind.HOSPITAL, Unit.Kind.HEALTH_CENTER],
                                                   active=True).order_by("name")
    today = services.local_today()
    form = CaseForm(request.POST or None, facilities=facilities,
                    initial={"report_date": today, "facility": facilities.first()})
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "facility": form.cleaned_data["facility"].code,
                "ward": form.cleaned_data["ward"].code}
        try:
            result = services.report_case(request.user, services.CaseInput(**data), CaseReport.Source.FORM)
        except ValidationFailed as exc:
            form_failure(form, exc)
        else:
            merged = (_("This patient was already reported: the report was merged into case #%(id)s.")
                      % {"id": result.case.pk} if services.sees_case(request.user, result.case)
                      else _("This patient was already reported: the report was merged with an existing case."))
            messages.success(request, _("Case recorded (#%(id)s).") % {"id": result.case.pk} if result.created
                             else merged)
            return redirect("surveillance:case_new")
    return page(request, "surveillance/case_form.html", {"form": form}, status=422 if form.errors else 200)


@perm_required(Perm.VIEW_CASE_DETAILS)
def case_list(request: AuthedRequest) -> HttpResponse:
    disease = request.GET.get("disease")
    qs = CaseFilterSet(request.GET or None, queryset=services.case_queryset(request.user)).qs
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    services.record_case_access(request.user, page_obj.object_list, "line list")
    return page(request, "surveillance/case_list.html", {"page_obj": page_obj, "diseases": Disease.choices,
                                                          "disease": disease})


@perm_required(Perm.VIEW_CASE_DETAILS)
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = services.case_queryset(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    services.record_case_access(request.user, [case], "detail page")
    history = list(case.reports.select_related("facility", "submitted_by"))
    return page(request, "surveillance/case_detail.html", {
        "case": case, "history": [(r, _changes(r)) for r in history],
    })


CHOICES = {"disease": Disease, "classification": Classification, "outcome": Outcome, "sex": Sex}


def _shown(name: str, value: Any) -> str:
    """A case's stored value as the page says it: a label for a code, a date in the reader's language."""
    if value is None or value == "":
        return "—"
    if name in CHOICES:
        return str(CHOICES[name](value).label) if value in CHOICES[name].values else str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "ward":
        return str(Ward.objects.filter(code=value).first() or value)
    if name == "facility":
        return str(Unit.objects.filter(code=value).first() or value)
    if name.endswith("_date") or name == "date_of_birth":
        try:
            return wording.day_text(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _changes(report: CaseReport) -> list[tuple[str, str, str]]:
    """What a correction or merge changed: (the field's label, the value before, the value after)."""
    fields = CaseForm.base_fields
    return [(str(fields[name].label) if name in fields else name, _shown(name, old),
             _shown(name, report.values.get(name))) for name, old in report.previous.items()]


@perm_required(Perm.VIEW_SURVEILLANCE)
def forecasts(request: AuthedRequest) -> HttpResponse:
    """Every forecast the user may see, under each hospital's name, the hospitals closest to capacity first; the
    area case forecasts per disease after them. The precise backtest figures are in tooltips and the export."""
    qs = services.forecasts_for(request.user)
    unit = request.GET.get("unit")
    if unit:
        target = Unit.objects.filter(code=unit).first()
        if target is None or not request.user.has_perm_in(Perm.VIEW_SURVEILLANCE, target):
            raise PermissionDenied
        qs = qs.filter(unit=target)
    rows = list(qs)
    hospitals, areas = queries.hospital_outlooks(rows), queries.case_outlooks(rows)
    if unit:
        for group in hospitals:
            group.open = True
    fmt = export_format(request)
    if fmt:
        return _forecasts_export(hospitals + areas, fmt)
    return page(request, "surveillance/forecasts.html", {
        "hospitals": hospitals, "areas": areas, "unit": unit, "run_date": rows[0].run_date if rows else None,
        "naive_shown": sum(1 for f in rows if f.naive_shown),
        "losing": sum(1 for f in rows if not f.naive_shown and f.beats_baseline is False),
        "city_wide": services.city_wide(request.user),
    })


def _forecasts_export(groups: list[queries.OutlookGroup], fmt: str) -> HttpResponse:
    """The forecasts page as a table, with the precise backtest figures and the 14 days of each forecast."""
    headers = [_("Hospital or disease"), _("Series"), _("Code"), _("Forecast of"), _("Capacity"),
               _("Last 7 days, a day"), _("Next 7 days, a day"), _("Highest in the next 7 days"), _("On"),
               _("Share of capacity"), "MAE", _("MAE of the seasonal naive forecast"), "MASE",
               _("MASE of the seasonal naive forecast"), _("Better than the seasonal naive forecast"), _("Model"),
               _("Forecast shown"), _("Days ahead showing the seasonal naive forecast"), _("Why"),
               _("Forecast, day by day"), _("The model's forecast, day by day"),
               _("MASE by horizon"), _("MASE of the seasonal naive forecast by horizon")]
    table = []
    for group in groups:
        for s in group.series:
            f = s.forecast
            table.append([
                group.title, s.label, f.series_key, f.run_date, f.capacity,
                None if s.last_week is None else round(s.last_week, 2), round(s.next_week, 2), round(s.peak, 2),
                dt.date.fromisoformat(s.peak_day) if s.peak_day else None,
                None if s.share is None else round(s.share, 3), f.mae, f.mae_baseline, f.mase, f.mase_baseline,
                f.beats_baseline, f.model, f.shown_method, f.naive_days, wording.naive_shown_reason(f), f.mean,
                f.model_mean,
                f.mase_by_horizon, f.mase_baseline_by_horizon,
            ])
    run = groups[0].series[0].forecast.run_date.isoformat() if groups else "none"
    return table_response(f"forecasts-{run}", headers, table, fmt)
