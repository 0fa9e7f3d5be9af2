"""The alert of appointments: a specialty with no free appointment anywhere in the city for days (the hourly
lead-time check publishes `booking.lead_time`; a free time within the limit clears the alert)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule
from opscenter.alerts.rules import evaluator
from opscenter.alerts.services import AlertCandidate, AlertClear
from opscenter.core.events import Event
from opscenter.org.models import Specialty, Unit

from .events import LEAD_TIME


@evaluator("booking_lead_time", kind=LEAD_TIME)
def no_free_slot(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate | AlertClear]:
    """params: days (the longest wait to the first free appointment before the alert)."""
    p = event.payload
    limit = float(rule.params.get("days", 7))
    key = f"{rule.code}:{p['specialty']}"
    specialty = str(Specialty(p["specialty"]).label) if p["specialty"] in Specialty.values else p["specialty"]
    if p["days"] is not None and p["days"] <= limit:
        yield AlertClear(dedup_key=key, reason=_("%(specialty)s: a free appointment is %(days)s days away")
                         % {"specialty": specialty, "days": f"{p['days']:.0f}"})
        return
    yield AlertCandidate(
        source="booking", kind="no_free_slot", severity=rule.severity, unit=unit, rule=rule,
        title=_("%(specialty)s: no free appointment in the city within %(days)s days") % {
            "specialty": specialty, "days": f"{limit:.0f}"},
        message=_("%(n)s facilities offer %(specialty)s; none has a free time in the next %(days)s days")
        % {"n": p["facilities"], "specialty": specialty, "days": f"{limit:.0f}"},
        dedup_key=key, evidence_url=f"/booking/?specialty={p['specialty']}", payload=p,
    )
