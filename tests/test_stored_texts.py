"""Texts the system writes and keeps (alert titles and trails, notices, report warnings, document trails) read in
each reader's language, whichever language the person whose action caused them was using (core.texts)."""

import datetime as dt

from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.org.roles import Role
from opscenter.reporting.models import Report
from opscenter.testing import report_payload

JSON = "application/json"


def submit(client, **values):
    response = client.post("/api/reporting/reports", report_payload(**values), content_type=JSON)
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_an_alert_raised_by_an_english_reporter_reads_in_vietnamese_to_a_vietnamese_operator(api_client, city):
    submit(api_client(Role.REPORTER, language="en"), icu_total=20, icu_occupied=20)
    alert = Alert.objects.get(kind="bed_occupancy")

    vi = api_client(Role.OPERATOR, language="vi")
    en = api_client(Role.OPERATOR, language="en")
    assert "đã sử dụng" in vi.get("/alerts/").content.decode()
    page_vi = vi.get(f"/alerts/{alert.pk}/").content.decode()
    assert "giường" in page_vi and "beds" not in page_vi.split("<main", 1)[1]
    page_en = en.get(f"/alerts/{alert.pk}/").content.decode()
    assert "beds 100% occupied" in page_en and "giường" not in page_en.split("<main", 1)[1]
    # The API answers in the request's language too, and the trail's first note with it.
    body = en.get(f"/api/alerts/{alert.pk}").json()
    assert "occupied" in body["title"] and "occupied" in body["notes"][0]["text"]
    assert "đã sử dụng" in vi.get(f"/api/alerts/{alert.pk}").json()["title"]
    # What is stored for search and exports without a reader is the site's language.
    assert "giường" in Alert.objects.get(pk=alert.pk).title


def test_the_all_clear_note_reads_in_each_readers_language(api_client, city):
    submit(api_client(Role.REPORTER, language="vi"), icu_total=20, icu_occupied=20)
    alert = Alert.objects.get(kind="bed_occupancy")
    submit(api_client(Role.REPORTER, language="vi"), icu_total=20, icu_occupied=12)
    note_en = api_client(Role.OPERATOR, language="en").get(f"/api/alerts/{alert.pk}").json()["notes"][-1]
    note_vi = api_client(Role.OPERATOR, language="vi").get(f"/api/alerts/{alert.pk}").json()["notes"][-1]
    assert note_en["action"] == note_vi["action"] == "auto_resolved"
    assert "at or below the threshold" in note_en["text"]
    assert note_vi["text"] != note_en["text"] and "12" in note_vi["text"]


def test_a_notice_reads_in_each_readers_language(api_client, city):
    body = {"title": "Tăng cường phòng chống sốt xuất huyết", "content": "Rà soát giường bệnh.", "units": ["BV-A"],
            "priority": "high", "deadline": (timezone.now() + dt.timedelta(days=3)).isoformat()}
    response = api_client(Role.OPERATOR, language="en").post("/api/work/directives", body, content_type=JSON)
    assert response.status_code == 201, response.content
    manager_vi = api_client(Role.HOSPITAL_MANAGER, language="vi")
    manager_en = api_client(Role.HOSPITAL_MANAGER, language="en")
    assert "Chỉ đạo mới: Tăng cường" in manager_vi.get("/work/notifications/").content.decode()
    assert "New directive: Tăng cường" in manager_en.get("/work/notifications/").content.decode()
    [notice] = manager_vi.get("/api/work/notifications").json()["items"]
    assert notice["title"].startswith("Chỉ đạo mới")


def test_report_warnings_read_in_each_readers_language(api_client, city):
    answer = submit(api_client(Role.REPORTER, language="en"), deaths=200, er_visits=120)
    assert answer["report"]["status"] == "flagged"
    assert any("please check" in w for w in answer["warnings"])  # the submitter is answered in their language
    report = Report.objects.get(pk=answer["report"]["id"])
    url = f"/reporting/{report.data_set.code}/{report.unit.code}/{report.period.isoformat()}/"
    page_vi = api_client(Role.OPERATOR, language="vi").get(url).content.decode()
    page_en = api_client(Role.OPERATOR, language="en").get(url).content.decode()
    assert "please check" in page_en and "please check" not in page_vi
    assert set(report.flag_texts) == {"vi", "en"} and report.flags == report.flag_texts["vi"]
    # A repeat of the same submission is answered in the repeater's language, from what is stored.
    again = submit(api_client(Role.REPORTER, language="vi"), deaths=200, er_visits=120)
    assert again["warnings"] == report.flag_texts["vi"]
