"""Surveillance pages: the epidemic page, the case form, the line list (epidemiology roles), forecasts."""

from __future__ import annotations

import json

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
from opscenter.core.permissions import perm_required
from opscenter.core.ui import form_failure, page
from opscenter.org.models import Unit, Ward
from opscenter.org.roles import Perm

from . import queries, services
from .filters import CaseFilterSet
from .forms import CaseForm
from .models import CaseReport, Disease, Forecast, Signal
from .rules import signal_raises_alert

PAGE_SIZE = 50


@perm_required(Perm.VIEW_SURVEILLANCE)
def epidemic(request: AuthedRequest) -> HttpResponse:
    disease = request.GET.get("disease") if request.GET.get("disease") in Disease.values else Disease.DENGUE
    area = request.GET.get("area") or Signal.CITY
    ward = Ward.objects.filter(code=area).first()
    if ward is None:
        area = Signal.CITY
    # Each alarm with whether the outbreak rule makes it an alert (the others are there for the analyst).
    rule = AlertRule.objects.filter(evaluator="outbreak_signal", enabled=True).first()
    signals = sorted(
        ((s, rule is not None and signal_raises_alert(rule, s.method, s.observed))
         for s in queries.signals(request.user, None, disease, None, True).order_by("area", "method")),
        key=lambda pair: not pair[1],
    )
    forecasts = list(services.forecasts_for(request.user).filter(target=Forecast.Target.CASES, disease=disease)
                     .order_by("ward__name"))
    config = {
        "disease": disease, "area": area,
        # The city's date, not the browser's: after 17:00 UTC they differ, and today's cases would fall outside.
        "today": services.local_today().isoformat(),
        "urls": {
            "counts": reverse("api:surveillance_counts"), "incidence": reverse("api:surveillance_incidence"),
            "rt": reverse("api:surveillance_rt"),
            "forecasts": reverse("api:surveillance_forecasts"), "signals": reverse("api:surveillance_signals"),
            "stream": reverse("event-stream"),
        },
        "labels": {
            "cases": _("Cases"), "average": _("7-day average"), "forecast": _("Forecast"), "band80": _("80% interval"),
            "band95": _("95% interval"), "rt": _("Rt"), "ci": _("95% credible interval"), "noData": _("No data"),
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
        "diseases": Disease.choices, "disease": disease, "area": area, "ward": ward,
        "wards": Ward.objects.order_by("name"), "signals": signals, "forecasts": forecasts,
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
    return page(request, "surveillance/case_detail.html", {
        "case": case, "history": case.reports.select_related("facility", "submitted_by"),
    })


@perm_required(Perm.VIEW_SURVEILLANCE)
def forecasts(request: AuthedRequest) -> HttpResponse:
    qs = services.forecasts_for(request.user).order_by("target", "series_key")
    unit = request.GET.get("unit")
    if unit:
        target = Unit.objects.filter(code=unit).first()
        if target is None or not request.user.has_perm_in(Perm.VIEW_SURVEILLANCE, target):
            raise PermissionDenied
        qs = qs.filter(unit=target)
    rows = list(qs)
    losing = sum(1 for f in rows if f.beats_baseline is False)
    return page(request, "surveillance/forecasts.html", {
        "rows": rows, "unit": unit, "losing": losing,
        "chart": json.dumps([queries.forecast_out(f) for f in rows[:1]], default=str),
    })
