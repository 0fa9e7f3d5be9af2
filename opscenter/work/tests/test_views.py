"""The pages: who may open them, forms that write through the services, refusals shown on the page."""

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.work.models import Directive, Document, Notification
from opscenter.work.tests.conftest import scanned_page


@pytest.mark.parametrize(("role", "hospital", "url", "status"), [
    (Role.OPERATOR, "-", "/work/", 200),
    (Role.OPERATOR, "-", "/work/directives/", 200),
    (Role.OPERATOR, "-", "/work/directives/new/", 200),
    (Role.HOSPITAL_MANAGER, "A", "/work/directives/new/", 403),
    (Role.CLERK, "-", "/work/documents/", 200),
    (Role.CLERK, "-", "/work/documents/new/in/", 200),
    (Role.OPERATOR, "-", "/work/documents/new/in/", 403),
    (Role.SECURITY, "A", "/work/documents/", 403),
    (Role.CLERK, "-", "/work/meetings/new/", 200),
    (Role.REPORTER, "A", "/work/meetings/new/", 403),
    (Role.REPORTER, "A", "/work/notifications/", 200),
])
def test_pages_by_role(api_client, city, role, hospital, url, status):
    assert api_client(role, hospital).get(url).status_code == status


def test_pages_need_login(client, city):
    response = client.get("/work/directives/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_issue_a_directive_with_the_form(api_client, city):
    operator = api_client(Role.OPERATOR)
    deadline = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = operator.post("/work/directives/new/", {"title": "Báo cáo giường", "content": "Gửi trước 16h",
                                                "units": ["BV-A"], "priority": "urgent", "deadline": deadline})
    directive = Directive.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/work/directives/{directive.pk}/"
    page = operator.get(r["Location"]).content.decode()
    assert "Báo cáo giường" in page and "BV A" in page
    r = operator.post("/work/directives/new/", {"title": "", "content": "x", "units": ["BV-A"]}, follow=True)
    assert "title:" in r.content.decode() and Directive.objects.count() == 1
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    notice = Notification.objects.get(user__username="hospital_manager_a")
    assert manager.get(f"/work/notifications/{notice.pk}/")["Location"] == f"/work/directives/{directive.pk}/"
    task = directive.tasks.get()
    manager.post(f"/work/tasks/{task.pk}/done/", {"text": "Đã gửi"})
    task.refresh_from_db()
    assert task.status == "done"
    assert api_client(Role.HOSPITAL_MANAGER, "B").post(f"/work/tasks/{task.pk}/return/",
                                                       {"text": "x"}).status_code == 404


def test_register_with_a_scan_and_find_it(api_client, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    clerk = api_client(Role.CLERK)
    r = clerk.post("/work/documents/new/in/", {
        "doc_type": "cong_van", "number_symbol": "245/SYT-NVY", "issue_date": timezone.localdate().isoformat(),
        "issuing_body": "Bộ Y tế", "summary": "Công văn", "urgency": "normal", "confidentiality": "0",
        "files": [SimpleUploadedFile("scan.png", scanned_page())]})
    document = Document.objects.get()
    assert r["Location"] == f"/work/documents/{document.pk}/"
    found = clerk.get("/work/documents/", {"q": "phong chong sot xuat huyet"}).content.decode()
    assert "245/SYT-NVY" in found
    assert "245/SYT-NVY" not in clerk.get("/work/documents/", {"q": "tiem chung"}).content.decode()
    r = clerk.post("/work/documents/new/in/", {"summary": "x", "number_symbol": "1/A", "issuing_body": "B",
                                               "issue_date": timezone.localdate().isoformat(),
                                               "files": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00nope")]},
                   follow=True)
    assert "files:" in r.content.decode() and Document.objects.count() == 1
