"""The dispatcher's whole loop in a real browser: a call in the form, the ranked ambulances and hospitals, the
confirmation, and the receiving hospital's manager seeing the incoming patient among the alerts."""

import pytest
from django.utils import timezone

from opscenter.emergency import definitions, services
from opscenter.org import services as org
from opscenter.org.models import Unit
from opscenter.org.roles import Role
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.testing import PASSWORD, full_report

pytestmark = pytest.mark.e2e


@pytest.fixture
def fleet(city):
    from django.apps import apps

    definitions.install(apps)
    station = org.upsert_unit("test", code="CC115-S1", name="Trạm 1", kind=Unit.Kind.AMBULANCE_STATION,
                              parent=city.emergency_center, latitude=10.758, longitude=106.660)
    for code in ("AMB-1", "AMB-2"):
        services.register_ambulance("test", code=code, station=station.code)
    for unit in ("BV-A", "BV-B"):
        reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit=unit,
                                                      period=timezone.localdate(), values=full_report()))
    return city


def log_in(browser, server, username):
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(15000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())  # no network here
    page.goto(f"{server}/login/?next=/emergency/beds/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server}/emergency/beds/", wait_until="domcontentloaded")
    return page


def test_dispatcher_creates_ranks_confirms_and_the_hospital_is_told(asgi_server, browser, fleet):
    dispatcher = log_in(browser, asgi_server, "dispatcher")
    dispatcher.goto(f"{asgi_server}/emergency/")
    dispatcher.fill("#id_chief_complaint", "Đau ngực dữ dội")
    dispatcher.select_option("#id_priority", "1")
    dispatcher.fill("#id_address", "201B Nguyễn Chí Thanh")
    dispatcher.fill("#id_latitude", "10.7575")
    dispatcher.fill("#id_longitude", "106.6600")
    dispatcher.fill("#id_caller_phone", "0909123456")
    dispatcher.click("#incident-form button[type=submit]")
    dispatcher.wait_for_url("**/emergency/incidents/**")

    ambulances = dispatcher.locator("#ranked-ambulances tbody tr")
    assert ambulances.count() == 2
    hospitals = dispatcher.locator("#ranked-hospitals tbody tr[data-code]")
    assert [hospitals.nth(i).get_attribute("data-code") for i in range(hospitals.count())] == ["BV-A", "BV-B"]
    dispatcher.check("#hosp-BV-A")
    dispatcher.click("#recommendation button[type=submit]")
    dispatcher.wait_for_selector("#timeline li.trail-destination")
    timeline = dispatcher.locator("#timeline").inner_text()
    assert "Dispatched" in timeline and "Destination set" in timeline  # in words, not codes
    assert "BV A" in dispatcher.locator("#destination").inner_text()

    manager = log_in(browser, asgi_server, "hospital_manager_a")
    manager.goto(f"{asgi_server}/alerts/")
    assert "Đau ngực dữ dội" in manager.locator("main").inner_text()
    # The other hospital is not told.
    other = log_in(browser, asgi_server, "hospital_manager_b")
    other.goto(f"{asgi_server}/alerts/")
    assert "Đau ngực dữ dội" not in other.locator("main").inner_text()


def test_the_queue_shows_the_centres_clock_whatever_the_browsers_time_zone(asgi_server, browser, fleet):
    incident, _created = services.create_incident(fleet.user(Role.DISPATCHER), services.IncidentInput(
        chief_complaint="Khó thở", priority=2, latitude=10.77, longitude=106.68))
    page = browser.new_context(locale="en-US", timezone_id="America/New_York").new_page()
    page.goto(f"{asgi_server}/login/?next=/emergency/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    row = page.locator(f'#queue tr[data-code="{incident.code}"]')
    row.wait_for()
    assert timezone.localtime(incident.received_at).strftime("%H:%M") in row.inner_text()
