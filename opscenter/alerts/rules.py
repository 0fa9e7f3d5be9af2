"""Alert rules: evaluators, registered by name, that turn events into alert candidates.

A rule row (AlertRule) names an evaluator and gives its parameters, so thresholds are data.
An evaluator may also yield `AlertClear` when the event shows its condition is over: the open alert with
that key is then resolved as "condition cleared", unless the rule's params say "auto_resolve": false.
An evaluator name may be registered for several event kinds (one function per kind), e.g. to see
the condition raised by one kind of event cleared by another.

This is the one way alerts are raised: every app declares its event -> alert rules here (`evaluator`, or
`standing` for an alert that has no AlertRule row and is always on), from its own `rules.py` imported by its
AppConfig.ready; the events they read reach `on_event` through the durable outbox, and only this module calls
`services.raise_alert` and `services.clear_alert`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from opscenter.core import texts
from opscenter.core.events import Event
from opscenter.org.models import BedType, Unit
from opscenter.reporting.definitions import split_figures

from .models import Alert, AlertRule
from .services import AlertCandidate, AlertClear, clear_alert, raise_alert

log = logging.getLogger(__name__)

Evaluator = Callable[[AlertRule, Event, Unit], Iterator[AlertCandidate | AlertClear]]
StandingEvaluator = Callable[[Event, Unit], Iterator[AlertCandidate | AlertClear]]
Precondition = Callable[[Event], bool]


@dataclass(frozen=True)
class Registered:
    fn: Evaluator
    when: Precondition  # checked on the event alone, before any database work


@dataclass(frozen=True)
class Standing:
    name: str
    fn: StandingEvaluator
    when: Precondition


EVALUATORS: dict[str, dict[str, Registered]] = {}  # evaluator name -> event kind it reads -> function
STANDING: dict[str, list[Standing]] = {}  # event kind -> the standing evaluators that read it


def _always(event: Event) -> bool:
    return True


def evaluator(name: str, kind: str, when: Precondition = _always) -> Callable[[Evaluator], Evaluator]:
    def register(fn: Evaluator) -> Evaluator:
        EVALUATORS.setdefault(name, {})[kind] = Registered(fn, when)
        return fn
    return register


def standing(name: str, kind: str, when: Precondition = _always) -> Callable[[StandingEvaluator], StandingEvaluator]:
    """Register an evaluator that needs no AlertRule row: always on, its candidates carry no rule
    (e.g. a patient announced to the receiving hospital)."""
    def register(fn: StandingEvaluator) -> StandingEvaluator:
        STANDING.setdefault(kind, [])[:] = [s for s in STANDING.get(kind, []) if s.name != name]
        STANDING[kind].append(Standing(name, fn, when))
        return fn
    return register


def kinds_read() -> dict[str, list[str]]:
    """Event kind -> the names of the evaluators that read it (the event catalogue shows them)."""
    read: dict[str, list[str]] = {}
    for name, kinds in EVALUATORS.items():
        for kind in kinds:
            read.setdefault(kind, []).append(name)
    for kind, regs in STANDING.items():
        read.setdefault(kind, []).extend(reg.name for reg in regs)
    return {kind: sorted(names) for kind, names in read.items()}


def _period_within(days: int) -> Precondition:
    """Reports for the last `days` days pass; history being loaded does not (no database work for it)."""
    def recent(event: Event) -> bool:
        return dt.date.fromisoformat(event.payload["period"]) >= timezone.localdate() - dt.timedelta(days=days)
    return recent


_is_recent = _period_within(1)  # today's and yesterday's reports raise alerts
_is_this_week = _period_within(7)  # a report of the last week may end its overdue alert


def _evaluators_for(event: Event) -> list[str]:
    """The evaluators that read this event (on the event alone, no database work)."""
    if event.source == "alerts" or event.unit is None:
        return []
    return [name for name, kinds in EVALUATORS.items()
            if (reg := kinds.get(event.kind)) is not None and reg.when(event)]


def _standing_for(event: Event) -> list[Standing]:
    if event.source == "alerts" or event.unit is None:
        return []
    return [reg for reg in STANDING.get(event.kind, []) if reg.when(event)]


def wants(event: Event) -> bool:
    """Does an evaluator read this event? Those events go through the durable outbox (core.outbox)."""
    return bool(_evaluators_for(event) or _standing_for(event))


def on_event(event: Event) -> None:
    """The durable subscriber: run every enabled rule whose evaluator reads this kind of event, and the standing
    evaluators that read it. Delivered once per event by the outbox; run twice, it would refresh (not duplicate)
    what it raised, alerts being keyed."""
    names, standing_ones = _evaluators_for(event), _standing_for(event)
    if not names and not standing_ones:
        return
    rules = list(AlertRule.objects.filter(enabled=True, evaluator__in=names)) if names else []
    if not rules and not standing_ones:
        return
    unit = Unit.objects.filter(code=event.unit).first()
    if unit is None:
        return
    runs: list[Callable[[], Iterator[AlertCandidate | AlertClear]]] = [
        *(partial(EVALUATORS[rule.evaluator][event.kind].fn, rule, event, unit) for rule in rules),
        *(partial(reg.fn, event, unit) for reg in standing_ones)]
    keeps_open = [not rule.params.get("auto_resolve", True) for rule in rules] + [False] * len(standing_ones)
    with translation.override(settings.LANGUAGE_CODE):  # the site's language, whoever's request caused them
        outcomes = [[o for o in run() if not (keep and isinstance(o, AlertClear))]
                    for run, keep in zip(runs, keeps_open, strict=True)]
    clears = [o for found in outcomes for o in found if isinstance(o, AlertClear)]
    # Most all-clears concern nothing open: one query finds the few that do.
    open_keys = set(Alert.objects.filter(dedup_key__in=[c.dedup_key for c in clears])
                    .exclude(status=Alert.Status.RESOLVED).values_list("dedup_key", flat=True)) if clears else set()
    for run, found in zip(runs, outcomes, strict=True):
        if any(isinstance(o, AlertCandidate) or o.dedup_key in open_keys for o in found):
            _write_in_each_language(run, found)
    for found in outcomes:
        for outcome in found:
            if isinstance(outcome, AlertCandidate):
                _raise(outcome)
    for clear in clears:
        if clear.dedup_key in open_keys:
            clear_alert(clear.dedup_key, clear.reason, as_of=clear.as_of, reasons=clear.reasons)


def _write_in_each_language(run: Callable[[], Iterator[AlertCandidate | AlertClear]],
                            found: list[AlertCandidate | AlertClear]) -> None:
    """Give what an evaluator yielded its texts in every language of the site (core.texts), by running it again
    under each: evaluators only read, so each run yields the same outcomes in the same order. Only runs that
    will be stored are repeated (most events raise and clear nothing)."""
    for language in texts.languages():
        if language == settings.LANGUAGE_CODE:
            said = found
        else:
            with translation.override(language):
                said = list(run())
        by_key = {o.dedup_key: o for o in said}
        for outcome in found:
            other = by_key.get(outcome.dedup_key, outcome)  # not said again (it should be): the site's words
            if isinstance(outcome, AlertCandidate) and isinstance(other, AlertCandidate):
                outcome.texts.setdefault("title", {})[language] = other.title
                outcome.texts.setdefault("message", {})[language] = other.message
            elif isinstance(outcome, AlertClear) and isinstance(other, AlertClear):
                outcome.reasons[language] = other.reason


def _raise(candidate: AlertCandidate) -> None:
    alert, _created = raise_alert(candidate)
    if candidate.on_raised is not None:  # in the same transaction: the outbox entry is done with it
        candidate.on_raised(alert)


def _day(iso_date: str) -> str:
    """A report's period as people write it in texts (the payload keeps the ISO date)."""
    return date_format(dt.date.fromisoformat(iso_date), "d/m/Y")


@evaluator("bed_occupancy_above", kind="report.submitted", when=_is_recent)
def bed_occupancy_above(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate | AlertClear]:
    """params: threshold (share, e.g. 0.95), bed_types (list; all if absent), min_total (ignore tiny wards).
    A bed type at or below the threshold clears its alert."""
    values = event.payload["values"]
    period = event.payload["period"]
    threshold = float(rule.params.get("threshold", 0.95))
    bed_types = rule.params.get("bed_types")
    for bed_type, (total, occupied, _available) in split_figures(values)[1].items():
        if total < rule.params.get("min_total", 5) or (bed_types and bed_type not in bed_types):
            continue
        share = occupied / total
        label = BedType(bed_type).label if bed_type in BedType.values else bed_type
        values_text = {"occupied": occupied, "total": total, "beds": label, "period": _day(period),
                       "threshold": f"{threshold:.0%}"}
        dedup_key = f"{rule.code}:{unit.code}:{bed_type}"
        if share <= threshold:
            yield AlertClear(
                dedup_key=dedup_key, as_of=("period", period),
                reason=_("%(occupied)s of %(total)s %(beds)s beds occupied on %(period)s, at or below the "
                         "threshold of %(threshold)s") % values_text,
            )
            continue
        yield AlertCandidate(
            source="reporting", kind="bed_occupancy", severity=rule.severity, unit=unit, rule=rule,
            title=_("%(unit)s: %(beds)s beds %(share)s occupied")
            % {"unit": unit, "beds": label, "share": f"{share:.0%}"},
            message=_("%(occupied)s of %(total)s %(beds)s beds occupied on %(period)s (threshold %(threshold)s)")
            % values_text,
            dedup_key=dedup_key,
            evidence_url=f"/dashboard/facility/{unit.code}/",
            payload={"bed_type": bed_type, "occupied": occupied, "total": total, "share": round(share, 3),
                     "threshold": threshold, "period": period},
        )


@evaluator("er_waiting_above", kind="report.submitted", when=_is_recent)
def er_waiting_above(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate | AlertClear]:
    """params: threshold (patients waiting for a bed in the emergency room). At or below it clears the alert."""
    waiting = event.payload["values"].get("er_waiting_for_bed")
    threshold = int(rule.params.get("threshold", 20))
    period = event.payload["period"]
    if waiting is None:
        return
    if waiting <= threshold:
        yield AlertClear(
            dedup_key=f"{rule.code}:{unit.code}", as_of=("period", period),
            reason=_("%(n)s emergency patients waiting for a bed on %(period)s, at or below the threshold of "
                     "%(threshold)s") % {"n": waiting, "period": _day(period), "threshold": threshold},
        )
        return
    yield AlertCandidate(
        source="reporting", kind="er_waiting", severity=rule.severity, unit=unit, rule=rule,
        title=_("%(unit)s: %(n)s emergency patients waiting for a bed") % {"unit": unit, "n": waiting},
        message=_("%(n)s emergency patients waiting for a bed on %(period)s (threshold %(threshold)s)")
        % {"n": waiting, "period": _day(period), "threshold": threshold},
        dedup_key=f"{rule.code}:{unit.code}",
        evidence_url=f"/dashboard/facility/{unit.code}/",
        payload={"waiting": waiting, "threshold": threshold, "period": period},
    )


def _overdue_key(rule: AlertRule, unit: Unit, data_set: str, period: str) -> str:
    return f"{rule.code}:{unit.code}:{data_set}:{period}"


@evaluator("report_overdue", kind="report.overdue")
def report_overdue(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    period = _day(event.payload["period"])
    yield AlertCandidate(
        source="reporting", kind="report_overdue", severity=rule.severity, unit=unit, rule=rule,
        title=_("%(unit)s: report overdue (%(period)s)") % {"unit": unit, "period": period},
        message=_("%(data_set)s for %(period)s was due at %(due)s and has not been received")
        % {"data_set": event.payload["data_set_name"], "period": period, "due": event.payload["due_at"][11:16]},
        dedup_key=_overdue_key(rule, unit, event.payload["data_set"], event.payload["period"]),
        evidence_url="/dashboard/completeness/",
        payload=event.payload,
    )


@evaluator("report_overdue", kind="report.submitted", when=_is_this_week)
def report_received(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertClear]:
    """The report arrived: its overdue alert is over."""
    yield AlertClear(
        dedup_key=_overdue_key(rule, unit, event.payload["data_set"], event.payload["period"]),
        reason=_("The report for %(period)s has been received") % {"period": event.payload["period"]},
    )
