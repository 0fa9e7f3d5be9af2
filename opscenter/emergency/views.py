"""The dispatcher's screen, one incident with its recommendation, the emergency beds board and the KPIs.

Thin: forms post to the services; errors come back as messages or field errors on the same page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import Conflict, NotFound, ValidationFailed
from opscenter.core.permissions import perm_required
from opscenter.core.ui import LEVEL_COLOURS, form_failure, page
from opscenter.org.models import Unit, Ward, specialty_labels
from opscenter.org.roles import Perm

from . import queries, services
from .models import Ambulance, Capability, Incident

REASONS = {
    "no_ed_bed": gettext_lazy("no free emergency bed"), "no_icu_bed": gettext_lazy("no free ICU bed"),
    "capacity_unknown": gettext_lazy("no recent report"), "crowded": gettext_lazy("crowded emergency room"),
    "diversion": gettext_lazy("on diversion"),
}
# A time-critical call (ranking.TIME_CRITICAL): why a capable hospital comes first, what the others lack.
CAPABLE = {
    "cardiac": gettext_lazy("Cath lab (PCI) — preferred for a heart attack"),
    "stroke": gettext_lazy("Stroke unit — preferred for a stroke"),
    "trauma": gettext_lazy("Trauma centre — preferred for major trauma"),
    "obstetrics": gettext_lazy("Obstetrics — preferred for an obstetric emergency"),
    "paediatrics": gettext_lazy("Paediatrics — preferred for a child's emergency"),
}
LACKING = {
    "cardiac": gettext_lazy("no cath lab"), "stroke": gettext_lazy("no stroke unit"),
    "trauma": gettext_lazy("not a trauma centre"), "obstetrics": gettext_lazy("no obstetrics"),
    "paediatrics": gettext_lazy("no paediatrics"),
}
FACILITY = {
    "cardiac": gettext_lazy("Has a cath lab"), "stroke": gettext_lazy("Has a stroke unit"),
    "trauma": gettext_lazy("Is a trauma centre"), "obstetrics": gettext_lazy("Has obstetrics"),
    "paediatrics": gettext_lazy("Has paediatrics"),
}


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def reason_labels(hospital: dict[str, Any], need: str, max_detour_seconds: int) -> tuple[str, list[str]]:
    """A ranked hospital's reasons in words: (why it comes first, or "", [why it lost ground])."""
    first, against = "", []
    for reason in hospital["reasons"]:
        if reason == "capable":
            first = str(CAPABLE.get(need, ""))
        elif reason == "no_capability":
            against.append(str(LACKING.get(need, reason)))
        elif reason == "too_far":
            against.append(_("%(facility)s, but %(minutes)s min further than the nearest hospital "
                             "(limit %(limit)s min)") % {
                "facility": FACILITY.get(need, need), "minutes": _minutes(hospital["extra_seconds"]),
                "limit": _minutes(max_detour_seconds)})
        else:
            against.append(str(REASONS.get(reason, reason)))
    return first, against
# System actors of the timeline (a person is shown by their user name).
ACTORS = {"simulator": gettext_lazy("Simulator")}
STATUSES = dict(Incident.Status.choices) | dict(Ambulance.Status.choices)


NEXT_STATUS: dict[str, list[str]] = {
    Incident.Status.DISPATCHED: [Incident.Status.EN_ROUTE],
    Incident.Status.EN_ROUTE: [Incident.Status.ON_SCENE],
    Incident.Status.ON_SCENE: [Incident.Status.TRANSPORTING, Incident.Status.CLOSED],
    Incident.Status.TRANSPORTING: [Incident.Status.AT_HOSPITAL],
    Incident.Status.AT_HOSPITAL: [Incident.Status.HANDED_OVER],
    Incident.Status.HANDED_OVER: [Incident.Status.CLOSED],
}
PRIORITIES = [
    (1, gettext_lazy("1 — life-threatening")), (2, gettext_lazy("2 — emergency")),
    (3, gettext_lazy("3 — urgent")), (4, gettext_lazy("4 — non-urgent")),
]


class IncidentForm(forms.Form):
    chief_complaint = forms.CharField(label=gettext_lazy("Chief complaint"), max_length=255)
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), coerce=int, initial=2, choices=PRIORITIES)
    need = forms.ChoiceField(label=gettext_lazy("Hospital capability needed"), required=False,
                             choices=[("", gettext_lazy("General")), *Capability.choices])
    patients = forms.IntegerField(label=gettext_lazy("Patients"), initial=1, min_value=1, max_value=500)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=255, required=False)
    ward = forms.ChoiceField(label=gettext_lazy("Ward / commune"), required=False)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    caller_phone = forms.CharField(label=gettext_lazy("Caller's phone"), max_length=32, required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["ward"]).choices = [("", "—"), *Ward.objects.values_list("code", "name")]
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(step="any")


def _dispatch_config() -> dict[str, Any]:
    return {
        "liveUrl": "/api/emergency/live",
        "bedsUrl": "/api/emergency/beds",
        "streamUrl": reverse("event-stream"),
        "incidentUrl": reverse("emergency:incident", args=["__code__"]),
        "levelColours": LEVEL_COLOURS,
        "statuses": STATUSES,
        "labels": {
            "priority": _("Priority"), "noIncident": _("No open incident."),
            "incidents": _("Incidents"), "ambulances": _("Ambulances"), "onMission": _("On a mission"),
            "priorities": {str(value): str(label) for value, label in PRIORITIES},
            "edFree": _("Free emergency beds"), "icuFree": _("Free ICU beds"), "diversion": _("On diversion"),
        },
    }


@perm_required(Perm.VIEW_EMERGENCY)
def dispatch(request: AuthedRequest) -> HttpResponse:
    """The 115 working screen: new call form, queue, live map of incidents and ambulances."""
    form = IncidentForm()
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                incident, _created = services.create_incident(request.user, services.IncidentInput(
                    **data, source=Incident.Source.FORM))
            except ValidationFailed as exc:
                form_failure(form, exc)
            else:
                messages.success(request, _("Incident %(code)s opened") % {"code": incident.code})
                return redirect("emergency:incident", incident.code)
    live = queries.live_map(request.user)
    for row in live["incidents"]:
        row["status_label"] = STATUSES.get(row["status"], row["status"])
    return page(request, "emergency/dispatch.html", {
        "form": form, "incidents": live["incidents"], "config": _dispatch_config(),
        "may_dispatch": request.user.has_perm_in(Perm.DISPATCH),
        "kpis": queries.kpis(request.user, hours=24),
    })


def _incident(request: AuthedRequest, code: str) -> Incident:
    try:
        return services.view_incident(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@perm_required(Perm.VIEW_EMERGENCY)
def incident(request: AuthedRequest, code: str) -> HttpResponse:
    item = _incident(request, code)
    may_dispatch = request.user.has_perm_in(Perm.DISPATCH, item.center)
    recommendation = None
    if may_dispatch and item.is_open and item.status not in (Incident.Status.AT_HOSPITAL,
                                                             Incident.Status.HANDED_OVER):
        recommendation = queries.recommend(item)
        for ambulance in recommendation["ambulances"]:
            ambulance["equipment_label"] = Ambulance.Equipment(ambulance["equipment"]).label
        for hospital in recommendation["hospitals"]:
            hospital["first_reason"], hospital["reason_labels"] = reason_labels(
                hospital, item.need, recommendation["max_detour_seconds"])
        if recommendation["time_critical"]:
            recommendation["rule"] = _(
                "Time-critical call (%(need)s): the hospitals that have what the patient needs come first, unless "
                "on diversion, without a free emergency bed or more than %(limit)s min further than the nearest "
                "hospital.") % {"need": item.get_need_display(),
                                "limit": _minutes(recommendation["max_detour_seconds"])}
    return page(request, "emergency/incident.html", {
        "incident": item, "recommendation": recommendation, "may_dispatch": may_dispatch,
        "timeline": timeline(item),
        "assignments": item.assignments.select_related("ambulance", "ambulance__station"),
        "open_assignments": item.assignments.filter(released_at__isnull=True).count(),
        "next_statuses": [(s, Incident.Status(s).label) for s in NEXT_STATUS.get(item.status, [])]
        if item.is_open else [],
    })


def timeline(item: Incident) -> list[dict[str, Any]]:
    """The timeline in words: what happened, the hospital named (not its code), who did it."""
    entries = list(item.timeline.select_related("ambulance"))
    codes = {code for e in entries if e.action == "destination"
             for code in (e.data.get("hospital") or e.text, e.data.get("previous")) if code}
    names = {u.code: str(u) for u in Unit.objects.filter(code__in=codes)}
    rows = []
    for e in entries:
        text = e.text
        if e.action == "destination":
            hospital = e.data.get("hospital") or e.text
            text = names.get(hospital, hospital)
            if previous := e.data.get("previous"):
                text = _("%(hospital)s (instead of %(previous)s)") % {
                    "hospital": text, "previous": names.get(previous, previous)}
        rows.append({"action": e.action, "label": e.action_label, "time": e.time, "ambulance": e.ambulance,
                     "text": text, "actor": e.actor_label if e.actor_id else ACTORS.get(e.actor_label, e.actor_label)})
    return rows


def _act(request: AuthedRequest, code: str, action: Any) -> HttpResponse:
    item = _incident(request, code)
    try:
        action(item)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    return redirect("emergency:incident", item.code)


@require_POST
@perm_required(Perm.VIEW_EMERGENCY)
def assign(request: AuthedRequest, code: str) -> HttpResponse:
    def confirm(item: Incident) -> None:
        chosen, ambulance = request.POST.get("hospital", ""), request.POST.get("ambulance", "")
        seen = request.POST.get("current_destination")
        if not ambulance:  # "no further ambulance": at most a new destination
            if chosen:
                services.set_destination(request.user, item, chosen, expected=seen)
                messages.success(request, _("Destination set"))
            return
        on_the_way = request.POST.get("open_assignments", "")
        services.assign(request.user, item, ambulance, chosen, expected_destination=seen,
                        expected_assignments=int(on_the_way) if on_the_way.isdigit() else None)
        messages.success(request, _("Ambulance %(code)s dispatched") % {"code": ambulance})
        kept = Incident.objects.select_related("destination").get(pk=item.pk).destination
        if chosen and kept is not None and kept.code != chosen:  # someone set another destination meanwhile
            messages.warning(request, _("Destination not changed: meanwhile %(hospital)s was chosen. Check and "
                                        "choose again if needed.") % {"hospital": kept})
    return _act(request, code, confirm)


@require_POST
@perm_required(Perm.VIEW_EMERGENCY)
def destination(request: AuthedRequest, code: str) -> HttpResponse:
    return _act(request, code, lambda item: services.set_destination(
        request.user, item, request.POST.get("hospital", ""), expected=request.POST.get("current_destination")))


@require_POST
@perm_required(Perm.VIEW_EMERGENCY)
def status(request: AuthedRequest, code: str) -> HttpResponse:
    return _act(request, code, lambda item: services.advance(request.user, item, request.POST.get("status", ""),
                                                             note=request.POST.get("note", "")))


@require_POST
@perm_required(Perm.VIEW_EMERGENCY)
def cancel(request: AuthedRequest, code: str) -> HttpResponse:
    return _act(request, code, lambda item: services.cancel(request.user, item, request.POST.get("reason", "")))


@perm_required(Perm.VIEW_EMERGENCY)
def beds(request: AuthedRequest) -> HttpResponse:
    board = queries.beds_board(request.user)
    units = {u.code: u for u in queries.board_hospitals(request.user)}
    for row in board["hospitals"]:
        row["may_divert"] = services.may_set_diversion(request.user, units[row["code"]])
        row["specialty_labels"] = specialty_labels(row["specialties"])
    return page(request, "emergency/beds.html", {"board": board, "config": _dispatch_config()})


@require_POST
@perm_required(Perm.VIEW_EMERGENCY)
def diversion(request: AuthedRequest, code: str) -> HttpResponse:
    if not Unit.objects.filter(code=code, kind=Unit.Kind.HOSPITAL).exists():
        raise Http404("no such hospital")
    try:
        services.set_diversion(request.user, code, request.POST.get("active") == "1", request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc))
    return redirect("emergency:beds")


@perm_required(Perm.VIEW_EMERGENCY)
def kpis(request: AuthedRequest) -> HttpResponse:
    try:
        hours = min(max(int(request.GET.get("hours", 24)), 1), 24 * 31)
    except ValueError:
        hours = 24
    figures = queries.kpis(request.user, hours)
    fleet = [(Ambulance.Status(status).label, figures["fleet"].get(status, 0)) for status in Ambulance.Status.values
             if status in figures["fleet"]]
    return page(request, "emergency/kpis.html", {"kpis": figures, "fleet": fleet, "hours": hours,
                                                 "windows": [6, 24, 24 * 7]})
