"""City overview: API and page latency with years of daily reports, through Django's whole request stack.

    .venv/bin/python bench/bench_overview.py [--database-url URL] [--facilities 200] [--days 1095]

Target (PostgreSQL, 200 facilities × 3 years ≈ 219,000 reports): p95 ≤ 50 ms for the overview API.
Baseline, same run, same stack: `GET /healthz` (one `SELECT 1`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from common import (
    Figures,
    Timer,
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

TARGET_P95_MS = 50.0
CHUNK = 5000


def ensure_history(hospitals: list, days: int) -> int:
    """Daily reports for every facility from `days` days ago up to today, bulk-inserted (setup, not measured).

    Reuses what an earlier run stored: only missing recent days are added; anything else is rebuilt."""
    from django.db.models import Count, Max, Min
    from django.utils import timezone

    from opscenter.reporting import figures as read_model
    from opscenter.reporting.definitions import HOSPITAL_DAILY
    from opscenter.reporting.models import DailyFigures, DataSet, Report

    data_set = DataSet.objects.get(code=HOSPITAL_DAILY)
    today = timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    stored = Report.objects.filter(data_set=data_set, unit__in=hospitals)
    have = stored.aggregate(n=Count("id"), lo=Min("period"), hi=Max("period"))
    complete = have["n"] and have["n"] == len(hospitals) * ((have["hi"] - have["lo"]).days + 1)
    if complete and have["lo"] <= start and have["hi"] <= today:
        first = have["hi"] + dt.timedelta(days=1)
    else:
        if have["n"]:
            with step(f"removing {have['n']:,} incomplete reports"):
                stored.delete()
        first = start
    if complete and DailyFigures.objects.filter(unit__in=hospitals).count() != have["n"]:
        with step("writing the read model of the stored reports"):  # a database from before it existed
            read_model.rebuild()
    missing = (today - first).days + 1
    if missing <= 0:
        return 0
    figures = Figures(seed=len(hospitals))
    tz = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    batch: list[Report] = []
    added = 0
    with step(f"bulk-inserting {missing * len(hospitals):,} reports ({missing} days × {len(hospitals)})"):
        for n in range(missing):
            day = first + dt.timedelta(days=n)
            submitted = dt.datetime.combine(day, dt.time(8, 15), tzinfo=tz)
            for unit in hospitals:
                batch.append(Report(
                    data_set=data_set, unit=unit, period=day, values=figures.values(unit.pk, day),
                    source=Report.Source.IMPORT, submitted_at=submitted,
                ))
            if len(batch) >= CHUNK or n == missing - 1:
                Report.objects.bulk_create(batch)
                read_model.write(batch)  # what submit_many writes with each report
                added += len(batch)
                batch = []
        analyze()
    return added


def measure(client, urls: list[str], requests: int, warmup: int) -> dict[str, tuple[dict, int]]:
    """Latency of `requests` GETs of each URL after `warmup` ones: (summary, response size) by URL.

    The URLs take turns, so the baseline and the rest see the same machine (it may be shared)."""
    sizes = {}
    for url in urls:
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        sizes[url] = len(response.content)
    samples: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(requests):
        for url in urls:
            with Timer() as t:
                response = client.get(url)
            samples[url].append(t.seconds)
            assert response.status_code == 200, (url, response.status_code)
    return {url: (summary_ms(samples[url]), sizes[url]) for url in urls}


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--days", type=int, default=3 * 365, help="days of history up to today")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if args.quick:
        args.facilities, args.days, args.requests, args.warmup = 20, 120, 50, 5

    print(f"== City overview: {args.facilities} facilities × {args.days} days of daily reports ==")
    setup_django(args.database_url, args.fresh)
    from django.test import Client

    from opscenter.reporting.models import Report

    with step("organisation"):
        # One department tree per size, so quick and full runs keep their own data side by side.
        _dept, hospitals, operator = build_org(f"BENCH-OV{args.facilities}", args.facilities,
                                               f"bench_overview{args.facilities}")
    added = ensure_history(hospitals, args.days)
    total = Report.objects.count()
    print(f"  database: {describe_database()}; {total:,} reports in all"
          + (f" ({added:,} added now)" if added else " (reused)"))

    client = Client()
    client.force_login(operator)
    endpoints = [
        ("GET /healthz (baseline)", "/healthz"),
        ("GET /api/dashboard/overview", "/api/dashboard/overview"),
        ("GET /api/dashboard/trends?days=90", "/api/dashboard/trends?days=90"),
        ("GET /dashboard/ (page)", "/dashboard/"),
    ]
    for label, url in list(endpoints):
        if (status := client.get(url).status_code) != 200:
            print(f"  {label}: HTTP {status}, not measured")
            endpoints.remove((label, url))
    print(f"\n  {args.requests} requests each, taking turns, after {args.warmup} warm-up, as a department"
          f" operator; machine: {machine()}")
    measured = measure(client, [url for _label, url in endpoints], args.requests, args.warmup)
    results = {label: (*measured[url], count_queries(client, url)) for label, url in endpoints}
    base = results["GET /healthz (baseline)"][0]["p95"]
    rows = [
        [label, s["p50"], s["p95"], s["max"], s["p95"] / base, queries, size / 1024]
        for label, (s, size, queries) in results.items()
    ]
    print()
    print_table(["request", "p50 ms", "p95 ms", "max ms", "p95/baseline", "SQL queries", "KiB"], rows)

    summary = []
    print()
    for label, (s, _size, _queries) in results.items():
        if label.startswith("GET /healthz"):
            continue
        ok = s["p95"] <= TARGET_P95_MS
        summary.append((f"{label} p95 ms", round(s["p95"], 1), f"≤ {TARGET_P95_MS:.0f}", ok))
        print(f"  target: {label} p95 {s['p95']:.1f} ms ≤ {TARGET_P95_MS:.0f} ms → {verdict(ok)}"
              f" ({s['p95'] / base:.0f}× the /healthz p95 of {base:.2f} ms)")
    summary.append(("GET /healthz p95 ms (baseline)", round(base, 2), "", None))
    emit_summary("overview", summary)


if __name__ == "__main__":
    main()
