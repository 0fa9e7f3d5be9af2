"""Report ingestion: the service layer (`submit_many`, `submit`) against raw inserts of the same rows.

    .venv/bin/python bench/bench_ingest.py [--database-url URL] [--rows 6000] [--batch 200] [--profile]

Target: `submit_many` throughput ≥ a raw `Report.objects.bulk_create` of the same rows, same batches.
Every round writes fresh (unit, period) pairs, so the service really inserts; the benchmark's own units
(department BENCH-ING) and their reports are removed at the start and the end.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import pstats
import re
import statistics
import zoneinfo
from collections import Counter

from common import (
    Figures,
    Timer,
    argument_parser,
    build_org,
    describe_database,
    emit_summary,
    machine,
    print_table,
    setup_django,
    step,
    verdict,
)

TARGET_RATIO = 1.0  # the service path (validation, versions, read model, audit, events) as fast as a raw insert
FIRST_PERIOD = dt.date(2015, 1, 1)  # far from the recent days the dashboards read
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


class Ingest:
    """Hands out fresh periods: every call of every method writes rows never written before."""

    def __init__(self, units: list, actor, data_set) -> None:
        self.units, self.actor, self.data_set = units, actor, data_set
        self.next_period = FIRST_PERIOD
        self.figures = Figures(seed="ingest")

    def batches(self, rows: int) -> list[tuple[dt.date, list[dict]]]:
        """`rows` rows as (period, one values dict per unit), prepared before timing."""
        out = []
        for _ in range(max(1, rows // len(self.units))):
            day = self.next_period
            self.next_period += dt.timedelta(days=1)
            out.append((day, [self.figures.values(u.pk, day) for u in self.units]))
        return out

    def submitted_at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8, 15), tzinfo=TZ)

    # --- the measured ways in; each returns (rows, seconds) ---

    def service_batches(self, batches) -> tuple[int, float]:
        from opscenter.reporting.definitions import HOSPITAL_DAILY
        from opscenter.reporting.services import Submission, submit_many

        seconds = rows = 0
        for day, values in batches:
            submissions = [Submission(HOSPITAL_DAILY, u.code, day, v)
                           for u, v in zip(self.units, values, strict=True)]
            with Timer() as t:
                outcomes = submit_many(self.actor, submissions)
            seconds += t.seconds
            rows += sum(o.created for o in outcomes)
        return rows, seconds

    def service_batches_without_alert_rules(self, batches) -> tuple[int, float]:
        """Diagnostic: the same, with the alert-rule subscriber detached from the event bus for the while."""
        from opscenter.alerts.rules import on_event
        from opscenter.core import events

        attached = on_event in events._handlers
        if attached:
            events._handlers.remove(on_event)
        try:
            return self.service_batches(batches)
        finally:
            if attached:
                events.subscribe(on_event)

    def service_single(self, batches) -> tuple[int, float]:
        from opscenter.reporting.definitions import HOSPITAL_DAILY
        from opscenter.reporting.services import Submission, submit

        seconds = rows = 0
        for day, values in batches:
            for unit, v in zip(self.units, values, strict=True):
                submission = Submission(HOSPITAL_DAILY, unit.code, day, v)
                with Timer() as t:
                    outcome = submit(self.actor, submission)
                seconds += t.seconds
                rows += outcome.created
        return rows, seconds

    def bulk_create(self, batches) -> tuple[int, float]:
        from opscenter.reporting.models import Report

        rows = 0
        with Timer() as t:
            for day, values in batches:
                Report.objects.bulk_create([
                    Report(data_set=self.data_set, unit=u, period=day, values=v, source=Report.Source.API,
                           submitted_by=self.actor, submitted_at=self.submitted_at(day))
                    for u, v in zip(self.units, values, strict=True)
                ])
                rows += len(values)
        return rows, t.seconds

    def executemany(self, batches) -> tuple[int, float]:
        from django.db import connection, transaction

        from opscenter.reporting.models import Report

        columns = ["data_set_id", "unit_id", "period", "version", "is_current", "values", "status", "flags",
                   "source", "submitted_by_id", "submitted_at", "idempotency_key", "comment", "unmapped", "measure"]
        sql = (f"INSERT INTO {connection.ops.quote_name(Report._meta.db_table)} "
               f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        ops = connection.ops
        rows = 0
        with Timer() as t:
            for day, values in batches:
                period = ops.adapt_datefield_value(day)
                at = ops.adapt_datetimefield_value(self.submitted_at(day))
                params = [
                    (self.data_set.pk, u.pk, period, 1, True, json.dumps(v), "accepted", "[]", "api",
                     self.actor.pk, at, None, "", "{}", "")
                    for u, v in zip(self.units, values, strict=True)
                ]
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(sql, params)
                rows += len(params)
        return rows, t.seconds


def clean(units: list) -> None:
    from opscenter.core.models import AuditLog
    from opscenter.reporting.models import Report

    Report.objects.filter(unit__in=units).delete()
    AuditLog.objects.filter(unit_code__in=[u.code for u in units]).delete()


def query_histogram(ingest: Ingest, batches) -> Counter:
    """The SQL statements one service batch runs, by kind and first table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        ingest.service_batches(batches)
    counts: Counter = Counter()
    for q in ctx.captured_queries:
        sql = q["sql"]
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
        counts[f"{sql.split()[0]} {table.group(1) if table else ''}".strip()] += 1
    return counts


def profile(ingest: Ingest, batches) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    ingest.service_batches(batches)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print("\n  cProfile of submit_many, by cumulative time (opscenter code):")
    stats.sort_stats("cumulative").print_stats(r"opscenter/", 18)
    print("  … and by own time (everything):")
    stats.sort_stats("tottime").print_stats(14)


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6_000, help="rows per method per round")
    parser.add_argument("--batch", type=int, default=200, help="reports per submit_many call (= units)")
    parser.add_argument("--single", type=int, default=1_000, help="rows sent one by one with submit()")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile submit_many even if on target")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.single, args.rounds = 2_000, 200, 1

    print(f"== Report ingestion: {args.rounds} rounds × {args.rows:,} rows, batches of {args.batch} ==")
    setup_django(args.database_url, args.fresh)
    from opscenter.reporting.definitions import HOSPITAL_DAILY
    from opscenter.reporting.models import DataSet

    with step("organisation"):
        _dept, units, actor = build_org("BENCH-ING", args.batch, "bench_ingest")
    ingest = Ingest(units, actor, DataSet.objects.get(code=HOSPITAL_DAILY))
    with step("removing rows of earlier runs"):
        clean(units)
    print(f"  database: {describe_database()}; machine: {machine()}")

    methods = {
        "service submit_many": ingest.service_batches,
        "raw bulk_create (baseline)": ingest.bulk_create,
        "raw cursor.executemany": ingest.executemany,
        "submit_many, no alert rules": ingest.service_batches_without_alert_rules,
    }
    for fn in methods.values():  # warm-up: connections, caches, the planner
        fn(ingest.batches(args.batch))
    queries = query_histogram(ingest, ingest.batches(args.batch))

    rates: dict[str, list[float]] = {name: [] for name in methods}
    for r in range(args.rounds):
        for name, fn in methods.items():
            batches = ingest.batches(args.rows)
            rows, seconds = fn(batches)
            rates[name].append(rows / seconds)
            print(f"  round {r + 1}: {name:<30} {rows:>7,} rows in {seconds:6.2f} s"
                  f" = {rows / seconds:>9,.0f} rows/s", flush=True)
    single_rows, single_seconds = ingest.service_single(ingest.batches(args.single))
    rates["service submit (one by one)"] = [single_rows / single_seconds]

    base = statistics.median(rates["raw bulk_create (baseline)"])
    print()
    print_table(["method", "rows/s (median)", "ms per row", "ratio to bulk_create"], [
        [name, statistics.median(r), 1000 / statistics.median(r), statistics.median(r) / base]
        for name, r in rates.items()
    ])
    service = statistics.median(rates["service submit_many"])
    ratio = service / base
    print(f"\n  SQL statements per submit_many of {args.batch}: {sum(queries.values())}  "
          + ", ".join(f"{n}× {k}" for k, n in queries.most_common()))
    print(f"  target: submit_many {service:,.0f} rows/s ≥ {TARGET_RATIO} × bulk_create {base:,.0f} rows/s"
          f" → ratio {ratio:.2f} → {verdict(ratio >= TARGET_RATIO)}")
    if ratio < TARGET_RATIO or args.profile:
        profile(ingest, ingest.batches(min(args.rows, 5 * args.batch)))
    with step("removing the benchmark's rows"):
        clean(units)
    emit_summary("ingest", [
        ("submit_many rows/s", round(service), "", None),
        ("bulk_create rows/s (baseline)", round(base), "", None),
        ("executemany rows/s", round(statistics.median(rates["raw cursor.executemany"])), "", None),
        ("submit_many w/o alert rules rows/s", round(statistics.median(rates["submit_many, no alert rules"])),
         "", None),
        ("submit one by one rows/s", round(rates["service submit (one by one)"][0]), "", None),
        ("submit_many / bulk_create", round(ratio, 2), f"≥ {TARGET_RATIO}", ratio >= TARGET_RATIO),
        ("SQL statements per batch", sum(queries.values()), "", None),
    ])


if __name__ == "__main__":
    main()
