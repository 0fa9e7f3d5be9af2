"""The alert evaluator of this area: an overdue directive task becomes an alert on the unit that owes it."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule, Severity
from opscenter.alerts.rules import evaluator
from opscenter.alerts.services import AlertCandidate
from opscenter.core.events import Event
from opscenter.org.models import Unit


@evaluator("directive_overdue", kind="directive.overdue")
def directive_overdue(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: critical_priorities (directive priorities whose overdue tasks are critical)."""
    p = event.payload
    critical = p.get("priority") in rule.params.get("critical_priorities", [])
    yield AlertCandidate(
        source="work", kind="directive_overdue", severity=Severity.CRITICAL if critical else rule.severity,
        unit=unit, rule=rule,
        title=_("%(unit)s: directive overdue — %(title)s") % {"unit": unit, "title": p["title"]},
        message=_("The task was due at %(deadline)s and is not done") % {"deadline": p["deadline"][:16]},
        dedup_key=f"{rule.code}:{p['id']}",
        evidence_url=f"/work/directives/{p['directive_id']}/",
        payload=p,
    )
