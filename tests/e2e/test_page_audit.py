"""The page audit: every role, every page its navigation reaches (and the detail pages and forms those pages
link to), in Vietnamese and English, at 1440 and 1280 pixels wide, on the demo's data. A page fails on a
console error, a failed request or an HTTP error, sideways overflow, text in the other language (judged
against the message catalogue) or a raw code in visible text.

`make screenshots` runs it with AUDIT_SCREENSHOTS=docs/img/pages: each page as each role sees it lands there."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from opscenter.demo import domains, seed
from opscenter.demo.simulator import Simulator
from opscenter.testing import install_definitions

from .audit import OVERFLOW_JS, VISIBLE_TEXT_JS, data_names, problems
from .conftest import serve

WIDTHS = (1440, 1280)
LANGUAGES = ("vi", "en")
SCREENSHOTS = os.environ.get("AUDIT_SCREENSHOTS", "")
# Links worth following from a page: its head's buttons and the first of each kind of detail page.
DETAIL = re.compile(
    r"^/(alerts/\d+|emergency/incidents/[^/]+|work/(directives|documents|meetings)/\d+|vision/events/\d+"
    r"|surveillance/cases/\d+|dashboard/facility/[^/]+|reporting/[^/]+/[^/]+/\d{4}-\d{2}-\d{2})/$")
NOT_PAGES = re.compile(r"^/(logout|i18n|api/(?!docs)|events/|admin/.+)|\.(pdf|csv|xlsx|ics|svg|docx)$|/minutes\.|"
                       r"/checkin/|/files/")
# The API's reference is for developers, in English by design: checked for errors, not for language.
NO_TEXT_CHECK = ("/api/docs",)


@pytest.fixture
def demo_day(transactional_db, settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the pages are the same on PostgreSQL; audited once, on the embedded database")
    settings.MAP_TILE_URL = ""  # nothing leaves the machine
    # The demo's data is written as `opscenter demo` writes it, in the site's language (an earlier test on this
    # process may have left another language active).
    with translation.override(settings.LANGUAGE_CODE):
        install_definitions()
        seed.seed_network()
        seed.seed_history(21)
        seed.seed_today()
        domains.seed_all()
        simulator = Simulator(seed=7)
        for _ in range(6):
            simulator.tick()
        domains.tick_all()


def links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        ".mainnav a[href], .page-head a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))")
    found: dict[str, None] = {}
    kinds: set[str] = set()
    for href in hrefs:
        url = urlsplit(href)
        path = url.path
        if url.netloc or not path.startswith("/") or NOT_PAGES.search(path) or path in found:
            continue
        if m := DETAIL.match(path):
            if m.group(1).split("/")[0] + (m.group(2) or "") in kinds:
                continue
            kinds.add(m.group(1).split("/")[0] + (m.group(2) or ""))
        found[path] = None
    return list(found)


def audit_role(browser, base: str, username: str, language: str, names: frozenset[str]) -> list[str]:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, timezone_id="Asia/Ho_Chi_Minh",
                                  locale="vi-VN" if language == "vi" else "en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    findings: list[str] = []
    where = {"url": ""}
    page.on("console", lambda m: findings.append(f"{where['url']}: console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: findings.append(f"{where['url']}: script error: {e}"))
    page.on("requestfailed", lambda r: findings.append(f"{where['url']}: request failed {r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: findings.append(f"{where['url']}: HTTP {r.status} {r.url}")
            if r.status >= 400 else None)

    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", seed.DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    landing = urlsplit(page.url).path
    queue, seen = [landing], {landing}
    depth = {landing: 0}
    while queue:
        path = queue.pop(0)
        where["url"] = f"{username} {language} {path}"
        page.goto(f"{base}{path}", wait_until="load")
        page.wait_for_timeout(600)  # charts and maps draw after load
        if not path.startswith(NO_TEXT_CHECK):
            findings += [f"{where['url']}: {p}" for p in problems(page.evaluate(VISIBLE_TEXT_JS), language, names)]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(100)
            findings += [f"{where['url']} at {width}: overflow {o}" for o in page.evaluate(OVERFLOW_JS)]
            if SCREENSHOTS:
                name = path.strip("/").replace("/", "_") or "home"
                target = Path(SCREENSHOTS) / username / f"{name}-{language}-{width}.jpg"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), type="jpeg", quality=70)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        if depth[path] < 2:
            for link in links(page):
                if link not in seen:
                    seen.add(link)
                    depth[link] = depth[path] + 1
                    queue.append(link)
    context.close()
    return findings


@pytest.mark.slow
def test_every_page_of_every_role_reads_well(demo_day, browser):
    findings: list[str] = []
    names = data_names()
    with serve() as base:
        for username, _role, _unit in seed.demo_accounts():
            for language in LANGUAGES:
                findings += audit_role(browser, base, username, language, names)
    assert findings == [], f"{len(findings)} findings:\n" + "\n".join(findings)
