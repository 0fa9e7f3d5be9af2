"""The hospital's schedules: its weekly templates (made into the slots citizens book), days closed for leave or a
holiday, and one change to several templates at once. For those who manage schedules, in their own facility; a
facility outside the user's scope is not found."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import StaleEdit
from opscenter.core.errors import Conflict, NotFound, ValidationFailed
from opscenter.core.permissions import perm_required
from opscenter.core.ui import failure_text, form_failure, page
from opscenter.org.models import Unit
from opscenter.org.roles import Perm

from . import queries, services
from .forms import BulkForm, ClosureForm, TemplateForm
from .models import Schedule


def _unit(request: AuthedRequest, code: str) -> Unit:
    unit = get_object_or_404(request.user.scope_units(), code=code)  # another facility: not found
    if not request.user.has_perm_in(Perm.MANAGE_SCHEDULES, unit):
        raise PermissionDenied
    return unit


def _number(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Http404 from None


def _schedule(unit: Unit, raw_id: str | None) -> Schedule:
    return get_object_or_404(queries.schedules_of(unit), pk=_number(raw_id))


def _to_list(unit: Unit) -> HttpResponse:
    return redirect("booking:schedules", unit=unit.code)


def _kept(request: AuthedRequest, kept: int) -> None:
    if kept:
        messages.warning(request, ngettext(
            "%(n)s booked time was kept as it was: its bookings stand.",
            "%(n)s booked times were kept as they were: their bookings stand.", kept) % {"n": kept})


@perm_required(Perm.MANAGE_SCHEDULES)
def home(request: AuthedRequest) -> HttpResponse:
    """The user's own facility's schedules; for a wider scope, the facilities to choose from."""
    units = list(queries.schedule_units(request.user))
    own = next((u for u in units if u.pk == request.user.unit_id), None)
    if own is not None or len(units) == 1:
        return _to_list(own or units[0])
    return page(request, "booking/schedules/home.html", {"units": units})


@perm_required(Perm.MANAGE_SCHEDULES)
def schedules(request: AuthedRequest, unit: str) -> HttpResponse:
    """A facility's weekly templates by day and time, filtered by service or doctor; its closed days; the bulk
    edit of the templates ticked."""
    found = _unit(request, unit)
    service, doctor = request.GET.get("service") or None, request.GET.get("doctor") or None
    return page(request, "booking/schedules/list.html", {
        "unit": found, "templates": list(queries.schedules_of(found, service, doctor)),
        "services": queries.services_of(found), "doctors": queries.doctors_of(found),
        "service": service, "doctor": doctor, "closures": queries.closures_of(found),
        "bulk": BulkForm(unit=found, initial={"from_day": timezone.localdate()})})


def _initial(schedule: Schedule) -> dict:
    return {"service": schedule.service_id, "doctor": schedule.doctor_id, "room": schedule.room,
            "weekday": schedule.weekday, "start": schedule.start, "end": schedule.end,
            "slot_minutes": schedule.slot_minutes, "capacity": schedule.capacity,
            "walk_in_share": round(schedule.walk_in_share * 100), "valid_from": schedule.valid_from,
            "valid_until": schedule.valid_until, "from_day": timezone.localdate(), "version": schedule.version}


@perm_required(Perm.MANAGE_SCHEDULES)
def template(request: AuthedRequest, unit: str) -> HttpResponse:
    """Make a weekly template, or change one (`?template=<id>`) from a chosen day."""
    found = _unit(request, unit)
    schedule = _schedule(found, request.GET["template"]) if request.GET.get("template") else None
    editing = schedule is not None
    initial = _initial(schedule) if schedule else {"valid_from": timezone.localdate(), "slot_minutes": 15,
                                                   "capacity": 1, "walk_in_share": 0}
    form = TemplateForm(request.POST or None, unit=found, editing=editing, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = services.TemplateFields(
            service=data["service"], doctor=data["doctor"], room=data["room"], weekday=data["weekday"],
            start=data["start"], end=data["end"], slot_minutes=data["slot_minutes"], capacity=data["capacity"],
            walk_in_share=data["walk_in_share"] / 100, valid_from=data["valid_from"], valid_until=data["valid_until"])
        try:
            if schedule is not None:
                remade = services.update_schedule(request.user, schedule, values, version=data["version"] or 0,
                                                  from_day=data["from_day"])
            else:
                schedule, remade = services.create_schedule(request.user, values)
        except ValidationFailed as exc:
            form_failure(form, exc)
        except StaleEdit as exc:
            # Keep what was typed and base the form on the stored version: saving again is then deliberate.
            stale = True
            posted = request.POST.copy()
            posted["version"] = str(exc.current_version)
            form = TemplateForm(posted, unit=found, editing=True, initial=initial)
            form.is_valid()
            schedule = _schedule(found, str(schedule.pk if schedule else ""))
        else:
            messages.success(request, ngettext("Template saved: %(n)s time made.",
                                               "Template saved: %(n)s times made.", remade.made)
                             % {"n": remade.made})
            _kept(request, remade.kept)
            return _to_list(found)
    return page(request, "booking/schedules/template.html", {
        "unit": found, "form": form, "schedule": schedule, "stale": stale},
        status=409 if stale else 422 if form.errors else 200)


@perm_required(Perm.MANAGE_SCHEDULES)
@require_POST
def template_active(request: AuthedRequest, unit: str) -> HttpResponse:
    """Switch a template off (its future free times close) or on again."""
    found = _unit(request, unit)
    schedule = _schedule(found, request.POST.get("template"))
    active = request.POST.get("active") == "1"
    try:
        remade = services.set_active(request.user, schedule, active, version=_number(request.POST.get("version")))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Template switched on: its times are open.") if active
                         else _("Template switched off: its future free times are closed."))
        _kept(request, remade.kept)
    return _to_list(found)


@perm_required(Perm.MANAGE_SCHEDULES)
@require_POST
def bulk(request: AuthedRequest, unit: str) -> HttpResponse:
    """The templates ticked in the table, changed together (slot length, patients per slot, walk-in share)."""
    found = _unit(request, unit)
    form = BulkForm(request.POST, unit=found)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form[name].label}: {' '.join(map(str, errors))}" if name in form.fields
                                          else " ".join(map(str, errors)) for name, errors in form.errors.items()))
        return _to_list(found)
    data = form.cleaned_data
    versions = {pk: _number(request.POST.get(f"version-{pk}")) for pk in data["templates"]}
    share = data["walk_in_share"]
    try:
        remade = services.bulk_update(request.user, found, versions, from_day=data["from_day"],
                                      slot_minutes=data["slot_minutes"], capacity=data["capacity"],
                                      walk_in_share=None if share is None else share / 100)
    except ValidationFailed as exc:
        messages.error(request, failure_text(exc))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ngettext("%(n)s template changed: %(made)s times made.",
                                           "%(n)s templates changed: %(made)s times made.", len(versions))
                         % {"n": len(versions), "made": remade.made})
        _kept(request, remade.kept)
    return _to_list(found)


@perm_required(Perm.MANAGE_SCHEDULES)
def close(request: AuthedRequest, unit: str) -> HttpResponse:
    """Close a day or a range of days (leave, a public holiday) for one template, a doctor or the facility."""
    found = _unit(request, unit)
    today = timezone.localdate()
    chosen = "schedule" if request.GET.get("template") else "doctor" if request.GET.get("doctor") else "facility"
    initial = {"applies_to": chosen, "first": today, "last": today, "schedule": request.GET.get("template"),
               "doctor": request.GET.get("doctor")}
    form = ClosureForm(request.POST or None, unit=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closed = services.close_days(request.user, found, data["first"], data["last"], data["reason"],
                                         applies_to=data["applies_to"], schedule=data["schedule"],
                                         doctor=data["doctor"])
        except ValidationFailed as exc:
            form_failure(form, exc)
        else:
            messages.success(request, ngettext(
                "Closed: %(slots)s times on %(n)s template.", "Closed: %(slots)s times on %(n)s templates.",
                closed.schedules) % {"slots": closed.slots, "n": closed.schedules})
            if closed.cancelled:
                messages.warning(request, ngettext(
                    "%(n)s booking was cancelled; the patient is told by SMS.",
                    "%(n)s bookings were cancelled; the patients are told by SMS.", closed.cancelled)
                    % {"n": closed.cancelled})
            return _to_list(found)
    return page(request, "booking/schedules/close.html", {"unit": found, "form": form},
                status=422 if form.errors else 200)


@perm_required(Perm.MANAGE_SCHEDULES)
@require_POST
def reopen(request: AuthedRequest, unit: str) -> HttpResponse:
    """Open again the days a closure closed; the bookings it cancelled stay cancelled."""
    found = _unit(request, unit)
    try:
        batch = uuid.UUID(request.POST.get("batch", ""))
        reopened = services.reopen(request.user, found, batch)
    except (ValueError, NotFound):
        raise Http404 from None
    messages.success(request, _("Reopened: %(n)s times. Bookings cancelled by the closure stay cancelled.")
                     % {"n": reopened.slots})
    return redirect(reverse("booking:schedules", kwargs={"unit": found.code}) + "#closures")
