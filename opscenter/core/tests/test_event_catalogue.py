"""The event catalogue: every kind declared with its app and payload type, payloads checked as published, the same
list in the browser and in docs/architecture.md, and alerts raised only by the rules."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import NotRequired, get_args, get_origin

import pytest
from django.apps import apps
from typing_extensions import is_typeddict

from opscenter.core import events
from opscenter.org.roles import Role

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "architecture.md"
START, END = "<!-- event-catalogue:start -->", "<!-- event-catalogue:end -->"


def _scripts() -> list[Path]:
    return sorted((ROOT / "opscenter").glob("**/static/**/*.js"))


def _names_in(script: Path) -> list[str]:
    """The kinds and groups a page script asks OpsLive for: `Live.kinds("alert", "crowd.count")`."""
    return [name for args in re.findall(r"\bkinds\(([^)]*)\)", script.read_text(encoding="utf-8"))
            for name in re.findall(r"\"([^\"]+)\"", args)]


def _pages_listening() -> dict[str, list[str]]:
    catalogue = events.live_kinds()
    pages: dict[str, list[str]] = {}
    for script in _scripts():
        for name in _names_in(script):
            for kind in catalogue["groups"].get(name, [name]):
                if script.name not in pages.setdefault(kind, []):
                    pages[kind].append(script.name)
    return pages


def _type_name(annotation: object) -> str:
    """`str or None`, `list[Position]`: short, and without the `|` of a table."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    text = re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(annotation)).replace("NoneType", "None")
    return text.replace(" | ", " or ")


def _fields(payload: type) -> str:
    hints = typing.get_type_hints(payload, include_extras=True)
    shown = []
    for name, hint in hints.items():
        optional = get_origin(hint) is NotRequired
        shown.append(f"{name}{'?' if optional else ''}: {_type_name(get_args(hint)[0] if optional else hint)}")
    return ", ".join(shown)


def _nested(payload: type) -> list[type]:
    """The TypedDicts a payload's fields are made of (`positions: list[Position]`)."""
    found, todo = [], list(typing.get_type_hints(payload).values())
    while todo:
        hint = todo.pop(0)
        if is_typeddict(hint):
            found.append(hint)  # type: ignore[arg-type]
        todo.extend(get_args(hint))
    return found


def catalogue_markdown() -> str:
    """The catalogue section of docs/architecture.md, as the registry says it (paste it there when it changes)."""
    from opscenter.alerts.rules import kinds_read

    rules, pages = kinds_read(), _pages_listening()
    specs = sorted(events.CATALOGUE.values(), key=lambda s: (s.source, s.kind))
    lines = ["| kind | published by | payload | live group | browser pages | alert rules | also read by |",
             "|---|---|---|---|---|---|---|"]
    for spec in specs:
        lines.append(f"| `{spec.kind}` | {spec.source} | `{spec.payload.__name__}` | {', '.join(spec.live)} | "
                     f"{', '.join(f'`{p}`' for p in pages.get(spec.kind, []))} | "
                     f"{', '.join(rules.get(spec.kind, []))} | {spec.read_by} |")
    lines += ["", "| payload | fields (`?`: not always present) |", "|---|---|"]
    seen: list[type] = []
    for spec in specs:
        if spec.payload in seen:
            continue
        seen.append(spec.payload)
        lines.append(f"| `{spec.payload.__name__}` ({spec.source}) | {_fields(spec.payload) or '—'} |")
        for nested in _nested(spec.payload):
            if nested not in seen:
                seen.append(nested)
                lines.append(f"| `{nested.__name__}` ({spec.source}) | {_fields(nested)} |")
    return "\n".join(lines)


def test_every_declared_kind_has_a_payload_type_and_an_app():
    labels = {config.label for config in apps.get_app_configs()}
    assert len(events.CATALOGUE) > 50
    for kind, spec in events.CATALOGUE.items():
        assert spec.kind == kind and re.fullmatch(r"[a-z_]+\.[a-z_]+", kind), kind
        assert spec.source in labels, kind
        assert is_typeddict(spec.payload) and spec.fields, kind
        assert spec.doc, kind


def test_every_kind_an_app_publishes_is_declared_by_that_app():
    """A declaration in an app's events.py, a kind in the code: each publishing site names a declared constant or
    a literal; the literals found in the services must all be in the catalogue."""
    found = set()
    for path in (ROOT / "opscenter").glob("**/*.py"):
        if "/tests/" in str(path) or path.name == "events.py":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"_publish(?:_incident|_camera)?\(\s*(?:\w+,\s*)?\"([a-z_]+\.[a-z_]+)\"", text))
    assert found and found <= set(events.CATALOGUE), found - set(events.CATALOGUE)


@pytest.mark.django_db
def test_an_undeclared_kind_or_a_wrong_payload_is_refused():
    with pytest.raises(events.UndeclaredEvent):
        events.publish(events.Event(source="reporting", kind="report.deleted", unit="BV-A"))
    with pytest.raises(events.UndeclaredEvent):  # declared by reporting, not by vision
        events.publish(events.Event(source="vision", kind="report.overdue", unit="BV-A", payload={}))
    good = {"data_set": "daily", "data_set_name": "Daily", "period": "2025-03-02", "due_at": "2025-03-02T10:00:00",
            "unit_name": "BV A"}
    events.check_payload("report.overdue", good)
    for wrong in ({k: v for k, v in good.items() if k != "period"},  # a field missing
                  {**good, "extra": 1},  # a field not declared
                  {**good, "period": 20250302}):  # of another type
        with pytest.raises(events.PayloadMismatch):
            events.publish(events.Event(source="reporting", kind="report.overdue", unit="BV-A", payload=wrong))


def test_the_catalogue_is_declared_by_the_apps_not_by_hand():
    assert {spec.source for spec in events.CATALOGUE.values()} == {
        "reporting", "alerts", "vision", "emergency", "surveillance", "work", "booking"}
    assert events.live_kinds()["groups"]["alert"] == sorted(
        k for k, s in events.CATALOGUE.items() if s.source == "alerts")


@pytest.mark.django_db
def test_payloads_published_in_representative_flows_fit_their_types(city, api_client):
    """Reports, an alert and its handling, a 115 incident sent to a hospital, a case, a directive, a document:
    every event published is of a declared kind and its payload fits (checked again here, whatever the setting)."""
    from opscenter.emergency.tests.factories import AmbulanceFactory, IncidentFactory
    from opscenter.org.tests.factories import StationFactory
    from opscenter.reporting.tests.factories import ReportFactory
    from opscenter.surveillance.tests.factories import CaseFactory
    from opscenter.testing import full_report
    from opscenter.work.tests.factories import IncomingDocumentFactory

    seen: list[events.Event] = []
    events.subscribe(seen.append)
    try:
        ReportFactory(unit="BV-A", values=full_report(icu_total=20, icu_occupied=20))  # over the ICU threshold
        alert_id = api_client(Role.HOSPITAL_MANAGER, "A").get("/api/alerts").json()["items"][0]["id"]
        manager = api_client(Role.HOSPITAL_MANAGER, "A")
        assert manager.post(f"/api/alerts/{alert_id}/acknowledge", {}, content_type="application/json") \
            .status_code == 200
        station = StationFactory(code="CC115-S9", parent=city.emergency_center, latitude=10.76, longitude=106.66)
        AmbulanceFactory(code="AMB-9", station=station, equipment="als")
        incident = IncidentFactory(actor=city.user(Role.DISPATCHER))
        dispatcher = api_client(Role.DISPATCHER)
        assert dispatcher.post(f"/api/emergency/incidents/{incident.code}/assign",
                               {"ambulance": "AMB-9", "hospital": "BV-A"},
                               content_type="application/json").status_code == 200
        CaseFactory(ward=city.hospital_a.ward.code)
        IncomingDocumentFactory(clerk=city.user(Role.CLERK))
    finally:
        events._handlers.remove(seen.append)
    kinds = {e.kind for e in seen}
    assert {"report.submitted", "alert.raised", "alert.acknowledged", "incident.created", "incident.assigned",
            "incident.destination", "ambulance.status", "case.reported", "document.registered"} <= kinds, kinds
    for event in seen:
        assert events.declared(event.kind).source == event.source
        events.check_payload(event.kind, event.payload)
    # the patient announced to the hospital, by its rule through the outbox
    from opscenter.alerts.models import Alert

    assert Alert.objects.filter(kind="incoming_patient", unit=city.hospital_a, rule=None).exists()


@pytest.mark.django_db
def test_the_browser_gets_the_catalogue_and_pages_name_only_declared_kinds(city, client):
    client.force_login(city.user(Role.HOSPITAL_MANAGER, "A"))
    html = client.get("/dashboard/").content.decode()
    sent = json.loads(re.search(r'<script id="ops-event-kinds" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert sent == events.live_kinds()
    assert sent["all"] == sorted(events.CATALOGUE)
    names = {name for script in _scripts() for name in _names_in(script)}
    assert names and names <= set(sent["all"]) | set(sent["groups"]), names - set(sent["all"]) - set(sent["groups"])
    live = (ROOT / "opscenter/static/opscenter/live.js").read_text(encoding="utf-8")
    assert '"alert.raised"' not in live  # no copied list of kinds left


def test_only_the_alert_rules_raise_alerts():
    """One path to an alert: an app publishes its event and registers its rule (alerts.rules); only the rules call
    the raising service."""
    callers = []
    for path in (ROOT / "opscenter").glob("**/*.py"):
        if "/tests/" in str(path) or (path.parent.name == "alerts" and path.name in ("rules.py", "services.py")):
            continue
        if re.search(r"\b(raise_alert|clear_alert)\(", path.read_text(encoding="utf-8")):
            callers.append(str(path.relative_to(ROOT)))
    assert callers == []


def test_the_architecture_page_lists_the_catalogue_as_declared():
    text = DOCS.read_text(encoding="utf-8")
    documented = text.split(START, 1)[1].split(END, 1)[0].strip()
    expected = catalogue_markdown()
    assert documented == expected, "docs/architecture.md's event catalogue is stale; it should read:\n" + expected
