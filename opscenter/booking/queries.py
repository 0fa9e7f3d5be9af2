"""Reads of bookings for pages, the API and other apps: free times, the services on offer, a desk's day."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, F, Max, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from opscenter.org.models import Specialty, Unit, User
from opscenter.reporting import figures as reporting_figures
from opscenter.reporting.models import localized_name

from .models import Appointment, Closure, CrowdReading, Doctor, Schedule, Service, Slot

MAX_DAYS = 28


def day_start(day: dt.date) -> dt.datetime:
    """Midnight that begins the day, on the centre's clock."""
    return dt.datetime.combine(day, dt.time.min, timezone.get_current_timezone())


def services_on_offer(specialty: str | None = None, unit: str | None = None,
                      insurance: bool | None = None) -> QuerySet[Service]:
    found = Service.objects.filter(active=True, unit__active=True).select_related("unit", "unit__ward")
    if specialty:
        found = found.filter(specialty=specialty)
    if unit:
        found = found.filter(unit__code=unit)
    if insurance is not None:
        found = found.filter(accepts_insurance=insurance)
    return found.order_by("unit__name", "name")


def free_slots(*, specialty: str | None = None, service: str | None = None, unit: str | None = None,
               doctor: str | None = None, start: dt.date | None = None, days: int = 14) -> QuerySet[Slot]:
    """Slots with a free place from `start` (today) for `days` days, soonest first, from now on."""
    first = start or timezone.localdate()
    since = max(day_start(first), timezone.now())
    until = day_start(first + dt.timedelta(days=min(days, MAX_DAYS)))
    found = Slot.objects.filter(status=Slot.Status.FREE, start__gt=since, start__lt=until,
                                booked__lt=F("capacity"), service__active=True)
    if specialty:
        found = found.filter(service__specialty=specialty)
    if service:
        found = found.filter(service__code=service)
    if unit:
        found = found.filter(unit__code=unit)
    if doctor:
        found = found.filter(doctor__code=doctor)
    return found.select_related("service", "unit", "doctor").order_by("start", "id")


def doctor_hours(doctor: Doctor, service: Service) -> list[tuple[list[str], dt.time, dt.time]]:
    """When the doctor sees patients of the service, by session: (the days' names, Monday first, start, end)."""
    today = timezone.localdate()
    sessions: dict[tuple[dt.time, dt.time], list[int]] = {}
    for weekday, start, end in (Schedule.objects.filter(doctor=doctor, service=service, active=True)
                                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
                                .order_by("start", "weekday").values_list("weekday", "start", "end")):
        sessions.setdefault((start, end), []).append(weekday)
    return [([str(WEEKDAYS[d]) for d in sorted(set(days))], start, end) for (start, end), days in sessions.items()]


SLOT_ROW = ("id", "start", "end", "capacity", "booked", "service__code", "service__name", "service__name_en",
            "unit__code", "unit__name", "unit__short_name", "doctor__code", "doctor__title", "doctor__name",
            "schedule__room")


def slot_rows(found: QuerySet[Slot]) -> list[dict]:
    """Free slots as the API lists them, read as plain rows in one query: a page of 100 builds no model objects
    (500 of them, with the service, unit, doctor and schedule, cost more than the query)."""
    return [{"id": r["id"], "start": r["start"], "end": r["end"], "free": max(r["capacity"] - r["booked"], 0),
             "service": r["service__code"], "service_name": localized_name(r["service__name"], r["service__name_en"]),
             "unit": r["unit__code"], "unit_name": r["unit__short_name"] or r["unit__name"],  # as str(Unit)
             "doctor": r["doctor__code"],
             "doctor_name": Doctor.called(r["doctor__title"], r["doctor__name"]) if r["doctor__code"] else "",
             "room": r["schedule__room"]}
            for r in found.values(*SLOT_ROW)]


def desk_day(user: User, day: dt.date, unit: str | None = None,
             service: int | None = None) -> QuerySet[Appointment]:
    """The day's bookings of the units in the user's scope (the desk's list), by time and queue number."""
    found = Appointment.objects.filter(slot__start__date=day).filter(user.scope_filter("slot__unit"))
    if unit:
        found = found.filter(slot__unit__code=unit)
    if service:
        found = found.filter(slot__service_id=service)
    return found.select_related("slot", "slot__service", "slot__unit", "slot__doctor").order_by(
        "slot__start", "queue_number")


def desk_services(user: User) -> QuerySet[Service]:
    """The clinics of the units in the user's scope (the desk's filter, walk-ins, queue screens)."""
    return (Service.objects.filter(user.scope_filter("unit"), active=True, unit__active=True)
            .select_related("unit").order_by("unit__name", "name"))


def walk_in_slots(service: Service) -> QuerySet[Slot]:
    """Today's times of the clinic that can still take a walk-in, soonest first: the running one or a later one
    with a walk-in place left, or a later one with a booking place free."""
    now = timezone.now()
    day_end = day_start(timezone.localdate() + dt.timedelta(days=1))
    return (Slot.objects.filter(service=service, status=Slot.Status.FREE, end__gt=now, start__lt=day_end)
            .annotate(walk_ins_taken=Count("appointments", filter=Q(appointments__walk_in=True)
                                           & ~Q(appointments__status=Appointment.Status.CANCELLED)))
            .filter(Q(walk_ins_taken__lt=F("walk_ins")) | Q(start__gt=now, booked__lt=F("capacity")))
            .select_related("unit", "service").order_by("start", "id"))


QUEUE_NEXT = 6  # numbers a screen shows as waiting


def queue_now(service: Service) -> dict:
    """What a clinic's queue screen shows: the number now called and the next ones waiting, each with its
    appointment time (numbers start again at each time) and room. Numbers only, never who they are."""
    today = timezone.localdate()
    day = Appointment.objects.filter(slot__service=service, slot__start__date=today).select_related(
        "slot", "slot__schedule")

    def ticket(a: Appointment) -> dict:
        return {"number": a.queue_number, "time": timezone.localtime(a.slot.start).strftime("%H:%M"),
                "room": a.slot.schedule.room}

    called = (day.filter(status=Appointment.Status.FULFILLED, called_at__isnull=False)
              .order_by("-called_at", "-pk").first())
    waiting = day.filter(status=Appointment.Status.CHECKED_IN).order_by("slot__start", "queue_number")
    rooms = sorted(set(service.schedules.filter(active=True, weekday=today.weekday())
                       .exclude(room="").values_list("room", flat=True)))
    return {"clinic": service.label, "unit": service.unit.name, "rooms": rooms,
            "called": ticket(called) if called else None,
            "next": [ticket(a) for a in waiting[:QUEUE_NEXT]], "waiting": waiting.count(),
            "time": timezone.now().isoformat()}


@dataclass
class Facility:
    """A facility offering the chosen service, as the portal shows it: its next free time and how busy it is,
    from what the operations center knows (the beds and emergency room it reported last, what its cameras count
    in its public areas now, and today's bookings)."""

    service: Service
    next_free: dt.datetime | None  # the soonest free time
    free_today: int  # free places left today
    occupancy: float | None  # beds occupied / beds, newest report of the last two days
    er_waiting: int | None
    busy: str  # "quiet" | "usual" | "busy"
    distance_km: float | None = None
    crowd: Crowd | None = None  # people the cameras see in its public areas now
    wait_minutes: int | None = None  # at the clinic now, from the pace it calls people in (expected_waits)


@dataclass
class Crowd:
    """People seen by a facility's cameras in its entrances, corridors and waiting rooms: per camera its most
    crowded zone (zones may nest), the cameras added up, as the dashboard's "cameras now" counts them."""

    people: int
    cameras: int
    time: dt.datetime
    limit: int | None  # the zones' limits added up, when every zone counted has one

    @property
    def load(self) -> float | None:
        return self.people / self.limit if self.limit else None


# The city's large hospitals run their beds at 90 % and more every day: only full beds say "busy" to someone
# coming for a consultation; the clinic's own wait and the crowd in its public areas say more.
BUSY_OCCUPANCY, QUIET_OCCUPANCY = 0.97, 0.85
BUSY_ER_WAITING = 20
BUSY_WAIT, QUIET_WAIT = 60, 20  # minutes at the clinic now (expected_waits)
BUSY_CROWD, QUIET_CROWD = 1.0, 0.7  # people / the zones' limits
CROWD_FRESH = dt.timedelta(minutes=30)  # an older count says nothing about the crowd now


def crowds(units: set[int]) -> dict[int, Crowd]:
    """The fresh camera counts of these facilities' public areas, in one query."""
    busiest: dict[str, CrowdReading] = {}
    for reading in CrowdReading.objects.filter(unit_id__in=units, time__gte=timezone.now() - CROWD_FRESH):
        best = busiest.get(reading.camera)
        if best is None or (reading.count, reading.time) > (best.count, best.time):
            busiest[reading.camera] = reading
    out: dict[int, Crowd] = {}
    for reading in busiest.values():
        crowd = out.get(reading.unit_id)
        if crowd is None:
            out[reading.unit_id] = Crowd(reading.count, 1, reading.time, reading.max_people)
            continue
        crowd.people += reading.count
        crowd.cameras += 1
        crowd.time = max(crowd.time, reading.time)
        crowd.limit = crowd.limit + reading.max_people if crowd.limit and reading.max_people else None
    return out


def _busy(occupancy: float | None, waiting: int | None, crowd: Crowd | None, wait: int | None) -> str:
    """Busy when the beds are full, many emergency patients wait for one, the cameras see the public areas at
    their limit, or the clinic's wait is long; not busy when the beds are well below, and the cameras (if any)
    show no crowd and the clinic's wait (if known) is short."""
    load = crowd.load if crowd else None
    if ((occupancy or 0) >= BUSY_OCCUPANCY or (waiting or 0) >= BUSY_ER_WAITING or (load or 0) >= BUSY_CROWD
            or (wait or 0) >= BUSY_WAIT):
        return "busy"
    if (occupancy is not None and occupancy < QUIET_OCCUPANCY and (load or 0) < QUIET_CROWD
            and (wait or 0) < QUIET_WAIT):
        return "quiet"
    return "usual"


WAIT_PACE = dt.timedelta(hours=1)  # the calls the pace is read from
WAIT_MIN_CALLS = 3  # fewer calls than this in the hour give no pace to go by


def expected_waits(services: set[int]) -> dict[int, int]:
    """Minutes someone checking in now would wait at each clinic: the people checked in and not yet called,
    at the pace the clinic called people in during the last hour (the desk's Call next). Only for clinics that
    called at least WAIT_MIN_CALLS people in that hour and have someone waiting; one grouped query."""
    now = timezone.now()
    rows = (Appointment.objects.filter(slot__service_id__in=services, slot__start__date=timezone.localdate())
            .values("slot__service_id")
            .annotate(waiting=Count("pk", filter=Q(status=Appointment.Status.CHECKED_IN)),
                      called=Count("pk", filter=Q(called_at__gte=now - WAIT_PACE))))
    hour = WAIT_PACE.total_seconds() / 60
    # Nobody waiting says nothing about the wait (the session may be over): no figure rather than "0 minutes".
    return {r["slot__service_id"]: round(r["waiting"] * hour / r["called"]) for r in rows
            if r["called"] >= WAIT_MIN_CALLS and r["waiting"]}


def facilities(specialty: str, near: tuple[float, float] | None = None,
               insurance: bool | None = None) -> list[Facility]:
    """The facilities offering `specialty` (those taking health insurance, if asked), least busy first, then the
    nearest to `near` when given, then the soonest free time."""
    offered = list(services_on_offer(specialty=specialty, insurance=insurance))
    units = {s.unit_id for s in offered}
    figures = reporting_figures.latest(units, timezone.localdate(), days=2)
    seen = crowds(units)
    waits = expected_waits({s.pk for s in offered})
    tomorrow = day_start(timezone.localdate() + dt.timedelta(days=1))
    # Every service's soonest free time and today's free places, in one grouped query.
    free = {row["service_id"]: row for row in free_slots(specialty=specialty).order_by().values("service_id")
            .annotate(first=Min("start"), today=Sum(F("capacity") - F("booked"), filter=Q(start__lt=tomorrow)))}
    out = []
    for service in offered:
        row = figures.get(service.unit_id)
        occupancy = (row.beds_occupied / row.beds_total) if row and row.beds_total else None
        waiting = row.er_waiting_for_bed if row else None
        crowd = seen.get(service.unit_id)
        unit = service.unit
        distance = (_km(near, (unit.latitude, unit.longitude))
                    if near and unit.latitude is not None and unit.longitude is not None else None)
        slots = free.get(service.pk, {})
        wait = waits.get(service.pk)
        out.append(Facility(service, slots.get("first"), slots.get("today") or 0, occupancy, waiting,
                            _busy(occupancy, waiting, crowd, wait), distance, crowd, wait))
    order = {"quiet": 0, "usual": 1, "busy": 2}
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(out, key=lambda f: (order[f.busy], f.distance_km if f.distance_km is not None else 0,
                                      f.next_free or far, str(f.service.unit)))


def less_busy_nearby(chosen: Facility, others: list[Facility],
                     within_km: float = 10) -> tuple[Facility, float] | None:
    """For a busy facility: the nearest one offering the same care that is not busy and has a free time, and how
    far it is (km)."""
    unit = chosen.service.unit
    if chosen.busy != "busy" or unit.latitude is None or unit.longitude is None:
        return None
    here = (unit.latitude, unit.longitude)
    fits = [(f, _km(here, (f.service.unit.latitude, f.service.unit.longitude))) for f in others
            if f.busy != "busy" and f.next_free is not None and f.service.unit_id != unit.pk
            and f.service.unit.latitude is not None and f.service.unit.longitude is not None]
    fits = [(f, km) for f, km in fits if km <= within_km]
    if not fits:
        return None
    return min(fits, key=lambda pair: pair[1])


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def lead_times() -> list[dict]:
    """Per specialty offered: the first free appointment from now, city-wide, in days, and how many facilities
    offer it (the events.LeadTime payload)."""
    now = timezone.now()
    offered = (Service.objects.filter(active=True, unit__active=True).values("specialty")
               .annotate(n=Count("unit", distinct=True)).order_by("specialty"))
    # Every specialty's soonest free time in one grouped query (the overview asks on each visit).
    firsts = dict(free_slots(days=MAX_DAYS).order_by().values("service__specialty")
                  .annotate(first=Min("start")).values_list("service__specialty", "first"))
    out = []
    for row in offered:
        first = firsts.get(row["specialty"])
        out.append({"specialty": row["specialty"], "specialty_label": str(Specialty(row["specialty"]).label),
                    "next_free": first, "facilities": row["n"],
                    "days": round((first - now).total_seconds() / 86400, 2) if first else None})
    return out


# --- the hospital's schedules --------------------------------------------------------------------------------

def schedule_units(user: User) -> QuerySet[Unit]:
    """The facilities in the user's scope that offer something to book (whose schedules they may run)."""
    return user.scope_units().filter(booking_services__isnull=False).distinct().order_by("name")


def schedules_of(unit: Unit, service: str | None = None, doctor: str | None = None) -> QuerySet[Schedule]:
    """A facility's weekly templates (switched off ones too), by day of the week and time."""
    found = Schedule.objects.filter(service__unit=unit).select_related("service", "doctor")
    if service:
        found = found.filter(service__code=service)
    if doctor:
        found = found.filter(doctor__code=doctor)
    return found.order_by("weekday", "start", "service__name", "pk")


def services_of(unit: Unit) -> QuerySet[Service]:
    return Service.objects.filter(unit=unit).order_by("name")


def doctors_of(unit: Unit) -> QuerySet[Doctor]:
    return Doctor.objects.filter(unit=unit).order_by("name")


def closures_of(unit: Unit) -> list[dict]:
    """The facility's closures not yet past, one row per batch (days closed together): first and last day, the
    reason, how many templates."""
    rows = (Closure.objects.filter(schedule__service__unit=unit, batch__isnull=False)
            .values("batch").annotate(first=Min("day"), last=Max("day"), reason=Max("reason"),
                                      schedules=Count("schedule", distinct=True))
            .filter(last__gte=timezone.localdate()).order_by("first", "batch"))
    return list(rows)


# ---- the operations center's figures ------------------------------------------------------------------------------

FIGURES_MAX_DAYS = 92  # a quarter: the figures are read per day, a longer range belongs to an export
FIGURES_BEFORE, FIGURES_AFTER = 13, 14  # by default the last 14 days (today included) and the next 14


def figures_range(start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The figures' dates: the last two weeks and the next two by default."""
    today = timezone.localdate()
    first = start or (end - dt.timedelta(days=FIGURES_BEFORE + FIGURES_AFTER) if end else
                      today - dt.timedelta(days=FIGURES_BEFORE))
    return first, end or first + dt.timedelta(days=FIGURES_BEFORE + FIGURES_AFTER)


@dataclass
class Counts:
    """Bookings by what became of them. Walk-ins are counted apart: they come by definition, so they would make
    the no-show rate look better than the bookings deserve."""

    booked: int = 0  # every booking made, whatever became of it
    waiting: int = 0  # still booked: to come, or not checked in
    came: int = 0  # checked in or seen
    no_show: int = 0  # marked by the desk as not come
    cancelled: int = 0
    walk_ins: int = 0
    # Of the bookings whose time is over (cancelled ones aside): how many came, how many did not.
    past: int = 0
    past_came: int = 0

    @property
    def past_missed(self) -> int:
        """Marked as not come, or never checked in before the time was over."""
        return self.past - self.past_came

    @property
    def no_show_rate(self) -> float | None:
        return self.past_missed / self.past if self.past else None

    @property
    def no_show_pct(self) -> float | None:
        rate = self.no_show_rate
        return rate * 100 if rate is not None else None

    def add(self, other: Counts) -> None:
        for name in ("booked", "waiting", "came", "no_show", "cancelled", "walk_ins", "past", "past_came"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        rate = self.no_show_rate
        return {"booked": self.booked, "waiting": self.waiting, "came": self.came, "no_show": self.no_show,
                "cancelled": self.cancelled, "walk_ins": self.walk_ins, "past": self.past,
                "past_missed": self.past_missed, "no_show_rate": round(rate, 4) if rate is not None else None}


@dataclass
class FacilityFigures:
    unit: Unit
    total: Counts
    days: dict[dt.date, Counts]


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    facilities: list[FacilityFigures]
    days: dict[dt.date, Counts]  # all the facilities shown, per day
    total: Counts


def appointment_figures(user: User, start: dt.date, end: dt.date, unit: str | None = None) -> Figures:
    """Bookings per facility and day (the day of the appointment) in the user's scope, from `start` to `end`
    included, by what became of them; one grouped query."""
    now = timezone.now()
    past = Q(slot__end__lte=now) & ~Q(status=Appointment.Status.CANCELLED)
    came = Q(status__in=(Appointment.Status.CHECKED_IN, Appointment.Status.FULFILLED))
    booking = Q(walk_in=False)
    since, until = day_start(start), day_start(end + dt.timedelta(days=1))
    found = Appointment.objects.filter(user.scope_filter("slot__unit"), slot__start__gte=since,
                                       slot__start__lt=until)
    if unit:
        found = found.filter(slot__unit__code=unit)
    # The day on the centre's clock as a CASE over the range's day boundaries: plain comparisons, no time-zone
    # function per row (SQLite would call back into Python for each row, and long callbacks can lock up
    # against another thread using the same database).
    dates = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    ends = [day_start(d + dt.timedelta(days=1)) for d in dates]
    local_day = Case(*[When(slot__start__lt=until_, then=Value(d)) for d, until_ in zip(dates, ends, strict=True)],
                     output_field=DateField())
    rows = (found.annotate(day=local_day)
            .values("slot__unit", "day")
            .annotate(booked=Count("id", filter=booking),
                      waiting=Count("id", filter=booking & Q(status=Appointment.Status.BOOKED)),
                      came=Count("id", filter=booking & came),
                      no_show=Count("id", filter=booking & Q(status=Appointment.Status.NO_SHOW)),
                      cancelled=Count("id", filter=booking & Q(status=Appointment.Status.CANCELLED)),
                      walk_ins=Count("id", filter=Q(walk_in=True)),
                      past=Count("id", filter=booking & past),
                      past_came=Count("id", filter=booking & past & came))
            .order_by())
    per_unit: dict[int, dict[dt.date, Counts]] = {}
    for row in rows:
        counts = Counts(**{k: v for k, v in row.items() if k not in ("slot__unit", "day")})
        per_unit.setdefault(row["slot__unit"], {})[row["day"]] = counts
    units = Unit.objects.in_bulk(per_unit)
    facilities: list[FacilityFigures] = []
    days: dict[dt.date, Counts] = {}
    total = Counts()
    for unit_id, by_day in per_unit.items():
        unit_total = Counts()
        for day, counts in by_day.items():
            unit_total.add(counts)
            days.setdefault(day, Counts()).add(counts)
        total.add(unit_total)
        facilities.append(FacilityFigures(units[unit_id], unit_total, dict(sorted(by_day.items()))))
    facilities.sort(key=lambda f: str(f.unit))
    return Figures(start, end, facilities, dict(sorted(days.items())), total)


def facilities_with_bookings(user: User) -> QuerySet[Unit]:
    """The facilities in the user's scope that offer booking (the figures' facility filter)."""
    return user.scope_units().filter(booking_services__isnull=False).distinct().order_by("name")


WITHIN_DAYS = 7  # as the lead-time alert's default


def today_kpis(user: User) -> dict:
    """The overview's line: today's bookings in the user's scope, the no-show rate of the last 14 days, and the
    specialties with nothing free city-wide within WITHIN_DAYS days (the lead-time alert's question)."""
    today = timezone.localdate()
    recent = appointment_figures(user, today - dt.timedelta(days=FIGURES_BEFORE), today)
    todays = recent.days.get(today, Counts())
    short = [t for t in lead_times() if t["days"] is None or t["days"] > WITHIN_DAYS]
    return {"booked_today": todays.booked - todays.cancelled, "walk_ins_today": todays.walk_ins,
            "no_show_rate": recent.total.no_show_rate, "no_show_pct": recent.total.no_show_pct,
            "no_free_within": short, "within_days": WITHIN_DAYS}
