"""The scheduled tasks: forecasts from the hospital reports (and the capacity alert), retention."""

import datetime as dt
import re

import pytest

from opscenter.alerts.models import Alert, AlertRule
from opscenter.org.roles import Role
from opscenter.surveillance import tasks
from opscenter.surveillance.models import Case, Forecast
from opscenter.testing import load_daily_history

pytestmark = pytest.mark.django_db


def test_daily_forecasts_with_backtest_and_an_alert_when_demand_exceeds_capacity(api_client, today):
    AlertRule.objects.filter(code="forecast_beds_exceed_capacity").update(
        params={"within_days": 7, "share": 0.95, "use": "upper80", "min_capacity": 5})
    load_daily_history(today)
    assert tasks.compute_forecasts.apply().get() >= 8
    icu = Forecast.objects.get(series_key="hospital:BV-A:beds_icu")
    assert icu.capacity == 20 and len(icu.mean) == 14 and icu.dates[0] == (today + dt.timedelta(days=1)).isoformat()
    assert all(lo <= m <= hi for lo, m, hi in zip(icu.lower95, icu.mean, icu.upper95, strict=True))
    assert icu.mae is not None and icu.mase is not None and icu.mae_baseline is not None
    alert = Alert.objects.get(kind="forecast_capacity", unit__code="BV-A", payload__bed_type="icu")
    assert alert.payload["capacity"] == 20 and alert.evidence_url.endswith("unit=BV-A")
    body = api_client(Role.HOSPITAL_MANAGER).get("/api/surveillance/forecasts/hospital/BV-A").json()
    assert {f["series_key"] for f in body} >= {"hospital:BV-A:admissions", "hospital:BV-A:beds_icu"}
    assert api_client(Role.HOSPITAL_MANAGER, "B").get("/api/surveillance/forecasts/hospital/BV-A").status_code == 404
    page = api_client(Role.OPERATOR).get("/surveillance/forecasts/?unit=BV-A").content.decode()
    row = re.search(r'<tr data-series="hospital:BV-A:beds_icu".*?</tr>', page, re.S).group(0)
    assert re.search(r">(off by [\d.]+ beds on average, better than repeating last week|repeating last week is shown"
                     r"[^<]*the model did no better[^<]*scaled error [\d.]+, against [\d.]+ for repeating last week"
                     r"[^<]*)<", row)
    assert 'title="Backtest over the last 6 weeks, a forecast made each day: MAE ' in row  # for analysts


def test_personal_data_is_erased_after_the_retention_period(api_client, today, settings):
    settings.SURVEILLANCE_PERSONAL_DATA_DAYS = 30
    client = api_client(Role.REPORTER)
    for days_ago, pid in ((40, "old"), (5, "new")):
        day = today - dt.timedelta(days=days_ago)
        client.post("/api/surveillance/cases", {
            "disease": "measles", "onset_date": day.isoformat(), "report_date": day.isoformat(), "age_years": 3,
            "ward": "W-CL", "facility": "BV-A", "classification": "suspected", "patient_id": pid,
            "patient_name": f"patient {pid}"}, content_type="application/json")
    assert tasks.erase_expired_personal_data.apply().get() == 1
    old, new = Case.objects.order_by("report_date")
    assert (old.patient_name, old.patient_key) == ("", "") and old.personal_data_erased_at is not None
    assert new.patient_name == "patient new" and new.patient_key
    assert old.disease == "measles"  # still counted
