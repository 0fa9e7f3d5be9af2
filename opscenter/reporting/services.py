"""The one way reports get in, whatever the channel (form, JSON API, FHIR, simulator, import).

`submit_many` validates a whole batch first, then writes it in one transaction with bulk statements:
new reports and corrections as new versions, the audit trail, and one `report.submitted` event each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, bulk, edits, events, texts
from opscenter.core.errors import Conflict, FieldError, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm, Role

from . import figures
from .events import OVERDUE, SOURCE, SUBMITTED
from .models import DataSet, OverdueNotice, Report
from .validation import ElementSpec, RuleSpec, Schema, check


@dataclass
class Submission:
    data_set: str
    unit: str
    period: dt.date
    values: dict[str, Any]
    source: str = Report.Source.API
    idempotency_key: str | None = None
    comment: str = ""
    submitted_at: dt.datetime | None = None  # honoured for system imports only (history); else now
    # The version an edit started from (0: none was stored); a newer one stored since refuses the edit.
    base_version: int | None = None
    # FHIR: populations with no element (kept with the report, not checked) and the Measure sent against.
    unmapped: dict[str, Any] = field(default_factory=dict)
    measure: str = ""


@dataclass
class Outcome:
    report: Report
    created: bool  # False when the submission repeated what was already stored
    warnings: list[str] = field(default_factory=list)


def schema_for(data_set: DataSet) -> Schema:
    return Schema(
        elements={
            e.code: ElementSpec(e.code, e.value_type, e.required, e.min_value, e.max_value, e.label)
            for e in data_set.elements.all()
        },
        rules=[
            RuleSpec(r.code, r.message, tuple(r.left), r.operator, tuple(r.right), r.severity)
            for r in data_set.rules.all()
        ],
        jump_ratio=data_set.jump_ratio,
    )


def local_today() -> dt.date:
    return timezone.localdate()


def _period_error(data_set: DataSet, period: dt.date, today: dt.date) -> str | None:
    if period > today:
        return _("the period has not started yet")
    if data_set.periodicity == DataSet.Periodicity.WEEKLY and period.weekday() != 0:
        return _("a weekly period starts on a Monday")
    if data_set.periodicity == DataSet.Periodicity.MONTHLY and period.day != 1:
        return _("a monthly period starts on the first day of the month")
    return None


def submit(actor: User | str, submission: Submission) -> Outcome:
    return submit_many(actor, [submission])[0]


def submit_many(actor: User | str, submissions: Sequence[Submission]) -> list[Outcome]:
    """Validate and store a batch, all or nothing. Raises ValidationFailed (422), PermissionDenied (403)
    or Conflict (409); field names are prefixed with the item's index when the batch has several."""
    if not submissions:
        return []
    prefix = (lambda i: f"[{i}].") if len(submissions) > 1 else (lambda i: "")
    data_sets = {
        ds.code: ds
        for ds in DataSet.objects.filter(code__in={s.data_set for s in submissions}, active=True)
        .prefetch_related("elements", "rules")
    }
    # Only what submission reads of a unit (code, scope path, display name): a batch names hundreds.
    units = {u.code: u for u in Unit.objects.filter(code__in={s.unit for s in submissions}, active=True)
             .only("code", "name", "short_name", "path")}
    assigned = set(
        DataSet.reporting_units.through.objects.filter(
            dataset__in=data_sets.values(), unit__in=units.values()
        ).values_list("dataset_id", "unit_id")
    )
    schemas = {code: schema_for(ds) for code, ds in data_sets.items()}

    errors: list[FieldError] = []
    today = local_today()
    for i, s in enumerate(submissions):
        ds, unit = data_sets.get(s.data_set), units.get(s.unit)
        if ds is None:
            errors.append(FieldError(f"{prefix(i)}data_set", _("unknown or inactive data set")))
        if unit is None:
            errors.append(FieldError(f"{prefix(i)}unit", _("unknown or inactive unit")))
        if ds is None or unit is None:
            continue
        if isinstance(actor, User) and not actor.has_perm_in(Perm.SUBMIT_REPORTS, unit):
            raise PermissionDenied(_("You may not submit reports for %(unit)s") % {"unit": unit.code})
        if (ds.pk, unit.pk) not in assigned:
            errors.append(FieldError(f"{prefix(i)}unit", _("this unit does not report this data set")))
        if message := _period_error(ds, s.period, today):
            errors.append(FieldError(f"{prefix(i)}period", message))
    if errors:
        raise ValidationFailed(errors)

    keys = [(data_sets[s.data_set].pk, units[s.unit].pk, s.period) for s in submissions]
    if len(set(keys)) != len(keys):
        raise ValidationFailed.one("period", _("the batch names the same report twice"))
    ds_by_pk = data_sets_by_pk(data_sets)
    previous_keys = [(ds, unit, _previous_period(ds_by_pk[ds], p)) for ds, unit, p in keys]
    stored, previous_values = _current_reports(keys, previous_keys)

    checked = []
    for i, s in enumerate(submissions):
        result = check(schemas[s.data_set], s.values, previous_values.get(previous_keys[i]))
        errors.extend(FieldError(prefix(i) + e.field, e.message) for e in result.errors)
        checked.append(result)
        if result.warnings and not result.errors:  # kept with the report: written in every language
            result.warning_texts = texts.each_language(
                partial(_warnings, data_sets[s.data_set], s.values, previous_values.get(previous_keys[i])))
    if errors:
        raise ValidationFailed(errors)

    try:
        with transaction.atomic():
            return _store(actor, submissions, keys, stored, data_sets, units, checked, prefix)
    except IntegrityError as exc:
        raise Conflict(_("Another submission for the same report was stored at the same moment; retry.")) from exc


def _warnings(data_set: DataSet, values: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """The report's warnings in the active language (the elements' labels are the language's)."""
    return check(schema_for(data_set), values, previous).warnings


def data_sets_by_pk(data_sets: dict[str, DataSet]) -> dict[int, DataSet]:
    return {ds.pk: ds for ds in data_sets.values()}


def _previous_period(data_set: DataSet, period: dt.date) -> dt.date:
    if data_set.periodicity == DataSet.Periodicity.WEEKLY:
        return period - dt.timedelta(days=7)
    if data_set.periodicity == DataSet.Periodicity.MONTHLY:
        return (period - dt.timedelta(days=1)).replace(day=1)
    return period - dt.timedelta(days=1)


Key = tuple[int, int, dt.date]  # data set, unit, period


CURRENT_FIELDS = ["id", "data_set_id", "unit_id", "period", "version", "values", "status", "flags", "flag_texts",
                  "unmapped"]


def _current_reports(keys: list[Key], previous_keys: list[Key]) -> tuple[dict[Key, Report], dict[Key, Any]]:
    """The stored current versions of these reports, and the values of those of the previous periods (for the
    jump check), in one query over the batch's units and period range; only the former become models."""
    everything = keys + previous_keys
    rows = Report.objects.filter(is_current=True, period__gte=min(k[2] for k in everything),
                                 period__lte=max(k[2] for k in everything),
                                 unit_id__in={k[1] for k in everything}).values_list(*CURRENT_FIELDS)
    wanted, previous = set(keys), set(previous_keys)
    reports, values = {}, {}
    for row in rows:
        key = (row[1], row[2], row[3])
        if key in wanted:
            reports[key] = Report.from_db("default", CURRENT_FIELDS, row)  # as .only(): the rest loads if read
        if key in previous:
            values[key] = row[5]
    return reports, values


def _check_base(s: Submission, key: tuple[int, int, dt.date], current: Report | None, values: dict[str, Any],
                prefix: str) -> None:
    """The edit-conflict rule (every channel: form, API): an edit started from an older version than the
    stored one is refused with what changed since, so a save never silently reverts someone else's values.
    Saving the very values stored is no conflict (handled before: nothing changes)."""
    if s.base_version is None or s.base_version == (current.version if current else 0):
        return
    base = Report.objects.filter(data_set_id=key[0], unit_id=key[1], period=key[2],
                                 version=s.base_version).values_list("values", flat=True).first() or {}
    edits.check_version(s.base_version, current.version if current else 0, base,
                        current.values if current else {}, values, prefix=f"{prefix}values.")


def _store(actor, submissions, keys, existing, data_sets, units, checked, prefix) -> list[Outcome]:
    """Write what validation accepted. `existing` was read before the transaction: a concurrent
    submission for the same report then breaks a unique constraint, and the caller answers 409."""
    now = timezone.now()
    user = actor if isinstance(actor, User) else None
    units_by_pk = {u.pk: u for u in units.values()}
    ds_by_pk = data_sets_by_pk(data_sets)
    by_key = {
        (r.unit_id, r.idempotency_key): r
        for r in Report.objects.filter(
            unit_id__in={k[1] for k in keys},
            idempotency_key__in=[s.idempotency_key for s in submissions if s.idempotency_key],
        )
    }

    outcomes: list[Outcome | None] = []
    new_reports: list[Report] = []
    superseded: list[Report] = []
    for i, (s, key, result) in enumerate(zip(submissions, keys, checked, strict=True)):
        if s.idempotency_key and (repeat := by_key.get((key[1], s.idempotency_key))):
            if ((repeat.data_set_id, repeat.unit_id, repeat.period) != key or repeat.values != result.values
                    or repeat.unmapped != s.unmapped):
                raise Conflict(_("Idempotency key %(key)s was already used for a different submission")
                               % {"key": s.idempotency_key})
            outcomes.append(Outcome(repeat, created=False, warnings=repeat.shown_flags))
            continue
        current = existing.get(key)
        if current is not None and current.values == result.values and current.unmapped == s.unmapped:
            outcomes.append(Outcome(current, created=False, warnings=current.shown_flags))
            continue
        _check_base(s, key, current, result.values, prefix(i))
        if current is not None:
            superseded.append(current)
        report = Report(  # with its data set and unit, so that answering reads no more rows
            data_set=ds_by_pk[key[0]], unit=units_by_pk[key[1]], period=key[2],
            version=current.version + 1 if current else 1,
            values=result.values,
            status=Report.Status.FLAGGED if result.warnings else Report.Status.ACCEPTED,
            flags=result.warning_texts.get(settings.LANGUAGE_CODE, result.warnings), flag_texts=result.warning_texts,
            source=s.source, submitted_by=user,
            submitted_at=s.submitted_at if s.submitted_at and user is None else now,
            idempotency_key=s.idempotency_key, comment=s.comment, unmapped=s.unmapped, measure=s.measure,
        )
        new_reports.append(report)
        outcomes.append(None)  # filled once saved

    if superseded:
        Report.objects.filter(pk__in=[r.pk for r in superseded]).update(is_current=False)
    bulk.insert(new_reports)
    if new_reports and new_reports[0].pk is None:  # backends that cannot return ids (none we support)
        raise RuntimeError("bulk_create did not return primary keys")
    figures.write(new_reports, replaced=[r.pk for r in superseded])

    fresh = iter(new_reports)
    result_outcomes: list[Outcome] = []
    for outcome, result in zip(outcomes, checked, strict=True):
        result_outcomes.append(outcome or Outcome(next(fresh), created=True, warnings=result.warnings))

    _audit(actor, new_reports, units_by_pk)
    for r in new_reports:
        events.publish(events.Event(
            source=SOURCE, kind=SUBMITTED, unit=units_by_pk[r.unit_id].code,
            payload={
                "report_id": r.pk, "data_set": ds_by_pk[r.data_set_id].code, "period": r.period.isoformat(),
                "version": r.version, "status": r.status, "flags": r.flags, "values": r.values,
                "unit_name": str(units_by_pk[r.unit_id]),
            },
        ))
    return result_outcomes


def _audit(actor: User | str, reports: list[Report], units_by_pk: dict[int, Unit]) -> None:
    """One entry per submission: a single report names itself; a batch (one request, one actor)
    is one entry listing every report it wrote, so large imports cost one row, not thousands."""
    if len(reports) == 1:
        r = reports[0]
        audit.record(actor, "reporting.report.submitted", r, units_by_pk[r.unit_id].code,
                     version=r.version, source=r.source, period=r.period.isoformat())
    elif reports:
        audit.record(actor, "reporting.reports.submitted", None, "",
                     count=len(reports), source=reports[0].source,
                     reports=[[r.pk, units_by_pk[r.unit_id].code, r.period.isoformat(), r.version] for r in reports])


def rebuild_figures(actor: User | str) -> int:
    """Write the read model (figures) again from the current reports, e.g. after a restore or a repair made in
    the database by hand; how many reports it holds."""
    with transaction.atomic():
        count = figures.rebuild()
        audit.record(actor, "reporting.figures.rebuilt", None, "", count=count)
    return count


# --- completeness and timeliness -------------------------------------------------------------

@dataclass(frozen=True)
class UnitCompleteness:
    unit: Unit
    period: dt.date
    status: str  # "on_time" | "late" | "missing" | "pending" (not due yet)
    first_submitted_at: dt.datetime | None
    versions: int


def completeness(data_set: DataSet, period: dt.date, units: Iterable[Unit] | None = None,
                 now: dt.datetime | None = None) -> list[UnitCompleteness]:
    """Per unit, for one period: submitted on time, late, missing, or not yet due."""
    now = now or timezone.now()
    expected = list(units if units is not None else data_set.reporting_units.filter(active=True))
    submitted = {
        row["unit_id"]: row
        for row in Report.objects.filter(data_set=data_set, period=period, unit__in=expected)
        .values("unit_id").annotate(first=Min("submitted_at"), versions=Max("version"))
    }
    due = data_set.due_at(period)
    rows = []
    for unit in expected:
        row = submitted.get(unit.pk)
        if row:
            status = "on_time" if row["first"] <= due else "late"
        else:
            status = "missing" if now > due else "pending"
        rows.append(UnitCompleteness(unit, period, status, row["first"] if row else None,
                                     row["versions"] if row else 0))
    return rows


def check_overdue(now: dt.datetime | None = None, grace_minutes: int | None = None) -> list[OverdueNotice]:
    """Remind every unit whose report is overdue (once per period): an event that the alert rules
    turn into an alert, and an e-mail to the unit's reporters and managers."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=settings.REPORT_OVERDUE_GRACE_MINUTES if grace_minutes is None else grace_minutes)
    today = timezone.localdate(now)
    notices = []
    for data_set in DataSet.objects.filter(active=True, periodicity=DataSet.Periodicity.DAILY):
        for period in (today - dt.timedelta(days=1), today):
            if now < data_set.due_at(period) + grace:
                continue
            for row in completeness(data_set, period, now=now):
                if row.status != "missing":
                    continue
                notice, created = OverdueNotice.objects.get_or_create(
                    data_set=data_set, unit=row.unit, period=period
                )
                if not created:
                    continue
                notices.append(notice)
                audit.record("scheduler", "reporting.overdue.notified", notice, row.unit.code,
                             period=period.isoformat())
                events.publish(events.Event(
                    source=SOURCE, kind=OVERDUE, unit=row.unit.code,
                    payload={"data_set": data_set.code, "data_set_name": data_set.name,
                             "period": period.isoformat(), "due_at": data_set.due_at(period).isoformat(),
                             "unit_name": str(row.unit)},
                ))
                _email_reminder(data_set, row.unit, period)
    return notices


def _email_reminder(data_set: DataSet, unit: Unit, period: dt.date) -> None:
    recipients = list(
        User.objects.filter(unit=unit, is_active=True, role__in=[Role.REPORTER, Role.HOSPITAL_MANAGER])
        .exclude(email="").values_list("email", flat=True)
    )
    if recipients:
        send_mail(
            subject=_("Overdue report: %(ds)s for %(period)s") % {"ds": data_set.name, "period": period},
            message=_("The report %(ds)s for %(period)s from %(unit)s has not been received. "
                      "Please submit it as soon as possible.")
            % {"ds": data_set.name, "period": period, "unit": unit},
            from_email=None, recipient_list=recipients, fail_silently=True,
        )
