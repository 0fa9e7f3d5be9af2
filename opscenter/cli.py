"""The `opscenter` command: demo (embedded run), serve (production web), simulate, and Django's own."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from opscenter.core.boot import domain_apps, setup_django


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_demo(args: argparse.Namespace) -> None:
    """Prepare the embedded database with demo data (keeping what is there) and run everything in one process."""
    setup_django()
    from tqdm import tqdm

    from opscenter.core import scheduler
    from opscenter.demo import domains, seed, simulator

    print("Preparing the database…", flush=True)
    _manage("migrate", "--no-input", "-v", "0")
    seed.seed_network()
    added = seed.seed_history(
        args.days, progress=lambda days, n: tqdm(days, total=n, desc="Demo history", unit="day"),
    )
    if added:
        print(f"Added {added} daily reports of history.")
    seed.seed_today()
    domains.seed_all()
    if not args.no_simulate:
        simulator.start(args.interval)
    scheduler.start()
    url = f"http://{args.host}:{args.port}/"
    from django.conf import settings

    print(f"\nOperations center: {url}\nAPI docs: {url}api/docs\nCitizens' booking portal: {url}booking/\n"
          f"E-mails sent: {settings.EMAIL_FILE_PATH}\n"
          f"Text messages sent (booking codes): {settings.BOOKING_SMS_FILE_PATH}")
    print(f"Demo accounts (password '{seed.DEMO_PASSWORD}'):")
    for username, role, unit in seed.demo_accounts():
        print(f"  {username:<12} {role:<18} {unit}")
    print(flush=True)
    _serve(args.host, args.port, workers=1)


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run("opscenter.asgi:application", host=host, port=port, workers=workers, log_level="warning",
                timeout_graceful_shutdown=2)


SERVE_REQUIRES = ("SECRET_KEY", "ALLOWED_HOSTS")


def cmd_serve(args: argparse.Namespace) -> None:
    """Production web server (ASGI). Several workers need the Redis event bus (REDIS_URL)."""
    # The settings would invent a secret key and allow only localhost, fine for `opscenter demo`, not here.
    missing = [name for name in SERVE_REQUIRES if not os.environ.get(name, "").strip()]
    if missing:
        sys.exit(f"opscenter serve: set {' and '.join(missing)} in the environment (docs/operations.md, "
                 "'Environment'); `opscenter demo` runs without them.")
    setup_django()
    from django.conf import settings

    from opscenter.core import datadir

    datadir.prepare()
    if args.workers > 1 and settings.EVENT_BUS_BACKEND != "redis":
        sys.exit("Several workers need the Redis event bus: set REDIS_URL.")
    if args.migrate:
        _manage("migrate", "--no-input")
    else:
        _manage("check")  # a misconfiguration stops here, not on the first request that needs it
    _serve(args.host, args.port, args.workers)


def cmd_simulate(args: argparse.Namespace) -> None:
    setup_django()
    from opscenter.demo import simulator

    sent = simulator.run_blocking(args.interval, args.ticks)
    print(f"Sent {sent} simulated reports.")


def cmd_seed(args: argparse.Namespace) -> None:
    setup_django()
    from tqdm import tqdm

    from opscenter.demo import domains, seed

    _manage("migrate", "--no-input", "-v", "0")
    seed.seed_network()
    added = seed.seed_history(args.days, progress=lambda d, n: tqdm(d, total=n, desc="Demo history", unit="day"))
    added += seed.seed_today()
    print(f"Added {added} daily reports.")
    domains.seed_all()


def cmd_check_overdue(args: argparse.Namespace) -> None:
    setup_django()
    from opscenter.reporting.services import check_overdue

    print(f"Reminded {len(check_overdue())} overdue units.")


def cmd_rebuild_figures(args: argparse.Namespace) -> None:
    setup_django()
    from opscenter.reporting.services import rebuild_figures

    print(f"Daily figures rebuilt from {rebuild_figures('cli'):,} current reports.")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "manage":  # `opscenter manage migrate` == `python manage.py migrate`
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["opscenter manage", *argv[1:]])
        return
    if argv and argv[0] == "demo":
        # Before anything reads the settings (the domain apps' commands below do): the demo's data folder, and
        # its e-mails and text messages (booking codes, reminders) to files, not over the console output.
        os.environ.setdefault("OPSCENTER_DATA_DIR", str(Path.cwd() / "var"))
        os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        os.environ.setdefault("BOOKING_SMS_BACKEND", "opscenter.booking.sms.FileBackend")
    parser = argparse.ArgumentParser(prog="opscenter", description="Smart Operations Center")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="embedded run with demo data (SQLite, no servers needed)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--days", type=int, default=730, help="days of report history to seed")
    demo.add_argument("--interval", type=float, default=4.0, help="seconds between simulated reports")
    demo.add_argument("--no-simulate", action="store_true")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="production web server (uvicorn)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(func=cmd_serve)

    simulate = sub.add_parser("simulate", help="send simulated hospital reports through the services")
    simulate.add_argument("--interval", type=float, default=4.0)
    simulate.add_argument("--ticks", type=int, default=None, help="stop after this many reports")
    simulate.set_defaults(func=cmd_simulate)

    seed = sub.add_parser("seed-demo", help="load the demo network and report history")
    seed.add_argument("--days", type=int, default=730)
    seed.set_defaults(func=cmd_seed)

    overdue = sub.add_parser("check-overdue", help="remind units whose report is overdue")
    overdue.set_defaults(func=cmd_check_overdue)

    rebuild = sub.add_parser("rebuild-figures", help="write the daily figures read model again from the reports")
    rebuild.set_defaults(func=cmd_rebuild_figures)

    # Domain apps add their own commands: a module opscenter.<app>.cli with register(subparsers).
    for app in domain_apps():
        try:
            module = importlib.import_module(f"opscenter.{app}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"opscenter.{app}.cli":
                raise
            continue
        module.register(sub)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
