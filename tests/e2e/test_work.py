"""The work area in a real browser: a directive across two units, an incoming scanned document found by
search and closed, a meeting from invitation to minutes and the directive from its conclusion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.testing import PASSWORD
from opscenter.work.models import Directive, Document, Meeting, Task
from opscenter.work.tests.conftest import scanned_page


@pytest.fixture(autouse=True)
def _work(settings, tmp_path, city):
    from django.apps import apps

    from opscenter.work import definitions

    settings.MEDIA_ROOT = tmp_path / "media"
    definitions.install(apps)


def login(browser, server: str, username: str):
    page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    page.goto(f"{server}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_load_state()
    return page


def local_input(delta: dt.timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def test_directive_from_issue_to_completion_across_two_units(asgi_server, browser, city):
    operator = login(browser, asgi_server, "operator")
    operator.goto(f"{asgi_server}/work/directives/new/")
    operator.fill("input[name=title]", "Rà soát giường hồi sức")
    operator.fill("textarea[name=content]", "Báo cáo số giường trống trước 16 giờ.")
    operator.check("input[name=units][value=BV-A]")
    operator.check("input[name=units][value=BV-B]")
    operator.select_option("select[name=priority]", "urgent")
    operator.fill("input[name=deadline]", local_input(dt.timedelta(days=2)))
    operator.click("#directive-form button[type=submit]")
    operator.wait_for_selector("[data-task=BV-A]")
    directive = Directive.objects.get()
    assert operator.url.endswith(f"/work/directives/{directive.pk}/")

    for username in ("hospital_manager_a", "hospital_manager_b"):
        manager = login(browser, asgi_server, username)
        manager.goto(f"{asgi_server}/work/notifications/")
        manager.click("text=Rà soát giường hồi sức")  # the notice leads to the directive
        manager.click("form[action$='/acknowledge/'] button")
        manager.fill("form[action$='/done/'] input[name=text]", f"Đã báo cáo ({username})")
        manager.click("form[action$='/done/'] button")
        manager.wait_for_selector("[data-status=done]")
        assert manager.locator("[data-task]").count() == 1  # each sees its own task only

    operator.reload()
    assert operator.locator("[data-status=done]").count() == 2
    assert "Đã báo cáo (hospital_manager_b)" in operator.inner_text("#thread")
    operator.goto(f"{asgi_server}/work/directives/")
    assert operator.inner_text("#board tr[data-unit=BV-A] .t-on_time") == "1"
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}


def test_incoming_document_from_registration_to_closing_found_by_ocr(asgi_server, browser, city, tmp_path):
    scan = tmp_path / "cong-van.png"
    scan.write_bytes(scanned_page())
    clerk = login(browser, asgi_server, "clerk")
    clerk.goto(f"{asgi_server}/work/documents/new/in/")
    clerk.fill("input[name=number_symbol]", "245/SYT-NVY")
    clerk.fill("input[name=issue_date]", timezone.localdate().isoformat())
    clerk.fill("input[name=issuing_body]", "Bộ Y tế")
    clerk.fill("textarea[name=summary]", "Công văn về phòng chống dịch")
    clerk.set_input_files("input[name=files]", str(scan))
    clerk.click("#document-form button[type=submit]")
    clerk.wait_for_selector("#doc-status[data-status=registered]")

    clerk.goto(f"{asgi_server}/work/documents/")
    clerk.fill("input[name=q]", "chuan bi giuong benh")  # only in the scan, and without diacritics
    clerk.press("input[name=q]", "Enter")
    clerk.wait_for_load_state()
    clerk.click("#documents a:text('245/SYT-NVY')")
    clerk.select_option("form[action$='/assign/'] select[name=handler]", "operator")
    clerk.fill("form[action$='/assign/'] input[name=deadline]", local_input(dt.timedelta(days=3)))
    clerk.click("form[action$='/assign/'] button")
    clerk.wait_for_selector("#doc-status[data-status=assigned]")

    document = Document.objects.get()
    operator = login(browser, asgi_server, "operator")
    operator.goto(f"{asgi_server}/work/documents/{document.pk}/")
    operator.fill("form[action$='/process/'] input[name=text]", "Đã giao phòng Nghiệp vụ Y")
    operator.click("form[action$='/process/'] button")
    operator.wait_for_selector("#doc-status[data-status=in_progress]")
    operator.fill("form[action$='/close/'] input[name=text]", "Đã triển khai tới các bệnh viện")
    operator.click("form[action$='/close/'] button")
    operator.wait_for_selector("#doc-status[data-status=closed]")
    steps = [li.get_attribute("data-action") for li in operator.locator("#trail li").all()]
    assert steps == ["registered", "assigned", "processed", "closed"]
    assert "Đã vào sổ" in operator.inner_text("#trail")  # in words, not codes


def test_meeting_from_invitation_to_minutes_and_directive(asgi_server, browser, city):
    from opscenter.work.services import meetings

    room = meetings.create_room(city.user(Role.CLERK), "Phòng họp số 1")
    clerk = login(browser, asgi_server, "clerk")
    clerk.goto(f"{asgi_server}/work/meetings/new/")
    clerk.fill("input[name=title]", "Giao ban phòng chống dịch")
    clerk.fill("input[name=starts_at]", local_input(-dt.timedelta(minutes=10)))
    clerk.fill("input[name=ends_at]", local_input(dt.timedelta(hours=2)))
    clerk.select_option("select[name=room_id]", str(room.pk))
    clerk.check("input[name=units][value=BV-A]")
    clerk.fill("input[name=people]", "operator")
    clerk.click("#meeting-form button[type=submit]")
    clerk.wait_for_selector("#agenda-form")
    meeting = Meeting.objects.get()
    clerk.fill("#agenda-form input[name=title]", "Kế hoạch phòng chống sốt xuất huyết")
    clerk.fill("#agenda-form input[name=vote_question]", "Thông qua kế hoạch?")
    clerk.fill("#agenda-form input[name=vote_options]", "Đồng ý; Không đồng ý")
    clerk.click("#agenda-form button")
    clerk.wait_for_selector("#agenda li[data-item]")
    clerk.click("form[action$='/open_vote/'] button")
    # The door's QR renders (an SVG the browser could decode).
    clerk.wait_for_function("() => { const img = document.querySelector('.qr img');"
                            " return img.complete && img.naturalWidth > 0; }")

    manager = login(browser, asgi_server, "hospital_manager_a")
    manager.goto(clerk.get_attribute("#checkin-link", "href").replace("http://testserver", asgi_server))
    manager.click("form button[type=submit].btn-primary")
    manager.goto(f"{asgi_server}/work/meetings/{meeting.pk}/")
    manager.check("form[action$='/vote/'] input[value='Đồng ý']")
    manager.fill("form[action$='/vote/'] input[name=opinion]", "Cần thêm kinh phí")
    manager.click("form[action$='/vote/'] button")
    manager.wait_for_selector("#agenda [data-option='Đồng ý']")
    assert "1" in manager.inner_text("#agenda [data-option='Đồng ý']")

    clerk.reload()
    assert "hospital_manager_a" in clerk.inner_text("#attendance")
    clerk.fill("form[action$='/note/'] input[name=text]", "Số ca tăng 20% so với tuần trước")
    clerk.click("form[action$='/note/'] button")
    clerk.fill("#conclusion-form input[name=text]", "Bệnh viện A bố trí thêm 20 giường")
    clerk.select_option("#conclusion-form select[name=owner_unit]", "BV-A")
    clerk.fill("#conclusion-form input[name=deadline]", local_input(dt.timedelta(days=7)))
    clerk.click("#conclusion-form button")
    clerk.wait_for_selector("#conclusions li")
    with clerk.expect_download() as download:
        clerk.click("#minutes-pdf")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"

    operator = login(browser, asgi_server, "operator")
    operator.goto(f"{asgi_server}/work/meetings/{meeting.pk}/")
    operator.click("form[action$='/direct/'] button")
    operator.click("#conclusions a")
    operator.wait_for_selector("[data-task=BV-A]")
    directive = Directive.objects.get()
    assert directive.conclusion.meeting == meeting and directive.tasks.get().unit == city.hospital_a
