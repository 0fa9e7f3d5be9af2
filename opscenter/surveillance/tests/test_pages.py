"""What the epidemic and forecasts pages say, as a reader sees them: hospitals by name and the most pressing first,
accuracy in words (figures in the reader's language), detection methods in words, dates never in ISO form."""

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest

from opscenter.alerts.models import Alert
from opscenter.org import services as org
from opscenter.org.models import Unit
from opscenter.org.roles import Role
from opscenter.surveillance.models import Forecast, Signal

pytestmark = pytest.mark.django_db
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class _Text(HTMLParser):
    """The text a reader sees: no tags, no attributes (tooltips), no scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def groups(html: str, section: str) -> list[tuple[str, bool]]:
    """(group key, open) of the folded groups of a section of the forecasts page, in page order."""
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return [(key, bool(is_open)) for key, is_open in
            re.findall(r'<details class="fc-group" data-group="([^"]+)" data-level="\w+" ?(open)?>', part)]


def add_forecast(today, unit=None, target=Forecast.Target.BEDS, bed_type="icu", capacity=None, disease="",
                 ward=None, last=10.0, ahead=10.0, mae=1.5, mae_naive=2.0, mase=0.8, mase_naive=1.1):
    key = (f"hospital:{unit.code}:{'admissions' if target == Forecast.Target.ADMISSIONS else 'beds_' + bed_type}"
           if unit else f"cases:{disease}:{ward.code if ward else Signal.CITY}")
    days = [(today + dt.timedelta(days=i + 1)).isoformat() for i in range(14)]
    mean = [ahead] * 14
    return Forecast.objects.create(
        run_date=today, series_key=key, target=target, disease=disease, ward=ward, unit=unit,
        bed_type=bed_type if target == Forecast.Target.BEDS else "", capacity=capacity, model="AutoETS",
        dates=days, mean=mean, lower80=[v - 2 for v in mean], upper80=[v + 2 for v in mean],
        lower95=[v - 3 for v in mean], upper95=[v + 3 for v in mean], baseline=mean, history=[last] * 28,
        mae=mae, mae_baseline=mae_naive, mase=mase, mase_baseline=mase_naive,
        shown=Forecast.Shown.MODEL if mase < mase_naive else Forecast.Shown.NAIVE,  # as the daily task decides
    )


@pytest.fixture
def forecasts(city, today):
    """Three hospitals: A steady, B over its ICU capacity, C with admissions rising by half; city dengue cases."""
    c = org.upsert_unit("test", code="BV-C", name="Bệnh viện C", kind=Unit.Kind.HOSPITAL, parent=city.department)
    add_forecast(today, city.hospital_a, capacity=20, last=10, ahead=10)
    add_forecast(today, city.hospital_a, Forecast.Target.ADMISSIONS, last=40, ahead=41)
    add_forecast(today, city.hospital_b, capacity=10, last=9, ahead=11, mae=0.42, mae_naive=0.3, mase=1.3,
                 mase_naive=0.9)
    add_forecast(today, c, Forecast.Target.ADMISSIONS, last=20, ahead=30)
    add_forecast(today, c, capacity=30, last=12, ahead=12)
    add_forecast(today, target=Forecast.Target.CASES, disease="dengue", bed_type="", last=6, ahead=9, mae=1.5,
                 mae_naive=2.25)
    return c


def test_forecasts_grouped_by_hospital_name_the_most_pressing_first_and_the_rest_folded(api_client, forecasts):
    html = api_client(Role.OPERATOR).get("/surveillance/forecasts/").content.decode()
    assert groups(html, "hospitals") == [("BV-B", True), ("BV-C", True), ("BV-A", False)]
    text = visible(html)
    assert text.index("Bệnh viện B") < text.index("Bệnh viện C") < text.index("Bệnh viện A")
    assert "BV-A" not in text and "hospital:" not in text  # names, not codes
    assert "over capacity" in text and "rising" in text and "steady" in text
    assert "Intensive care (ICU) beds: up to 11 of 10 (110%)" in text
    assert "Admissions: 30 a day next week (+50%)" in text
    assert groups(html, "areas") == [("dengue", False)]


def test_accuracy_in_words_with_the_precise_figures_in_a_tooltip(api_client, forecasts):
    html = api_client(Role.OPERATOR).get("/surveillance/forecasts/").content.decode()
    text = visible(html)
    assert "off by 1.5 cases a day on average, better than repeating last week" in text
    assert ("repeating last week is shown: the model did no better (scaled error 1.30, against 0.90 for repeating "
            "last week)") in text
    assert ("1 series shows repeating last week instead of the model, on the days ahead (some or all) where the "
            "model did no better in the check.") in text
    assert "do not rely on" not in text
    assert "MASE" not in text and "MAE" not in text
    row = re.search(r'<tr data-series="hospital:BV-B:beds_icu".*?</tr>', html, re.S).group(0)
    assert ('title="Backtest over the last 6 weeks, a forecast made each day: MAE 0.42 (seasonal naive 0.30), '
            'MASE 1.30 (seasonal naive 0.90)"') in row


def test_vietnamese_figures_use_the_decimal_comma_and_no_jargon(api_client, forecasts):
    html = api_client(Role.OPERATOR, language="vi").get("/surveillance/forecasts/").content.decode()
    text = visible(html)
    assert "1,5" in text and "1,30" in text and "1.5" not in text
    assert "MASE" not in text and "MAE" not in text
    assert not ISO_DATE.search(text)
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text)  # the forecast's day, day first


def test_the_export_keeps_the_precise_figures(api_client, forecasts):
    response = api_client(Role.OPERATOR).get("/surveillance/forecasts/?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["Code"] == "hospital:BV-B:beds_icu")
    assert (row["Hospital or disease"], row["MAE"], row["MASE"]) == ("Bệnh viện B", "0.42", "1.3")
    assert row["Better than the seasonal naive forecast"] == "False"
    assert row["Forecast shown"] == "SeasonalNaive" and row["Why"].startswith("repeating last week is shown")


def test_a_hospital_sees_its_own_forecasts_open_and_is_told_why_no_area_forecast(api_client, forecasts):
    html = api_client(Role.HOSPITAL_MANAGER, "A").get("/surveillance/forecasts/").content.decode()
    assert groups(html, "hospitals") == [("BV-A", True)]
    assert "shown to city-wide accounts only" in visible(html)
    one = api_client(Role.OPERATOR).get("/surveillance/forecasts/?unit=BV-A").content.decode()
    assert groups(one, "hospitals") == [("BV-A", True)]


def test_nothing_computed_yet_is_explained(api_client, city):
    text = visible(api_client(Role.OPERATOR).get("/surveillance/forecasts/").content.decode())
    assert "No forecast has been computed yet" in text
    text = visible(api_client(Role.EPIDEMIOLOGIST).get("/surveillance/").content.decode())
    assert "Outbreak detection has not run yet" in text
    assert "No case forecast for this disease yet" in text


def add_signal(day, disease, method, observed, threshold, ward=None, alarm=True):
    return Signal.objects.create(day=day, disease=disease, area=ward.code if ward else Signal.CITY, ward=ward,
                                 method=method, observed=observed, expected=threshold / 3, threshold=threshold,
                                 alarm=alarm, series=[0] * 13 + [int(observed)])


def test_the_day_s_signals_of_every_disease_worst_first_methods_in_words(api_client, city, today, ward):
    add_signal(today, "measles", "ears-c1", 3, 2.5, ward)  # ears-c1 does not alert under the rule: last
    add_signal(today, "dengue", "ears-c2", 5, 4.0, ward)  # an alert
    add_signal(today, "hfmd", "cusum", 9, 3.0)  # an alert at three times the threshold: critical, first
    add_signal(today, "hfmd", "ears-c2", 9, 4.0)
    add_signal(today, "ari", "ears-c1", 1, 0.5, ward, alarm=False)  # checked, no alarm: not listed
    html = api_client(Role.EPIDEMIOLOGIST).get("/surveillance/?disease=ari").content.decode()
    order = re.findall(r'<tbody class="signal-series" data-disease="(\w+)" data-area="([\w-]+)"', html)
    assert order == [("hfmd", "CITY"), ("dengue", "W-CL"), ("measles", "W-CL")]
    text = visible(html)
    assert "Epidemic surveillance · Whole city" in text
    assert "Hand, foot and mouth disease" in text and "Measles" in text
    assert "EARS C2 compared with the 7 days before, leaving out the 2 most recent" in text
    assert "CUSUM the excess accumulated over the last 7 days" in text
    assert "ears-c2" not in text and "cusum" not in text
    assert text.index("critical alert") < text.index("for analysis")
    assert not ISO_DATE.search(text)


def test_an_old_detection_day_and_a_hospital_scope_are_said_so(api_client, city, today, ward):
    add_signal(today - dt.timedelta(days=1), "dengue", "ears-c2", 5, 4.0, ward)
    text = visible(api_client(Role.OPERATOR).get("/surveillance/").content.decode())
    yesterday = (today - dt.timedelta(days=1)).strftime("%-d %b %Y")
    assert f"Detection has not run yet today: these are the signals of {yesterday}." in text
    vi = visible(api_client(Role.OPERATOR, language="vi").get("/surveillance/").content.decode())
    assert (today - dt.timedelta(days=1)).strftime("%d/%m/%Y") in vi and not ISO_DATE.search(vi)
    hospital = visible(api_client(Role.HOSPITAL_MANAGER, "A").get("/surveillance/").content.decode())
    assert "Epidemic surveillance · Bệnh viện A" in hospital
    assert "shown to city-wide accounts only. The charts below show the cases reported by Bệnh viện A." in hospital


def test_outbreak_alert_text_names_the_method_in_words_and_no_iso_date(api_client, today):
    cases = [{"disease": "dengue", "onset_date": (today - dt.timedelta(days=2)).isoformat(),
              "report_date": today.isoformat(), "age_years": 30, "ward": "W-CL", "facility": "BV-A",
              "classification": "probable", "patient_id": f"p-{i}"} for i in range(8)]
    response = api_client(Role.REPORTER).post("/api/surveillance/cases/batch", {"cases": cases},
                                              content_type="application/json")
    assert response.status_code == 200, response.content
    alert = Alert.objects.get(dedup_key="outbreak_signal:dengue:W-CL")
    assert not ISO_DATE.search(alert.title + alert.message)
    assert today.strftime("%d/%m/%Y") in alert.message  # the site's language: day first
    assert re.search(r"EARS C\d|CUSUM|Farrington", alert.message) and "ears-" not in alert.message


def test_a_case_s_history_says_what_changed_in_words(api_client, today):
    payload = {"disease": "dengue", "onset_date": (today - dt.timedelta(days=2)).isoformat(),
               "report_date": today.isoformat(), "age_years": 30, "ward": "W-CL", "facility": "BV-A",
               "classification": "probable", "patient_id": "h-1"}
    case_id = api_client(Role.REPORTER).post("/api/surveillance/cases", payload,
                                             content_type="application/json").json()["case"]["id"]
    epi = api_client(Role.EPIDEMIOLOGIST)
    response = epi.post(f"/api/surveillance/cases/{case_id}/corrections",
                        {"changes": {"classification": "confirmed", "onset_date": (today - dt.timedelta(days=3))
                                     .isoformat()}, "reason": "lab"}, content_type="application/json")
    assert response.status_code == 200, response.content
    text = visible(epi.get(f"/surveillance/cases/{case_id}/").content.decode())
    assert "Classification: Probable → Confirmed" in text
    before, after = (today - dt.timedelta(days=2)).strftime("%-d %b %Y"), (today - dt.timedelta(days=3)).strftime(
        "%-d %b %Y")
    assert f"Onset date: {before} → {after}" in text
    assert "BV A" in text and "BV-A" not in text and not ISO_DATE.search(text)


def test_a_day_of_many_alerts_shows_the_ten_worst_and_folds_the_rest(api_client, city, today):
    from opscenter.org.models import Ward

    for i in range(12):
        ward = Ward.objects.create(code=f"W-{i:02}", name=f"Phường {i:02}", population=10000)
        add_signal(today, "dengue", "ears-c2", 3 + i, 1.0, ward)
    html = api_client(Role.EPIDEMIOLOGIST).get("/surveillance/").content.decode()
    shown, folded = html.split('<details class="signals-more">', 1)
    assert re.findall(r'<tbody class="signal-series" data-disease="dengue" data-area="([\w-]+)"', shown) == [
        f"W-{i:02}" for i in range(11, 1, -1)]
    assert "2 more diseases and areas with an alert" in visible(folded)
    assert 'data-area="W-01"' in folded and 'data-area="W-00"' in folded
