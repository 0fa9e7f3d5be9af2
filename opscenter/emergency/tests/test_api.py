"""115 coordination through the JSON API: incidents, dispatch, destination, vehicles, diversion, beds, KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.core import events
from opscenter.core.errors import ValidationFailed
from opscenter.core.models import AuditLog
from opscenter.emergency import services, tasks
from opscenter.emergency.models import Ambulance, Diversion, Incident, IncidentEvent, Position
from opscenter.org.roles import Role
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.testing import full_report

from .conftest import INCIDENT


def post(client, url, payload=None):
    return client.post(f"/api/emergency{url}", payload or {}, content_type="application/json")


def get(client, url):
    return client.get(f"/api/emergency{url}")


def create(client, **overrides) -> dict:
    response = post(client, "/incidents", {**INCIDENT, **overrides})
    assert response.status_code in (200, 201), response.content
    return response.json()["incident"]


def report(unit: str, **values) -> None:
    reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit=unit, period=timezone.localdate(),
                                                  values=full_report(**values), source="simulator"))


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["detail"]]


def test_dispatcher_opens_an_incident_and_the_timeline_starts(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    incident = create(dispatcher)
    assert incident["status"] == "received" and incident["priority"] == 1
    assert "caller_phone" not in incident  # lists and maps carry no personal data
    detail = get(dispatcher, f"/incidents/{incident['code']}").json()
    assert detail["caller_phone"] == "0909 123 456"
    assert [e["action"] for e in detail["timeline"]] == ["received"]
    assert AuditLog.objects.filter(action="emergency.incident.created").count() == 1
    # Reading the caller's details is logged.
    assert AuditLog.objects.filter(action="emergency.incident.viewed", actor_label="dispatcher").count() == 1


def test_a_repeated_call_from_the_call_taking_system_is_idempotent(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    first = post(dispatcher, "/incidents", {**INCIDENT, "external_id": "CALL-77"})
    again = post(dispatcher, "/incidents", {**INCIDENT, "external_id": "CALL-77"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["incident"]["code"] == again.json()["incident"]["code"]
    assert Incident.objects.count() == 1
    other = post(dispatcher, "/incidents", {**INCIDENT, "external_id": "CALL-77", "priority": 3})
    assert other.status_code == 409 and Incident.objects.get().priority == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"latitude": 95.0}, "latitude"),
    ({"longitude": 200.0}, "longitude"),
    ({"latitude": None, "longitude": None}, "latitude"),
    ({"latitude": 10.7}, "longitude"),  # half a coordinate
    ({"ward": "NO-SUCH-WARD"}, "ward"),
    ({"priority": 5}, "priority"),
    ({"priority": "urgent"}, "priority"),
    ({"patients": 0}, "patients"),
    ({"chief_complaint": "  "}, "chief_complaint"),
    ({"need": "dentistry"}, "need"),
    ({"caller_phone": "call me"}, "caller_phone"),
    ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
])
def test_bad_incidents_are_refused_naming_the_field(api_client, fleet, overrides, field):
    payload = {**INCIDENT, **overrides}
    if overrides.get("latitude") == 10.7:
        payload.pop("longitude")
    assert field in fields(post(api_client(Role.DISPATCHER), "/incidents", payload))
    assert not Incident.objects.exists()


def test_a_ward_with_a_known_centre_locates_an_incident_without_coordinates(api_client, fleet):
    from opscenter.org.models import Ward

    Ward.objects.filter(code="W-CL").update(latitude=10.7545, longitude=106.66)
    incident = create(api_client(Role.DISPATCHER), latitude=None, longitude=None, ward="W-CL")
    assert (incident["latitude"], incident["longitude"], incident["ward"]) == (10.7545, 106.66, "Phường Chợ Lớn")


@pytest.mark.parametrize(("role", "hospital", "create_status", "list_status"), [
    (Role.DISPATCHER, "-", 201, 200),
    (Role.ADMIN, "-", 201, 200),
    (Role.OPERATOR, "-", 403, 200),  # the department watches; the 115 centre dispatches
    (Role.HOSPITAL_MANAGER, "A", 403, 200),
    (Role.REPORTER, "A", 403, 403),
    (Role.SECURITY, "A", 403, 403),
])
def test_who_may_dispatch_and_who_may_watch(api_client, fleet, role, hospital, create_status, list_status):
    client = api_client(role, hospital)
    assert post(client, "/incidents", INCIDENT).status_code == create_status
    assert get(client, "/incidents").status_code == list_status


def test_hospitals_see_only_the_incidents_coming_to_them(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    manager_a = api_client(Role.HOSPITAL_MANAGER, "A")
    assert get(manager_a, "/incidents").json()["items"] == []
    assert get(manager_a, f"/incidents/{code}").status_code == 404
    assert post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1", "hospital": "BV-A"}).status_code == 200
    assert [i["code"] for i in get(manager_a, "/incidents").json()["items"]] == [code]
    assert get(api_client(Role.HOSPITAL_MANAGER, "B"), f"/incidents/{code}").status_code == 404
    assert get(api_client(Role.OPERATOR), f"/incidents/{code}").status_code == 200


def test_recommendation_ranks_ambulances_and_hospitals(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    report("BV-A")
    report("BV-B")
    code = create(dispatcher, need="")["code"]
    rec = get(dispatcher, f"/incidents/{code}/recommendation").json()
    assert rec["model"] == "straight_line"
    assert rec["ambulances"][0]["code"] == "AMB-1"  # the station beside the scene
    assert {a["code"] for a in rec["ambulances"][1:]} == {"AMB-2", "AMB-3"}
    assert [h["code"] for h in rec["hospitals"]] == ["BV-A", "BV-B"]
    assert rec["hospitals"][0]["ed_free"] == 10 and rec["hospitals"][0]["travel_seconds"] < 120
    # A child in a priority-1 emergency goes where paediatrics is first; the nearest emergency room stays offered.
    child = create(dispatcher, need="paediatrics", chief_complaint="Trẻ sốt co giật")["code"]
    rec = get(dispatcher, f"/incidents/{child}/recommendation").json()
    assert rec["time_critical"] and rec["max_detour_seconds"] == 1800
    assert [(h["code"], h["preferred"], h["reasons"][0]) for h in rec["hospitals"]] == [
        ("BV-B", True, "capable"), ("BV-A", False, "no_capability")]
    # Not urgent (priority 3): only where paediatrics is, by effective arrival.
    later = create(dispatcher, need="paediatrics", priority=3, chief_complaint="Trẻ ho kéo dài")["code"]
    rec = get(dispatcher, f"/incidents/{later}/recommendation").json()
    assert not rec["time_critical"] and [h["code"] for h in rec["hospitals"]] == ["BV-B"]
    # Only dispatchers get recommendations.
    assert get(api_client(Role.OPERATOR), f"/incidents/{code}/recommendation").status_code == 403


def test_a_heart_attack_goes_to_the_cath_lab_even_past_a_nearer_busy_hospital(api_client, fleet):
    """P1 chest pain beside hospital A (no cath lab); B, 4 km away, has one but a crowded emergency room and no
    free ICU bed: by effective arrival alone A wins; the capability puts B first."""
    fleet.city.hospital_b.specialties = ["general", "cardiac"]
    fleet.city.hospital_b.save()
    dispatcher = api_client(Role.DISPATCHER)
    report("BV-A", er_waiting_for_bed=0)
    report("BV-B", icu_occupied=20, er_waiting_for_bed=25)
    general = create(dispatcher, need="")["code"]
    assert [h["code"] for h in get(dispatcher, f"/incidents/{general}/recommendation").json()["hospitals"]] \
        == ["BV-A", "BV-B"]
    stemi = create(dispatcher, need="cardiac", chief_complaint="Đau ngực, vã mồ hôi")["code"]
    rec = get(dispatcher, f"/incidents/{stemi}/recommendation").json()
    first, second = rec["hospitals"]
    assert (first["code"], first["preferred"], second["code"], second["preferred"]) == ("BV-B", True, "BV-A", False)
    assert first["reasons"] == ["capable", "no_icu_bed", "crowded"] and second["reasons"] == ["no_capability"]
    assert first["score_seconds"] > second["score_seconds"]  # ahead by capability, not by the weighted score
    assert first["extra_seconds"] == first["travel_seconds"] - second["travel_seconds"] > 0
    # On diversion, the cath lab is not put first (and comes last).
    assert post(dispatcher, "/hospitals/BV-B/diversion", {"active": True, "reason": "Cath lab down"}).status_code == 201
    assert [(h["code"], h["preferred"]) for h in get(dispatcher, f"/incidents/{stemi}/recommendation").json()[
        "hospitals"]] == [("BV-A", False), ("BV-B", False)]


def test_diversion_and_a_full_emergency_room_push_a_hospital_down(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    report("BV-A")
    report("BV-B")
    code = create(dispatcher)["code"]
    ranked = lambda: [h["code"] for h in get(dispatcher, f"/incidents/{code}/recommendation").json()["hospitals"]]  # noqa: E731
    assert ranked() == ["BV-A", "BV-B"]
    r = post(dispatcher, "/hospitals/BV-A/diversion", {"active": True, "reason": "CT scanner down"})
    assert r.status_code == 201
    assert ranked() == ["BV-B", "BV-A"]
    post(dispatcher, "/hospitals/BV-A/diversion", {"active": False})
    assert ranked() == ["BV-A", "BV-B"]
    report("BV-A", beds_emergency_occupied=30, beds_emergency_available=0)  # no free emergency bed left
    assert ranked() == ["BV-B", "BV-A"]


def test_the_ranking_prices_are_configuration(api_client, fleet, settings):
    dispatcher = api_client(Role.DISPATCHER)
    report("BV-A", beds_emergency_occupied=30, beds_emergency_available=0)
    report("BV-B")
    code = create(dispatcher)["code"]
    ranked = lambda: [h["code"] for h in get(dispatcher, f"/incidents/{code}/recommendation").json()["hospitals"]]  # noqa: E731
    assert ranked() == ["BV-B", "BV-A"]  # a full emergency room is worth a 20-minute detour by default
    settings.EMERGENCY_DESTINATION_WEIGHTS = {"no_ed_bed_s": 60}
    assert ranked() == ["BV-A", "BV-B"]  # the medical director says: one minute


@pytest.mark.parametrize(("weights", "message"), [
    ({"no_ed_bed": 60}, "unknown weight 'no_ed_bed'"),
    ({"no_ed_bed_s": "ten"}, "no_ed_bed_s must be a number"),
    ({"critical_priorities": [1, 7]}, "critical_priorities must be a list of priorities 1-4"),
])
def test_a_mistyped_ranking_price_stops_the_start(settings, weights, message):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.EMERGENCY_DESTINATION_WEIGHTS = weights
    with pytest.raises(SystemCheckError, match=message):
        call_command("check")


def test_camera_counts_of_the_emergency_waiting_room_reach_the_board_and_the_ranking(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    report("BV-A")
    report("BV-B")
    code = create(dispatcher)["code"]
    for camera, zone, kind, count in (("CAM-1", "ER waiting", "emergency_waiting", 70),
                                      ("CAM-2", "ER door", "emergency_waiting", 30),
                                      ("CAM-3", "Lobby", "lobby", 500)):
        events.publish(events.Event(source="vision", kind="crowd.count", unit="BV-A",
                                    payload={"camera": camera, "zone": zone, "location_kind": kind, "count": count,
                                             "trend_per_minute": 0.0}))
    board = {h["code"]: h for h in get(dispatcher, "/beds").json()["hospitals"]}
    assert board["BV-A"]["crowd"] == 100 and board["BV-B"]["crowd"] is None
    hospitals = get(dispatcher, f"/incidents/{code}/recommendation").json()["hospitals"]
    assert [h["code"] for h in hospitals] == ["BV-B", "BV-A"] and "crowded" in hospitals[1]["reasons"]
    # A late, older reading does not replace a newer one.
    events.publish(events.Event(source="vision", kind="crowd.count", unit="BV-A",
                                time=timezone.now() - dt.timedelta(minutes=5),
                                payload={"camera": "CAM-1", "zone": "ER waiting", "location_kind": "emergency_waiting",
                                         "count": 0, "trend_per_minute": 0.0}))
    assert {h["code"]: h for h in get(dispatcher, "/beds").json()["hospitals"]}["BV-A"]["crowd"] == 100


def test_confirming_dispatch_notifies_the_receiving_hospital_with_the_eta(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    r = post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1", "hospital": "BV-A"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "dispatched" and r.json()["destination"] == "BV-A"
    alert = Alert.objects.get(kind="incoming_patient")
    assert alert.unit == fleet.city.hospital_a and alert.severity == "critical"
    eta = timezone.localtime(Incident.objects.get(code=code).destination_eta)
    assert f"{eta:%H:%M}" in alert.title and alert.payload["incident"] == code
    # The hospital's manager sees it in the alerts API; hospital B's does not.
    seen = [a["id"] for a in api_client(Role.HOSPITAL_MANAGER, "A").get("/api/alerts").json()["items"]]
    assert alert.pk in seen
    assert alert.pk not in [a["id"] for a in api_client(Role.HOSPITAL_MANAGER, "B").get("/api/alerts").json()["items"]]
    ambulance = Ambulance.objects.get(code="AMB-1")
    assert ambulance.status == "dispatched" and ambulance.incident.code == code


def test_a_dispatch_recorded_late_keeps_its_time_and_tells_no_hospital_of_a_patient_long_arrived(fleet):
    dispatcher = fleet.city.user(Role.DISPATCHER)
    now = timezone.now()
    incident, _created = services.create_incident(dispatcher, services.IncidentInput(
        **{**INCIDENT, "received_at": now - dt.timedelta(hours=3)}))
    with pytest.raises(ValidationFailed):  # before the call
        services.assign(dispatcher, incident, "AMB-1", "BV-A", at=now - dt.timedelta(hours=4))
    with pytest.raises(ValidationFailed):  # in the future
        services.assign(dispatcher, incident, "AMB-1", "BV-A", at=now + dt.timedelta(hours=1))
    sent = now - dt.timedelta(hours=3) + dt.timedelta(minutes=2)
    services.assign(dispatcher, incident, "AMB-1", "BV-A", at=sent)
    incident.refresh_from_db()
    assert incident.dispatched_at == sent and incident.assignments.get().assigned_at == sent
    assert list(incident.timeline.values_list("action", "time")) == [
        ("received", now - dt.timedelta(hours=3)), ("dispatched", sent), ("destination", sent)]
    assert incident.destination_eta < now
    assert not Alert.objects.filter(kind="incoming_patient").exists()  # the patient is long there


def test_the_same_ambulance_cannot_go_to_two_incidents(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    first, second = create(dispatcher)["code"], create(dispatcher, chief_complaint="Ngã xe")["code"]
    assert post(dispatcher, f"/incidents/{first}/assign", {"ambulance": "AMB-1"}).status_code == 200
    # The same confirmation twice is harmless.
    assert post(dispatcher, f"/incidents/{first}/assign", {"ambulance": "AMB-1"}).status_code == 200
    clash = post(dispatcher, f"/incidents/{second}/assign", {"ambulance": "AMB-1"})
    assert clash.status_code == 409 and first in clash.json()["detail"]
    assert Incident.objects.get(code=second).status == "received"
    assert post(dispatcher, f"/incidents/{second}/assign", {"ambulance": "NOPE"}).status_code == 422


def drive(client, code, *statuses):
    for status in statuses:
        r = post(client, f"/incidents/{code}/status", {"status": status})
        assert r.status_code == 200, r.content


def test_the_whole_journey_fills_the_timeline_and_frees_the_ambulance(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1"})
    drive(dispatcher, code, "en_route", "on_scene")
    assert fields(post(dispatcher, f"/incidents/{code}/status", {"status": "transporting"})) == ["destination"]
    post(dispatcher, f"/incidents/{code}/destination", {"hospital": "BV-B"})
    drive(dispatcher, code, "transporting", "at_hospital")
    assert Ambulance.objects.get(code="AMB-1").status == "at_hospital"
    drive(dispatcher, code, "handed_over")
    assert Ambulance.objects.get(code="AMB-1").status == "available"
    drive(dispatcher, code, "closed")
    detail = get(dispatcher, f"/incidents/{code}").json()
    assert [e["action"] for e in detail["timeline"]] == [
        "received", "dispatched", "en_route", "on_scene", "destination", "transporting", "at_hospital",
        "handed_over", "closed"]
    assert all(detail["milestones"][k] for k in ("dispatched_at", "on_scene_at", "at_hospital_at",
                                                  "handed_over_at", "ended_at"))
    assert detail["ambulances"][0]["released_at"] is not None


def test_the_timeline_never_goes_back_nor_is_overwritten(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    assert post(dispatcher, f"/incidents/{code}/status", {"status": "on_scene"}).status_code == 409  # not sent yet
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1"})
    drive(dispatcher, code, "on_scene")
    on_scene_at = Incident.objects.get(code=code).on_scene_at
    drive(dispatcher, code, "on_scene")  # a repeat: nothing new
    assert post(dispatcher, f"/incidents/{code}/status", {"status": "en_route"}).status_code == 409
    assert post(dispatcher, f"/incidents/{code}/status", {"status": "received"}).status_code == 422
    earlier = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert fields(post(dispatcher, f"/incidents/{code}/status", {"status": "closed", "at": earlier})) == ["at"]
    incident = Incident.objects.get(code=code)
    assert incident.status == "on_scene" and incident.on_scene_at == on_scene_at
    assert list(IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True)) == [
        "received", "dispatched", "on_scene"]


def test_cancel_needs_a_reason_and_frees_the_ambulance(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-2"})
    assert fields(post(dispatcher, f"/incidents/{code}/cancel", {"reason": " "})) == ["reason"]
    r = post(dispatcher, f"/incidents/{code}/cancel", {"reason": "Người gọi báo đã tự đến viện"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Ambulance.objects.get(code="AMB-2").status == "available"
    assert post(dispatcher, f"/incidents/{code}/status", {"status": "en_route"}).status_code == 409
    timeline = IncidentEvent.objects.filter(incident__code=code).last()
    assert (timeline.action, timeline.text) == ("cancelled", "Người gọi báo đã tự đến viện")


def test_positions_never_move_a_vehicle_back_in_time(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    now = timezone.now().replace(microsecond=0)
    newer, older = now - dt.timedelta(seconds=5), now - dt.timedelta(seconds=30)
    r = post(dispatcher, "/ambulances/AMB-1/position", {"latitude": 10.77, "longitude": 106.67,
                                                         "time": newer.isoformat()})
    assert r.json() == {"moved": ["AMB-1"], "ignored": 0}
    late = post(dispatcher, "/ambulances/AMB-1/position", {"latitude": 10.70, "longitude": 106.60,
                                                            "time": older.isoformat()})
    assert late.json() == {"moved": [], "ignored": 1}
    repeat = post(dispatcher, "/ambulances/AMB-1/position", {"latitude": 10.77, "longitude": 106.67,
                                                              "time": newer.isoformat()})
    assert repeat.json() == {"moved": [], "ignored": 1}
    ambulance = Ambulance.objects.get(code="AMB-1")
    assert (ambulance.latitude, ambulance.longitude, ambulance.position_at) == (10.77, 106.67, newer)
    assert Position.objects.filter(ambulance=ambulance).count() == 2  # the track keeps the late reading, once


def test_a_batch_of_positions_keeps_the_newest_per_vehicle(api_client, fleet):
    now = timezone.now()
    batch = [{"ambulance": code, "latitude": 10.70 + i / 100, "longitude": 106.70, "time": (now - dt.timedelta(
        seconds=10 - i)).isoformat()} for i, code in enumerate(["AMB-2", "AMB-3", "AMB-2", "AMB-2"])]
    batch.append({**batch[3]})  # a duplicate in the same batch
    r = post(api_client(Role.DISPATCHER), "/positions", {"positions": batch})
    assert r.status_code == 200 and sorted(r.json()["moved"]) == ["AMB-2", "AMB-3"]
    assert Ambulance.objects.get(code="AMB-2").latitude == pytest.approx(10.73)
    assert Position.objects.count() == 4


@pytest.mark.parametrize(("change", "field"), [
    ({"latitude": -91}, "[1].latitude"),
    ({"longitude": 1000}, "[1].longitude"),
    ({"ambulance": "GHOST"}, "[1].ambulance"),
    ({"time": "2999-01-01T00:00:00Z"}, "[1].time"),
])
def test_a_bad_position_refuses_the_whole_batch_naming_it(api_client, fleet, change, field):
    good = {"ambulance": "AMB-1", "latitude": 10.7, "longitude": 106.7, "time": timezone.now().isoformat()}
    r = post(api_client(Role.DISPATCHER), "/positions", {"positions": [good, {**good, **change}]})
    assert field in fields(r)
    assert not Position.objects.exists()


def test_positions_need_the_vehicle_permission_in_scope(api_client, fleet):
    payload = {"latitude": 10.77, "longitude": 106.67, "time": timezone.now().isoformat()}
    assert post(api_client(Role.HOSPITAL_MANAGER), "/ambulances/AMB-1/position", payload).status_code == 403
    assert post(api_client(Role.OPERATOR), "/positions",
                {"positions": [{**payload, "ambulance": "AMB-1"}]}).status_code == 403


def test_diversion_is_a_history_set_by_the_hospital_or_115(api_client, fleet):
    manager_a = api_client(Role.HOSPITAL_MANAGER, "A")
    assert fields(post(manager_a, "/hospitals/BV-A/diversion", {"active": True})) == ["reason"]
    assert post(manager_a, "/hospitals/BV-A/diversion", {"active": True, "reason": "Quá tải"}).status_code == 201
    assert post(manager_a, "/hospitals/BV-A/diversion", {"active": True, "reason": "again"}).status_code == 200
    assert post(manager_a, "/hospitals/BV-B/diversion", {"active": True, "reason": "x"}).status_code == 403
    assert post(api_client(Role.REPORTER), "/hospitals/BV-A/diversion", {"active": False}).status_code == 403
    assert post(api_client(Role.DISPATCHER), "/hospitals/BV-A/diversion", {"active": False}).status_code == 201
    history = get(api_client(Role.DISPATCHER), "/hospitals/BV-A/diversion").json()
    assert [(h["active"], h["set_by"]) for h in history] == [(False, "dispatcher"), (True, "hospital_manager_a")]
    assert Diversion.objects.count() == 2
    assert AuditLog.objects.filter(action__startswith="emergency.diversion").count() == 2


def test_the_beds_board_is_city_wide_for_115_and_the_department(api_client, fleet):
    report("BV-A")
    report("BV-B", beds_emergency_occupied=28, beds_emergency_available=2, er_waiting_for_bed=9)
    services.set_diversion("test", "BV-B", True, "Mất điện")
    for role, hospital in ((Role.DISPATCHER, "-"), (Role.OPERATOR, "-")):
        board = get(api_client(role, hospital), "/beds").json()
        assert board["city"]["ed_free"] == 12 and board["city"]["icu_free"] == 8 + 8
        assert board["city"]["on_diversion"] == ["BV-B"] and board["city"]["er_waiting"] == 12
    own = get(api_client(Role.HOSPITAL_MANAGER, "A"), "/beds").json()
    assert [h["code"] for h in own["hospitals"]] == ["BV-A"]
    assert get(api_client(Role.REPORTER), "/beds").status_code == 403


def finish(dispatcher, code, ambulance, hospital, *, at_hospital_for: dt.timedelta) -> None:
    """Run an incident to the end; the ambulance waited `at_hospital_for` to hand over."""
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": ambulance, "hospital": hospital})
    drive(dispatcher, code, "en_route", "on_scene", "transporting", "at_hospital")
    Incident.objects.filter(code=code).update(at_hospital_at=timezone.now() - at_hospital_for)
    drive(dispatcher, code, "handed_over", "closed")


def test_kpis_and_the_slow_offload_alert(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    for minutes in (10, 50, 60):
        code = create(dispatcher)["code"]
        Incident.objects.filter(code=code).update(received_at=timezone.now() - dt.timedelta(minutes=90))
        finish(dispatcher, code, "AMB-1", "BV-A", at_hospital_for=dt.timedelta(minutes=minutes))
    create(dispatcher, priority=2)
    kpis = get(dispatcher, "/kpis").json()
    p1 = kpis["by_priority"][0]
    assert p1["incidents"] == 3 and p1["response"]["count"] == 3
    assert 89 * 60 < p1["call_to_dispatch"]["mean"] < 91 * 60
    assert kpis["by_priority"][1]["incidents"] == 1 and kpis["by_priority"][1]["response"]["count"] == 0
    offload = kpis["offload"][0]
    assert offload["hospital"] == "BV-A" and offload["count"] == 3 and 59 * 60 < offload["p90"] < 61 * 60
    assert kpis["ambulances_available"] == 3 and kpis["waiting"] == 1
    alert = Alert.objects.get(kind="offload_slow")
    assert alert.unit == fleet.city.hospital_a and alert.payload["handovers"] == 3


def test_a_priority_one_call_waiting_too_long_raises_an_alert_for_115(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    old = create(dispatcher)["code"]
    create(dispatcher, priority=3)
    create(dispatcher)  # just received
    Incident.objects.filter(code=old).update(received_at=timezone.now() - dt.timedelta(minutes=5))
    Incident.objects.filter(priority=3).update(received_at=timezone.now() - dt.timedelta(minutes=30))
    assert tasks.check_waiting_incidents() == 3
    alert = Alert.objects.get(kind="incident_unassigned")
    assert alert.unit == fleet.city.emergency_center and old in alert.title
    assert alert.pk in [a["id"] for a in api_client(Role.DISPATCHER).get("/api/alerts").json()["items"]]
    tasks.check_waiting_incidents()
    assert Alert.objects.get(kind="incident_unassigned").occurrences == 2


def test_personal_data_is_cleared_after_the_retention(api_client, fleet, settings):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher, notes="Bệnh nhân tên Nguyễn Văn A")["code"]
    post(dispatcher, f"/incidents/{code}/cancel", {"reason": "trùng cuộc gọi"})
    settings.EMERGENCY_PERSONAL_DATA_DAYS = 30
    assert tasks.apply_retention() == {"incidents": 0, "positions": 0}
    Incident.objects.filter(code=code).update(ended_at=timezone.now() - dt.timedelta(days=31))
    assert tasks.apply_retention()["incidents"] == 1
    incident = Incident.objects.get(code=code)
    assert (incident.caller_phone, incident.notes) == ("", "") and incident.chief_complaint == "Đau ngực"


def test_the_live_map_shows_open_incidents_and_the_fleet(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    live = get(dispatcher, "/live").json()
    assert [i["code"] for i in live["incidents"]] == [code]
    assert {a["code"] for a in live["ambulances"]} == {"AMB-1", "AMB-2", "AMB-3"}
    assert get(api_client(Role.HOSPITAL_MANAGER), "/live").json()["ambulances"] == []
