"""A database holding reports from before the read model migrates forward and gets their figures."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from opscenter.testing import full_report

BEFORE = [("reporting", "0002_hospital_daily")]


@pytest.mark.slow
def test_reports_stored_before_the_read_model_get_their_figures(transactional_db):
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    unit = old.get_model("org", "Unit").objects.create(code="BV-OLD", name="Old", kind="hospital", path="/")
    old.get_model("reporting", "Report").objects.create(
        data_set=old.get_model("reporting", "DataSet").objects.get(code="HOSP_DAILY"), unit=unit,
        period=dt.date(2026, 1, 5), values=full_report(icu_occupied=17), source="api", submitted_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    from opscenter.reporting.models import DailyBeds, DailyFigures

    row = DailyFigures.objects.get(unit__code="BV-OLD")
    assert (row.er_visits, row.covid19_inpatients) == (120, None)  # a later element: not reported then
    assert DailyBeds.objects.get(unit__code="BV-OLD", bed_type="icu").occupied == 17
