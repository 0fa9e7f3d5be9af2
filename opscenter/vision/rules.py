"""The alert of each analytic: a new incident seen by a camera becomes an alert on the camera's unit, by the
rule of its analytic (`vision_<analytic>`, thresholds in definitions.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from opscenter.alerts.models import Alert, AlertRule
from opscenter.alerts.rules import evaluator
from opscenter.alerts.services import AlertCandidate
from opscenter.core.events import Event
from opscenter.org.models import Unit

from . import labels
from .events import ANALYTIC_KINDS
from .models import VisionEvent


def _new_incident(event: Event) -> bool:
    """Only the first message stored of an incident may raise its alert; its updates and end do not."""
    return bool(event.payload.get("created"))


def analytic_alert(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: analytic, min_score. Each analytic has its own rule, found by its code."""
    p = event.payload
    if rule.code != f"vision_{p['kind']}" or p["score"] < float(rule.params.get("min_score", 0)):
        return
    found = VisionEvent.objects.select_related("camera", "camera__unit").filter(pk=p["id"]).first()
    if found is None:
        return
    incident: VisionEvent = found
    camera = incident.camera
    data = incident.data or {}
    what = VisionEvent.Kind(incident.kind).label
    zone = labels.zone_label(incident.zone)
    where = f"{camera.name}" + (f" · {zone}" if zone else "")
    figure = labels.summary(incident.kind, data)
    title = (_("%(unit)s: %(what)s (%(figure)s) — %(where)s") if figure else _("%(unit)s: %(what)s — %(where)s")) % {
        "unit": camera.unit, "what": what, "figure": figure, "where": where}
    message = _("%(what)s seen by camera %(camera)s (%(where)s) at %(time)s") % {
        "what": what, "camera": camera.code, "where": where,
        "time": date_format(timezone.localtime(incident.started_at), "H:i:s d/m/Y")}
    facts = labels.facts(incident.kind, data)
    if facts:
        message += " — " + "; ".join(f"{label}: {value}" for label, value in facts)
    if data.get("simulated"):
        title += " — " + _("Simulated data")
        message += " — " + _("Simulated data")

    def link(alert: Alert) -> None:  # the incident's page and the camera wall show its alert
        VisionEvent.objects.filter(pk=incident.pk).update(alert=alert)

    yield AlertCandidate(
        source="vision", kind=f"camera_{incident.kind}", severity=rule.severity, unit=camera.unit, rule=rule,
        title=title[:255], message=message,
        dedup_key=f"{rule.code}:{camera.code}:{incident.zone}", evidence_url=f"/vision/events/{incident.pk}/",
        location=f"{camera.unit} · {camera.name}",
        payload={"camera": camera.code, "event": incident.pk, "event_id": incident.event_id, "zone": incident.zone,
                 "analytic": incident.kind, "score": round(incident.score, 3)},
        on_raised=link,
    )


for _kind in ANALYTIC_KINDS.values():
    evaluator("vision_analytic", kind=_kind, when=_new_incident)(analytic_alert)
