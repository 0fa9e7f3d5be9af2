"""The alert evaluator of this area: an overdue directive task becomes an alert on the unit that owes it;
the alert clears when the task is reported done or the directive is cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule, Severity
from opscenter.alerts.rules import evaluator
from opscenter.alerts.services import AlertCandidate, AlertClear
from opscenter.core.events import Event
from opscenter.org.models import Unit

from .models import Task


def _overdue_key(rule: AlertRule, task_id: int) -> str:
    return f"{rule.code}:{task_id}"


@evaluator("directive_overdue", kind="directive.overdue")
def directive_overdue(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: critical_priorities (directive priorities whose overdue tasks are critical)."""
    p = event.payload
    critical = p.get("priority") in rule.params.get("critical_priorities", [])
    yield AlertCandidate(
        source="work", kind="directive_overdue", severity=Severity.CRITICAL if critical else rule.severity,
        unit=unit, rule=rule,
        title=_("%(unit)s: directive overdue — %(title)s") % {"unit": unit, "title": p["title"]},
        message=_("The task was due at %(deadline)s and is not done")
        % {"deadline": date_format(timezone.localtime(dt.datetime.fromisoformat(p["deadline"])), "H:i d/m/Y")},
        dedup_key=_overdue_key(rule, p["id"]),
        evidence_url=f"/work/directives/{p['directive_id']}/",
        payload=p,
    )


@evaluator("directive_overdue", kind="task.done")
def directive_task_done(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertClear]:
    yield AlertClear(dedup_key=_overdue_key(rule, event.payload["id"]), reason=_("The task was reported done"))


@evaluator("directive_overdue", kind="directive.cancelled")
def directive_cancelled(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertClear]:
    """The event names the directive: every task of it flagged overdue is owed no more."""
    flagged = Task.objects.filter(directive_id=event.payload["id"], overdue_flagged_at__isnull=False)
    for task_id in flagged.values_list("pk", flat=True):
        yield AlertClear(dedup_key=_overdue_key(rule, task_id), reason=_("The directive was cancelled"))
