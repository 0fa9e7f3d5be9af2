"""An operator in a real browser: logs in, sees the map and KPIs, and sees a new alert arrive live."""

import datetime as dt

import httpx

from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.surveillance import tasks as surveillance_tasks
from opscenter.testing import PASSWORD, load_daily_history, report_payload


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/dashboard/", wait_until="domcontentloaded")


def test_operator_sees_map_kpis_and_a_live_alert(asgi_server, browser, city, settings):
    settings.MAP_TILE_URL = ""  # no tile server on the test machine; the map must work without one
    reporter_key = issue_token("test", city.user(Role.REPORTER, "A"), "HIS")[1]
    ok = httpx.post(f"{asgi_server}/api/reporting/reports", json=report_payload(unit="BV-A", er_waiting_for_bed=4),
                    headers={"Authorization": f"Bearer {reporter_key}"})
    assert ok.status_code == 201

    page = browser.new_page()
    login(page, asgi_server, "operator")
    # The map shows both hospitals as markers; KPI tiles show the reported figures.
    page.wait_for_selector("#map[data-facilities]")
    assert page.get_attribute("#map", "data-facilities") == "BV-A BV-B"
    assert page.locator("#map canvas").count() >= 1
    assert "4" in page.locator('[data-kpi="er_waiting"]').inner_text()
    assert "1" in page.locator('[data-kpi="reports_today"]').inner_text()
    page.wait_for_selector('#live-status[data-state="live"]')
    assert page.locator("#alert-feed [data-alert-id]").count() == 0

    # Hospital B reports a full ICU from its own system; the operator's open page shows the alert.
    key_b = issue_token("test", city.user(Role.REPORTER, "B"), "HIS")[1]
    full = httpx.post(f"{asgi_server}/api/reporting/reports",
                      json=report_payload(unit="BV-B", icu_total=10, icu_occupied=10, er_waiting_for_bed=7),
                      headers={"Authorization": f"Bearer {key_b}"})
    assert full.status_code == 201
    item = page.wait_for_selector("#alert-feed [data-alert-id]", timeout=5000)
    assert "BV B" in item.inner_text()
    page.wait_for_function(
        "document.querySelector('[data-kpi=\"er_waiting\"]').innerText.includes('11')", timeout=5000
    )

    # The operator acknowledges it from the feed.
    item.query_selector("button:has-text('Acknowledge'), button:has-text('Tiếp nhận'), "
                        "button:has-text('Xác nhận')").click()
    page.wait_for_selector('#alert-feed [data-status="acknowledged"]', timeout=5000)
    page.close()


def test_facility_charts_carry_the_forecast_bands(asgi_server, browser, city, today):
    load_daily_history(today)
    surveillance_tasks.compute_forecasts.apply().get()

    page = browser.new_page()
    login(page, asgi_server, "operator")
    page.goto(f"{asgi_server}/dashboard/facility/BV-A/")
    page.wait_for_selector("#chart-demand canvas", timeout=10000)
    names = """id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series
                       .filter(s => s.data.some(v => v !== null)).map(s => s.name)"""
    labels = page.evaluate("JSON.parse(document.getElementById('facility-config').textContent).labels")
    drawn = set(page.evaluate(names, "chart-demand"))
    assert {labels["occupied"], labels["forecast"], labels["band80"], labels["band95"], labels["capacity"]} <= drawn
    assert {labels["forecast"], labels["band80"]} <= set(page.evaluate(names, "chart-flow"))  # admissions
    # the occupancy chart draws every bed type reported, and all beds, from the daily figures
    assert {labels["all"], *page.evaluate("JSON.parse(document.getElementById('facility-config').textContent)"
                                          ".bedTypes").values()} <= set(page.evaluate(names, "chart-beds"))
    # the x axis runs on past the last report, into the 14 forecast days
    last_day = page.evaluate("""() => { const o = echarts.getInstanceByDom(document.getElementById('chart-demand'))
                                         .getOption(); return o.xAxis[0].data.slice(-1)[0]; }""")
    assert last_day == (today + dt.timedelta(days=14)).strftime("%d/%m")
    capacity = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('chart-demand')).getOption()
                                 .series.find(s => s.lineStyle && s.lineStyle.type === 'dotted').data[0]""")
    assert capacity == 20  # the ICU's beds

    page.select_option("#demand-type", "internal_medicine")
    page.wait_for_function("""() => echarts.getInstanceByDom(document.getElementById('chart-demand')).getOption()
                               .series.find(s => s.lineStyle && s.lineStyle.type === 'dotted').data[0] === 30""")
    page.close()


def test_the_facility_page_follows_its_hospital_live(asgi_server, browser, city, settings):
    settings.MAP_TILE_URL = ""
    key = issue_token("test", city.user(Role.REPORTER, "A"), "HIS")[1]
    page = browser.new_page()
    login(page, asgi_server, "operator")
    page.goto(f"{asgi_server}/dashboard/facility/BV-A/")
    page.wait_for_selector('#live-status[data-state="live"]')
    assert page.locator("#latest-beds").count() == 0 and page.locator("#facility-alerts [data-alert-id]").count() == 0

    # Another hospital's report changes nothing here; this hospital's full ICU shows at once.
    for unit, reporter_key in (("BV-B", issue_token("test", city.user(Role.REPORTER, "B"), "HIS")[1]), ("BV-A", key)):
        sent = httpx.post(f"{asgi_server}/api/reporting/reports",
                          json=report_payload(unit=unit, icu_total=10, icu_occupied=10),
                          headers={"Authorization": f"Bearer {reporter_key}"})
        assert sent.status_code == 201
    page.wait_for_selector("#latest-beds", timeout=5000)
    page.wait_for_selector("#facility-alerts [data-alert-id]", timeout=5000)
    assert page.locator("#facility-alerts [data-alert-id]").count() == 1
    assert "100%" in page.locator("#latest-beds").inner_text()
    page.wait_for_selector("#chart-beds canvas", timeout=5000)  # the charts drew the first report
    page.close()
