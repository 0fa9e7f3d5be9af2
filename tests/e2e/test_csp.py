"""The live pages under the Content Security Policy in a real browser: charts, maps, the live feed, the
epidemic filters and the API docs run without the browser refusing anything."""

from opscenter.org.roles import Role
from opscenter.testing import PASSWORD


def test_the_main_pages_run_under_the_policy(asgi_server, browser, city, settings):
    settings.MAP_TILE_URL = ""  # no tile requests leave the machine
    admin = city.user(Role.ADMIN, "-")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = browser.new_page(bypass_csp=False)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    page.goto(f"{asgi_server}/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{asgi_server}/dashboard/", wait_until="domcontentloaded")
    page.wait_for_selector('#live-status[data-state="live"]')
    page.wait_for_selector("#map[data-facilities] canvas", timeout=10000)  # the map drew its facilities
    for path, ready in [
        ("/dashboard/facility/BV-A/", "#live-status[data-state=live]"),
        ("/surveillance/", "#chart-curve canvas"),
        ("/emergency/", "#live-status[data-state=live]"),
        ("/alerts/", "main"),
        ("/api/docs", ".swagger-ui .info"),
        ("/admin/", "#content"),
    ]:
        page.goto(f"{asgi_server}{path}", wait_until="load")
        page.wait_for_selector(ready, timeout=15000)
    # The epidemic filters submit their form from the external script, not an inline handler.
    page.goto(f"{asgi_server}/surveillance/")
    page.wait_for_selector("select[name=disease][data-autosubmit]")
    other = page.locator("select[name=disease] option").nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option("select[name=disease]", other)
    assert f"disease={other}" in page.url
    assert refused == []
