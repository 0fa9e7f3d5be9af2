"""Ambulance position updates into PostgreSQL: 1,000 updates per second sustained, without falling behind.

1,000 ambulances each send a fix every second; a gateway forwards them to POST /api/emergency/positions in
batches (the full Django stack: session auth, JSON parsing, validation, row locks, the track insert, the audit
entry and the live event). Paced run: every second's 1,000 updates must be stored within that second (the backlog
stays at zero). Then flat out, and the baseline: one update per request, measured in the same run.

Own database (PostgreSQL `opscenter_bench_emergency` by default). Run: .venv/bin/python bench/emergency_positions.py
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    argument_parser,
    describe_database,
    emit_summary,
    machine,
    print_table,
    setup_django,
    step,
    summary_ms,
)

AMBULANCES = 1000
STATIONS = 20


def build_fleet():
    from opscenter.emergency import services
    from opscenter.emergency.models import Ambulance
    from opscenter.org import services as org
    from opscenter.org.models import Unit, User
    from opscenter.org.roles import Role

    department = Unit.objects.filter(code="BENCH-SYT").first() or org.upsert_unit(
        "bench", code="BENCH-SYT", name="Sở Y tế (bench)", kind=Unit.Kind.DEPARTMENT)
    center = Unit.objects.filter(code="BENCH-CC115").first() or org.upsert_unit(
        "bench", code="BENCH-CC115", name="115 (bench)", kind=Unit.Kind.EMERGENCY_CENTER, parent=department)
    for s in range(STATIONS):
        code = f"BENCH-CC115-S{s:02d}"
        if not Unit.objects.filter(code=code).exists():
            org.upsert_unit("bench", code=code, name=f"Trạm {s}", kind=Unit.Kind.AMBULANCE_STATION, parent=center,
                            latitude=10.70 + s * 0.01, longitude=106.65)
    existing = set(Ambulance.objects.filter(code__startswith="BENCH-").values_list("code", flat=True))
    for i in range(AMBULANCES):
        code = f"BENCH-AMB-{i:04d}"
        if code not in existing:
            services.register_ambulance("bench", code=code, station=f"BENCH-CC115-S{i % STATIONS:02d}")
    user = User.objects.filter(username="bench-dispatcher").first() or org.create_user(
        "bench", username="bench-dispatcher", password=None, role=Role.DISPATCHER, unit=center)
    return user


def main() -> None:
    parser = argument_parser(__doc__)
    parser.set_defaults(database_url="postgres://postgres@127.0.0.1:5432/opscenter_bench_emergency")
    parser.add_argument("--seconds", type=int, default=20, help="length of the paced run")
    parser.add_argument("--batch", type=int, default=250, help="updates per request")
    args = parser.parse_args()
    setup_django(args.database_url, args.fresh)
    from django.test import Client
    from django.utils import timezone

    print(f"Position ingest benchmark · {describe_database()} · {machine()}")
    print("  (2 cores shared with other engineers working now: figures are lower bounds)")
    with step(f"fleet of {AMBULANCES} ambulances"):
        user = build_fleet()
    client = Client()
    client.force_login(user)
    codes = [f"BENCH-AMB-{i:04d}" for i in range(AMBULANCES)]
    clock = {"t": timezone.now() - dt.timedelta(hours=2)}  # device times, one second apart per round

    def round_of_updates() -> list[dict]:
        clock["t"] += dt.timedelta(seconds=1)
        stamp = clock["t"].isoformat()
        k = clock["t"].second / 10_000
        return [{"ambulance": c, "latitude": 10.70 + k + i / 100_000, "longitude": 106.65 + k, "time": stamp}
                for i, c in enumerate(codes)]

    def send(batch: list[dict]) -> float:
        t0 = time.perf_counter()
        response = client.post("/api/emergency/positions", json.dumps({"positions": batch}),
                               content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        return time.perf_counter() - t0

    send(round_of_updates()[: args.batch])  # warm up

    # Paced: 1,000 updates each wall-clock second, in batches; the backlog is the work not done when it is due.
    request_times, backlog_max, late_seconds = [], 0.0, 0
    start = time.perf_counter()
    for second in range(args.seconds):
        updates = round_of_updates()
        for i in range(0, len(updates), args.batch):
            request_times.append(send(updates[i:i + args.batch]))
        due = start + second + 1
        now = time.perf_counter()
        backlog_max = max(backlog_max, now - due)
        if now > due:
            late_seconds += 1
        else:
            time.sleep(due - now)
    paced_elapsed = time.perf_counter() - start
    paced_rate = args.seconds * AMBULANCES / paced_elapsed

    # Flat out: how far above the target it goes.
    t0 = time.perf_counter()
    sent = 0
    while time.perf_counter() - t0 < 8:
        updates = round_of_updates()
        for i in range(0, len(updates), args.batch):
            send(updates[i:i + args.batch])
        sent += len(updates)
    max_rate = sent / (time.perf_counter() - t0)

    # Baseline: one update per request, same stack, same run.
    single = []
    for _ in range(3):
        updates = round_of_updates()[:100]
        for u in updates:
            t1 = time.perf_counter()
            r = client.post(f"/api/emergency/ambulances/{u['ambulance']}/position",
                            json.dumps({k: u[k] for k in ("latitude", "longitude", "time")}),
                            content_type="application/json")
            assert r.status_code == 200
            single.append(time.perf_counter() - t1)
    single_rate = len(single) / sum(single)
    per_request = summary_ms(request_times)
    print_table(["run", "updates/s", "vs one-per-request", "request p50 ms", "request p95 ms"], [
        [f"paced 1,000/s, batches of {args.batch}, {args.seconds} s", paced_rate, f"{paced_rate / single_rate:.1f}×",
         per_request["p50"], per_request["p95"]],
        [f"flat out, batches of {args.batch}", max_rate, f"{max_rate / single_rate:.1f}×", "", ""],
        ["baseline: one update per request", single_rate, "1.0×", summary_ms(single)["p50"],
         summary_ms(single)["p95"]],
    ])
    ok = late_seconds == 0
    print(f"  seconds that finished late: {late_seconds} of {args.seconds} (worst backlog {max(backlog_max, 0):.3f} s)")
    print(f"  target 1,000 updates/s sustained without falling behind: {'PASS' if ok else 'MISS'}")
    emit_summary("emergency_positions", [
        ("position updates/s flat out (PostgreSQL, HTTP batches)", max_rate, "≥ 1000", max_rate >= 1000),
        ("late seconds in paced 1,000/s run", float(late_seconds), "0", ok),
    ])


if __name__ == "__main__":
    main()
