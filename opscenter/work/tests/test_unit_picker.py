"""The unit picker of the directive, meeting and outgoing document forms: units grouped by kind and former
district, each with the folded text the search matches; the form posts unit codes as before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from opscenter.org import services as org
from opscenter.org.models import Unit, Ward
from opscenter.org.roles import Role
from opscenter.work.models import Directive, Document, Meeting
from opscenter.work.picker import SPLIT_ABOVE, unit_groups

DISTRICTS = [("W-TD", "Phường Tân Định", "Quận 1"), ("W-BC", "Phường Bàn Cờ", "Quận 3"),
             ("W-DH", "Phường Diên Hồng", "Quận 10")]


@pytest.fixture
def health_centres(city):
    """Enough health centres in three former districts that the picker splits their kind by area."""
    wards = [Ward.objects.create(code=code, name=name, former_district=district) for code, name, district in DISTRICTS]
    for n in range(SPLIT_ABOVE + 3):
        ward = wards[n % len(wards)]
        org.upsert_unit("test", code=f"TYT-{n:02d}", name=f"Trạm Y tế {ward.name.removeprefix('Phường ')} {n}",
                        short_name=f"TYT {ward.name.removeprefix('Phường ')} {n}", kind=Unit.Kind.HEALTH_CENTER,
                        parent=city.department, ward=ward)
    return Unit.objects.filter(kind=Unit.Kind.HEALTH_CENTER).order_by("code")


def _boxes(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', html)


def _picker(html: str) -> str:
    start = html.index("data-unit-picker")
    return html[start:html.index("</fieldset>", start)]


def test_the_directive_form_groups_units_by_kind_and_area(api_client, city, health_centres):
    html = api_client(Role.OPERATOR).get("/work/directives/new/").content.decode()
    picker = _picker(html)
    # kinds in their declared order; the operator's own department is not offered
    titles = re.findall(r'class="picker-title"[^>]*>([^<]+)<', picker)
    assert titles == ["Hospital", "Health centre", "Emergency centre (115)"]
    assert "SYT" not in _boxes(html, "units")
    assert set(_boxes(html, "units")) == {"BV-A", "BV-B", "CC115", *(u.code for u in health_centres)}
    # the health centres split by former district, in natural order (Quận 3 before Quận 10)
    areas = re.findall(r'<div class="picker-subhead"><span[^>]*>([^<]+)</span>', picker)
    assert areas == ["Quận 1", "Quận 3", "Quận 10"]
    # the search text is folded: "cho lon" and "quan 5" find hospital A
    assert re.search(r'data-search="[^"]*benh vien a[^"]*phuong cho lon quan 5"[^>]*><input type="checkbox" '
                     r'name="units" value="BV-A"', picker)
    # the enhancement is a script from this site; the kinds fieldset is still there
    assert '<script src="/static/work/unit_picker.js">' in html
    assert 'name="unit_kinds" value="hospital"' in html


def test_the_picker_reads_in_vietnamese(api_client, city, health_centres):
    html = api_client(Role.OPERATOR, language="vi").get("/work/directives/new/").content.decode()
    picker = _picker(html)
    assert re.findall(r'class="picker-title"[^>]*>([^<]+)<', picker) == [
        "Bệnh viện", "Trung tâm y tế", "Trung tâm cấp cứu (115)"]


def test_the_directive_form_posts_unit_codes_as_before(api_client, city, health_centres):
    operator = api_client(Role.OPERATOR)
    codes = ["BV-B", health_centres[0].code, health_centres[4].code]
    deadline = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = operator.post("/work/directives/new/", {"title": "Rà soát cơ số thuốc", "content": "Báo cáo trước 16h",
                                                "units": codes, "priority": "normal", "deadline": deadline})
    directive = Directive.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/work/directives/{directive.pk}/"
    assert sorted(directive.tasks.values_list("unit__code", flat=True)) == sorted(codes)
    # a whole kind still works beside the picker, and nothing chosen is still refused
    operator.post("/work/directives/new/", {"title": "Bảo đảm trực", "content": "x", "unit_kinds": ["hospital"],
                                            "priority": "normal"})
    assert sorted(Directive.objects.get(title="Bảo đảm trực").tasks.values_list("unit__code", flat=True)) == [
        "BV-A", "BV-B"]
    refused = operator.post("/work/directives/new/", {"title": "Trống", "content": "x"}, follow=True)
    assert "units:" in refused.content.decode() and not Directive.objects.filter(title="Trống").exists()


def test_the_meeting_form_uses_the_picker_and_invites_the_units(api_client, city, health_centres):
    clerk = api_client(Role.CLERK)
    html = clerk.get("/work/meetings/new/").content.decode()
    assert 'id="units-picker"' in html and {"SYT", "BV-A"} <= set(_boxes(html, "units"))
    assert '<script src="/static/work/unit_picker.js">' in html
    start = timezone.localtime() + dt.timedelta(days=1)
    r = clerk.post("/work/meetings/new/", {
        "title": "Giao ban", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "online_url": "https://meet.example.org/giao-ban", "units": ["BV-A", health_centres[2].code]})
    meeting = Meeting.objects.get()
    assert r["Location"] == f"/work/meetings/{meeting.pk}/"
    assert sorted(meeting.invited_units.values_list("code", flat=True)) == sorted(["BV-A", health_centres[2].code])


def test_the_outgoing_document_form_picks_recipient_units(api_client, city):
    operator = api_client(Role.OPERATOR)
    html = operator.get("/work/documents/new/out/").content.decode()
    assert set(_boxes(html, "recipient_units")) >= {"BV-A", "BV-B"} and "<select name=\"recipient_units\"" not in html
    r = operator.post("/work/documents/new/out/", {"summary": "V/v báo cáo giường", "doc_type": "cong_van",
                                                   "urgency": "normal", "confidentiality": "0",
                                                   "recipient_units": ["BV-A", "BV-B"]})
    document = Document.objects.get()
    assert r["Location"] == f"/work/documents/{document.pk}/"
    assert sorted(document.recipient_units.values_list("code", flat=True)) == ["BV-A", "BV-B"]
    # the incoming register has no recipients to pick, nor the script
    incoming = api_client(Role.CLERK).get("/work/documents/new/in/").content.decode()
    assert "data-unit-picker" not in incoming and "unit_picker.js" not in incoming


def test_a_short_kind_stays_whole_and_selected_units_are_ticked(city, health_centres):
    groups = unit_groups(Unit.objects.select_related("ward"), selected=["BV-A"])
    hospitals = next(g for g in groups if g.kind == Unit.Kind.HOSPITAL)
    assert [a.label for a in hospitals.areas] == [""] and hospitals.count == 2
    assert [(u.code, u.selected) for u in hospitals.areas[0].units] == [("BV-A", True), ("BV-B", False)]
    centres = next(g for g in groups if g.kind == Unit.Kind.HEALTH_CENTER)
    assert centres.count == health_centres.count() and len(centres.areas) == 3
