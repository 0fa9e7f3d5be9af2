"""Appointments: the free-slot search for a specialty city-wide over 14 days, and booking throughput with the
guard against double booking, each against a baseline measured in the same run.

    .venv/bin/python bench/booking.py [--database-url URL] [--facilities 200] [--doctors 50] [--runs 200]
                                      [--threads 8] [--processes 2] [--bookings 2000] [--quick] [--fresh]

Data (setup, not measured): `--facilities` hospitals (BENCH-BK-…) × `--doctors` doctors, one clinic per specialty
in each, one weekly schedule per doctor and weekday, 16 slots of 3 places per doctor per day for 14 days from
today, a share of places already taken, written with COPY (`opscenter.core.bulk`). Kept between runs; rebuilt
when the sizes or the first day changed.

Search: `GET /api/booking/slots?specialty=…&days=14` (first page, default limit) through the test client, and the
query alone (`queries.free_slots`, first page; the count of free slots), over random specialties; baseline: the
same first page for one facility. Booking: `--threads` threads in `--processes` processes (as the web server
runs several worker processes; a process's threads share one interpreter) booking through `services.book` (the
conditional UPDATE `booked < capacity`) twice: on slots tried as many times as they have places (the rate), and
on slots tried capacity + 1 times (a quarter of the attempts find them full), against the same Appointment
inserts with an unconditional `booked = booked + 1` on other slots; checks afterwards that no slot holds more
than its places and that each slot's live bookings equal its `booked`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from common import (
    analyze,
    argument_parser,
    build_org,
    describe_database,
    emit_summary,
    machine,
    print_table,
    setup_django,
    step,
    summary_ms,
    verdict,
)

PREFIX = "BENCH-BK"
SLOTS_PER_DAY = 16  # 08:00–12:00, 15 minutes each
CAPACITY = 3
DAYS = 14
SEARCH_TARGET_MS = 100.0
BOOKING_TARGET = 500.0


# --- data --------------------------------------------------------------------------------------------------------

def build_data(facilities: int, doctors: int) -> tuple[list, int]:
    """The facilities with their clinics, doctors, schedules and slots; returns (facilities, slots)."""
    from django.db import transaction
    from django.utils import timezone

    from opscenter.booking.models import Appointment, Doctor, Schedule, Service, Slot
    from opscenter.core import bulk
    from opscenter.org.models import Specialty

    prefix = f"{PREFIX}{facilities}x{doctors}"
    _department, hospitals, _user = build_org(prefix, facilities, f"bench-bk-{facilities}x{doctors}")
    first = timezone.localdate()
    expected = facilities * doctors * DAYS * SLOTS_PER_DAY
    ours = Slot.objects.filter(unit__in=hospitals)
    everything = Slot.objects.all()
    earliest = ours.order_by("start").values_list("start", flat=True).first()
    if (earliest is not None and timezone.localtime(earliest).date() == first and ours.count() == expected
            and everything.count() == expected):
        return hospitals, expected
    with step("removing older benchmark slots"), transaction.atomic():
        # Without Django's collector: it would read millions of slots into memory to look for protected rows.
        mine = {"unit__code__startswith": PREFIX}
        for rows in (Appointment.objects.filter(slot__unit__code__startswith=PREFIX), Slot.objects.filter(**mine),
                     Schedule.objects.filter(service__unit__code__startswith=PREFIX),
                     Doctor.objects.filter(**mine), Service.objects.filter(**mine)):
            rows._raw_delete(rows.db)  # type: ignore[attr-defined]
    specialties = [s.value for s in Specialty]
    rng = random.Random(prefix)
    tz = timezone.get_current_timezone()
    with step(f"{facilities} × {len(specialties)} clinics, {facilities * doctors:,} doctors, schedules"):
        services = [Service(unit=u, code=f"k-{s}", name=f"Khám {s}", name_en=f"{s} clinic", specialty=s)
                    for u in hospitals for s in specialties]
        bulk.insert(services)
        clinic = {(sv.unit_id, sv.specialty): sv for sv in services}
        staff = [Doctor(unit=u, code=f"bs-{i:03d}", name=f"Bác sĩ {u.code} {i}", title="BS.",
                        specialty=specialties[i % len(specialties)], languages=["vi"])
                 for u in hospitals for i in range(doctors)]
        bulk.insert(staff)
        schedules = [Schedule(service=clinic[(d.unit_id, d.specialty)], doctor=d, room=f"P{d.code[-3:]}",
                              weekday=w, start=dt.time(8), end=dt.time(12), slot_minutes=15, capacity=CAPACITY,
                              valid_from=first) for d in staff for w in range(7)]
        bulk.insert(schedules)
    with step(f"{expected:,} slots (COPY)"):
        columns = ["schedule", "service", "doctor", "unit", "start", "end", "capacity", "walk_ins", "booked",
                   "issued", "status"]
        length = dt.timedelta(minutes=15)
        starts = []
        for offset in range(DAYS):
            day = first + dt.timedelta(days=offset)
            begin = dt.datetime.combine(day, dt.time(8), tz)
            starts.append((day.weekday(), [begin + n * length for n in range(SLOTS_PER_DAY)]))
        by_doctor_day = {(s.doctor_id, s.weekday): s for s in schedules}
        batch: list[tuple] = []
        for d in staff:
            service_id = clinic[(d.unit_id, d.specialty)].pk
            for weekday, times in starts:
                schedule_id = by_doctor_day[(d.pk, weekday)].pk
                for start in times:
                    booked = min(CAPACITY, int(rng.random() * 5))  # about 2 in 5 full, 1 in 5 empty
                    batch.append((schedule_id, service_id, d.pk, d.unit_id, start, start + length, CAPACITY, 0,
                                  booked, booked, "free"))
            if len(batch) >= 200_000:
                bulk.copy(Slot, columns, batch)
                batch = []
        bulk.copy(Slot, columns, batch)
    with step("ANALYZE"):
        analyze()
    return hospitals, expected


# --- search ------------------------------------------------------------------------------------------------------

def measure_search(hospitals: list, runs: int, api_budget_s: float) -> tuple[list, dict]:
    """Latencies of the search ways, taking turns over random specialties (same load for all)."""
    from django.test import Client

    from opscenter.booking import queries
    from opscenter.org.models import Specialty

    specialties = [s.value for s in Specialty]
    rng = random.Random(1)
    client = Client()
    ways: dict[str, Callable[[str, str], Any]] = {
        "one facility, first page (baseline)": lambda s, u: list(queries.free_slots(specialty=s, unit=u)[:100]),
        "city-wide, first page (query)": lambda s, u: list(queries.free_slots(specialty=s, days=14)[:100]),
        "city-wide, count of free slots": lambda s, u: queries.free_slots(specialty=s, days=14).count(),
        "GET /api/booking/slots?specialty=&days=14": lambda s, u: client.get(
            "/api/booking/slots", {"specialty": s, "days": "14"}),
    }
    api = "GET /api/booking/slots?specialty=&days=14"
    samples: dict[str, list[float]] = {w: [] for w in ways}
    sizes: dict[str, int] = {}
    for way, call in ways.items():  # warm up, and check what the API answers
        result = call(specialties[0], hospitals[0].code)
        if way == api:
            assert result.status_code == 200, result.content[:300]
            sizes["api_items"] = len(result.json()["items"])
            sizes["api_total"] = result.json()["count"]
    api_spent = 0.0
    for _ in range(runs):
        specialty, unit = rng.choice(specialties), rng.choice(hospitals).code
        for way, call in ways.items():
            if way == api and api_spent > api_budget_s and len(samples[way]) >= 10:
                continue
            t0 = time.perf_counter()
            call(specialty, unit)
            elapsed = time.perf_counter() - t0
            samples[way].append(elapsed)
            if way == api:
                api_spent += elapsed
    base = summary_ms(samples[next(iter(ways))])
    rows, stats = [], {}
    for way, values in samples.items():
        s = summary_ms(values)
        stats[way] = s
        rows.append([way, s["n"], s["p50"], s["p95"], s["max"], s["p95"] / base["p95"]])
    return rows, {"stats": stats, "sizes": sizes, "api": api, "query": "city-wide, first page (query)"}


def explain(specialty: str) -> str:
    from django.db import connection

    from opscenter.booking import queries

    found = queries.free_slots(specialty=specialty, days=14)[:100]
    if connection.vendor != "postgresql":
        return found.explain()
    return found.explain(analyze=True, buffers=True)


# --- booking -----------------------------------------------------------------------------------------------------

def pool_of(hospitals: list, count: int, seed: int) -> list[int]:
    """`count` empty slots from tomorrow on (the run's own: never booked before)."""
    from django.utils import timezone

    from opscenter.booking.models import Slot

    ids = list(Slot.objects.filter(unit__in=hospitals, booked=0, issued=0, status="free",
                                   start__gt=timezone.now() + dt.timedelta(days=1))
               .values_list("pk", flat=True)[:count * 20])
    return random.Random(seed).sample(ids, min(count, len(ids)))


def hammer_in_processes(processes: int, threads: int, tries: list[int], guarded: bool,
                        first_phone: int) -> tuple[float, int, list[float], list]:
    """`hammer` in `processes` forked processes, `threads` threads in all; timed from a common start."""
    import multiprocessing

    from django.db import connections

    if processes <= 1:
        return hammer(threads, tries, guarded, first_phone)
    connections.close_all()  # a forked child must not share the parent's connections, nor their pool
    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(processes + 1), context.Queue()
    shares = [tries[n::processes] for n in range(processes)]

    def child(n: int) -> None:
        ready.wait()
        _seconds, booked, latencies, errors = hammer(max(1, threads // processes), shares[n], guarded,
                                                     first_phone + n * len(shares[0]))  # own phones
        results.put((booked, latencies, [repr(e) for e in errors]))

    workers = [context.Process(target=child, args=(n,)) for n in range(processes)]
    for w in workers:
        w.start()
    ready.wait()
    t0 = time.perf_counter()
    parts = [results.get() for _ in workers]
    seconds = time.perf_counter() - t0
    for w in workers:
        w.join()
    return (seconds, sum(p[0] for p in parts), [x for p in parts for x in p[1]],
            [e for p in parts for e in p[2]])


def hammer(threads: int, tries: list[int], guarded: bool, first_phone: int) -> tuple[float, int, list[float], list]:
    """Threads take turns from one shuffled list of slot ids; returns (seconds, booked, latencies, errors)."""
    from django.core import signing
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from opscenter.booking import services
    from opscenter.booking.models import Appointment, Slot
    from opscenter.core.errors import Conflict

    person = services.Person(name="Nguyễn Văn An", birth_date=dt.date(1980, 5, 17), reason="Khám định kỳ")
    signer = signing.TimestampSigner(salt=services.PHONE_SALT)
    phones = [f"09{first_phone + i:08d}" for i in range(len(tries))]
    tokens = [signer.sign(p) for p in phones]
    start = threading.Barrier(threads + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    booked = [0]
    lock = threading.Lock()
    shares = [list(range(n, len(tries), threads)) for n in range(threads)]

    def raw(slot_id: int, phone: str) -> None:
        with transaction.atomic():
            Slot.objects.filter(pk=slot_id).update(booked=F("booked") + 1, issued=F("issued") + 1)
            slot = Slot.objects.get(pk=slot_id)
            Appointment.objects.create(
                code=services._new_code(), slot=slot, queue_number=slot.issued, name=person.name,
                birth_date=person.birth_date, phone=phone, identifier=person.identifier, reason=person.reason,
                consent_at=timezone.now())

    def work(share: list[int]) -> None:
        try:
            start.wait()
            for i in share:
                t0 = time.perf_counter()
                try:
                    if guarded:
                        services.book(tries[i], person, tokens[i], consent=True)
                    else:
                        raw(tries[i], phones[i])
                    ok = 1
                except Conflict:
                    ok = 0
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    booked[0] += ok
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(share,)) for share in shares]
    for t in workers:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in workers:
        t.join()
    return time.perf_counter() - t0, booked[0], latencies, errors


def check_places(pool: list[int]) -> tuple[bool, str]:
    """No slot over its places, anywhere; in the pool, live bookings per slot == booked."""
    from django.db.models import Count, F, Q

    from opscenter.booking.models import Appointment, Slot

    over = Slot.objects.filter(booked__gt=F("capacity")).count()
    live = Count("appointments", filter=Q(appointments__status__in=Appointment.LIVE))
    rows = Slot.objects.filter(pk__in=pool).annotate(live=live).values_list("booked", "live", "capacity")
    mismatched = sum(1 for booked, n, _cap in rows if booked != n)
    full = sum(1 for booked, _n, cap in rows if booked == cap)
    ok = over == 0 and mismatched == 0
    return ok, (f"slots over capacity: {over}; pool slots whose bookings ≠ booked: {mismatched} of {len(rows)} "
                f"({full} full)")


# --- main ----------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--doctors", type=int, default=50, help="per facility")
    parser.add_argument("--runs", type=int, default=200, help="search runs (random specialties)")
    parser.add_argument("--api-budget", type=float, default=60.0,
                        help="seconds the API way may take in all (at least 10 runs)")
    parser.add_argument("--threads", type=int, default=8, help="in all")
    parser.add_argument("--processes", type=int, default=2, help="booking processes (1: threads of this one)")
    parser.add_argument("--bookings", type=int, default=2000, help="booking attempts per way")
    args = parser.parse_args()
    if args.quick:
        args.facilities, args.doctors, args.runs, args.bookings = 10, 5, 30, 200
    setup_django(args.database_url, args.fresh)
    from django.db import connection

    from opscenter.booking.models import Appointment

    print(f"Appointments: {args.facilities} facilities × {args.doctors} doctors × {DAYS} days × {SLOTS_PER_DAY} "
          f"slots — {describe_database()}, {machine()}")
    print("  (2 cores, shared; the database server runs on the same cores)")
    hospitals, slots = build_data(args.facilities, args.doctors)
    print(f"  {slots:,} slots of {CAPACITY} places in the database")

    print(f"\nFree-slot search, {args.runs} runs over random specialties (the ways take turns)")
    rows, found = measure_search(hospitals, args.runs, args.api_budget)
    print_table(["way", "runs", "p50 ms", "p95 ms", "max ms", "p95 ÷ baseline"], rows)
    api_p95 = found["stats"][found["api"]]["p95"]
    query_p95 = found["stats"][found["query"]]["p95"]
    sizes = found["sizes"]
    print(f"  the API's first page: {sizes['api_items']} items; count {sizes['api_total']:,} "
          f"(the API counts at most 1,000 matches)")
    print(f"  API p95 ≤ {SEARCH_TARGET_MS:.0f} ms: {verdict(api_p95 <= SEARCH_TARGET_MS)}; "
          f"query alone: {verdict(query_p95 <= SEARCH_TARGET_MS)}")
    if connection.vendor == "postgresql" and (api_p95 > SEARCH_TARGET_MS or query_p95 > SEARCH_TARGET_MS
                                              or args.quick):
        print("\n  EXPLAIN ANALYZE of the city-wide first page (general):")
        for line in explain("general").splitlines():
            print("    " + line)

    print(f"\nBooking, {args.threads} threads in {args.processes} processes, {args.bookings} attempts per way")
    if connection.vendor != "postgresql":
        print("  (SQLite has one writer: the figures say little; PostgreSQL is the target)")
    places = args.bookings // (CAPACITY + 1)
    guarded_pool = pool_of(hospitals, places, seed=2)
    taken = set(guarded_pool)
    raw_pool = [pk for pk in pool_of(hospitals, places * 3, seed=3) if pk not in taken][:places * 2]
    taken |= set(raw_pool)
    open_pool = [pk for pk in pool_of(hospitals, places * 5, seed=5) if pk not in taken][:places * 2]
    rng = random.Random(4)
    guarded_tries = [pk for pk in guarded_pool for _ in range(CAPACITY + 1)]  # one try too many per slot
    raw_tries = [pk for pk in raw_pool for _ in range(CAPACITY)][:len(guarded_tries)]  # never over the places
    open_tries = [pk for pk in open_pool for _ in range(CAPACITY)][:len(guarded_tries)]  # a place for each
    for tries in (guarded_tries, raw_tries, open_tries):
        rng.shuffle(tries)
    first_phone = Appointment.objects.count() + 1
    ways = (("inserts + booked+1, no guard (baseline)", False, raw_tries),
            ("services.book, a place for every attempt", True, open_tries),
            ("services.book, one attempt too many a slot", True, guarded_tries))
    table, rates, booked_by = [], [], []
    ok = True
    for label, guarded, tries in ways:
        seconds, booked, latencies, errors = hammer_in_processes(args.processes, args.threads, tries, guarded,
                                                                 first_phone)
        first_phone += len(tries) + args.processes
        if errors:
            ok = False
            print(f"  {label}: {len(errors)} errors, first: {errors[0]!r}")
        lat = summary_ms(latencies)
        rates.append(booked / seconds)
        booked_by.append(booked)
        table.append([label, len(latencies), booked, len(latencies) / seconds, booked / seconds,
                      lat["p50"], lat["p95"]])
    print_table(["way", "attempts", "booked", "attempts/s", "bookings/s", "p50 ms", "p95 ms"], table)
    places_ok, detail = check_places(guarded_pool + raw_pool + open_pool)
    expected = len(guarded_pool) * CAPACITY
    exact = booked_by[2] == expected and booked_by[1] == len(open_tries)
    ok = ok and places_ok and exact
    rate, contended = rates[1], rates[2]
    print(f"  {detail}; oversubscribed bookings {booked_by[2]} = places {expected}, every open attempt booked "
          f"({booked_by[1]} of {len(open_tries)}): {verdict(exact)}")
    print(f"  no double booking: {verdict(places_ok and exact)}; bookings/s ≥ {BOOKING_TARGET:.0f} with places "
          f"free: {verdict(rate >= BOOKING_TARGET)} ({rate / rates[0]:.2f} × unguarded); oversubscribed "
          f"{contended:.0f} bookings/s")
    emit_summary("booking", [
        ("free-slot search API p95 ms (city-wide, 14 days)", round(api_p95, 1), f"≤ {SEARCH_TARGET_MS:.0f}",
         api_p95 <= SEARCH_TARGET_MS),
        ("free-slot query alone p95 ms (first page)", round(query_p95, 1), f"≤ {SEARCH_TARGET_MS:.0f}",
         query_p95 <= SEARCH_TARGET_MS),
        (f"bookings/s, places free ({args.threads} threads, {args.processes} processes, services.book)",
         round(rate, 1), f"≥ {BOOKING_TARGET:.0f}", rate >= BOOKING_TARGET),
        ("bookings/s, one attempt too many a slot", round(contended, 1), "reported", None),
        ("no double booking", 1.0 if ok else 0.0, "1", ok),
        ("guarded / unguarded bookings/s (places free)", round(rate / rates[0], 2), "ratio", None),
    ])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
