"""The embedded scheduler reads CELERY_BEAT_SCHEDULE as beat does: intervals and crontab entries."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

from celery.schedules import crontab

from opscenter.core import scheduler

HCMC = ZoneInfo("Asia/Ho_Chi_Minh")


def entry(settings, schedule) -> object:
    settings.CELERY_BEAT_SCHEDULE = {"job": {"task": "opscenter.core.tasks.sweep_outbox", "schedule": schedule}}
    return scheduler.schedules()["job"][1]


def test_a_daily_crontab_runs_at_its_local_time_once_a_day(settings, monkeypatch):
    job = entry(settings, crontab(hour=2, minute=0))
    ran_at = dt.datetime(2026, 3, 10, 2, 0, 5, tzinfo=HCMC)

    def at(hour: int, minute: int, day: int = 10) -> bool:
        monkeypatch.setattr(job, "now", lambda: dt.datetime(2026, 3, day, hour, minute, tzinfo=HCMC))
        return scheduler.due(job, ran_at)

    assert scheduler.due(job, None)  # never run: at start, as every entry of the embedded scheduler
    assert not at(2, 1) and not at(23, 59) and not at(1, 59, day=11)
    assert at(2, 0, day=11) and at(9, 30, day=11)  # the next night (or later, if the machine slept)


def test_seconds_are_an_interval(settings, monkeypatch):
    job = entry(settings, 30.0)
    ran_at = dt.datetime(2026, 3, 10, 8, 0, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(job, "now", lambda: ran_at + dt.timedelta(seconds=29))
    assert not scheduler.due(job, ran_at)
    monkeypatch.setattr(job, "now", lambda: ran_at + dt.timedelta(seconds=31))
    assert scheduler.due(job, ran_at)


def test_the_shipped_schedule_runs_daily_jobs_at_night_and_sweeps_the_outbox_often(settings):
    entries = scheduler.schedules()
    assert isinstance(entries["compute-forecasts"][1], crontab)
    assert entries["compute-forecasts"][1].hour == {2}
    assert entries["outbox-sweep"][1].run_every.total_seconds() <= 60


def test_the_thread_runs_each_task_and_stops(settings, monkeypatch):
    ran = threading.Event()
    settings.CELERY_BEAT_SCHEDULE = {"job": {"task": "opscenter.core.tasks.sweep_outbox", "schedule": 3600.0}}
    from opscenter.core import outbox

    monkeypatch.setattr(outbox, "sweep", lambda: ran.set() or 0)
    stop = scheduler.start()
    try:
        assert ran.wait(10)
    finally:
        stop.set()
