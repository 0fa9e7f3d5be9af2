"""The citizen portal's pages (public, phone-sized first): find care, choose a doctor and a time, book with a code
sent to the phone, then see, download or cancel the booking. A booking's pages open only to the browser that made
or found it (its code and phone, kept in the session)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from itertools import groupby

from axes.helpers import get_client_ip_address
from django.conf.locale import LANG_INFO as LANGUAGE_NAMES
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from opscenter.core.errors import Conflict, NotFound, TooMany, ValidationFailed
from opscenter.core.permissions import public
from opscenter.core.ui import form_failure, page, parse_date, qr_svg
from opscenter.org.models import Specialty, Ward

from . import queries, services
from .forms import CancelForm, CodeForm, DetailsForm, FindForm
from .models import Appointment, Doctor, Service, Slot

PENDING = "booking.pending"  # the details entered, waiting for the phone's code
MINE = "booking.mine"  # the booking codes this browser made or found with their phone


@public
def home(request: HttpRequest) -> HttpResponse:
    """Care by specialty: the facilities offering it, least busy first; near the person's ward if they give it,
    only those taking health insurance (BHYT) if asked."""
    offered = set(Service.objects.filter(active=True).values_list("specialty", flat=True))
    specialties = [(code, label) for code, label in Specialty.choices if code in offered]
    chosen = request.GET.get("specialty", "")
    wards = Ward.objects.filter(latitude__isnull=False, longitude__isnull=False).order_by("name")
    ward = wards.filter(code=request.GET.get("ward", "")).first()
    near = None
    if ward and ward.latitude is not None and ward.longitude is not None:  # the list holds only such wards
        near = (ward.latitude, ward.longitude)
    insurance = request.GET.get("insurance") == "1"
    found = queries.facilities(chosen, near=near, insurance=True if insurance else None) if chosen in offered else []
    rows = [(f, queries.less_busy_nearby(f, found)) for f in found]
    return page(request, "booking/home.html", {
        "specialties": specialties, "chosen": chosen, "chosen_label": dict(Specialty.choices).get(chosen, ""),
        "rows": rows, "wards": wards, "ward": ward, "insurance": insurance})


@public
def times(request: HttpRequest, unit: str, service: str) -> HttpResponse:
    found = get_object_or_404(Service.objects.select_related("unit"), unit__code=unit, code=service, active=True)
    return page(request, "booking/times.html", _times(request, found))


def _times(request: HttpRequest, service: Service) -> dict:
    """The service's doctors and free times, a day at a time (?doctor=, ?day=)."""
    doctors = Doctor.objects.filter(schedules__service=service, active=True).distinct().order_by("name")
    doctor = request.GET.get("doctor") or None
    if doctor and not doctors.filter(code=doctor).exists():
        doctor = None
    slots = list(queries.free_slots(service=service.code, unit=service.unit.code, doctor=doctor)[:1000])
    days = {day: list(group) for day, group in groupby(slots, key=lambda s: timezone.localtime(s.start).date())}
    chosen = parse_date(request.GET.get("day"), next(iter(days), timezone.localdate()))
    profile = doctors.get(code=doctor) if doctor else None
    return {"service": service, "doctors": doctors, "doctor": doctor, "day": chosen, "slots": days.get(chosen, []),
            "days": [(day, sum(s.free for s in day_slots)) for day, day_slots in days.items()],
            "profile": profile, "hours": queries.doctor_hours(profile, service) if profile else [],
            # Each language in its own name, composed (Django's Vietnamese name is stored decomposed).
            "languages": [unicodedata.normalize("NFC", get_language_info(code)["name_local"])
                          for code in (profile.languages if profile else []) if code in LANGUAGE_NAMES]}


def _free_slot(slot_id: int) -> Slot:
    return get_object_or_404(Slot.objects.select_related("service", "unit", "doctor", "schedule"), pk=slot_id)


@public
def details(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = _free_slot(slot_id)
    form = DetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, phone = _details(data)
            services.request_code(phone, get_client_ip_address(request) or None)
        except ValidationFailed as exc:
            form_failure(form, exc)
        except TooMany as exc:
            form.add_error(None, str(exc))
        else:
            request.session[PENDING] = {"slot": slot.pk, "name": person.name, "phone": phone,
                                        "birth_date": str(person.birth_date),  # checked: a date
                                        "identifier": person.identifier, "reason": person.reason,
                                        "email": person.email}
            return redirect("booking:confirm", slot.pk)
    return page(request, "booking/details.html", {"slot": slot, "form": form})


def _details(data: dict) -> tuple[services.Person, str]:
    """The person and their phone as the services accept them; every problem at once, before a code is sent."""
    person = services.Person(data["name"], data["birth_date"], data["identifier"], data["reason"], data["email"])
    return services.check_person_and_phone(person, data["phone"], consent=data["consent"])


@public
def confirm(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = _free_slot(slot_id)
    pending = request.session.get(PENDING)
    if not pending or pending.get("slot") != slot.pk:
        return redirect("booking:details", slot.pk)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.Person(pending["name"], dt.date.fromisoformat(pending["birth_date"]),
                                 pending["identifier"], pending["reason"], pending.get("email", ""))
        try:
            token = services.verify_code(pending["phone"], form.cleaned_data["code"])
            appointment = services.book(slot.pk, person, token, consent=True)
        except ValidationFailed as exc:
            form_failure(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("booking:times", slot.unit.code, slot.service.code)
        else:
            del request.session[PENDING]
            _remember(request, appointment.code)
            return redirect("booking:mine", appointment.code)
    return page(request, "booking/confirm.html", {"slot": slot, "form": form, "phone": pending["phone"]})


def _remember(request: HttpRequest, code: str) -> None:
    request.session[MINE] = [*request.session.get(MINE, [])[-9:], code]


def _mine(request: HttpRequest, code: str) -> Appointment:
    if code not in request.session.get(MINE, []):
        raise Http404
    return get_object_or_404(Appointment.objects.select_related("slot", "slot__service", "slot__unit",
                                                                "slot__doctor", "slot__schedule"), code=code)


@public
def mine(request: HttpRequest, code: str) -> HttpResponse:
    if code not in request.session.get(MINE, []):
        return redirect(reverse("booking:find") + f"?code={code}")
    appointment = _mine(request, code)
    return page(request, "booking/mine.html", {
        "a": appointment, "arrive_from": appointment.arrive_from, "form": CancelForm(),
        "may_change": appointment.status == Appointment.Status.BOOKED})


@public
def qr(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse(qr_svg(_mine(request, code).code), content_type="image/svg+xml")


@public
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """The booking as a calendar file (.ics) for the phone's calendar."""
    a = _mine(request, code)
    slot = a.slot
    cal = Calendar()
    cal.add("prodid", "-//opscenter//booking//VI")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{a.code}@opscenter")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.start)
    event.add("dtend", slot.end)
    event.add("summary", f"{slot.service.label} · {slot.unit}")
    event.add("location", ", ".join(p for p in (slot.schedule.room, str(slot.unit), slot.unit.address) if p))
    event.add("description", _("Booking code %(code)s, number %(n)s. Please arrive from %(time)s.") % {
        "code": a.code, "n": a.queue_number, "time": timezone.localtime(a.arrive_from).strftime("%H:%M")})
    cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lich-kham-{a.code}.ics"'
    return response


@public
@require_POST
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    a = _mine(request, code)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel(a.code, a.phone, reason)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("booking:mine", a.code)


@public
def move(request: HttpRequest, code: str) -> HttpResponse:
    """Another time for the booking, in the same clinic: its free times, as when booking."""
    a = _mine(request, code)
    if a.status != Appointment.Status.BOOKED:
        return redirect("booking:mine", a.code)
    return page(request, "booking/times.html", {**_times(request, a.slot.service), "moving": a})


@public
def move_to(request: HttpRequest, code: str, slot_id: int) -> HttpResponse:
    """The new time confirmed: the new place is taken before the old one is given back (services.reschedule)."""
    a = _mine(request, code)
    slot = _free_slot(slot_id)
    if slot.service_id != a.slot.service_id:
        raise Http404
    if request.method == "POST":
        try:
            moved = services.reschedule(a.code, a.phone, slot.pk)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("booking:move", a.code)
        _remember(request, moved.code)
        messages.success(request, _("Your booking is moved. It has a new code: %(code)s.") % {"code": moved.code})
        return redirect("booking:mine", moved.code)
    return page(request, "booking/move.html", {"a": a, "slot": slot})


@public
def find(request: HttpRequest) -> HttpResponse:
    form = FindForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            found = services.find(form.cleaned_data["code"], form.cleaned_data["phone"])
        except ValidationFailed as exc:
            form_failure(form, exc)
        except NotFound as exc:
            form.add_error(None, str(exc))
        else:
            _remember(request, found.code)
            return redirect("booking:mine", found.code)
    return page(request, "booking/find.html", {"form": form})
