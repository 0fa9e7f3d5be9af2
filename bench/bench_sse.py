"""Live updates: from a report POSTed over HTTP to its `report.submitted` event on connected SSE clients.

    .venv/bin/python bench/bench_sse.py [--database-url URL] [--events 150] [--clients 5] [--modes ...]

A real uvicorn server (a subprocess) on the benchmark database; N clients hold `/events/stream` open with
a department operator's session; hospitals' systems POST `/api/reporting/reports` with bearer tokens.
Modes: `inprocess` (one server process, in-process bus) and `redis` (Redis pub/sub bus, `--workers 2`,
so the POST and a stream may be in different processes).
Target: event p95 ≤ 500 ms. Baseline, same run: the POST's own round trip.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import (
    ROOT,
    Figures,
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

TARGET_P95_MS = 500.0
WAIT_SECONDS = 5.0  # an event not seen by then counts as lost


class Listener(threading.Thread):
    """One SSE client: notes when each report.submitted event arrives, keyed by its `er_visits` value."""

    def __init__(self, url: str, cookies: dict, arrived: threading.Condition, stop_key: int) -> None:
        super().__init__(daemon=True)
        self.url, self.cookies, self.arrived, self.stop_key = url, cookies, arrived, stop_key
        self.times: dict[int, float] = {}
        self.status: int | None = None

    def run(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=None), cookies=self.cookies) as client,
                client.stream("GET", f"{self.url}/events/stream") as stream,
            ):
                self.status = stream.status_code
                kind = None
                for line in stream.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "report.submitted":
                        key = json.loads(line[6:])["payload"]["values"]["er_visits"]
                        now = time.perf_counter()
                        with self.arrived:
                            self.times[key] = now
                            self.arrived.notify_all()
                        if key == self.stop_key:
                            return  # closes the stream, so the server can stop at once
        except httpx.HTTPError:
            pass  # the server stopped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "opscenter.asgi:application", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--lifespan", "off",
           "--timeout-graceful-shutdown", "1"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                time.sleep(1.0 if workers > 1 else 0)  # let every worker get ready to accept
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("uvicorn did not start")


def stop_server(proc: subprocess.Popen, log: Path) -> str:
    """Stop the server; a word on the errors it logged."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    lines = log.read_text(errors="replace").splitlines()
    errors = [x for x in lines if x.startswith("ERROR:")]
    if not errors:
        return "no errors logged"
    last = [x for x in lines if x and not x.startswith((" ", "ERROR:", "Traceback", "During"))]
    return f"{len(errors)} errors logged, e.g. {last[-1] if last else errors[-1]} (log: {log})"


def streams_per_worker(proc: subprocess.Popen, port: int) -> list[int] | None:
    """How many open connections each worker process holds (Linux /proc; None elsewhere)."""
    try:
        pid = proc.pid
        children = [c for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                    if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()] or [str(pid)]
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(f"socket:[{fields[9]}]")
        counts = []
        for child in children:
            fds = Path(f"/proc/{child}/fd")
            counts.append(sum(1 for fd in fds.iterdir() if os.readlink(fd) in inodes))
        return counts
    except OSError:
        return None


def prepare(clients: int) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """The viewers' session cookies and, per hospital, (unit code, bearer token); earlier rows removed."""
    from django.test import Client

    from opscenter.org import services as org
    from opscenter.org.models import ApiToken, User
    from opscenter.org.roles import Role
    from opscenter.reporting.models import Report

    _dept, hospitals, viewer = build_org("BENCH-SSE", clients, "bench_sse_operator")
    Report.objects.filter(unit__in=hospitals).delete()
    cookies = []
    for _ in range(clients):
        client = Client()
        client.force_login(viewer)
        cookies.append({"sessionid": client.cookies["sessionid"].value})
    senders = []
    for unit in hospitals:
        username = f"bench_sse_{unit.code.lower()}"
        user = User.objects.filter(username=username).first() or org.create_user(
            "bench", username=username, password=None, role=Role.REPORTER, unit=unit)
        ApiToken.objects.filter(user=user).delete()
        senders.append((unit.code, org.issue_token("bench", user, "bench")[1]))
    return cookies, senders


def run_mode(mode: str, env: dict[str, str], args, cookies, senders) -> dict:
    from django.utils import timezone

    from opscenter.reporting.definitions import HOSPITAL_DAILY

    workers = args.workers if mode == "redis" else 1
    env = {**os.environ, **env}
    if mode == "redis":
        env |= {"REDIS_URL": args.redis_url, "EVENT_BUS_BACKEND": "redis",
                "EVENT_BUS_CHANNEL": f"opscenter.bench.{os.getpid()}"}
    log = Path(tempfile.gettempdir()) / f"opscenter-bench-uvicorn-{mode}.log"
    proc, url = start_server(env, workers, log)
    arrived = threading.Condition()
    base_key = {"inprocess": 1_000_000, "redis": 2_000_000}[mode]
    stop_key = base_key + 999_999
    listeners = [Listener(url, c, arrived, stop_key) for c in cookies]
    for listener in listeners:
        listener.start()
    today = timezone.localdate().isoformat()
    figures = Figures(seed=mode)
    post_s: list[float] = []
    event_s: list[float] = []
    health_s: list[float] = []
    lost = 0

    def send(n: int, key: int | None = None) -> tuple[int, float]:
        code, token = senders[n % len(senders)]
        key = key or base_key + n  # er_visits: unique, so each POST is a new version, its event recognisable
        values = figures.values(code, timezone.localdate()) | {"er_visits": key}
        t0 = time.perf_counter()
        body = {"data_set": HOSPITAL_DAILY, "unit": code, "period": today, "values": values}
        auth = {"Authorization": f"Bearer {token}"}
        response = http.post(f"{url}/api/reporting/reports", json=body, headers=auth)
        post_s.append(time.perf_counter() - t0)
        assert response.status_code == 201, (response.status_code, response.text[:300])
        with arrived:
            arrived.wait_for(lambda: all(key in x.times for x in listeners), timeout=WAIT_SECONDS)
        return key, t0

    # A new connection per POST, as from many hospital systems: with several workers, POSTs land on each.
    with httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as http:
        n = 0
        deadline = time.monotonic() + 30  # warm-up: until every client sees events, then a few more
        while time.monotonic() < deadline:
            key, _t0 = send(n)
            n += 1
            if all(key in x.times for x in listeners) and n >= 5:
                break
        assert all(x.status == 200 for x in listeners), [x.status for x in listeners]
        per_worker = streams_per_worker(proc, int(url.rsplit(":", 1)[1]))
        for _ in range(args.events):  # the server's own round trip for a trivial request
            t0 = time.perf_counter()
            assert http.get(f"{url}/healthz").status_code == 200
            health_s.append(time.perf_counter() - t0)
        post_s.clear()
        for i in range(args.events):
            key, t0 = send(n + i)
            for listener in listeners:
                if key in listener.times:
                    event_s.append(listener.times[key] - t0)
                else:
                    lost += 1
        post = summary_ms(post_s)
        send(0, stop_key)
    for listener in listeners:
        listener.join(timeout=5)
    errors = stop_server(proc, log)
    return {"post": post, "event": summary_ms(event_s), "healthz": summary_ms(health_s),
            "lost": lost, "workers": workers, "per_worker": per_worker, "errors": errors}


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=150, help="measured events per mode")
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--modes", default="inprocess,redis")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers in redis mode")
    args = parser.parse_args()
    if args.quick:
        args.events = 30

    print(f"== Live updates: {args.events} events × {args.clients} SSE clients ==")
    env = setup_django(args.database_url, args.fresh)
    with step("organisation, sessions, tokens"):
        cookies, senders = prepare(args.clients)
    print(f"  database: {describe_database()}; machine: {machine()}")

    results = {}
    for mode in args.modes.split(","):
        with step(f"{mode}: server, {args.clients} clients, warm-up, {args.events} events"):
            results[mode] = run_mode(mode, env, args, cookies, senders)
        if results[mode]["per_worker"]:
            print(f"    open connections per worker process: {results[mode]['per_worker']}")
        print(f"    server: {results[mode]['errors']}")

    rows = []
    for mode, r in results.items():
        label = f"{mode} ({r['workers']} worker{'s' if r['workers'] > 1 else ''})"
        rows.append([f"{label}: GET /healthz", r["healthz"]["n"], r["healthz"]["p50"], r["healthz"]["p95"],
                     r["healthz"]["max"], r["healthz"]["p95"] / r["post"]["p95"], ""])
        rows.append([f"{label}: POST (baseline)", r["post"]["n"], r["post"]["p50"], r["post"]["p95"],
                     r["post"]["max"], 1.0, ""])
        rows.append([f"{label}: event on client", r["event"]["n"], r["event"]["p50"], r["event"]["p95"],
                     r["event"]["max"], r["event"]["p95"] / r["post"]["p95"], r["lost"]])
    print()
    print_table(["latency", "samples", "p50 ms", "p95 ms", "max ms", "p95/POST p95", "lost"], rows)
    summary = []
    for mode, r in results.items():
        ok = r["event"]["p95"] <= TARGET_P95_MS and r["lost"] == 0
        print(f"  target {mode}: event p95 {r['event']['p95']:.1f} ms ≤ {TARGET_P95_MS:.0f} ms, none lost"
              f" → {verdict(ok)}")
        summary.append((f"{mode}: event p95 ms", round(r["event"]["p95"], 1), f"≤ {TARGET_P95_MS:.0f}", ok))
        summary.append((f"{mode}: POST p95 ms (baseline)", round(r["post"]["p95"], 1), "", None))
    emit_summary("sse", summary)


if __name__ == "__main__":
    main()
