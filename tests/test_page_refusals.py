"""A service's refusal shown on a page (core.ui): as the page message after a redirect (named or not), in an
htmx answer, and next to the posted form's fields."""

from __future__ import annotations

from opscenter.alerts.tests.factories import AlertFactory
from opscenter.org.roles import Role

JSON = "application/json"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_refusal_becomes_the_page_message(city, api_client):
    security = api_client(Role.SECURITY, "A")
    camera = {"code": "CAM-A1", "unit": "BV-A", "name": "Cổng", "location_kind": "entrance",
              "stream_url": "rtsp://camera/1", "width": 640, "height": 360, "fps": 5}
    assert security.post("/api/vision/cameras", camera, content_type=JSON).status_code == 201
    switched = security.post("/vision/cameras/CAM-A1/enable/", {"enabled": "0", "reason": ""}, follow=True)
    assert _messages(switched) == ["say why the camera is switched off"]

    # the work pages name the field
    operator = api_client(Role.OPERATOR)
    issued = operator.post("/work/directives/new/", {"title": "Rà soát", "content": "Báo cáo"}, follow=True)
    assert _messages(issued) == ["units: name at least one recipient unit or unit kind"]


def test_a_refusal_in_an_htmx_answer(city, api_client):
    alert = AlertFactory(unit=city.hospital_a)
    answer = api_client(Role.OPERATOR).post(f"/alerts/{alert.pk}/resolve/", {"resolution": "forgotten"},
                                            HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200 and "feedback-error" in html
    assert "must be one of: handled, false_alarm" in html


def test_a_refusal_next_to_the_form_fields(city, api_client):
    reporter = api_client(Role.REPORTER, "A")
    case = {"facility": "BV-A", "disease": "dengue", "classification": "probable", "onset_date": "2026-11-20",
            "report_date": "2026-11-10", "age_years": 30, "sex": "female", "ward": "W-CL", "outcome": "unknown"}
    refused = reporter.post("/surveillance/cases/new/", case)
    assert refused.status_code == 422
    # the service's check (the form's own fields accept both dates), shown next to its field
    assert refused.context["form"].errors == {"onset_date": ["onset cannot be after the report date (2026-11-10)"]}
