"""The maps in a real browser: the offline base map (city and former district outlines, ward names) under the
markers when no tile server is set or none answers, only the city outline over tiles that load, and a legend
on each map naming what its markers mean."""

import pytest

from opscenter.org.models import Ward
from opscenter.testing import PASSWORD

pytestmark = pytest.mark.e2e

OUTLINES = "#{map} .leaflet-basemap-pane path"
BASE_ITEMS = ["city", "former_districts"]


def log_in(browser, server, username, path, **context):
    page = browser.new_context(locale="en-GB", **context).new_page()
    page.route("https://tiles.invalid/**", lambda route: route.abort())  # a tile server that does not answer
    page.set_default_timeout(30000)
    page.goto(f"{server}/login/?next={path}", wait_until="domcontentloaded")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server}{path}", wait_until="domcontentloaded")
    return page


def legend_items(page, map_id):
    page.wait_for_selector(f"#{map_id} .map-legend [data-legend-item]")
    return page.eval_on_selector_all(f"#{map_id} .map-legend [data-legend-item]",
                                     "items => items.map(i => [i.dataset.legendItem, i.innerText.trim()])")


def test_each_map_has_the_offline_base_map_and_a_legend(asgi_server, browser, live_city, settings):
    settings.MAP_TILE_URL = ""  # no tile server: the base map is all there is
    Ward.objects.filter(code="W-CL").update(latitude=10.7545, longitude=106.66)

    page = log_in(browser, asgi_server, "operator", "/dashboard/")
    page.wait_for_selector('#map[data-basemap="offline"]')
    # the city outline and the 39 former districts, drawn as SVG under the facilities' canvas
    assert page.locator(OUTLINES.format(map="map")).count() == 40
    page.wait_for_selector("#map canvas", state="attached")  # drawn once its data arrives
    assert page.locator("#map canvas").count() >= 1
    page.wait_for_selector("#map[data-facilities]")
    # fitted to the two hospitals, the map is close enough in for the ward's name at its centre
    page.wait_for_selector("#map .ward-label span")
    assert page.locator("#map .ward-label").text_content() == "Phường Chợ Lớn"
    items = legend_items(page, "map")
    assert [key for key, _label in items] == ["low", "medium", "high", "critical", "unknown", "size", *BASE_ITEMS]
    labels = dict(items)
    assert labels["critical"] == "95% and above" and labels["size"] == "Circle size: number of beds"
    assert labels["former_districts"] == "Former districts (before 1 July 2025)"
    assert "dvhcvn" in page.inner_text("#map .leaflet-control-attribution")
    # the legend folds away and back
    page.click("#map .map-legend summary")
    assert not page.is_visible("#map .map-legend [data-legend-item='low']")
    page.click("#map .map-legend summary")
    assert page.is_visible("#map .map-legend [data-legend-item='low']")

    page.goto(f"{asgi_server}/surveillance/?area=W-CL")
    page.wait_for_selector('#ward-map[data-basemap="offline"]')
    assert page.locator(OUTLINES.format(map="ward-map")).count() == 40
    items = legend_items(page, "ward-map")
    assert [key for key, _label in items] == ["r50", "r20", "r5", "r0", "zero", "unknown", "size", "selected",
                                              *BASE_ITEMS]
    assert dict(items)["r20"] == "20 to under 50"
    page.context.close()

    page = log_in(browser, asgi_server, "dispatcher", "/emergency/")
    page.wait_for_selector('#map[data-basemap="offline"]')
    items = legend_items(page, "map")
    assert [key for key, _label in items] == ["P1", "P2", "P3", "P4", "available", "on_mission", "out_of_service",
                                              *BASE_ITEMS]
    assert dict(items)["P1"] == "P1 — life-threatening" and dict(items)["on_mission"] == "On a mission"
    # a click on the legend does not place the call; one on the map (through the outlines) does
    page.click("#map .map-legend [data-legend-item='P1']")
    assert page.input_value("#id_latitude") == ""
    page.click("#map", position={"x": 200, "y": 120})
    assert page.input_value("#id_latitude") != ""
    page.context.close()

    # on a small screen the legend starts folded
    page = log_in(browser, asgi_server, "operator", "/dashboard/", viewport={"width": 600, "height": 900})
    page.wait_for_selector("#map .map-legend")
    assert page.get_attribute("#map .map-legend", "open") is None
    page.context.close()


def test_tiles_that_load_keep_only_the_city_outline_and_tiles_that_fail_leave_the_base_map(
        asgi_server, browser, live_city, settings):
    # any image answers as a tile
    settings.MAP_TILE_URL = f"{asgi_server}/static/vendor/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}"
    page = log_in(browser, asgi_server, "operator", "/dashboard/")
    page.wait_for_selector('#map[data-basemap="online"]')
    assert page.locator("#map .leaflet-tile-pane img").count() > 0
    assert page.locator(OUTLINES.format(map="map")).count() == 1  # the city's outline over the tiles
    assert page.locator("#map .ward-label").count() == 0
    assert [key for key, _label in legend_items(page, "map")][-2:] == ["size", "city"]
    page.context.close()

    settings.MAP_TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
    page = log_in(browser, asgi_server, "operator", "/dashboard/")
    page.wait_for_selector("#map[data-tiles='unavailable']")
    assert page.get_attribute("#map", "data-basemap") == "offline"
    assert page.locator(OUTLINES.format(map="map")).count() == 40
    assert page.inner_text("#map .map-note") == "Map tiles unavailable: offline base map shown"
    page.context.close()
