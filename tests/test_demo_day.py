"""The demo behaves like a day: today's reports seeded by the hour, silent hospitals silent, and the simulator's
updates wandering around each hospital's level instead of drifting, with flags as rare as in the history."""

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from opscenter.demo import seed
from opscenter.demo.simulator import ER_RHYTHM, Simulator
from opscenter.org import demo_data
from opscenter.reporting.definitions import HOSPITAL_DAILY, split_figures
from opscenter.reporting.models import Report
from opscenter.testing import install_definitions

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(timezone.localdate(), dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def network(db):
    install_definitions()  # a transactional test before this one may have flushed what the migrations installed
    seed.seed_network()
    seed.seed_history(7)
    return [h for h in demo_data.HOSPITALS]


def today_reports() -> dict[str, Report]:
    return {r.unit.code: r for r in Report.objects.filter(data_set__code=HOSPITAL_DAILY, period=timezone.localdate(),
                                                          is_current=True).select_related("unit")}


def test_early_in_the_morning_the_earliest_hospital_reports_and_the_others_wait(network):
    assert seed.seed_today(now=at(5)) == 0
    simulator = Simulator(seed=1)
    sent = [simulator.tick(now=at(5, minute)) for minute in range(0, 30, 3)]
    assert all(report is not None for report in sent)  # the screens live at any hour
    reports = today_reports()
    earliest = min((h for h in network if h["code"] not in seed.silent_hospitals(
        (h["code"] for h in network), timezone.localdate())), key=lambda h: seed.report_time(h["code"],
                                                                                              timezone.localdate()))
    assert set(reports) == {earliest["code"]}  # its first report, then its updates; nobody else before the hour
    assert reports[earliest["code"]].version == len(sent)


def test_a_demo_started_in_the_afternoon_finds_the_morning_reports_in(network):
    codes = {h["code"] for h in network}
    silent = seed.silent_hospitals(codes, timezone.localdate())
    added = seed.seed_today(now=at(15))
    reports = today_reports()
    assert added == len(codes) - len(silent) == len(reports)
    assert not silent & set(reports)
    assert all(timezone.localtime(r.submitted_at).hour in range(7, 13) for r in reports.values())
    assert seed.seed_today(now=at(16)) == 0  # run again: nothing twice


def test_the_simulator_wanders_around_each_hospitals_level_without_drifting(network):
    seed.seed_today(now=at(15))
    simulator = Simulator(seed=7)
    now = at(15)
    for _ in range(300):  # about ten updates per hospital
        simulator.tick(now=now)
        now += dt.timedelta(seconds=4)
    hospitals = {h["code"]: h for h in network}
    silent = seed.silent_hospitals(hospitals, timezone.localdate())
    reports = today_reports()
    assert not silent & set(reports)

    waiting_ratio, occupancy_gap = [], []
    for code, report in reports.items():
        level = seed.first_report(hospitals[code], timezone.localdate())
        expected = level["er_waiting_for_bed"] * ER_RHYTHM[15]
        waiting_ratio.append((report.values["er_waiting_for_bed"] + 1) / (expected + 1))
        _counts, beds = split_figures(report.values)
        _counts, level_beds = split_figures(level)
        occupied = sum(b[1] for b in beds.values())
        occupancy_gap.append(abs(occupied - sum(b[1] for b in level_beds.values())) / sum(b[0] for b in beds.values()))
        assert all(0 <= o <= t for t, o, _a in beds.values())
    assert 0.7 <= statistics.median(waiting_ratio) <= 1.3
    assert max(occupancy_gap) < 0.05

    # The updates flag about as often as the day's first reports (their level) do, not more and more.
    day = Report.objects.filter(period=timezone.localdate())
    updates = day.filter(source=Report.Source.SIMULATOR, version__gt=1)
    share = {name: rows.filter(status=Report.Status.FLAGGED).count() / rows.count()
             for name, rows in (("first", day.filter(version=1)), ("updates", updates))}
    assert updates.count() >= 250
    assert share["updates"] <= share["first"] + 0.1, share
