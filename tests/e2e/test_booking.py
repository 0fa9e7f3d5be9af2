"""A citizen on a phone books an examination in the browser, and the hospital desk checks them in.

AUDIT_SCREENSHOTS=<dir> keeps a screenshot of each step (phone and desktop widths)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.booking import services, sms
from opscenter.booking.models import Appointment, Doctor, Schedule, Service
from opscenter.org.roles import Role
from opscenter.testing import PASSWORD

from .conftest import shot

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def clinic(live_city):
    service = Service.objects.create(unit=live_city.hospital_a, code="tim-mach", name="Khám Tim mạch",
                                     name_en="Cardiology clinic", specialty="cardiac")
    doctor = Doctor.objects.create(unit=live_city.hospital_a, code="bs-an", name="Nguyễn Văn An", title="ThS.BS.",
                                   specialty="cardiac")
    for weekday in range(7):
        Schedule.objects.create(service=service, doctor=doctor, room="P.12", weekday=weekday, start=dt.time(7),
                                end=dt.time(11), capacity=4, walk_in_share=0.25, valid_from=timezone.localdate())
    services.make_slots(timezone.localdate(), 14)
    return service


def test_a_citizen_books_on_a_phone_and_the_desk_checks_them_in(asgi_server, browser, clinic, live_city, settings):
    settings.BOOKING_SMS_BACKEND = "opscenter.booking.sms.LocmemBackend"
    sms.outbox.clear()
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.goto(f"{asgi_server}/booking/")
    shot(page, "1-home")
    page.get_by_role("link", name="Tim mạch").click()
    page.wait_for_url("**specialty=cardiac")
    assert page.locator(".card").first.inner_text().startswith("BV A")
    shot(page, "2-facilities")
    page.get_by_role("link", name="BV A").click()
    page.wait_for_url("**/booking/BV-A/tim-mach/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, "3-times")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.locator("nav.days a", has_text=tomorrow.strftime("%d/%m")).click()
    page.wait_for_url(f"**day={tomorrow.isoformat()}*")
    page.locator("a.slot").first.click()
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Ngày sinh").fill("1961-03-14")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Tôi đồng ý", exact=False).check()
    shot(page, "4-details")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.wait_for_url("**/code/")
    code = sms.outbox[-1][1].split(": ")[1][:6]
    page.get_by_label("Mã đã gửi đến điện thoại của bạn").fill(code)
    shot(page, "5-code")
    page.get_by_role("button", name="Đặt lịch").click()
    page.wait_for_url("**/booking/my/*/")
    booking = page.locator(".ticket-code").inner_text().strip()
    assert "Số thứ tự 1" in page.locator(".ticket-number").inner_text()
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0  # the QR code is there
    shot(page, "6-booking")
    context.close()

    # At the hospital, on the day: the desk scans the code.
    appointment = Appointment.objects.get(code=booking)
    slot = appointment.slot
    type(slot).objects.filter(pk=slot.pk).update(start=timezone.now() + dt.timedelta(minutes=20))
    desk = browser.new_context(locale="vi-VN")
    desk_page = desk.new_page()
    desk_page.goto(f"{asgi_server}/login/")
    desk_page.fill("#id_username", live_city.user(Role.HOSPITAL_MANAGER, "A").username)
    desk_page.fill("#id_password", PASSWORD)
    desk_page.press("#id_password", "Enter")
    desk_page.wait_for_load_state("domcontentloaded")
    token = desk.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    answer = desk.request.post(f"{asgi_server}/api/booking/desk/check-in", data={"code": booking},
                               headers={"X-CSRFToken": csrf, "Referer": asgi_server})
    assert answer.status == 200, answer.text()
    assert Appointment.objects.get(code=booking).status == "checked-in"
    desk.close()
