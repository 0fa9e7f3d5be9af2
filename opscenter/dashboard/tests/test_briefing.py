"""The morning briefing PDF through HTTP, as each role gets it, in Vietnamese and English: its text read back
with pypdf, page by page."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from opscenter.alerts.models import Alert
from opscenter.alerts.services import AlertCandidate, raise_alert
from opscenter.core import texts
from opscenter.dashboard.briefing import ALERT_ITEMS, short_date
from opscenter.emergency.models import Incident
from opscenter.emergency.tests.factories import AmbulanceFactory, IncidentFactory
from opscenter.org import services as org
from opscenter.org.models import Unit, User
from opscenter.org.roles import Role
from opscenter.org.tests.factories import StationFactory
from opscenter.reporting import services
from opscenter.reporting.definitions import BED_TYPES, HOSPITAL_DAILY, bed_element
from opscenter.reporting.models import DataSet
from opscenter.testing import full_report
from opscenter.vision.models import LocationKind, VisionEvent

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_CODES = ("corridor", "reporting", "vision", "surveillance", "camera_crowding", "bed_occupancy",
             "report_overdue", "er_waiting", "critical", "warning", "acknowledged")


def pages(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.content[:300]
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text().replace("\xa0", " ") for page in reader.pages]


def briefing(api_client, role: str, language: str, hospital: str = "A", day: dt.date | None = None) -> list[str]:
    url = "/dashboard/briefing.pdf" + (f"?date={day.isoformat()}" if day else "")
    return pages(api_client(role, hospital, language=language).get(url))


def in_language(language: str, func, *args):
    with translation.override(language):
        return str(func(*args))


def beds(total: int, occupied: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for bed_type in BED_TYPES:
        values |= {bed_element(bed_type, "total"): total, bed_element(bed_type, "occupied"): occupied,
                   bed_element(bed_type, "available"): total - occupied}
    return values


def submit(unit: str, period: dt.date, **values) -> None:
    services.submit("test", services.Submission(
        data_set=HOSPITAL_DAILY, unit=unit, period=period, values=full_report(**values), source="simulator",
    ))


def alert(unit: Unit, title: str | Callable[[], str], *, severity: str = "warning", kind: str = "test",
          source: str = "reporting", minutes_ago: int = 0, **fields) -> Alert:
    """`title`: a text, or what writes it in the active language, kept in every language as the rules keep it."""
    titles = texts.each_language(title) if callable(title) else {}
    site_title = titles[settings.LANGUAGE_CODE] if titles else str(title)
    created, _ = raise_alert(AlertCandidate(source=source, kind=kind, severity=severity, unit=unit, title=site_title,
                                            texts={"title": titles} if titles else {},
                                            dedup_key=f"test:{unit.code}:{site_title}", **fields))
    Alert.objects.filter(pk=created.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return created


@pytest.fixture
def busy_city(city, today):
    """BV-A at 92.8 % occupancy today (80 % the day before), BV-B silent and yesterday's report overdue; alerts of
    several sources and kinds, and many more than the briefing lists."""
    yesterday = today - dt.timedelta(days=1)
    submit("BV-A", yesterday, **beds(125, 100), er_waiting_for_bed=4)
    submit("BV-A", today, **beds(125, 116), er_waiting_for_bed=12)
    a, b = city.hospital_a, city.hospital_b
    alert(a, lambda: gettext("%(unit)s: %(what)s — %(where)s") % {
              "unit": a, "what": VisionEvent.Kind.CROWDING.label,
              "where": f"Hành lang khoa Nội · {LocationKind.CORRIDOR.label}"},
          severity="critical", kind="camera_crowding", source="vision", minutes_ago=300,
          location=f"{a} · Hành lang khoa Nội", payload={"analytic": "crowding", "zone": "corridor", "camera": "CAM06"})
    due = DataSet.objects.get(code=HOSPITAL_DAILY).due_at(yesterday)
    services.check_overdue(now=due + dt.timedelta(hours=1))  # BV-B's: raised by its rule, as on a real day
    Alert.objects.filter(kind="report_overdue").update(raised_at=timezone.now() - dt.timedelta(minutes=200))
    for i in range(30):  # the routine ones: most are not listed one by one
        alert(a if i % 2 else b, f"Routine alert {i:02d}", severity="info" if i % 3 else "warning", minutes_ago=i)
    alert(b, "Oldest urgent of B", severity="critical", minutes_ago=600)
    alert(b, "Newest urgent of B", severity="critical", minutes_ago=1)
    return city


# --- the department: the whole city ----------------------------------------------------------------------

def test_city_briefing_in_vietnamese_speaks_vietnamese_numbers_dates_and_words(api_client, busy_city, today):
    for role in (Role.OPERATOR, Role.LEADER):
        text = "\n".join(briefing(api_client, role, "vi"))
        assert in_language("vi", lambda: translation.gettext("Morning briefing").upper()) in text
        assert "Toàn thành phố" in text  # the scope: the department sees the whole city
        assert in_language("vi", formats.date_format, today, "DATE_FORMAT") in text  # Ngày 05 tháng 6 năm 2025
        assert "92,8 %" in text and "80,0 %" in text and "92.8" not in text  # decimal comma
        assert "+12,8 %" in text  # occupancy up 12.8 points
        assert "Hồi sức tích cực (ICU)" in text  # bed types by their Vietnamese names
        assert not ISO_DATE.search(text), ISO_DATE.search(text)
        overdue = Alert.objects.filter(kind="report_overdue").order_by("pk").first()  # the first listed
        assert in_language("vi", short_date, overdue.payload["period"]) in text  # the overdue report's day
        for code in RAW_CODES:
            assert not re.search(rf"\b{code}\b", text), code
        assert "Nghiêm trọng" in text and "Camera" in text  # severity and source in words


def test_city_briefing_in_english(api_client, busy_city, today):
    text = "\n".join(briefing(api_client, Role.LEADER, "en"))
    assert "MORNING BRIEFING" in text and "Scope: Whole city" in text
    assert in_language("en", formats.date_format, today, "DATE_FORMAT") in text
    assert "92.8 %" in text and "92,8" not in text
    assert "Intensive care (ICU)" in text or "ICU" in text
    assert not ISO_DATE.search(text)
    for code in RAW_CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert "Crowding — Hành lang khoa Nội · Corridor" in text  # the camera alert rebuilt in words
    assert "Cameras" in text and "Hospital reports" in text
    # column headers wrap between words, never inside one
    assert "Bed type Total Occupied Free beds Occupancy" in text
    assert "Source Kind Critical Warning Information Total" in text


def test_alerts_are_summarised_most_severe_and_oldest_first(api_client, busy_city):
    text = "\n".join(briefing(api_client, Role.OPERATOR, "en"))
    total = Alert.objects.exclude(status=Alert.Status.RESOLVED).count()
    assert total > ALERT_ITEMS + 20
    listed = re.findall(r"Routine alert \d\d|Oldest urgent of B|Newest urgent of B|Crowding —", text)
    assert len(listed) <= ALERT_ITEMS
    # the three critical ones, the longest open first
    assert listed[:3] == ["Oldest urgent of B", "Crowding —", "Newest urgent of B"]
    assert f"{total} alerts are open" in text
    assert f"{total - ALERT_ITEMS} more open alerts are in the system" in text
    assert re.search(r"Critical: 3 · Warning: \d+ · Information: \d+", text)


# --- a hospital: its own figures ------------------------------------------------------------------------

def test_hospital_manager_sees_the_hospital_by_name_and_only_its_data(api_client, busy_city, today):
    for language in ("vi", "en"):
        text = "\n".join(briefing(api_client, Role.HOSPITAL_MANAGER, language, hospital="A"))
        scope = in_language(language, lambda: translation.gettext("Scope: %(scope)s")) % {
            "scope": busy_city.hospital_a.name}
        assert scope in text
        assert "Oldest urgent of B" not in text and "Routine alert 00" not in text  # B's alerts (even numbers)
        assert "BV-B" not in text
        assert ("92,8 %" if language == "vi" else "92.8 %") in text
    b_text = "\n".join(briefing(api_client, Role.HOSPITAL_MANAGER, "en", hospital="B"))
    assert f"Scope: {busy_city.hospital_b.name}" in b_text and "Oldest urgent of B" in b_text
    assert "Crowding" not in b_text and "92.8" not in b_text


# --- the 115 dispatcher: the emergency centre's part, not a page of zeros -------------------------------

@pytest.fixture
def calls(city):
    station = StationFactory(code="CC115-S1", name="Trạm 1", parent=city.emergency_center)
    for code in ("AMB-1", "AMB-2"):
        AmbulanceFactory(code=code, station=station)
    dispatcher = city.user(Role.DISPATCHER)
    now = timezone.now()
    for minutes, priority in ((30, 1), (50, 1), (70, 2)):
        incident = IncidentFactory(actor=dispatcher, priority=priority)
        Incident.objects.filter(pk=incident.pk).update(
            received_at=now - dt.timedelta(minutes=minutes), dispatched_at=now - dt.timedelta(minutes=minutes - 2),
            on_scene_at=now - dt.timedelta(minutes=minutes - 15))
    IncidentFactory(actor=dispatcher, priority=3)  # still waiting for an ambulance
    return city


def test_dispatcher_gets_the_115_part(api_client, calls):
    for language in ("vi", "en"):
        text = "\n".join(briefing(api_client, Role.DISPATCHER, language))
        with translation.override(language):
            assert translation.gettext("Scope: %(scope)s") % {"scope": str(calls.emergency_center)} in text
            assert translation.gettext("By priority (minutes)") in text
            assert translation.gettext("Calls waiting for an ambulance") in text
            assert translation.gettext("Bed type") not in text  # no hospital figures: none in the scope
        assert re.search(r"P1\s+2\s+2" + ("," if language == "vi" else r"\.") + r"0\s+2", text), text
    text = "\n".join(briefing(api_client, Role.DISPATCHER, "en"))
    assert re.search(r"Incidents\s+4\b", text) and re.search(r"Ambulances available\s+2/2", text)


def test_department_briefing_has_the_115_part_too(api_client, calls):
    text = "\n".join(briefing(api_client, Role.LEADER, "en"))
    assert "115 emergency, the last 24 hours" in text and "Hospital beds" in text


def test_a_scope_with_neither_hospitals_nor_115_is_refused_politely(api_client, city):
    user = User.objects.create_user(username="nowhere", role=Role.OPERATOR, unit=None)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    response = client.get("/dashboard/briefing.pdf")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "no briefing to print for you" in response.content.decode()


# --- layout: codes whole, headings with their tables, headers repeated --------------------------------------

HOSPITALS = 50  # above 90 %: a list longer than what is left of the first page

def test_long_lists_keep_codes_whole_headings_with_tables_and_repeat_headers(api_client, city, today):
    data_set = DataSet.objects.get(code=HOSPITAL_DAILY)
    for i in range(HOSPITALS):
        unit = org.upsert_unit("test", code=f"BV-NHIDONG-{i:03d}", name=f"Bệnh viện Nhi Đồng số {i}",
                               kind=Unit.Kind.HOSPITAL, parent=city.department)
        data_set.reporting_units.add(unit)
    services.submit_many("test", [services.Submission(
        data_set=HOSPITAL_DAILY, unit=f"BV-NHIDONG-{i:03d}", period=today, values=full_report(**beds(100, 97)),
        source="simulator") for i in range(HOSPITALS)])
    text_pages = briefing(api_client, Role.LEADER, "en")
    text = "\n".join(text_pages)
    for i in range(HOSPITALS):
        assert f"BV-NHIDONG-{i:03d}" in text  # on one line: never broken inside
    heading = "Facilities above 90% occupancy"
    table_pages = [n for n, page in enumerate(text_pages) if "Bệnh viện Nhi Đồng số" in page and "97.0 %" in page]
    assert len(table_pages) >= 2
    first = next(n for n, page in enumerate(text_pages) if heading in page)
    assert first == table_pages[0]  # the heading is on the page where its table starts
    for n in table_pages:  # the header row on every page the table reaches
        assert re.search(r"Code\s+Facility\s+Occupancy", text_pages[n]), n
    # no section begins on the last lines of a page: every section heading has its table's header below it
    for n, page in enumerate(text_pages):
        for section in re.findall(r"^\d\. (.+)$", page, re.M):
            after = page.split(section, 1)[1]
            assert after.strip(), f"section {section!r} alone at the foot of page {n + 1}"


def test_briefing_of_an_earlier_day_and_the_future(api_client, busy_city, today):
    yesterday = today - dt.timedelta(days=1)
    text = "\n".join(briefing(api_client, Role.OPERATOR, "vi", day=yesterday))
    assert in_language("vi", formats.date_format, yesterday, "DATE_FORMAT") in text
    assert "80,0 %" in text
    future = (today + dt.timedelta(days=1)).isoformat()
    assert api_client(Role.OPERATOR).get(f"/dashboard/briefing.pdf?date={future}").status_code == 404
    assert api_client(Role.REPORTER).get("/dashboard/briefing.pdf").status_code == 403


def test_briefing_without_the_daily_data_set_still_renders(api_client, city):
    DataSet.objects.filter(code=HOSPITAL_DAILY).update(active=False, code="OLD")
    text = "\n".join(briefing(api_client, Role.OPERATOR, "en"))
    assert "The daily report data set is not configured." in text and "Hospital beds" in text
