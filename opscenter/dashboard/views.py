"""The operations room: overview (map, KPIs, trends, live feed), facility drill-down, morning briefing."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.alerts.models import Alert
from opscenter.alerts.views import feed_context
from opscenter.booking import queries as booking
from opscenter.core.auth import AuthedRequest
from opscenter.core.exports import export_format, table_response
from opscenter.core.permissions import perm_required
from opscenter.core.ui import LEVEL_COLOURS, page, parse_date
from opscenter.org.models import BedType
from opscenter.org.roles import Perm
from opscenter.reporting import figures
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import DataSet
from opscenter.surveillance import services as surveillance
from opscenter.surveillance.models import Forecast
from opscenter.vision import services as vision

from . import queries
from .api import overview_data


def bed_type_labels() -> dict[str, str]:
    return {b.value: str(b.label) for b in BedType}


def _sorted_facilities(facilities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fullest first; those without a recent report last."""
    return sorted(facilities, key=lambda f: (f["occupancy"] is None, -(f["occupancy"] or 0), f["name"]))


def _free_beds(facility: dict[str, Any]) -> int | None:
    return sum(b["available"] for b in facility["beds"].values()) if facility["beds"] else None


@perm_required(Perm.VIEW_DASHBOARD)
def overview(request: AuthedRequest) -> HttpResponse:
    data = overview_data(request.user)
    facilities = _sorted_facilities(data["facilities"])
    for facility in facilities:
        facility["free"] = _free_beds(facility)
        facility["occupancy_pct"] = round(facility["occupancy"] * 100) if facility["occupancy"] is not None else None
    if fmt := export_format(request):
        headers = [_("Code"), _("Facility"), _("Occupancy %"), _("Free beds"), _("ER waiting"), _("ER visits"),
                   _("Latest report"), _("Reported today")]
        headers += [_("Free: %(type)s") % {"type": label} for label in bed_type_labels().values()]
        rows = [
            [f["code"], f["name"], f["occupancy_pct"], f["free"], f["er_waiting"], f["er_visits"], f["period"],
             _("yes") if f["reported_today"] else _("no")]
            + [f["beds"].get(b, {}).get("available") for b in bed_type_labels()]
            for f in facilities
        ]
        return table_response(f"facilities-{timezone.localdate().isoformat()}", headers, rows, fmt)

    kpis = data["kpis"]
    bed_tiles = [
        {"code": code, "label": label, "free": kpis["beds_free"][code], "total": kpis["beds_total"][code]}
        for code, label in bed_type_labels().items()
    ]
    config = {
        "overviewUrl": "/api/dashboard/overview",
        "trendsUrl": "/api/dashboard/trends?days=90",
        "feedUrl": reverse("alerts:feed"),
        "crowdingUrl": reverse("api:crowding"),
        "streamUrl": reverse("event-stream"),
        "facilityUrl": reverse("dashboard:facility", args=["__code__"]),
        "levelColours": LEVEL_COLOURS,
        "bedTypes": bed_type_labels(),
        "labels": {
            "occupancy": _("Occupancy"), "free": _("Free beds"), "erWaiting": _("ER waiting for a bed"),
            "erVisits": _("ER visits"), "ari": _("Acute respiratory infection"), "dengue": _("Dengue"),
            "open": _("Open facility page"), "noReport": _("No recent report"), "bedType": _("Bed type"),
            "total": _("Total"), "available": _("Available"), "reportedToday": _("Reported today"),
            "yes": _("yes"), "no": _("no"),
            "levels": {
                "low": _("below 70%"), "medium": _("70–85%"), "high": _("85–95%"), "critical": _("95% and above"),
                "unknown": _("no data"),
            },
            "legend": _("Occupancy"), "sizeBeds": _("Circle size: number of beds"), "noData": _("No data yet"),
            "camerasNow": _("Cameras now"), "people": _("people"),
        },
    }
    # Rendered with the page, not refreshed live: bookings move slowly, the figures page has the detail.
    appointments = booking.today_kpis(request.user) if request.user.has_perm_in(Perm.VIEW_BOOKINGS) else None
    return page(request, "dashboard/overview.html", {
        "kpis": kpis, "bed_tiles": bed_tiles, "facilities": facilities, "config": config,
        "appointments": appointments, "today": timezone.localdate(), **feed_context(request.user),
    })


def _pressure(forecast: Forecast) -> float:
    """How close the next week's forecast comes to capacity, most pressing first (sort key)."""
    if not forecast.capacity:
        return 0.0
    return -max(forecast.upper80[:7], default=0) / forecast.capacity


@perm_required(Perm.VIEW_DASHBOARD)
def facility(request: AuthedRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(queries.facilities_in_scope(request.user).select_related("ward", "parent"), code=code)
    newest = figures.newest(unit.pk)
    latest = newest.report if newest else None
    labels = bed_type_labels()
    capacities = [(labels.get(c.bed_type, c.bed_type), c.beds) for c in unit.bed_capacities.all()]
    bed_rows = []
    if newest:
        for code_, label in labels.items():
            if beds := newest.beds.get(code_):
                bed_rows.append({"label": label, "total": beds.total, "occupied": beds.occupied,
                                 "available": beds.available,
                                 "pct": round(beds.occupied * 100 / beds.total) if beds.total else None})
    other_values = []
    if latest:
        elements = latest.data_set.elements.exclude(category="beds")
        other_values = [(e.label, latest.values.get(e.code)) for e in elements if e.code in latest.values]
    alerts = Alert.objects.filter(unit=unit).select_related("assignee").order_by("-raised_at")[:20]
    forecasts = list(surveillance.hospital_forecasts(unit))
    crowding = vision.crowding(request.user, unit=unit)
    config = {
        "unit": unit.code,
        "streamUrl": reverse("event-stream"),
        "historyUrl": f"/api/dashboard/facilities/{unit.code}/history?days=365",
        "forecastUrl": reverse("api:surveillance_hospital_forecasts", args=[unit.code]) if forecasts else None,
        "bedTypes": labels,
        "labels": {
            "occupancy": _("Occupancy"), "erVisits": _("ER visits"), "erWaiting": _("ER waiting for a bed"),
            "admissions": _("Admissions"), "discharges": _("Discharges"), "all": _("All beds"),
            "noData": _("No data yet"), "occupied": _("Occupied beds"), "capacity": _("Capacity"),
            "forecast": _("Forecast"), "band80": _("80% interval"), "band95": _("95% interval"),
        },
    }
    return page(request, "dashboard/facility.html", {
        "unit": unit, "capacities": capacities, "latest": latest, "bed_rows": bed_rows,
        "other_values": other_values, "alerts": alerts, "config": config, "forecasts": forecasts,
        "crowding": crowding, "may_see_cameras": request.user.has_perm_in(Perm.VIEW_CAMERAS, unit),
        "demand_types": [(f.bed_type, labels.get(f.bed_type, f.bed_type)) for f in sorted(forecasts, key=_pressure)
                         if f.bed_type],
        "may_submit": request.user.has_perm_in(Perm.SUBMIT_REPORTS, unit),
    })


@perm_required(Perm.VIEW_REPORTS)
def completeness(request: AuthedRequest) -> HttpResponse:
    """The dashboard's link to report completeness: the reporting page, same query."""
    url = reverse("reporting:completeness")
    if request.GET:
        url += "?" + request.GET.urlencode()
    return redirect(url)


@perm_required(Perm.VIEW_DASHBOARD)
def briefing(request: AuthedRequest) -> HttpResponse:
    from .briefing import build_briefing, scope_of

    day = parse_date(request.GET.get("date"), timezone.localdate())
    if day > timezone.localdate():
        raise Http404("no briefing for a future day")
    scope = scope_of(request.user)
    if scope.empty:  # neither hospitals nor a 115 centre: say so rather than print a page of zeros
        return page(request, "dashboard/briefing_unavailable.html", {"unit": request.user.unit}, status=404)
    data_set = DataSet.objects.filter(code=HOSPITAL_DAILY).first()
    pdf = build_briefing(request.user, day, data_set)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="briefing-{day.isoformat()}.pdf"'
    return response
