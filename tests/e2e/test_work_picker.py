"""The unit picker of the directive form in a real browser, under the Content Security Policy: a search without
diacritics, "select all" of a group, a chip removed, Enter on the one unit found, and the directive reaches
exactly those units. The form stays compact: the submit button sits right under the fields."""

from __future__ import annotations

import pytest

from opscenter.org import services as org
from opscenter.org.models import Unit, Ward
from opscenter.testing import PASSWORD
from opscenter.work.models import Directive

PICKER = "#units-picker"


@pytest.fixture(autouse=True)
def _work(settings, tmp_path, city):
    from django.apps import apps

    from opscenter.work import definitions

    settings.MEDIA_ROOT = tmp_path / "media"
    definitions.install(apps)


@pytest.fixture
def centres(live_city):
    """Fifteen health centres in three former districts (enough for the picker to split them by area)."""
    wards = [Ward.objects.create(code=code, name=name, former_district=district) for code, name, district in (
        ("W-TD", "Phường Tân Định", "Quận 1"), ("W-BC", "Phường Bàn Cờ", "Quận 3"),
        ("W-DH", "Phường Diên Hồng", "Quận 10"))]
    for n in range(15):
        ward = wards[n % 3]
        place = ward.name.removeprefix("Phường ")
        org.upsert_unit("test", code=f"TYT-{n:02d}", name=f"Trạm Y tế {place} {n}", short_name=f"TYT {place} {n}",
                        kind=Unit.Kind.HEALTH_CENTER, parent=live_city.department, ward=ward)


def test_search_select_a_group_and_issue_a_directive_to_those_units(asgi_server, browser, live_city, centres):
    page = browser.new_page(bypass_csp=False, viewport={"width": 1440, "height": 900}, locale="vi-VN",
                            timezone_id="Asia/Ho_Chi_Minh")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    page.goto(f"{asgi_server}/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    page.goto(f"{asgi_server}/work/directives/new/")
    page.wait_for_selector(f"{PICKER}.picker-live")  # the script ran, under the policy

    # Compact: the whole form, the picker's 18 units included, fits in little more than one screen.
    submit = page.locator("#directive-form button[type=submit]").bounding_box()
    assert submit is not None and submit["y"] + submit["height"] < 1300

    page.fill("input[name=title]", "Rà soát cơ số vắc xin sởi")
    page.fill("textarea[name=content]", "Báo cáo số liều còn lại trước 16 giờ.")
    search = page.locator(f"{PICKER} [data-picker-search]")
    search.fill("tan dinh")  # no diacritics: finds "Tân Định"
    shown = page.locator(f"{PICKER} .picker-item:visible")
    assert shown.count() == 5
    assert all("Tân Định" in t for t in shown.all_inner_texts())
    # "Select all" of the health centres' group takes the five shown, not the fifteen
    page.click(f"{PICKER} [data-kind=health_center] .picker-head [data-picker-all]")
    assert page.locator(f"{PICKER} input[name=units]:checked").count() == 5
    assert page.locator(f"{PICKER} .picker-chips li").count() == 5
    assert "5" in page.inner_text(f"{PICKER} [data-picker-count]")
    # a chip removed unticks its unit
    removed = page.locator(f"{PICKER} .picker-chips .picker-remove").first.get_attribute("data-code")
    page.locator(f"{PICKER} .picker-chips .picker-remove").first.click()
    assert not page.locator(f"{PICKER} input[value='{removed}']").is_checked()
    assert page.locator(f"{PICKER} .picker-chips li").count() == 4
    # Enter on a search that finds one unit ticks it, and does not submit the form
    search.fill("dien hong 2")
    assert shown.count() == 1
    search.press("Enter")
    assert page.locator(f"{PICKER} input[value=TYT-02]").is_checked()
    assert page.url.endswith("/work/directives/new/")
    # a hospital by its ward, ticked by hand
    search.fill("cho lon")
    page.locator(f"{PICKER} input[value=BV-A]").check()
    assert page.locator(f"{PICKER} .picker-chips li").count() == 6

    picked = {box.get_attribute("value") for box in page.locator(f"{PICKER} input[name=units]:checked").all()}
    expected = {f"TYT-{n:02d}" for n in (0, 3, 6, 9, 12)} - {removed} | {"TYT-02", "BV-A"}
    assert picked == expected
    page.click("#directive-form button[type=submit]")
    page.wait_for_selector("[data-task=BV-A]")
    directive = Directive.objects.get()
    assert page.url.endswith(f"/work/directives/{directive.pk}/")
    assert set(directive.tasks.values_list("unit__code", flat=True)) == expected
    assert page.locator("[data-task]").count() == len(expected)
    assert refused == []
