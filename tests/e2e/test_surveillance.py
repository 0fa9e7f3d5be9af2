"""Case reports over the API become an outbreak alert on the operator's live dashboard and signals on the
epidemic page, in a real browser."""

import datetime as dt

import httpx
from django.apps import apps
from django.utils import timezone

from opscenter.org.models import Ward
from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.surveillance import definitions
from opscenter.testing import PASSWORD


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/dashboard/", wait_until="domcontentloaded")


def test_a_dengue_cluster_reaches_the_dashboard_and_the_epidemic_page(asgi_server, browser, city, settings):
    settings.MAP_TILE_URL = ""
    definitions.install(apps)  # the transactional test database was flushed of our migration's rules
    Ward.objects.filter(code="W-CL").update(latitude=10.7545, longitude=106.66)
    key = issue_token("test", city.user(Role.REPORTER, "A"), "HIS")[1]
    today = timezone.localdate()

    page = browser.new_page()
    login(page, asgi_server, "operator")
    page.wait_for_selector('#live-status[data-state="live"]')
    assert page.locator("#alert-feed [data-alert-id]").count() == 0

    cases = [{"disease": "dengue", "onset_date": (today - dt.timedelta(days=2)).isoformat(),
              "report_date": today.isoformat(), "age_years": 20 + i, "ward": "W-CL", "facility": "BV-A",
              "classification": "confirmed", "patient_id": f"E2E-{i}"} for i in range(9)]
    response = httpx.post(f"{asgi_server}/api/surveillance/cases/batch", json={"cases": cases},
                          headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert response.status_code == 200, response.text

    item = page.wait_for_selector("#alert-feed [data-alert-id]", timeout=10000)
    assert "Phường Chợ Lớn" in item.inner_text()

    page.goto(f"{asgi_server}/surveillance/?disease=dengue&area=W-CL")
    rows = page.locator("#signals tr.signal[data-area='W-CL']")
    assert rows.count() >= 2
    assert "9" in rows.first.inner_text()
    page.wait_for_selector("#chart-curve canvas", timeout=10000)
    page.wait_for_selector("#ward-map[data-wards='1'] canvas", timeout=10000)

    page.goto(f"{asgi_server}/surveillance/?disease=dengue")  # the whole city
    page.wait_for_selector("#chart-curve canvas", timeout=10000)
    cases = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('chart-curve')).getOption()
                              .series[0].data.reduce((sum, v) => sum + (v || 0), 0)""")
    assert cases == 9
