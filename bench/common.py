"""Shared by the benchmarks: a separate database, Django set up on it, a small organisation, statistics.

Never touches the developer's `var/` database: every benchmark runs on its own (PostgreSQL database
`opscenter_bench` by default, created when missing; or any `--database-url`, e.g. `sqlite:///tmp/bench.db`).
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opscenter_bench"
# Shared with the uvicorn processes the SSE benchmark starts, so their session cookies are valid there.
SECRET_KEY = "opscenter-bench-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- command line, environment, database -----------------------------------------------------------

def argument_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                        help=f"database of the benchmarks (default {DEFAULT_DATABASE_URL})")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a quick look")
    return parser


def bench_env(database_url: str) -> dict[str, str]:
    """The environment of the benchmark process (and of the servers it starts)."""
    data_dir = os.environ.get("BENCH_DATA_DIR")
    if not data_dir:
        data_dir = tempfile.mkdtemp(prefix="opscenter-bench-")
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return {
        "DJANGO_SETTINGS_MODULE": "opscenter.settings",
        "DATABASE_URL": database_url,
        "OPSCENTER_DATA_DIR": data_dir,
        "BENCH_DATA_DIR": data_dir,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "0",  # DEBUG would keep every SQL query in memory
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "EVENT_BUS_BACKEND": "inprocess",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def _ensure_postgres_database(database_url: str, fresh: bool) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    name = cfg["NAME"]
    params = {"dbname": "postgres", "user": cfg.get("USER") or "postgres", "host": cfg.get("HOST") or None,
              "port": cfg.get("PORT") or None, "password": cfg.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str, fresh: bool = False) -> dict[str, str]:
    """Create the benchmark database if needed, set the environment, `django.setup()`, migrate.

    Returns the environment, for servers started by the benchmark."""
    if database_url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(database_url, fresh)
    elif database_url.startswith("sqlite:///") and fresh:
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = bench_env(database_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def machine() -> str:
    """Cores and load: the benchmarks are only as quiet as the machine they share."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load}"


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the organisation -----------------------------------------------------------------------------

def build_org(prefix: str, facilities: int, operator: str) -> tuple[Any, list[Any], Any]:
    """A department `prefix` with `facilities` hospitals reporting HOSP_DAILY, and a department operator.

    Kept between runs: only what is missing is created."""
    from opscenter.org import services as org
    from opscenter.org.models import Unit, User
    from opscenter.org.roles import Role
    from opscenter.reporting.definitions import HOSPITAL_DAILY
    from opscenter.reporting.models import DataSet

    department = Unit.objects.filter(code=prefix).first() or org.upsert_unit(
        "bench", code=prefix, name=f"Sở Y tế ({prefix})", kind=Unit.Kind.DEPARTMENT)
    codes = [f"{prefix}-BV{i:03d}" for i in range(1, facilities + 1)]
    existing = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    rng = random.Random(prefix)
    hospitals = []
    for i, code in enumerate(codes, 1):
        unit = existing.get(code) or org.upsert_unit(
            "bench", code=code, name=f"Bệnh viện {prefix} số {i}", short_name=f"BV {i}",
            kind=Unit.Kind.HOSPITAL, parent=department, level=Unit.Level.CITY,
            latitude=round(10.70 + rng.random() * 0.15, 5), longitude=round(106.60 + rng.random() * 0.15, 5),
        )
        hospitals.append(unit)
    DataSet.objects.get(code=HOSPITAL_DAILY).reporting_units.add(*hospitals)
    user = User.objects.filter(username=operator).first() or org.create_user(
        "bench", username=operator, password=None, role=Role.OPERATOR, unit=department)
    return department, hospitals, user


class Figures:
    """Daily report values: `opscenter.testing.full_report` with per-facility size and daily variation,
    always consistent (occupied + available = total), so they pass validation."""

    def __init__(self, seed: Any = 0) -> None:
        self.rng = random.Random(seed)
        self.sizes: dict[Any, float] = {}

    def values(self, unit: Any, day: Any) -> dict[str, int]:
        from opscenter.reporting.definitions import BED_TYPES, bed_element
        from opscenter.testing import full_report

        rng = self.rng
        size = self.sizes.setdefault(unit, rng.uniform(0.4, 3.0))
        season = 0.70 + 0.10 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365)
        values: dict[str, int] = {}
        for bed_type in BED_TYPES:
            total = max(5, round((12 if bed_type == "icu" else 30) * size))
            occupied = min(total, round(total * min(0.93, max(0.2, rng.gauss(season, 0.07)))))
            values |= {bed_element(bed_type, "total"): total, bed_element(bed_type, "occupied"): occupied,
                       bed_element(bed_type, "available"): total - occupied}
        er_visits = max(1, round(120 * size * rng.uniform(0.8, 1.2)))
        return full_report(
            **values, ventilators_total=max(2, round(10 * size)), ventilators_in_use=rng.randint(0, 2),
            er_visits=er_visits, er_waiting_for_bed=rng.randint(0, 8), admissions=round(er_visits * 0.3),
            discharges=round(er_visits * 0.29), deaths=rng.randint(0, 2), cases_dengue=rng.randint(0, 6),
            cases_ari=rng.randint(0, 12), cases_hfmd=rng.randint(0, 3),
        )


# --- measuring --------------------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/max/mean in milliseconds of durations in seconds."""
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "max": max(ms, default=math.nan), "mean": statistics.fmean(ms) if ms else math.nan}


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


@contextmanager
def step(label: str):
    """Print what is being prepared and how long it took."""
    print(f"  {label} …", end="", flush=True)
    with Timer() as t:
        yield
    print(f" {t.seconds:.1f} s", flush=True)


def fmt(x: Any, digits: int | None = None) -> str:
    if isinstance(x, float):
        digits = digits if digits is not None else (2 if abs(x) < 10 else 1)
        return "—" if math.isnan(x) else f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Text left-aligned, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    left = [all(isinstance(row[i], str) for row in rows) for i in range(len(headers))]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        padded = [c.ljust(w) if text else c.rjust(w) for c, w, text in zip(row, widths, left, strict=True)]
        print("  " + "  ".join(padded))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def emit_summary(bench: str, rows: list[tuple[str, float, str, bool | None]]) -> None:
    """The last line of each benchmark, read by run_all.py: (figure, value, target, met or None)."""
    print("SUMMARY " + json.dumps({"bench": bench, "rows": rows}), flush=True)
