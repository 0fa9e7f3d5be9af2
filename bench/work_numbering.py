"""Registration with gap-free yearly numbering under 20 concurrent clerks: `documents.register_incoming` (locks the
register's counter row) against `documents.draft_outgoing` (the same service work — validation, audit, trail,
event — without a number), same threads, same run.

    .venv/bin/python bench/work_numbering.py [--database-url URL] [--clerks 20] [--per-clerk 50] [--quick]

Checks: the numbers given are exactly 1..N (no gap, no duplicate). Figures: documents per second, and the
numbered throughput as a share of the unnumbered one. Each run uses a fresh register (unit BENCH-NUM-<n>).
"""

from __future__ import annotations

import sys
import threading
import time

from common import (
    argument_parser,
    describe_database,
    emit_summary,
    machine,
    print_table,
    setup_django,
    summary_ms,
    verdict,
)


def clerks_of(count: int):
    from opscenter.org import services as org
    from opscenter.org.models import Unit, User
    from opscenter.org.roles import Role

    run = Unit.objects.filter(code__startswith="BENCH-NUM-").count() + 1
    unit = org.upsert_unit("bench", code=f"BENCH-NUM-{run}", name=f"Văn thư (bench {run})",
                           kind=Unit.Kind.DEPARTMENT)
    return unit, [User.objects.filter(username=f"bench-num-{run}-{i}").first() or org.create_user(
        "bench", username=f"bench-num-{run}-{i}", password=None, role=Role.CLERK, unit=unit) for i in range(count)]


def hammer(clerks: list, per_clerk: int, numbered: bool) -> tuple[float, list[float], list[int], list[BaseException]]:
    """Every clerk registers `per_clerk` documents at once; returns (seconds, latencies, numbers, errors)."""
    from django.db import connection
    from django.utils import timezone

    from opscenter.work.services import documents

    start = threading.Barrier(len(clerks) + 1)
    latencies: list[float] = []
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(clerk) -> None:
        try:
            start.wait()
            for i in range(per_clerk):
                fields = documents.DocumentFields(
                    summary=f"Văn bản {clerk.username} số {i}", number_symbol=f"{i + 1}/UBND-VX",
                    issue_date=timezone.localdate(), issuing_body="Ủy ban nhân dân Thành phố")
                t0 = time.perf_counter()
                doc, _ = (documents.register_incoming if numbered else documents.draft_outgoing)(clerk, fields)
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    if doc.register_number is not None:
                        numbers.append(doc.register_number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, numbers, errors


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.set_defaults(database_url=parser.get_default("database_url").replace("opscenter_bench",
                                                                                 "opscenter_bench_work"))
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--per-clerk", type=int, default=50)
    args = parser.parse_args()
    if args.quick:
        args.per_clerk = 10
    setup_django(args.database_url, args.fresh)
    print(f"Registration under {args.clerks} concurrent clerks — {describe_database()}, {machine()}")
    print("  (2 cores shared with other engineers' work, and the clerks are threads of this one process)")
    _unit, clerks = clerks_of(args.clerks)
    total = args.clerks * args.per_clerk
    rows, rates = [], {}
    for label, numbered in (("unnumbered drafts (baseline)", False), ("numbered registration", True)):
        seconds, latencies, numbers, errors = hammer(clerks, args.per_clerk, numbered)
        if errors:
            print(f"  {label}: {len(errors)} errors, first: {errors[0]!r}")
        lat = summary_ms(latencies)
        rates[numbered] = len(latencies) / seconds
        rows.append([label, len(latencies), rates[numbered], lat["p50"], lat["p95"], lat["max"]])
        if numbered:
            gap_free = sorted(numbers) == list(range(1, total + 1))
    print_table(["way", "documents", "docs/s", "p50 ms", "p95 ms", "max ms"], rows)
    share = rates[True] / rates[False]
    print(f"  numbers 1..{total}, no gap, no duplicate: {verdict(gap_free)}; "
          f"numbered throughput = {share:.2f} × unnumbered")
    emit_summary("work_numbering", [
        ("numbered registrations/s (20 clerks)", round(rates[True], 1), "measured", None),
        ("gap-free numbering", 1.0 if gap_free else 0.0, "1", gap_free),
        ("numbered / unnumbered throughput", round(share, 2), "ratio", None),
    ])
    sys.exit(0 if gap_free else 1)


if __name__ == "__main__":
    main()
