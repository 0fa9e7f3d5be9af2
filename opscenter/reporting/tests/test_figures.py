"""The read model of the daily hospital report (DailyFigures, DailyBeds): written with each submission, replaced
by corrections, read by the dashboard; and the definitions it shares with the data set."""

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.cli import main
from opscenter.core.models import AuditLog
from opscenter.org import demo_data
from opscenter.org.models import BedType
from opscenter.org.roles import Role
from opscenter.reporting import demo_series, figures
from opscenter.reporting.definitions import BED_TYPES, COUNT_ELEMENTS, DISEASES
from opscenter.reporting.models import DailyBeds, DailyFigures
from opscenter.surveillance.models import Disease
from opscenter.testing import report_payload

pytestmark = pytest.mark.django_db


def submit(client, **overrides):
    response = client.post("/api/reporting/reports", report_payload(**overrides), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()["report"]


def rows_of(report_id: int) -> tuple[DailyFigures, dict[str, DailyBeds]]:
    return (DailyFigures.objects.get(report_id=report_id),
            {b.bed_type: b for b in DailyBeds.objects.filter(report_id=report_id)})


def test_a_submission_writes_its_figures_typed(api_client, city):
    report = submit(api_client(Role.REPORTER), icu_total=20, icu_occupied=17, er_visits=131, cases_dengue=4)
    row, beds = rows_of(report["id"])
    assert (row.unit.code, row.period) == ("BV-A", timezone.localdate())
    assert (row.er_visits, row.cases_dengue, row.er_waiting_for_bed) == (131, 4, 3)
    assert set(beds) == set(BED_TYPES)
    assert (beds["icu"].total, beds["icu"].occupied, beds["icu"].available) == (20, 17, 3)
    assert row.beds_total == sum(b.total for b in beds.values())
    assert row.beds_occupied == sum(b.occupied for b in beds.values())


def test_a_correction_replaces_the_figures_and_keeps_one_row_per_day(api_client, city):
    client = api_client(Role.REPORTER)
    first = submit(client, icu_total=20, icu_occupied=12)
    second = submit(client, icu_total=20, icu_occupied=19)
    assert second["version"] == 2
    assert DailyFigures.objects.filter(unit__code="BV-A").count() == 1
    assert not DailyBeds.objects.filter(report_id=first["id"]).exists()
    _row, beds = rows_of(second["id"])
    assert beds["icu"].occupied == 19
    overview = api_client(Role.OPERATOR).get("/api/dashboard/overview").json()
    facility = next(f for f in overview["facilities"] if f["code"] == "BV-A")
    assert facility["beds"]["icu"] == {"total": 20, "occupied": 19, "available": 1}


def test_a_report_without_a_bed_type_has_no_row_for_it(api_client, city):
    payload = report_payload()
    for measure in ("total", "occupied", "available"):
        del payload["values"][f"beds_obstetrics_{measure}"]
    response = api_client(Role.REPORTER).post("/api/reporting/reports", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    _row, beds = rows_of(response.json()["report"]["id"])
    assert "obstetrics" not in beds and len(beds) == len(BED_TYPES) - 1


def test_rebuild_writes_the_same_read_model(api_client, city, capsys):
    client = api_client(Role.REPORTER)
    today = timezone.localdate()
    for days_ago, occupied in ((0, 12), (1, 14), (0, 15)):
        submit(client, period=today - dt.timedelta(days=days_ago), icu_occupied=occupied)

    def snapshot():
        return (sorted(DailyFigures.objects.values_list("report_id", "period", "beds_occupied", "er_visits")),
                sorted(DailyBeds.objects.values_list("report_id", "bed_type", "total", "occupied", "available")))

    before = snapshot()
    DailyBeds.objects.filter(bed_type="icu").update(occupied=0)  # a repair by hand went wrong
    main(["rebuild-figures"])
    assert "rebuilt from 2 current reports" in capsys.readouterr().out
    assert snapshot() == before
    assert AuditLog.objects.filter(action="reporting.figures.rebuilt", actor_label="cli").exists()


def test_the_read_model_holds_every_count_of_the_data_set():
    columns = {f.name for f in DailyFigures._meta.get_fields()}
    assert set(COUNT_ELEMENTS) <= columns
    assert set(figures.COUNT_COLUMNS) == set(COUNT_ELEMENTS)


def test_bed_types_and_diseases_are_defined_once():
    assert BED_TYPES == tuple(BedType.values) == demo_data.BED_TYPES == demo_series.BED_TYPES
    assert tuple(DISEASES) == tuple(Disease.values) == demo_series.DISEASES
