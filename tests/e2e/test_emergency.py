"""The dispatcher's whole loop in a real browser: a call in the form, the ranked ambulances and hospitals, the
confirmation, and the receiving hospital's manager seeing the incoming patient among the alerts."""

import datetime as dt
from zoneinfo import ZoneInfo

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


def test_the_115_pages_show_the_centres_clock_whatever_the_browsers_time_zone(asgi_server, browser, fleet):
    """A browser set to New York (11-12 hours behind) still reads every 115 time on the centre's clock: the queue
    rows the server drew, the rows the script draws on a live refresh, and the incident page."""
    dispatcher = fleet.user(Role.DISPATCHER)
    early, _created = services.create_incident(dispatcher, services.IncidentInput(
        chief_complaint="Khó thở", priority=2, latitude=10.77, longitude=106.68))
    page = browser.new_context(locale="en-US", timezone_id="America/New_York").new_page()
    page.set_default_timeout(15000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    page.goto(f"{asgi_server}/login/?next=/emergency/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{asgi_server}/emergency/")

    def hcmc(moment, fmt="%H:%M"):
        return timezone.localtime(moment).strftime(fmt)

    def new_york(moment):
        return moment.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")

    row = page.locator(f'#queue tr[data-code="{early.code}"] td.nowrap')
    row.wait_for()
    assert row.inner_text() == hcmc(early.received_at) != new_york(early.received_at)
    # A call that comes in while the page is open: its row is drawn by the script, from the live feed.
    late, _created = services.create_incident(dispatcher, services.IncidentInput(
        chief_complaint="Đau ngực", priority=1, latitude=10.76, longitude=106.66,
        received_at=timezone.now() - dt.timedelta(minutes=7)))
    drawn = page.locator(f'#queue tr[data-code="{late.code}"] td.nowrap')
    drawn.wait_for()
    assert drawn.inner_text() == hcmc(late.received_at) != new_york(late.received_at)
    assert page.locator(f'#queue tr[data-code="{early.code}"] td.nowrap').inner_text() == hcmc(early.received_at)

    # The incident page: received time, the ETA of the recommended ambulance and the timeline.
    page.goto(f"{asgi_server}/emergency/incidents/{late.code}/")
    props = page.locator("dl.props").inner_text()
    assert hcmc(late.received_at, "%d/%m/%Y %H:%M:%S") in props
    assert page.locator("#timeline li.trail-received time").inner_text() == hcmc(late.received_at, "%H:%M:%S")
