"""The hospitals' side of booking: the day's list at the desk (check-in by the booking code, no-shows, walk-ins,
calling the next person in) and the clinics' queue screens for the waiting room's TV."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.core.permissions import perm_required, public
from opscenter.core.ui import form_failure, page, parse_date, show_failure
from opscenter.org.roles import Perm

from . import queries, services
from .forms import WalkInForm
from .models import Appointment, Service

SCREEN_POLL_SECONDS = 5


def _chosen_service(request: AuthedRequest, raw: str | None) -> Service | None:
    """The clinic named by its id in the query or the form, among those in the user's scope."""
    if not raw or not raw.isdigit():
        return None
    return queries.desk_services(request.user).filter(pk=int(raw)).first()


def _posted_clinic(request: AuthedRequest) -> Service:
    """The clinic a desk action names (`service`), in the user's scope, or 404."""
    clinic = _chosen_service(request, request.POST.get("service"))
    if clinic is None:
        raise Http404
    return clinic


def _desk_page(request: AuthedRequest, walk_in: WalkInForm | None = None, status: int = 200) -> HttpResponse:
    day = parse_date(request.GET.get("day"), timezone.localdate())
    clinics = queries.desk_services(request.user)
    chosen = _chosen_service(request, request.GET.get("service"))
    found = list(queries.desk_day(request.user, day, service=chosen.pk if chosen else None)
                 .select_related("slot__schedule"))
    counts = {status: sum(1 for a in found if a.status == status) for status, _label in Appointment.Status.choices}
    today = day == timezone.localdate()
    may_receive = request.user.has_perm_in(Perm.RECEIVE_PATIENTS)
    receiving = [c for c in clinics if request.user.has_perm_in(Perm.RECEIVE_PATIENTS, c.unit)]
    posted = walk_in is not None  # a refused form is shown with its errors, whatever else
    if walk_in is None:
        walk_in = WalkInForm(services=clinics.filter(pk__in=[c.pk for c in receiving]),
                             initial={"service": chosen.pk if chosen else None})
    return page(request, "booking/desk.html", {
        "day": day, "appointments": found, "counts": counts, "checked_in": counts[Appointment.Status.CHECKED_IN],
        "now": timezone.now(), "may_receive": may_receive, "today": today, "clinics": clinics, "chosen": chosen,
        "walk_in": walk_in if posted or (receiving and today) else None,
        "queues": _queues(request, found, receiving) if today else []}, status=status)


def _queues(request: AuthedRequest, found: list[Appointment], receiving: list[Service]) -> list[dict]:
    """Per clinic with people today: who waits, the number last called, and the links of its queue screen."""
    rows = []
    for clinic in receiving:
        mine = [a for a in found if a.slot.service_id == clinic.pk]
        if not mine:
            continue
        calls = sorted((a.called_at, a.pk, a) for a in mine if a.called_at is not None)
        called = calls[-1][2] if calls else None
        token = services.screen_token(request.user, clinic)
        rows.append({"clinic": clinic, "called": called,
                     "waiting": sum(1 for a in mine if a.status == Appointment.Status.CHECKED_IN),
                     "screen": reverse("booking:queue", args=[clinic.unit.code, clinic.code]),
                     "tv_link": request.build_absolute_uri(reverse("booking:screen", args=[token]))})
    return rows


def _back_to_desk(request: AuthedRequest) -> HttpResponse:
    """To the desk, on the clinic it was showing."""
    chosen = _chosen_service(request, request.POST.get("back_service"))
    url = reverse("booking:desk")
    return redirect(f"{url}?service={chosen.pk}" if chosen else url)


@perm_required(Perm.RECEIVE_PATIENTS, Perm.VIEW_BOOKINGS)
def desk(request: AuthedRequest) -> HttpResponse:
    """The day's bookings of the facilities in the user's scope, or of one clinic: check-in by the booking code (a
    scanner types it), no-shows once the time has passed, walk-ins, calling the next person in."""
    return _desk_page(request)


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_check_in(request: AuthedRequest) -> HttpResponse:
    code = request.POST.get("code", "")
    try:
        found = services.check_in(request.user, code)
    except ValidationFailed as exc:
        show_failure(request, exc)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s checked in: number %(n)s") % {"name": found.name,
                                                                            "n": found.queue_number})
    return _back_to_desk(request)


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_no_show(request: AuthedRequest, code: str) -> HttpResponse:
    appointment = get_object_or_404(queries.desk_day(request.user, timezone.localdate()), code=code)
    try:
        services.mark_no_show(request.user, appointment)
    except Conflict as exc:
        messages.error(request, str(exc))
    return _back_to_desk(request)


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_walk_in(request: AuthedRequest) -> HttpResponse:
    """Someone without a booking: into the clinic's soonest time with a place, with a queue number."""
    receiving = [c.pk for c in queries.desk_services(request.user)
                 if request.user.has_perm_in(Perm.RECEIVE_PATIENTS, c.unit)]
    form = WalkInForm(request.POST, services=queries.desk_services(request.user).filter(pk__in=receiving))
    if form.is_valid():
        data = form.cleaned_data
        person = services.Person(name=data["name"], birth_date=data["birth_date"], reason=data["reason"])
        try:
            found = services.add_walk_in_soonest(request.user, data["service"], person, data["phone"])
        except ValidationFailed as exc:
            form_failure(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s added to %(clinic)s: number %(n)s at %(time)s") % {
                "name": found.name, "clinic": found.slot.service.label, "n": found.queue_number,
                "time": timezone.localtime(found.slot.start).strftime("%H:%M")})
            return _back_to_desk(request)
    return _desk_page(request, walk_in=form, status=422)


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_call_next(request: AuthedRequest) -> HttpResponse:
    """The clinic calls the next checked-in person in; the queue screen shows the number."""
    clinic = _posted_clinic(request)
    try:
        called = services.call_next(request.user, clinic)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Called number %(n)s (%(time)s) to %(clinic)s") % {
            "n": called.queue_number, "time": timezone.localtime(called.slot.start).strftime("%H:%M"),
            "clinic": clinic.label})
    return _back_to_desk(request)


@perm_required(Perm.RECEIVE_PATIENTS)
@require_POST
def desk_revoke_screens(request: AuthedRequest) -> HttpResponse:
    """The clinic's screen links stop working; the desk page shows a new one."""
    clinic = _posted_clinic(request)
    services.revoke_screens(request.user, clinic)
    messages.success(request, _("The old screen links of %(clinic)s no longer work; use the new link.")
                     % {"clinic": clinic.label})
    return _back_to_desk(request)


# --- the queue screen ------------------------------------------------------------------------------------------

def _visible_clinic(request: AuthedRequest, unit: str, service: str) -> Service:
    clinic = queries.desk_services(request.user).filter(unit__code=unit, code=service).first()
    if clinic is None or not (request.user.has_perm_in(Perm.RECEIVE_PATIENTS, clinic.unit)
                              or request.user.has_perm_in(Perm.VIEW_BOOKINGS, clinic.unit)):
        raise Http404
    return clinic


def _screen(request: HttpRequest, clinic: Service, feed: str) -> HttpResponse:
    return page(request, "booking/queue_screen.html", {
        "queue": queries.queue_now(clinic), "feed": feed, "poll_ms": SCREEN_POLL_SECONDS * 1000,
        "TIME_ZONE": settings.TIME_ZONE})


def _feed(clinic: Service) -> JsonResponse:
    answer = JsonResponse(queries.queue_now(clinic))
    answer["Cache-Control"] = "no-store"
    return answer


@perm_required(Perm.RECEIVE_PATIENTS, Perm.VIEW_BOOKINGS)
def queue(request: AuthedRequest, unit: str, service: str) -> HttpResponse:
    """A clinic's queue screen, for someone signed in (the desk checks it, a screen beside it)."""
    clinic = _visible_clinic(request, unit, service)
    return _screen(request, clinic, reverse("booking:queue_now", args=[unit, service]))


@perm_required(Perm.RECEIVE_PATIENTS, Perm.VIEW_BOOKINGS)
def queue_now(request: AuthedRequest, unit: str, service: str) -> HttpResponse:
    return _feed(_visible_clinic(request, unit, service))


def _screen_clinic(token: str) -> Service:
    clinic = services.screen_service(token)
    if clinic is None:  # forged, expired or revoked: nothing to show
        raise Http404
    return clinic


@public
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The queue screen a TV opens by its link (services.screen_token): no sign-in, read-only, one clinic,
    queue numbers only."""
    return _screen(request, _screen_clinic(token), reverse("booking:screen_now", args=[token]))


@public
def screen_now(request: HttpRequest, token: str) -> HttpResponse:
    return _feed(_screen_clinic(token))
