"""Alert rules of the 115 coordination (thresholds are data: AlertRule rows shipped by a data migration)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule
from opscenter.alerts.rules import evaluator, standing
from opscenter.alerts.services import AlertCandidate, AlertClear
from opscenter.core.events import Event
from opscenter.org.models import Unit

from .events import SOURCE
from .models import Incident


def _unassigned_key(rule: AlertRule, code: str) -> str:
    return f"{rule.code}:{code}"


@evaluator("incident_unassigned_too_long", kind="incident.waiting")
def incident_unassigned_too_long(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: threshold_seconds, priorities (list; default [1])."""
    payload = event.payload
    threshold = int(rule.params.get("threshold_seconds", 120))
    if payload["priority"] in rule.params.get("priorities", [1]) and payload["waited_seconds"] > threshold:
        minutes = payload["waited_seconds"] // 60
        values = {"priority": payload["priority"], "code": payload["code"], "minutes": minutes,
                  "complaint": payload.get("chief_complaint", "")}
        yield AlertCandidate(
            source="emergency", kind="incident_unassigned", severity=rule.severity, unit=unit, rule=rule,
            title=_("P%(priority)s incident %(code)s waiting %(minutes)s min without an ambulance") % values,
            message=_("%(complaint)s: no ambulance assigned after %(minutes)s minutes") % values,
            dedup_key=_unassigned_key(rule, payload["code"]),
            evidence_url=f"/emergency/incidents/{payload['code']}/",
            payload={**payload, "threshold_seconds": threshold},
        )


def _cancelled(event: Event) -> bool:
    """Any other way out of "received" goes through an assignment (closing needs a crew on scene)."""
    return event.payload.get("status") == Incident.Status.CANCELLED


@evaluator("incident_unassigned_too_long", kind="incident.assigned")
@evaluator("incident_unassigned_too_long", kind="incident.status", when=_cancelled)
def incident_no_longer_waiting(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertClear]:
    """An ambulance was assigned, or the incident was cancelled: it waits no more."""
    payload = event.payload
    if event.kind == "incident.assigned":
        reason = _("Ambulance %(ambulance)s assigned to incident %(code)s") % {
            "ambulance": payload.get("ambulance", ""), "code": payload["code"]}
    else:
        reason = _("Incident %(code)s was cancelled") % {"code": payload["code"]}
    yield AlertClear(dedup_key=_unassigned_key(rule, payload["code"]), reason=reason)


@evaluator("offload_time_above", kind="incident.handed_over")
def offload_time_above(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: threshold_seconds (90th percentile of ambulance offload at the hospital, last 24 h), min_handovers."""
    p90 = event.payload.get("offload_p90_seconds")
    threshold = int(rule.params.get("threshold_seconds", 1800))
    if p90 is None or event.payload.get("handovers", 0) < int(rule.params.get("min_handovers", 3)) or p90 <= threshold:
        return
    values = {"unit": unit, "minutes": round(p90 / 60), "threshold": round(threshold / 60)}
    yield AlertCandidate(
        source="emergency", kind="offload_slow", severity=rule.severity, unit=unit, rule=rule,
        title=_("%(unit)s: ambulances wait %(minutes)s min to hand over patients (90th percentile)") % values,
        message=_("Ambulance offload time at %(unit)s, 90th percentile over 24 hours: %(minutes)s min "
                  "(threshold %(threshold)s min)") % values,
        dedup_key=f"{rule.code}:{unit.code}",
        evidence_url="/emergency/kpis/",
        payload={"p90_seconds": p90, "threshold_seconds": threshold, "handovers": event.payload.get("handovers")},
    )


def _patient_coming(event: Event) -> bool:
    """A destination was named and the patient is still to come: an ETA already past (a record sent late, the
    demo's history) is no news for the hospital."""
    if not event.payload.get("destination"):
        return False
    eta = event.payload.get("destination_eta")
    if isinstance(eta, str):
        eta = dt.datetime.fromisoformat(eta)
    return eta is None or eta >= timezone.now()


@standing("incoming_patient", kind="incident.destination", when=_patient_coming)
def incoming_patient(event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """The receiving hospital hears of the patient at once: an alert in its own scope, with the ETA (no rule row:
    always on). `unit` is the 115 centre that published the event."""
    p = event.payload
    hospital = Unit.objects.filter(code=p["destination"]).first()
    if hospital is None or not p.get("destination_eta"):
        return
    eta = timezone.localtime(dt.datetime.fromisoformat(p["destination_eta"]))
    severity = {1: "critical", 2: "warning"}.get(p["priority"], "info")
    values = {"priority": p["priority"], "complaint": p["chief_complaint"], "eta": f"{eta:%H:%M}",
              "patients": p["patients"], "code": p["code"], "unit": hospital}
    yield AlertCandidate(
        source=SOURCE, kind="incoming_patient", severity=severity, unit=hospital,
        title=_("%(unit)s: 115 patient on the way, P%(priority)s %(complaint)s, ETA %(eta)s") % values,
        message=_("Incident %(code)s: %(patients)s patient(s), priority %(priority)s, %(complaint)s. "
                  "Expected at %(eta)s.") % values,
        dedup_key=f"emergency:incoming:{p['code']}:{hospital.code}",
        payload={"incident": p["code"], "priority": p["priority"], "eta": eta.isoformat(),
                 "need": p["need"], "patients": p["patients"]},
    )
