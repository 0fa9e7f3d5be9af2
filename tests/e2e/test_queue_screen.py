"""The waiting room's TV: the clinic's queue screen, opened by the link the desk hands out, shows the number the
desk calls, under the Content Security Policy, and comes back by itself after the network was lost.

AUDIT_SCREENSHOTS=<dir> keeps a screenshot of the screen before and after the call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opscenter.booking import hospital_views, services
from opscenter.booking.models import Doctor, Schedule, Service, Slot
from opscenter.org.roles import Role
from opscenter.testing import PASSWORD

from .conftest import shot


@pytest.fixture
def waiting_room(live_city):
    """Hospital A's cardiology clinic with a time running now and three walk-ins checked in for it."""
    service = Service.objects.create(unit=live_city.hospital_a, code="tim-mach", name="Khám Tim mạch",
                                     name_en="Cardiology clinic", specialty="cardiac")
    doctor = Doctor.objects.create(unit=live_city.hospital_a, code="bs-an", name="Nguyễn Văn An", title="ThS.BS.",
                                   specialty="cardiac")
    schedule = Schedule.objects.create(service=service, doctor=doctor, room="P.12",
                                       weekday=timezone.localdate().weekday(), start=dt.time(7), end=dt.time(8),
                                       capacity=4, walk_in_share=1, valid_from=timezone.localdate())
    now = timezone.now()
    slot = Slot.objects.create(schedule=schedule, service=service, doctor=doctor, unit=live_city.hospital_a,
                               start=now - dt.timedelta(minutes=5), end=now + dt.timedelta(minutes=30), capacity=0,
                               walk_ins=4)
    desk = live_city.user(Role.HOSPITAL_MANAGER, "A")
    for name, phone in (("Lê Văn Cường", "0987000001"), ("Phạm Thị Dung", "0987000002"), ("Võ Minh Em", "0987000003")):
        services.add_walk_in(desk, slot, services.Person(name=name, birth_date=None), phone)
    return service


def test_the_tv_shows_the_number_the_desk_calls(asgi_server, browser, waiting_room, live_city, monkeypatch):
    monkeypatch.setattr(hospital_views, "SCREEN_POLL_SECONDS", 1)  # the test need not wait five seconds a turn
    desk = browser.new_context(locale="en-US").new_page()
    desk.goto(f"{asgi_server}/login/")
    desk.fill("#id_username", live_city.user(Role.HOSPITAL_MANAGER, "A").username)
    desk.fill("#id_password", PASSWORD)
    desk.press("#id_password", "Enter")
    desk.wait_for_load_state("domcontentloaded")
    desk.goto(f"{asgi_server}/booking/desk/")
    link = desk.locator("input.tv-link").input_value()
    assert link.startswith(f"{asgi_server}/booking/screen/")

    # The TV: nobody signed in, the policy enforced, 1080p.
    tv_context = browser.new_context(bypass_csp=False, locale="vi-VN", viewport={"width": 1920, "height": 1080})
    tv = tv_context.new_page()
    refused: list[str] = []
    tv.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    tv.on("pageerror", lambda e: refused.append(str(e)))
    tv.goto(link)
    expect(tv.locator("#queue-called-number")).to_have_text("—")
    expect(tv.locator("#queue-next .queue-next-number")).to_have_text(["1", "2", "3"])
    body = tv.locator("body").inner_text()
    assert "Lê Văn Cường" not in body and "0987000001" not in body and "P.12" in body
    shot(tv, "tv-1-waiting")

    desk.get_by_role("button", name="Call next").click()
    desk.wait_for_load_state("domcontentloaded")
    expect(tv.locator("#queue-called-number")).to_have_text("1", timeout=15000)
    expect(tv.locator("#queue-next .queue-next-number")).to_have_text(["2", "3"])
    shot(tv, "tv-2-called")
    shot(desk, "desk-queues")

    # The network goes: the screen says so, keeps asking, and shows the next call once it is back.
    tv_context.set_offline(True)
    expect(tv.locator("#queue-offline")).to_be_visible(timeout=15000)
    desk.get_by_role("button", name="Call next").click()
    desk.wait_for_load_state("domcontentloaded")
    tv_context.set_offline(False)
    expect(tv.locator("#queue-called-number")).to_have_text("2", timeout=20000)
    expect(tv.locator("#queue-offline")).to_be_hidden()
    assert refused == []
    tv_context.close()
