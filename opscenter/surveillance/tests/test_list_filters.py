"""The surveillance lists' query filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming
it (a disease not in the list too)."""

from __future__ import annotations

import datetime as dt
import re

from opscenter.org.models import Ward
from opscenter.org.roles import Role
from opscenter.surveillance.models import Forecast
from opscenter.testing import listed, refused

from .factories import CaseFactory


def test_case_filters(city, api_client, today):
    Ward.objects.create(code="W-2", name="Phường 2", former_district="Quận 1", population=50000)
    old = CaseFactory(disease="dengue", ward="W-CL", onset_date=today - dt.timedelta(days=10))
    new = CaseFactory(disease="hfmd", ward="W-2", facility="BV-B")
    client = api_client(Role.EPIDEMIOLOGIST)

    def ids(**params):
        return {c["id"] for c in listed(client, "/api/surveillance/cases", **params)}

    assert ids() == {old.pk, new.pk}
    assert ids(disease="hfmd") == {new.pk}
    assert ids(ward="W-CL") == {old.pk}
    assert ids(date_from=(today - dt.timedelta(days=1)).isoformat()) == {new.pk}
    assert ids(date_to=(today - dt.timedelta(days=1)).isoformat()) == {old.pk}
    assert ids(ward="") == ids()
    url = "/api/surveillance/cases"
    assert refused(client, url, disease="plague") == {"disease"}
    assert refused(client, url, disease="") == {"disease"}  # as before: a blank disease is not one
    assert "ward" in refused(client, url, ward="a\x00b")
    assert "date_from" in refused(client, url, date_from="0001-01-01")
    assert refused(client, url, date_from=today.isoformat(), date_to=(today - dt.timedelta(days=1)).isoformat()) \
        == {"date_to"}


def test_signal_filters(city, api_client, today):
    # a cluster: the detection runs on the reported cases, city-wide and in the ward
    for i in range(8):
        CaseFactory(disease="dengue", ward="W-CL", onset_date=today - dt.timedelta(days=1), report_date=today,
                    patient_id=f"cluster-{i}")
    client = api_client(Role.OPERATOR)
    url = "/api/surveillance/signals"

    def rows(**params):
        return {(s["disease"], s["area"], s["alarm"]) for s in listed(client, url, **params)}

    everything = rows()
    assert ("dengue", "W-CL", True) in everything
    assert {area for _d, area, _a in everything} > {"W-CL"}
    assert rows(area="W-CL") == {r for r in everything if r[1] == "W-CL"}
    assert rows(alarm="true") == {r for r in everything if r[2]} != everything
    assert rows(disease="dengue") == {r for r in everything if r[0] == "dengue"}
    assert rows(disease="measles") == set()
    assert rows(day=(today - dt.timedelta(days=400)).isoformat()) == set()
    assert "area" in refused(client, url, area="a\x00b")
    assert refused(client, url, disease="plague") == {"disease"}
    assert "day" in refused(client, url, day="2026-02-30")
    assert "alarm" in refused(client, url, alarm="perhaps")


def _forecast(target: str, **fields) -> Forecast:
    """A forecast row as the nightly task stores it."""
    series = [1.0, 2.0]
    return Forecast.objects.create(
        run_date=dt.date(2026, 11, 1), target=target, model="test", dates=["2026-11-02", "2026-11-03"],
        mean=series, lower80=series, upper80=series, lower95=series, upper95=series, baseline=series, **fields)


def test_forecast_filters(city, api_client):
    ward = Ward.objects.get(code="W-CL")
    cases = _forecast("cases", series_key="area:CITY:dengue", disease="dengue")
    ward_cases = _forecast("cases", series_key="area:W-CL:hfmd", disease="hfmd", ward=ward)
    beds = _forecast("beds", series_key="hospital:BV-A:beds_icu", unit=city.hospital_a, bed_type="icu")
    client = api_client(Role.OPERATOR)
    url = "/api/surveillance/forecasts"

    def keys(**params):
        return {f["series_key"] for f in listed(client, url, **params)}

    assert keys() == {cases.series_key, ward_cases.series_key, beds.series_key}
    assert keys(target="beds") == {beds.series_key}
    assert keys(disease="hfmd") == {ward_cases.series_key}
    assert keys(area="CITY", target="cases") == {cases.series_key}
    assert keys(area="W-CL") == {ward_cases.series_key}
    assert keys(unit="BV-A") == {beds.series_key}
    assert keys(target="") == keys()
    # a hospital sees its own series only, whatever it asks for
    assert {f["series_key"] for f in listed(api_client(Role.HOSPITAL_MANAGER, "B"), url, unit="BV-A")} == set()
    assert refused(client, url, disease="plague") == {"disease"}
    assert "target" in refused(client, url, target="a\x1bb")


def test_the_line_list_page_filters_by_disease(city, api_client):
    dengue = CaseFactory(disease="dengue")
    hfmd = CaseFactory(disease="hfmd")
    client = api_client(Role.EPIDEMIOLOGIST)

    def linked(**params) -> set[int]:
        html = client.get("/surveillance/cases/", params).content.decode()
        return {int(i) for i in re.findall(r'href="/surveillance/cases/(\d+)/"', html)}

    assert linked() == {dengue.pk, hfmd.pk}
    assert linked(disease="hfmd") == {hfmd.pk}
    assert linked(disease="") == linked(disease="plague") == {dengue.pk, hfmd.pk}
