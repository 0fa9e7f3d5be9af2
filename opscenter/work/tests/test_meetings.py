"""Meetings through the API: from invitation to minutes, and the directive created from a conclusion;
conflicts of rooms and people, QR check-in, votes."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.work.models import Directive, Notification
from opscenter.work.services import meetings as service
from opscenter.work.tests.conftest import docx_bytes, upload

JSON = "application/json"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type=JSON)


@pytest.fixture
def room(api_client, city) -> int:
    return post(api_client(Role.CLERK), "/api/work/rooms", {"name": "Phòng họp A", "capacity": 30}).json()["id"]


def schedule(client, room, start=None, hours=2, **overrides):
    start = start or timezone.now() - dt.timedelta(minutes=10)
    body = {"title": "Giao ban phòng chống dịch", "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=hours)).isoformat(), "room_id": room, "chair": "Giám đốc Sở",
            "units": ["BV-A", "BV-B"], "people": ["operator"], **overrides}
    return post(client, "/api/work/meetings", body)


def test_a_meeting_from_invitation_to_minutes_and_the_directive_from_its_conclusion(api_client, city, room):
    clerk = api_client(Role.CLERK)
    r = schedule(clerk, room)
    assert r.status_code == 201, r.content
    meeting = r.json()["meeting"]
    mid = meeting["id"]
    assert Notification.objects.filter(user=city.user(Role.HOSPITAL_MANAGER, "A"), kind="meeting.invited").exists()

    plan = upload(clerk, docx_bytes("Kế hoạch phòng chống sốt xuất huyết"), "ke-hoach.docx").json()
    r = post(clerk, f"/api/work/meetings/{mid}/agenda", {
        "title": "Tình hình sốt xuất huyết", "presenter": "epidemiologist", "minutes": 20, "documents": [plan["id"]],
        "vote_question": "Thông qua kế hoạch?", "vote_options": ["Đồng ý", "Không đồng ý"]})
    assert r.status_code == 201
    item = r.json()["agenda"][0]
    assert item["documents"][0]["name"] == "ke-hoach.docx"
    manager_a = api_client(Role.HOSPITAL_MANAGER, "A")
    assert manager_a.get(plan["url"]).status_code == 200  # distributed before the meeting

    # Check in with the code from the door's QR.
    detail = clerk.get(f"/api/work/meetings/{mid}").json()
    token = detail["checkin_url"].rstrip("/").rsplit("/", 1)[1]
    assert manager_a.get(f"/api/work/meetings/{mid}").json()["checkin_url"] is None  # only organisers see it
    assert post(manager_a, f"/api/work/meetings/{mid}/checkin", {"token": "forged"}).status_code == 422
    assert post(manager_a, f"/api/work/meetings/{mid}/checkin", {"token": token}).status_code == 200
    assert post(manager_a, f"/api/work/meetings/{mid}/checkin", {"token": token}).status_code == 200  # once
    assert post(clerk, f"/api/work/meetings/{mid}/checkin", {"username": "operator"}).status_code == 200
    assert post(clerk, f"/api/work/meetings/{mid}/checkin", {"username": "security_a"}).status_code == 422

    assert post(manager_a, f"/api/work/meetings/{mid}/agenda/{item['id']}/votes",
                {"choice": "Đồng ý"}).status_code == 409  # not open yet
    post(clerk, f"/api/work/meetings/{mid}/agenda/{item['id']}/voting?open=true")
    r = post(manager_a, f"/api/work/meetings/{mid}/agenda/{item['id']}/votes",
             {"choice": "Đồng ý", "opinion": "Cần thêm kinh phí"})
    assert r.status_code == 201 and r.json()["agenda"][0]["tally"] == {"Đồng ý": 1, "Không đồng ý": 0}
    assert post(manager_a, f"/api/work/meetings/{mid}/agenda/{item['id']}/votes",
                {"choice": "Đồng ý", "opinion": "Cần thêm kinh phí"}).status_code == 200  # same vote: harmless
    assert post(manager_a, f"/api/work/meetings/{mid}/agenda/{item['id']}/votes",
                {"choice": "Không đồng ý"}).status_code == 409  # never changed
    operator = api_client(Role.OPERATOR)
    r = post(operator, f"/api/work/meetings/{mid}/agenda/{item['id']}/votes", {"choice": "Có lẽ"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "choice"
    api_client(Role.HOSPITAL_MANAGER, "B")  # invited via unit, not checked in:
    assert post(api_client(Role.HOSPITAL_MANAGER, "B"), f"/api/work/meetings/{mid}/agenda/{item['id']}/votes",
                {"choice": "Đồng ý"}).status_code == 403

    post(clerk, f"/api/work/meetings/{mid}/notes", {"text": "Số ca tăng 20% so với tuần trước", "item_id": item["id"]})
    deadline = (timezone.now() + dt.timedelta(days=7)).isoformat()
    r = post(clerk, f"/api/work/meetings/{mid}/conclusions", {
        "text": "Bệnh viện A bố trí thêm 20 giường điều trị sốt xuất huyết", "owner_unit": "BV-A",
        "deadline": deadline, "item_id": item["id"]})
    assert r.status_code == 201
    post(clerk, f"/api/work/meetings/{mid}/status", {"status": "ended"})

    pdf = clerk.get(f"/api/work/meetings/{mid}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("Giao ban phòng chống dịch", "Tình hình sốt xuất huyết", "Số ca tăng 20%", "Đồng ý: 1",
                     "bố trí thêm 20 giường", "Cần thêm kinh phí", "hospital_manager_a"):
        assert expected in text, expected
    docx_response = clerk.get(f"/api/work/meetings/{mid}/minutes.docx")
    import docx

    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_response.content)).paragraphs)
    assert "bố trí thêm 20 giường" in paragraphs and "Đồng ý: 1" in paragraphs

    # Conclusions become tracked directives in one step (by someone who may direct).
    assert post(clerk, f"/api/work/meetings/{mid}/conclusions/directives").status_code == 403
    r = post(operator, f"/api/work/meetings/{mid}/conclusions/directives")
    assert r.status_code == 201
    [directive] = r.json()
    assert [t["unit"] for t in directive["tasks"]] == ["BV-A"] and directive["conclusion_id"] is not None
    assert directive["deadline"] is not None
    assert post(operator, f"/api/work/meetings/{mid}/conclusions/directives").json() == []  # not twice
    conclusion = clerk.get(f"/api/work/meetings/{mid}").json()["conclusions"][0]
    assert conclusion["directive_id"] == directive["id"]
    assert manager_a.get(f"/api/work/directives/{directive['id']}").status_code == 200


def test_room_conflicts_are_refused_and_people_conflicts_reported(api_client, city, room):
    clerk, operator = api_client(Role.CLERK), api_client(Role.OPERATOR)
    start = timezone.now() + dt.timedelta(days=1)
    assert schedule(clerk, room, start).status_code == 201
    r = schedule(operator, room, start + dt.timedelta(hours=1), title="Họp khác")
    assert r.status_code == 409 and "Giao ban" in r.json()["detail"]
    # Back to back is no clash.
    assert schedule(operator, room, start + dt.timedelta(hours=2), title="Họp sau").status_code == 201
    r = schedule(api_client(Role.LEADER), None, start + dt.timedelta(minutes=30), hours=1, title="Họp trực tuyến",
                 online_url="https://meet.example.org/syt", people=["operator", "epidemiologist"], units=[])
    assert r.status_code == 201
    [clash] = r.json()["clashes"]
    assert clash["title"] == "Giao ban phòng chống dịch" and clash["people"] == ["operator"] and not clash["room"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": ""}, "title"),
    ({"room_id": None}, "room_id"),
    ({"units": ["NOPE"]}, "units"),
    ({"people": ["nobody"]}, "people"),
    ({"starts_at": "soon"}, "starts_at"),
])
def test_bad_meetings_name_the_field(api_client, city, room, overrides, field):
    r = schedule(api_client(Role.CLERK), room, **overrides)
    assert r.status_code == 422 and field in [e["field"] for e in r.json()["detail"]]


def test_ends_before_it_starts(api_client, city, room):
    r = schedule(api_client(Role.CLERK), room, hours=-1)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "ends_at"


def test_who_sees_and_manages_meetings(api_client, city, room):
    mid = schedule(api_client(Role.CLERK), room, units=["BV-A"], people=[]).json()["meeting"]["id"]
    assert api_client(Role.HOSPITAL_MANAGER, "A").get(f"/api/work/meetings/{mid}").status_code == 200
    assert api_client(Role.HOSPITAL_MANAGER, "B").get(f"/api/work/meetings/{mid}").status_code == 404
    assert post(api_client(Role.HOSPITAL_MANAGER, "A"), f"/api/work/meetings/{mid}/notes",
                {"text": "x"}).status_code == 403
    assert post(api_client(Role.HOSPITAL_MANAGER, "A"), "/api/work/rooms", {"name": "x"}).status_code == 403


def test_check_in_only_around_the_meeting(api_client, city, room):
    clerk = api_client(Role.CLERK)
    mid = schedule(clerk, room, timezone.now() + dt.timedelta(days=2)).json()["meeting"]["id"]
    meeting = service.Meeting.objects.get(pk=mid)
    r = post(api_client(Role.OPERATOR), f"/api/work/meetings/{mid}/checkin",
             {"token": service.checkin_token(meeting)})
    assert r.status_code == 409


def test_qr_code_and_pages(api_client, city, room):
    clerk = api_client(Role.CLERK)
    mid = schedule(clerk, room).json()["meeting"]["id"]
    svg = clerk.get(f"/work/meetings/{mid}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert api_client(Role.HOSPITAL_MANAGER, "A").get(f"/work/meetings/{mid}/qr.svg").status_code == 403
    page = clerk.get(f"/work/meetings/{mid}/")
    assert page.status_code == 200 and "Giao ban phòng chống dịch" in page.content.decode()
    assert Directive.objects.count() == 0
