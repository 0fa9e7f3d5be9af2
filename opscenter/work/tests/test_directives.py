"""Directives through the API: issue to two units, acknowledge, progress, completion, return, comments,
cancel, overdue alerts, the per-unit board, notifications; scope and bad input."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.work.models import Notification, Task
from opscenter.work.services import directives as service
from opscenter.work.tests.conftest import pdf_bytes, upload

JSON = "application/json"


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type=JSON, **headers)


def issue(api_client, **overrides):
    body = {"title": "Tăng cường phòng chống sốt xuất huyết", "content": "Rà soát giường bệnh, báo cáo hằng ngày.",
            "units": ["BV-A", "BV-B"], "priority": "high",
            "deadline": (timezone.now() + dt.timedelta(days=3)).isoformat(), **overrides}
    return post(api_client(Role.OPERATOR), "/api/work/directives", body)


def task_of(directive: dict, unit: str) -> int:
    return next(t["id"] for t in directive["tasks"] if t["unit"] == unit)


def test_a_directive_from_issue_to_completion_across_two_units(api_client, city):
    r = issue(api_client)
    assert r.status_code == 201, r.content
    directive = r.json()
    assert sorted(t["unit"] for t in directive["tasks"]) == ["BV-A", "BV-B"]
    assert {t["status"] for t in directive["tasks"]} == {"sent"}

    manager_a, manager_b = api_client(Role.HOSPITAL_MANAGER, "A"), api_client(Role.HOSPITAL_MANAGER, "B")
    task_a, task_b = task_of(directive, "BV-A"), task_of(directive, "BV-B")
    assert post(manager_a, f"/api/work/tasks/{task_a}/acknowledge").status_code == 200
    r = post(manager_a, f"/api/work/tasks/{task_a}/progress", {"text": "Đã rà soát 40 giường", "progress": 50})
    assert r.status_code == 200 and r.json()["tasks"][0]["progress"] == 50
    report = upload(manager_a, pdf_bytes("Báo cáo kết quả rà soát giường bệnh"), "bao-cao.pdf").json()
    r = post(manager_a, f"/api/work/tasks/{task_a}/done", {"text": "Hoàn thành", "attachments": [report["id"]]})
    assert r.status_code == 200
    # A recipient sees its own task only.
    assert [t["unit"] for t in r.json()["tasks"]] == ["BV-A"] and r.json()["tasks"][0]["status"] == "done"

    post(manager_b, f"/api/work/tasks/{task_b}/done", {"text": "Xong"})
    operator = api_client(Role.OPERATOR)
    r = post(operator, f"/api/work/tasks/{task_b}/return", {"text": "Thiếu số liệu khoa nhi"})
    assert r.status_code == 200
    assert {t["unit"]: t["status"] for t in r.json()["tasks"]} == {"BV-A": "done", "BV-B": "returned"}
    post(manager_b, f"/api/work/tasks/{task_b}/done", {"text": "Bổ sung số liệu khoa nhi"})
    post(operator, f"/api/work/directives/{directive['id']}/comments", {"text": "Cảm ơn hai bệnh viện"})

    detail = operator.get(f"/api/work/directives/{directive['id']}").json()
    assert {t["status"] for t in detail["tasks"]} == {"done"}
    assert {t["timeliness"] for t in detail["tasks"]} == {"on_time"}
    kinds = [u["kind"] for u in detail["updates"]]
    assert kinds[0] == "issued" and kinds.count("done") == 3 and "returned" in kinds and kinds[-1] == "comment"
    done_a = next(u for u in detail["updates"] if u["kind"] == "done" and u["unit"] == "BV-A")
    assert done_a["attachments"][0]["sha256"] == report["sha256"]
    assert operator.get(done_a["attachments"][0]["url"]).status_code == 200

    board = {row["unit"]: row for row in operator.get("/api/work/directives/board").json()}
    assert board["BV-A"]["on_time"] == 1 and board["BV-B"]["on_time"] == 1
    audited = set(AuditLog.objects.filter(action__startswith="work.").values_list("action", flat=True))
    assert {"work.directive.issued", "work.task.acknowledged", "work.task.progress", "work.task.done",
            "work.task.returned", "work.directive.comment"} <= audited


def test_recipients_are_notified_in_the_app_and_by_mail(api_client, city):
    issue(api_client)
    manager_a = city.user(Role.HOSPITAL_MANAGER, "A")
    notice = Notification.objects.get(user=manager_a)
    assert "sốt xuất huyết" in notice.title and notice.url.startswith("/work/directives/")
    assert "hospital_manager_a@example.org" in [m.to[0] for m in mail.outbox]
    client = api_client(Role.HOSPITAL_MANAGER, "A")
    assert client.get("/api/work/notifications/count").json() == {"unread": 1}
    assert post(client, "/api/work/notifications/read", {"ids": None}).json() == {"marked": 1}
    assert client.get("/api/work/notifications/count").json() == {"unread": 0}


def test_every_unit_of_a_kind(api_client, city):
    r = issue(api_client, units=[], unit_kinds=["hospital"])
    assert sorted(t["unit"] for t in r.json()["tasks"]) == ["BV-A", "BV-B"]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": " "}, "title"),
    ({"units": ["NOPE"]}, "units"),
    ({"units": []}, "units"),
    ({"priority": "whenever"}, "priority"),
    ({"deadline": "2001-01-01T00:00:00+07:00"}, "deadline"),
    ({"deadline": "tomorrow"}, "deadline"),
    ({"attachments": [999999]}, "attachments"),
])
def test_bad_input_names_the_field(api_client, city, body, field):
    r = issue(api_client, **body)
    assert r.status_code == 422 and field in [e["field"] for e in r.json()["detail"]]


def test_the_same_idempotency_key_issues_once(api_client, city):
    first = issue(api_client, idempotency_key="chi-dao-1")
    again = issue(api_client, idempotency_key="chi-dao-1")
    assert first.status_code == 201 and again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Task.objects.count() == 2


def test_scope(api_client, city):
    directive = issue(api_client, units=["BV-A"]).json()
    task = directive["tasks"][0]["id"]
    manager_b = api_client(Role.HOSPITAL_MANAGER, "B")
    assert manager_b.get(f"/api/work/directives/{directive['id']}").status_code == 404
    assert post(manager_b, f"/api/work/tasks/{task}/done", {"text": "x"}).status_code == 404
    assert manager_b.get("/api/work/directives").json()["items"] == []
    # Hospital staff may not issue directives, nor return the reports of others.
    assert post(api_client(Role.HOSPITAL_MANAGER, "A"), "/api/work/directives",
                {"title": "x", "content": "y", "units": ["BV-A"]}).status_code == 403
    post(api_client(Role.HOSPITAL_MANAGER, "A"), f"/api/work/tasks/{task}/done", {"text": "xong"})
    assert post(api_client(Role.HOSPITAL_MANAGER, "A"), f"/api/work/tasks/{task}/return",
                {"text": "x"}).status_code == 403
    # Roles without work permissions are refused.
    assert api_client(Role.SECURITY, "A").get(f"/api/work/directives/{directive['id']}").status_code == 403


def test_completion_twice_is_a_conflict_and_cancel_needs_a_reason(api_client, city):
    directive = issue(api_client, units=["BV-A"]).json()
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    task = directive["tasks"][0]["id"]
    assert post(manager, f"/api/work/tasks/{task}/done", {"text": ""}).json()["detail"][0]["field"] == "text"
    assert post(manager, f"/api/work/tasks/{task}/done", {"text": "xong"}).status_code == 200
    assert post(manager, f"/api/work/tasks/{task}/done", {"text": "xong"}).status_code == 409
    operator = api_client(Role.OPERATOR)
    r = post(operator, f"/api/work/directives/{directive['id']}/cancel", {"reason": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = post(operator, f"/api/work/directives/{directive['id']}/cancel", {"reason": "Đã có chỉ đạo thay thế"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert operator.get(f"/api/work/directives/{directive['id']}").status_code == 200  # kept, not deleted


def test_overdue_tasks_raise_one_alert_each(api_client, city):
    directive = issue(api_client, priority="urgent").json()
    post(api_client(Role.HOSPITAL_MANAGER, "A"), f"/api/work/tasks/{task_of(directive, 'BV-A')}/done",
         {"text": "xong"})
    later = timezone.now() + dt.timedelta(days=4)
    assert [t.unit.code for t in service.flag_overdue(now=later)] == ["BV-B"]
    assert service.flag_overdue(now=later) == []  # flagged once
    alert = Alert.objects.get(kind="directive_overdue")
    assert alert.unit == city.hospital_b and alert.severity == "critical" and alert.source == "work"
    assert alert.evidence_url == f"/work/directives/{directive['id']}/"
    board = {row["unit"]: row for row in service.board(city.user(Role.OPERATOR), now=later)}
    assert board["BV-B"]["overdue"] == 1 and board["BV-A"]["on_time"] == 1


def test_the_scheduled_task_uses_the_clock(api_client, city):
    from opscenter.work.tasks import check_overdue_directives

    issue(api_client)
    Task.objects.update(deadline=timezone.now() - dt.timedelta(minutes=1))
    assert check_overdue_directives.apply().get() == 2
    assert Alert.objects.filter(kind="directive_overdue").count() == 2


def test_a_directive_prompted_by_an_alert(api_client, city):
    from opscenter.alerts.services import AlertCandidate, raise_alert

    alert, _ = raise_alert(AlertCandidate(source="reporting", kind="bed_occupancy", severity="warning",
                                          unit=city.hospital_a, title="ICU full", dedup_key="t:1"))
    r = issue(api_client, units=["BV-A"], alert_id=alert.pk)
    assert r.status_code == 201 and r.json()["alert_id"] == alert.pk
    r = issue(api_client, units=["BV-A"], alert_id=alert.pk + 1000)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "alert_id"
