"""Every API operation × every role, generated from the OpenAPI schema; every page × every role, from the URLconf.

The test city holds objects at hospital A and at hospital B (alerts, reports, cases, cameras, events, watch-list
entries, 115 incidents bound for each, directives, documents, meetings) and a top-secret document. Each
operation is called anonymously and as each user (department roles, the dispatcher, hospital roles at A and B),
with its path parameters filled once with an object in the user's scope and once with one outside it:

- anonymous → 401, but for the public operations (`core.permissions.public`), answered alike to anyone;
- a role without the operation's declared permission (`core.permissions.needs`) → 403;
- an object outside the caller's scope → 403 or 404, and its data never in the answer;
- otherwise a reading → 2xx (or 422), a writing → 2xx, 409, 422, or 403 when the service refuses this object
  for a narrower reason (not your draft, not your meeting...).

Hospital users' answers must never hold the other hospital's data, nor anyone's a document above their
clearance. An operation (or page) that declares no scope rule fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from opscenter.core.permissions import ScopeRule, scope_rule
from opscenter.org.models import Unit, User
from opscenter.org.roles import Role
from opscenter.testing import HOSPITAL_ROLES, City

pytestmark = pytest.mark.django_db

TOP_SECRET = "TUYETMAT-9137"


@dataclass
class Thing:
    """An object a path parameter can name, with the units that make it visible (any one in the user's scope)."""

    value: Any
    owners: list[Unit]
    markers: list[str] = field(default_factory=list)  # strings only this object's data holds
    cleared: int = 0  # confidentiality level the reader needs

    def visible_to(self, user: User) -> bool:
        from opscenter.work.services.documents import clearance

        if self.cleared and clearance(user) < self.cleared:
            return False
        return any(user.unit is not None and user.unit.contains(u) for u in self.owners)


@dataclass
class World:
    city: City
    things: dict[str, dict[str, Thing]]  # path parameter → side ("A"/"B"/…) → object

    def users(self) -> list[tuple[str, User]]:
        return [(f"{role}@{where}", user) for (role, where), user in sorted(self.city.users.items())]


def build_world(city: City) -> World:
    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from opscenter.alerts.services import AlertCandidate, raise_alert
    from opscenter.emergency import definitions as emergency_definitions
    from opscenter.emergency import services as emergency
    from opscenter.emergency.tests.factories import AmbulanceFactory
    from opscenter.org.tests.factories import StationFactory
    from opscenter.surveillance import services as surveillance
    from opscenter.testing import load_daily_history
    from opscenter.vision import definitions as vision_definitions
    from opscenter.vision import services as vision
    from opscenter.vision.models import Camera, FaceMatch, VisionEvent, WatchListEntry
    from opscenter.vision.tests.conftest import camera_json
    from opscenter.work.services import directives, documents, meetings

    emergency_definitions.install(apps)
    vision_definitions.install(apps)
    today = timezone.localdate()
    admin, operator, dispatcher = (city.user(Role.ADMIN), city.user(Role.OPERATOR), city.user(Role.DISPATCHER))
    units = {"A": city.hospital_a, "B": city.hospital_b}
    station = StationFactory(code="CC115-S1", name="Trạm 1", parent=city.emergency_center,
                             latitude=10.76, longitude=106.66)
    AmbulanceFactory(code="AMB-1", station=station, equipment="als")
    things: dict[str, dict[str, Thing]] = {k: {} for k in (
        "alert_id", "code", "unit", "case_id", "event_id", "entry_id", "directive_id", "task_id", "document_id",
        "meeting_id", "item_id", "incident", "ambulance")}
    for side, unit in units.items():
        name = unit.name
        mark = [unit.code, name]
        load_daily_history(today, unit.code, days=60)  # long enough to forecast
        alert, _created = raise_alert(AlertCandidate(
            source="test", kind="test", severity="warning", unit=unit, title=f"CANHBAO-{side}",
            dedup_key=f"test:{side}"))
        things["alert_id"][side] = Thing(alert.pk, [unit], [*mark, f"CANHBAO-{side}"])
        things["unit"][side] = Thing(unit.code, [unit], mark)
        case = surveillance.report_case("test", surveillance.CaseInput(
            disease="dengue", onset_date=today, report_date=today, age_years=30, ward="W-CL", facility=unit.code,
            classification="suspected", patient_id=f"ID-{side}", patient_name=f"BENHNHAN-{side}")).case
        things["case_id"][side] = Thing(case.pk, [unit], [*mark, f"BENHNHAN-{side}"])
        camera, _changed = vision.save_camera("test", camera_json(f"CAM-{side}", unit.code))
        things["code"][side] = Thing(unit.code, [unit], mark)  # hospital codes; cameras below
        start = timezone.now().timestamp() - 60
        event, _stored = vision.ingest(None, {"message_id": f"message-{side}-1", "type": "new", "before": None,
                                              "after": {"id": f"ev-{side}", "camera": camera.code,
                                                        "kind": VisionEvent.Kind.LOITERING, "score": 0.9,
                                                        "start_time": start, "frame_time": start}})
        things["event_id"][side] = Thing(event.pk, [unit], [*mark, f"CAM-{side}"])
        # Pictures: the camera's newest frame, the event's snapshot and face, the watch-list photo.
        picture = default_storage.save(f"test/{side}.jpg", ContentFile(b"\xff\xd8\xff\xd9"))
        Camera.objects.filter(pk=camera.pk).update(latest_frame=picture)
        VisionEvent.objects.filter(pk=event.pk).update(snapshot=picture)
        entry = WatchListEntry.objects.create(unit=unit, name=f"THEODOI-{side}", encoding=[0.0] * 128,
                                              face_crop=picture)
        FaceMatch.objects.create(event=event, entry=entry, distance=0.3, threshold=0.6, face_crop=picture)
        things["entry_id"][side] = Thing(entry.pk, [unit], [*mark, f"THEODOI-{side}"])
        incident, _created = emergency.create_incident(dispatcher, emergency.IncidentInput(
            chief_complaint=f"CAPCUU-{side}", priority=2, latitude=10.76, longitude=106.66,
            caller_phone="0909000000"))
        emergency.set_destination(dispatcher, incident, unit.code)
        things["incident"][side] = Thing(incident.code, [unit, city.emergency_center],
                                         [*mark, f"CAPCUU-{side}"])
        directive, _created = directives.issue(operator, directives.DirectiveDraft(
            title=f"CHIDAO-{side}", content="Báo cáo", units=[unit.code]))
        things["directive_id"][side] = Thing(directive.pk, [city.department, unit], [f"CHIDAO-{side}"])
        task = directive.tasks.get()
        things["task_id"][side] = Thing(task.pk, [city.department, unit], [f"CHIDAO-{side}"])
        document, _created = documents.register_incoming(admin, documents.DocumentFields(
            summary=f"VANBAN-{side}", number_symbol=f"1/{side}", issuing_body="UBND",
            issue_date=today, unit=unit.code))
        things["document_id"][side] = Thing(document.pk, [unit], [*mark, f"VANBAN-{side}"])
        meeting, _created, _clashes = meetings.schedule(operator, meetings.MeetingFields(
            title=f"HOP-{side}", starts_at=timezone.now() + dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=1, hours=1), units=[unit.code],
            online_url="https://meet.example.org/x"))
        item = meetings.add_agenda_item(operator, meeting, title=f"NOIDUNG-{side}")
        things["meeting_id"][side] = Thing(meeting.pk, [city.department, unit], [f"HOP-{side}"])
        things["item_id"][side] = Thing(getattr(item, "pk", None) or meeting.agenda.get().pk,
                                        [city.department, unit], [f"NOIDUNG-{side}"])
    surveillance.run_forecasts(today)
    secret, _created = documents.register_incoming(admin, documents.DocumentFields(
        summary=TOP_SECRET, number_symbol="9/TM", issuing_body="Bộ", issue_date=today, confidentiality=3))
    # Its creator and handler on paper is the clerk, who is not cleared for it: that changes nothing.
    type(secret).objects.filter(pk=secret.pk).update(created_by=city.user(Role.CLERK), handler=city.user(Role.CLERK))
    things["document_id"]["secret"] = Thing(secret.pk, [city.department], [TOP_SECRET], cleared=3)
    things["ambulance"]["115"] = Thing("AMB-1", [station], ["AMB-1"])
    return World(city, things)


# Which world object a path parameter names, by where it sits (`code` is a camera, a hospital, an incident or an
# ambulance); None: a fixed value.
def kind_of(path: str, param: str) -> str | None:
    if param == "code" and "data-sets/" in path:
        return None
    if param == "code":
        for part, kind in (("cameras/", "camera"), ("incidents/", "incident"), ("ambulances/", "ambulance"),
                           ("emergency/hospitals/", "hospital115")):
            if part in path:
                return kind
        return "code"
    if param == "pk":
        return "event_id"
    if param in FIXED:
        return None
    return param


FIXED = {"data_set": "HOSP_DAILY", "code": "HOSP_DAILY", "fmt": "pdf", "period": "today", "action": "view",
         "token": "x", "notification_id": 0, "file_id": 0, "slot_id": 0, "service": "x"}


def fixed(name: str) -> str:
    from django.utils import timezone

    value = FIXED[name]
    return timezone.localdate().isoformat() if value == "today" else str(value)


def camera_things(world: World) -> dict[str, Thing]:
    return {side: Thing(f"CAM-{side}", t.owners, [*t.markers]) for side, t in world.things["unit"].items()}


def candidates(world: World, kind: str) -> dict[str, Thing]:
    if kind == "camera":
        return camera_things(world)
    if kind == "hospital115":  # the 115 centre's people coordinate with every hospital
        return {side: Thing(t.value, [*t.owners, world.city.emergency_center], t.markers)
                for side, t in world.things["code"].items()}
    return world.things[kind]


# ---- requests generated from the schema --------------------------------------------------------------------

def example(schema: dict, spec: dict, name: str = "") -> Any:
    """A value valid for the schema (required fields only), so that refusals come from the scope layer."""
    if "$ref" in schema:
        return example(resolve(spec, schema["$ref"]), spec, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example(options[0], spec, name)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example(v, spec, k) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        from django.utils import timezone

        return timezone.localdate().isoformat()  # the day the test city's data was reported
    if fmt == "date-time":
        return dt.datetime.now(dt.UTC).isoformat()
    return {"disease": "dengue", "reason": "lý do", "text": "ghi chú", "summary": "tóm tắt",
            "title": "tiêu đề", "content": "nội dung"}.get(name, "x")


def resolve(spec: dict, ref: str) -> dict:
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    rule: ScopeRule | None
    query: dict[str, Any]
    body: Any  # JSON, or None
    multipart: bool
    path_params: list[str]


def operations(spec: dict) -> list[Operation]:
    from opscenter.api import api

    rules: dict[str, ScopeRule | None] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                rules[api.get_openapi_operation_id(op)] = scope_rule(op.view_func)
    out = []
    for path, methods in spec["paths"].items():
        for method, detail in methods.items():
            params = detail.get("parameters", [])
            query = {p["name"]: example(p.get("schema", {}), spec, p["name"])
                     for p in params if p["in"] == "query" and p.get("required")}
            content = detail.get("requestBody", {}).get("content", {})
            body, multipart = None, False
            if "application/json" in content:
                body = example(content["application/json"]["schema"], spec)
            elif "multipart/form-data" in content:
                multipart = True
            out.append(Operation(method.upper(), path, detail["operationId"], rules.get(detail["operationId"]),
                                 query, body, multipart, [p["name"] for p in params if p["in"] == "path"]))
    return out


def call(client: Client, op: Operation, values: dict[str, Any], query: dict[str, Any] | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), op.path)
    query = {**op.query, **(query or {})}
    if op.method == "GET":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if op.multipart:
        return client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    send = client.put if op.method == "PUT" else client.post
    return send(url, json.dumps(op.body if op.body is not None else {}), content_type="application/json")


def client_for(user: User | None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def forbidden_markers(world: World, user: User) -> list[str]:
    """What must never reach this user: the other hospital's data (hospital roles), documents above clearance."""
    from opscenter.work.services.documents import clearance

    out = []
    if user.role in HOSPITAL_ROLES:
        other = "B" if user.unit == world.city.hospital_a else "A"
        for kind in world.things.values():
            if other in kind and not kind[other].visible_to(user):
                out.extend(kind[other].markers)
    if clearance(user) < 3:
        out.append(TOP_SECRET)
    return sorted(set(out))


def test_every_operation_declares_its_scope_rule(client):
    spec = client.get("/api/openapi.json").json()
    undeclared = [f"{op.method} {op.path}" for op in operations(spec) if op.rule is None]
    assert not undeclared, f"operations without a declared scope rule (core.permissions.needs): {undeclared}"


@pytest.mark.slow
def test_every_operation_as_every_role(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(city)
    spec = Client().get("/api/openapi.json").json()
    # Readings first: the writings (cancel, resolve, withdraw...) change what there is to read.
    ops = sorted(operations(spec), key=lambda op: op.method != "GET")
    assert len(ops) > 100
    problems: list[str] = []
    calls = 0
    for op in ops:
        assert op.rule is not None, f"{op.method} {op.path} declares no scope rule"
        kinds = [kind_of(op.path, p) for p in op.path_params]
        # Path values: one combination per side the objects come from.
        sides = sorted({side for k in kinds if k for side in candidates(world, k)}) or ["-"]
        combos = []
        for side in sides:
            values: dict[str, Any] = {}
            things = []
            for param, kind in zip(op.path_params, kinds, strict=True):
                if kind is None:
                    values[param] = fixed(param)
                    continue
                options = candidates(world, kind)
                thing = options.get(side) or next(iter(options.values()))
                values[param] = thing.value
                things.append(thing)
            combos.append((side, values, things))
        # Anonymous: refused before anything else; answered by the public operations (the citizen portal), which
        # hold only public data or what the caller proves is theirs: every caller is the same to them.
        if op.rule.public:
            for label, user in [("anonymous", None), *world.users()]:
                r = call(client_for(user), op, combos[0][1])
                calls += 1
                if r.status_code in (401, 403) or r.status_code >= 500:
                    problems.append(f"{label} {op.method} {op.path} → {r.status_code}: public")
            continue
        r = call(client_for(None), op, combos[0][1])
        calls += 1
        if r.status_code != 401:
            problems.append(f"anonymous {op.method} {op.path} → {r.status_code}")
        for label, user in world.users():
            allowed = op.rule.allows(user)
            markers = forbidden_markers(world, user)
            client = client_for(user)
            for side, values, things in combos:
                r = call(client, op, values)
                calls += 1
                status = r.status_code
                body = r.content.decode(errors="replace")
                where = f"{label} {op.method} {op.path} [{side}] → {status}"
                in_scope = all(t.visible_to(user) for t in things)
                if not allowed:
                    if status != 403:
                        problems.append(f"{where}: lacks the permission, expected 403")
                elif not in_scope:
                    if status not in (403, 404):
                        problems.append(f"{where}: object outside the scope, expected 403/404")
                elif op.method == "GET":
                    if not (200 <= status < 300 or status == 422):
                        problems.append(f"{where}: in scope, expected 2xx/422 ({body[:150]})")
                elif not (200 <= status < 300 or status in (403, 409, 422)):
                    problems.append(f"{where}: in scope, expected 2xx/403/409/422 ({body[:150]})")
                leaked = [m for m in markers if m in body and m not in str(values.values())]  # not an echo
                if leaked:
                    problems.append(f"{where}: answer holds {leaked}")
            # Filters must not open another unit either: name each hospital, ask per facility.
            if allowed and op.method == "GET":
                names = {p["name"] for p in _query_params(spec, op)}
                probes = [{"unit": world.things["unit"][side].value} for side in ("A", "B") if "unit" in names]
                probes += [{"group": "facility"}] if "group" in names else []
                for probe in probes:
                    r = call(client, op, combos[0][1], probe)
                    calls += 1
                    leaked = [m for m in markers if m in r.content.decode(errors="replace")
                              and m not in probe.values()]
                    if leaked:
                        problems.append(f"{label} {op.method} {op.path}?{probe}: answer holds {leaked}")
    print(f"{len(ops)} operations, {len(world.users())} users and anonymous: {calls} calls")
    assert not problems, "\n".join(problems)


def _query_params(spec: dict, op: Operation) -> list[dict]:
    return [p for p in spec["paths"][op.path][op.method.lower()].get("parameters", []) if p["in"] == "query"]


# ---- pages -------------------------------------------------------------------------------------------------

# Not pages: the admin site (staff accounts), the API, sign-in, the health check, FHIR endpoints for machines
# (bearer tokens, tested with them), the event stream.
SKIPPED_PAGES = ("admin/", "api/", "login/", "logout/", "i18n/", "healthz", "fhir/", "events/stream")


def skipped(route: str) -> bool:
    return route.startswith(SKIPPED_PAGES) or "/fhir/" in route


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not skipped(route):
                out.extend(url_patterns(p, route))
        elif not skipped(route) and route:
            out.append((route, p))
    return out


def test_every_page_declares_its_scope_rule():
    undeclared = [route for route, p in url_patterns() if scope_rule(p.callback) is None]
    assert not undeclared, f"pages without a declared scope rule (perm_required / login_only): {undeclared}"


def page_url(world: World, route: str, side: str) -> tuple[str, list[Thing]]:
    """The route with its parameters filled from the objects of one side, and those objects."""
    things = []

    def fill(m: re.Match) -> str:
        name = m.group(1)
        kind = kind_of(route, name)
        if kind is None:
            return fixed(name)
        thing = candidates(world, kind)[side]
        things.append(thing)
        return str(thing.value)

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route), things


def public_problems(world: World, method: str, path: str) -> list[str]:
    """A public page answers anyone, signed in or not, alike: never refused, never an error."""
    problems = []
    for label, user in [("anonymous", None), *world.users()]:
        client = client_for(user)
        r = client.get(path) if method == "GET" else client.post(path)
        to_login = r.status_code == 302 and "/login/" in r.get("Location", "")
        if r.status_code in (401, 403) or r.status_code >= 500 or to_login:
            problems.append(f"{label} {method} {path} → {r.status_code}: public")
    return problems


@pytest.mark.slow
def test_every_page_as_every_role(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(city)
    problems = []
    for route, pattern in url_patterns():
        rule = scope_rule(pattern.callback)
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        kinds = {p: kind_of(route, p) for p in params}

        sides = ["A", "B"] if any(kinds.values()) else ["-"]
        first, _things = page_url(world, route, sides[0])
        if rule is not None and rule.public:  # the citizen portal: the same to everyone
            problems += public_problems(world, "GET", first)
            continue
        r = client_for(None).get(first)
        if r.status_code != 405 and not (r.status_code == 302 and "/login/" in r["Location"]):
            problems.append(f"anonymous GET {first} → {r.status_code}")
        if rule is None:
            problems.append(f"{route}: no scope rule")
            continue
        for label, user in world.users():
            client = client_for(user)
            markers = forbidden_markers(world, user)
            for side in sides:
                path, things = page_url(world, route, side)
                r = client.get(path)
                status = r.status_code
                where = f"{label} GET {path} → {status}"
                in_scope = all(t.visible_to(user) for t in things)
                fixed = any(kinds[p] is None for p in params)  # an action name, a token...: may not exist
                if status == 405:  # a form's target: nothing to show on GET
                    pass
                elif not rule.allows(user):
                    if status != 403:
                        problems.append(f"{where}: lacks the permission, expected 403")
                elif not in_scope:
                    if status not in (403, 404):
                        problems.append(f"{where}: outside the scope, expected 403/404")
                elif not (status in (200, 302) or (status == 404 and fixed)):
                    problems.append(f"{where}: in scope, expected 200")
                body = r.content.decode(errors="replace") if status == 200 else ""
                leaked = [m for m in markers if m in body]
                if leaked:
                    problems.append(f"{where}: page holds {leaked}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_page_form_as_every_role(city, settings, tmp_path):
    """The same for the pages' forms (POST, empty): refused without the permission, and an object outside the
    scope is not found before anything is read from the form."""
    settings.MEDIA_ROOT = tmp_path
    world = build_world(city)
    problems = []
    for route, pattern in url_patterns():
        rule = scope_rule(pattern.callback)
        assert rule is not None, route
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        sides = ["A", "B"] if any(kind_of(route, p) for p in params) else ["-"]
        first, _things = page_url(world, route, sides[0])
        if rule.public:
            problems += public_problems(world, "POST", first)
            continue
        r = client_for(None).post(first)
        if r.status_code != 405 and not (r.status_code == 302 and "/login/" in r["Location"]):
            problems.append(f"anonymous POST {first} → {r.status_code}")
        for label, user in world.users():
            client = client_for(user)
            for side in sides:
                path, things = page_url(world, route, side)
                status = client.post(path).status_code
                where = f"{label} POST {path} → {status}"
                if status == 405:
                    continue
                if not rule.allows(user):
                    if status != 403:
                        problems.append(f"{where}: lacks the permission, expected 403")
                elif not all(t.visible_to(user) for t in things) and status not in (403, 404):
                    problems.append(f"{where}: outside the scope, expected 403/404")
    assert not problems, "\n".join(problems)
