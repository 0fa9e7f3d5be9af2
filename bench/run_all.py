"""Run the benchmarks (`make bench`), each in its own process, then print one summary.

    .venv/bin/python bench/run_all.py [--database-url URL] [--quick] [--fresh] [--only overview,ingest,sse]

By default the platform's three (overview, ingest, sse), which take the options above. `--all` adds every
other `bench/*.py` script, run with its own defaults; `--only` also takes their names (e.g. `work_search`).
Exits non-zero if a benchmark fails to run; missed targets are reported, not failures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from common import argument_parser, machine, print_table

HERE = Path(__file__).resolve().parent
BENCHMARKS = {"overview": "bench_overview.py", "ingest": "bench_ingest.py", "sse": "bench_sse.py"}
OTHERS = {
    p.stem: p.name for p in sorted(HERE.glob("*.py"))
    if p.name not in {*BENCHMARKS.values(), "common.py", "run_all.py"} and not p.name.startswith("_")
}


def run(script: str, extra: list[str]) -> tuple[dict | None, float, int]:
    """Run one benchmark, echoing its output; returns its summary, duration and exit code."""
    started = time.perf_counter()
    cmd = [sys.executable, "-u", str(HERE / script), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    summary = None
    for line in proc.stdout:
        if line.startswith("SUMMARY "):
            summary = json.loads(line[len("SUMMARY "):])
        else:
            print(line, end="", flush=True)
    return summary, time.perf_counter() - started, proc.wait()


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help="some of: " + ", ".join([*BENCHMARKS, *OTHERS]))
    parser.add_argument("--all", action="store_true", help="also every other bench/*.py script")
    args = parser.parse_args()
    names = args.only.split(",") + (list(OTHERS) if args.all else [])
    extra = ["--database-url", args.database_url] + (["--quick"] if args.quick else [])
    print(f"Benchmarks on {args.database_url}; machine: {machine()}\n", flush=True)

    rows, failed = [], []
    for n, name in enumerate(names):
        if name in OTHERS:
            summary, seconds, code = run(OTHERS[name], [])
        else:  # --fresh drops the database once, before the first benchmark only.
            fresh = ["--fresh"] if args.fresh and n == 0 else []
            summary, seconds, code = run(BENCHMARKS[name], extra + fresh)
        print(f"  ({name}: {seconds:.0f} s)\n", flush=True)
        if code or summary is None:
            failed.append(name)
            rows.append([name, "FAILED", f"exit code {code}", "", ""])
            continue
        for figure, value, target, ok in summary["rows"]:
            rows.append([name, figure, value, target, "" if ok is None else ("PASS" if ok else "MISS")])
    print(f"== Summary ({machine()}) ==")
    print_table(["bench", "figure", "value", "target", ""], rows)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
