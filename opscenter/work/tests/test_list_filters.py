"""The work area's list filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming it."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.testing import listed, refused

from .factories import IncomingDocumentFactory

JSON = "application/json"


def _post(client, url, body):
    response = client.post(url, body, content_type=JSON)
    assert response.status_code in (200, 201), response.content
    return response.json()


def _directive(client, title: str, units: list[str]) -> int:
    return _post(client, "/api/work/directives", {"title": title, "content": "Báo cáo hằng ngày", "units": units})["id"]


def test_directive_and_notification_filters(city, api_client):
    operator = api_client(Role.OPERATOR)
    both = _directive(operator, "Rà soát giường bệnh", ["BV-A", "BV-B"])
    only_a = _directive(operator, "Kiểm tra thuốc", ["BV-A"])
    _post(operator, f"/api/work/directives/{only_a}/cancel", {"reason": "Đã có văn bản khác"})

    def ids(**params):
        return {d["id"] for d in listed(operator, "/api/work/directives", **params)}

    assert ids() == {both, only_a}
    assert ids(status="cancelled") == {only_a}
    assert ids(unit="BV-B") == {both}
    assert ids(unit="BV-A", status="active") == {both}
    assert ids(status="") == ids()
    assert "status" in refused(operator, "/api/work/directives", status="a\x00b")
    assert "unit" in refused(operator, "/api/work/directives", unit="a\x1bb")

    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    notices = listed(manager, "/api/work/notifications")
    assert len(notices) >= 2
    _post(manager, "/api/work/notifications/read", {"ids": [notices[0]["id"]]})
    unread = {n["id"] for n in listed(manager, "/api/work/notifications", unread="true")}
    assert unread == {n["id"] for n in notices} - {notices[0]["id"]}
    assert len(listed(manager, "/api/work/notifications", unread="false")) == len(notices)
    assert "unread" in refused(manager, "/api/work/notifications", unread="maybe")


def test_document_filters(city, api_client):
    clerk_user = city.user(Role.CLERK)
    fever = IncomingDocumentFactory(clerk=clerk_user, summary="V/v phòng chống sốt xuất huyết")
    beds = IncomingDocumentFactory(clerk=clerk_user, summary="V/v báo cáo giường bệnh")
    clerk = api_client(Role.CLERK)
    draft = _post(clerk, "/api/work/documents/outgoing", {
        "summary": "Kế hoạch tiêm chủng", "doc_type": "cong_van", "issue_date": timezone.localdate().isoformat(),
        "issuing_body": "Sở Y tế", "signer": "Giám đốc"})["id"]
    url = "/api/work/documents"

    def ids(**params):
        return {d["id"] for d in listed(clerk, url, **params)}

    assert ids() == {fever.pk, beds.pk, draft}
    assert ids(q="sot xuat huyet") == {fever.pk}  # without diacritics
    assert ids(direction="out") == {draft}
    assert ids(status="registered") == {fever.pk, beds.pk}
    assert ids(year=timezone.localdate().year) == {fever.pk, beds.pk}  # a draft has no register year yet
    assert ids(year=1999) == set()
    assert ids(q="giuong", direction="in") == {beds.pk}
    assert ids(q="", direction="") == ids()
    assert "q" in refused(clerk, url, q="a\x00b")
    assert "direction" in refused(clerk, url, direction="a\x00b")
    assert "year" in refused(clerk, url, year=1800)
    assert "year" in refused(clerk, url, year="last")


def test_meeting_filter(city, api_client):
    clerk = api_client(Role.CLERK)
    room = _post(clerk, "/api/work/rooms", {"name": "Phòng họp A", "capacity": 30})["id"]

    def schedule(start: dt.datetime) -> int:
        return _post(clerk, "/api/work/meetings", {
            "title": "Giao ban", "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "room_id": room, "units": ["BV-A"]})["meeting"]["id"]

    now = timezone.now()
    past = schedule(now - dt.timedelta(days=3))
    coming = schedule(now + dt.timedelta(days=1))
    assert {m["id"] for m in listed(clerk, "/api/work/meetings")} == {past, coming}
    assert [m["id"] for m in listed(clerk, "/api/work/meetings", upcoming="true")] == [coming]
    assert "upcoming" in refused(clerk, "/api/work/meetings", upcoming="soon")


def _linked(client, url: str, target: str, **params) -> set[int]:
    """The ids of the rows a list page links to (`target`: "/work/documents/")."""
    html = client.get(url, params).content.decode()
    return {int(i) for i in re.findall(re.escape(target) + r"(\d+)/\"", html)}


def test_the_directive_and_document_pages_filter(city, api_client):
    operator = api_client(Role.OPERATOR)
    active = _directive(operator, "Rà soát giường bệnh", ["BV-A"])
    cancelled = _directive(operator, "Kiểm tra thuốc", ["BV-A"])
    _post(operator, f"/api/work/directives/{cancelled}/cancel", {"reason": "Đã có văn bản khác"})
    target = "/work/directives/"
    assert _linked(operator, target, target) == {active, cancelled}
    assert _linked(operator, target, target, status="cancelled") == {cancelled}
    assert _linked(operator, target, target, status="") == {active, cancelled}

    clerk_user = city.user(Role.CLERK)
    fever = IncomingDocumentFactory(clerk=clerk_user, summary="V/v phòng chống sốt xuất huyết")
    beds = IncomingDocumentFactory(clerk=clerk_user, summary="V/v báo cáo giường bệnh")
    clerk = api_client(Role.CLERK)
    draft = _post(clerk, "/api/work/documents/outgoing", {
        "summary": "Kế hoạch phòng chống sốt xuất huyết", "doc_type": "cong_van",
        "issue_date": timezone.localdate().isoformat(), "issuing_body": "Sở Y tế", "signer": "Giám đốc"})["id"]
    target = "/work/documents/"
    assert _linked(clerk, target, target) == {fever.pk, beds.pk, draft}
    assert _linked(clerk, target, target, q="sot xuat huyet") == {fever.pk, draft}
    assert _linked(clerk, target, target, direction="in") == {fever.pk, beds.pk}
    assert _linked(clerk, target, target, q="sot xuat huyet", direction="out") == {draft}
    assert _linked(clerk, target, target, direction="sideways") == {fever.pk, beds.pk, draft}  # not a register
