"""The one way surveillance state is written: case reports (merged, corrected, cancelled), the daily
detection signals and forecasts. Each write is validated, audited and published on the event bus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, edits, events
from opscenter.core.errors import Conflict, FieldError, ValidationFailed
from opscenter.core.tasks import queue_after_commit
from opscenter.org.models import BedCapacity, Unit, User, Ward
from opscenter.org.roles import Perm
from opscenter.reporting import figures

from . import detection
from .events import FORECAST, SIGNAL, SOURCE
from .models import Case, CaseReport, Classification, Disease, Forecast, Outcome, Sex, Signal

MERGE_WINDOW_DAYS = 30  # the same patient and disease within this many days of onset is the same case
MAX_ONSET_BEFORE_REPORT_DAYS = 365
MAX_AGE = 120
CASE_FIELDS = ("disease", "onset_date", "report_date", "age_years", "sex", "ward", "classification",
               "hospitalised", "outcome")
PERSONAL_FIELDS = ("patient_name", "date_of_birth", "phone")
DETECTION_DAYS = (5 * 52 + 4) * 7  # history read: enough weeks for Farrington's five years back


def local_today() -> dt.date:
    return timezone.localdate()


def department() -> Unit | None:
    """The unit city-wide signals and alerts belong to."""
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent=None).order_by("pk").first()


# ---- case reports -------------------------------------------------------------------------------

@dataclass
class CaseInput:
    disease: str
    onset_date: dt.date
    report_date: dt.date
    age_years: int
    ward: str  # ward code
    facility: str  # unit code
    classification: str
    sex: str = Sex.UNKNOWN
    hospitalised: bool = False
    outcome: str = Outcome.UNKNOWN
    patient_id: str = ""  # national ID or insurance number: only its keyed hash is kept
    patient_name: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""


@dataclass
class CaseOutcome:
    case: Case
    created: bool  # a new case was counted
    merged: bool = False  # the report named a case already known (another facility, or a repeat)
    report: CaseReport | None = None
    warnings: list[str] = field(default_factory=list)
    # What this report said (case fields and its facility): all a reporter gets back when the report merged
    # into a case outside their scope.
    submitted: dict[str, Any] = field(default_factory=dict)


def patient_key(patient_id: str, name: str, date_of_birth: dt.date | None) -> str:
    """A keyed hash recognising the same patient across facilities without storing who they are."""
    if patient_id.strip():
        basis = "id:" + "".join(patient_id.split()).upper()
    elif name.strip() and date_of_birth:
        folded = unicodedata.normalize("NFKD", " ".join(name.lower().split()))
        basis = "name:" + "".join(c for c in folded if not unicodedata.combining(c)) + "|" + date_of_birth.isoformat()
    else:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), basis.encode(), hashlib.sha256).hexdigest()


def _choice(errors: list[FieldError], name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        errors.append(FieldError(name, _("must be one of: %(v)s") % {"v": ", ".join(choices)}))


def _validate(data: CaseInput, prefix: str = "") -> tuple[list[FieldError], Ward | None, Unit | None]:
    errors: list[FieldError] = []
    today = local_today()
    _choice(errors, prefix + "disease", data.disease, Disease.values)
    _choice(errors, prefix + "classification", data.classification, Classification.values)
    _choice(errors, prefix + "sex", data.sex, Sex.values)
    _choice(errors, prefix + "outcome", data.outcome, Outcome.values)
    if data.report_date > today:
        errors.append(FieldError(prefix + "report_date", _("cannot be in the future")))
    if data.onset_date > data.report_date:
        errors.append(FieldError(prefix + "onset_date", _("onset cannot be after the report date (%(d)s)")
                                 % {"d": data.report_date.isoformat()}))
    elif (data.report_date - data.onset_date).days > MAX_ONSET_BEFORE_REPORT_DAYS:
        errors.append(FieldError(prefix + "onset_date", _("onset more than a year before the report")))
    if not isinstance(data.age_years, int) or isinstance(data.age_years, bool) or not 0 <= data.age_years <= MAX_AGE:
        errors.append(FieldError(prefix + "age_years", _("an age in whole years from 0 to %(max)s") % {"max": MAX_AGE}))
    if data.date_of_birth is not None:
        if data.date_of_birth > data.onset_date:
            errors.append(FieldError(prefix + "date_of_birth", _("born after the onset of illness")))
        elif isinstance(data.age_years, int):
            age = (data.onset_date - data.date_of_birth).days // 365.25
            if abs(age - data.age_years) > 1:
                errors.append(FieldError(prefix + "age_years", _("does not match the date of birth (%(age)d)")
                                         % {"age": age}))
    ward = Ward.objects.filter(code=data.ward).first()
    if ward is None:
        errors.append(FieldError(prefix + "ward", _("unknown ward code %(code)s") % {"code": data.ward}))
    facility = Unit.objects.filter(code=data.facility, active=True).first()
    if facility is None:
        errors.append(FieldError(prefix + "facility", _("unknown or inactive unit %(code)s") % {"code": data.facility}))
    return errors, ward, facility


def _values(case: Case) -> dict[str, Any]:
    return {
        "disease": case.disease, "onset_date": case.onset_date.isoformat(), "report_date": case.report_date.isoformat(),
        "age_years": case.age_years, "sex": case.sex, "ward": case.ward.code, "classification": case.classification,
        "hospitalised": case.hospitalised, "outcome": case.outcome,
    }


def _input_values(data: CaseInput) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(data).items()
            if k in CASE_FIELDS}


def report_cases(actor: User | str, items: Sequence[CaseInput], source: str = CaseReport.Source.API,
                 idempotency_keys: Sequence[str | None] | None = None) -> list[CaseOutcome]:
    """Validate a batch (all or nothing), then count each case once: a patient already known for the
    disease within MERGE_WINDOW_DAYS of onset is merged into their case, the history keeping both reports."""
    keys = list(idempotency_keys or [None] * len(items))
    prefix = (lambda i: f"[{i}].") if len(items) > 1 else (lambda i: "")
    errors: list[FieldError] = []
    checked = []
    for i, data in enumerate(items):
        problems, ward, facility = _validate(data, prefix(i))
        errors.extend(problems)
        if facility is not None and isinstance(actor, User) and not actor.has_perm_in(Perm.REPORT_CASES, facility):
            raise PermissionDenied(_("You may not report cases for %(unit)s") % {"unit": facility.code})
        checked.append((data, ward, facility))
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            # Validation passed, so every item has its ward and facility.
            outcomes = [_store(actor, data, ward, facility, source, key)  # type: ignore[arg-type]
                        for (data, ward, facility), key in zip(checked, keys, strict=True)]
    except IntegrityError as exc:
        raise Conflict(_("The same report was stored at the same moment; retry.")) from exc
    affected = {(o.case.disease, o.case.ward.code) for o in outcomes if o.created}
    if affected:
        _detect_soon(sorted(affected))
    return outcomes


def report_case(actor: User | str, data: CaseInput, source: str = CaseReport.Source.API,
                idempotency_key: str | None = None) -> CaseOutcome:
    return report_cases(actor, [data], source, [idempotency_key])[0]


def _detect_soon(affected: list[tuple[str, str]]) -> None:
    """Detection on the series new cases touched, once they are committed: on the workers, or at once in-process
    in the embedded default (Celery's eager mode)."""
    from .tasks import detect_outbreaks

    # If the broker is away, the nightly detection over every series catches up.
    queue_after_commit(detect_outbreaks, diseases=sorted({d for d, _w in affected}),
                       wards=sorted({w for _d, w in affected}))


def _store(actor: User | str, data: CaseInput, ward: Ward, facility: Unit, source: str,
           key: str | None) -> CaseOutcome:
    user = actor if isinstance(actor, User) else None
    if key:
        earlier = CaseReport.objects.select_related("case").filter(facility=facility, idempotency_key=key).first()
        if earlier is not None:
            return CaseOutcome(earlier.case, created=False, merged=True, report=None,
                               submitted={**earlier.values, "facility": facility.code})
    pkey = patient_key(data.patient_id, data.patient_name, data.date_of_birth)
    values = _input_values(data)
    known = None
    if pkey:
        window = dt.timedelta(days=MERGE_WINDOW_DAYS)
        known = (Case.objects.select_for_update().select_related("ward")
                 .filter(patient_key=pkey, disease=data.disease, status=Case.Status.ACTIVE,
                         onset_date__gte=data.onset_date - window, onset_date__lte=data.onset_date + window)
                 .order_by("pk").first())
    if known is not None:
        return _merge(user or actor, known, data, facility, source, key, values)
    case = Case.objects.create(
        disease=data.disease, onset_date=data.onset_date, report_date=data.report_date, age_years=data.age_years,
        sex=data.sex, ward=ward, facility=facility, classification=data.classification,
        hospitalised=data.hospitalised, outcome=data.outcome, patient_key=pkey,
        patient_name=data.patient_name.strip(), date_of_birth=data.date_of_birth, phone=data.phone.strip(),
    )
    report = CaseReport.objects.create(case=case, kind=CaseReport.Kind.INITIAL, facility=facility, source=source,
                                       values=values, version=1, submitted_by=user, idempotency_key=key)
    audit.record(actor, "surveillance.case.reported", case, facility.code, disease=case.disease, ward=ward.code)
    _publish(case, "case.reported")
    return CaseOutcome(case, created=True, report=report, submitted={**values, "facility": facility.code})


_CERTAINTY = {c: i for i, c in enumerate(Classification.values)}


def _merge(actor: Any, case: Case, data: CaseInput, facility: Unit, source: str, key: str | None,
           values: dict[str, Any]) -> CaseOutcome:
    before = _values(case)
    same_facility_repeat = (
        facility.pk == case.facility_id
        and all(values[k] == before[k] for k in CASE_FIELDS if k not in ("report_date",))
    )
    submitted = {**values, "facility": facility.code}
    if same_facility_repeat and not key:
        return CaseOutcome(case, created=False, merged=True, submitted=submitted)  # the same report twice
    # The merge keeps the most certain classification, any hospitalisation, and a known outcome.
    if _CERTAINTY[data.classification] > _CERTAINTY[case.classification]:
        case.classification = data.classification
    case.hospitalised = case.hospitalised or data.hospitalised
    if data.outcome != Outcome.UNKNOWN and case.outcome != Outcome.DIED:
        case.outcome = data.outcome
    if not case.phone and data.phone:
        case.phone = data.phone.strip()
    changed = {k: v for k, v in _values(case).items() if before[k] != v}
    if changed:
        case.version += 1
    case.save()
    report = CaseReport.objects.create(
        case=case, kind=CaseReport.Kind.DUPLICATE, facility=facility, source=source, values=values,
        previous={k: before[k] for k in changed}, version=case.version,
        submitted_by=actor if isinstance(actor, User) else None, idempotency_key=key,
    )
    audit.record(actor, "surveillance.case.merged", case, facility.code, report=report.pk, changed=sorted(changed))
    if changed:
        _publish(case, "case.updated")
    return CaseOutcome(case, created=False, merged=True, report=report, submitted=submitted)


def _may_change(user: User, case: Case) -> bool:
    return user.has_perm_in(Perm.VIEW_CASE_DETAILS, case.facility) or user.has_perm_in(Perm.REPORT_CASES,
                                                                                        case.facility)


@transaction.atomic
def correct_case(user: User, case: Case, changes: dict[str, Any], reason: str,
                 base_version: int | None = None) -> Case:
    """Change some values of a case, keeping what they were in its history (reason required). A correction
    may name the case version it started from: if the case changed since, StaleEdit (409) with what changed."""
    case = Case.objects.select_for_update().select_related("ward", "facility").get(pk=case.pk)
    if not _may_change(user, case):
        raise PermissionDenied(_("You may not correct cases of %(unit)s") % {"unit": case.facility.code})
    if case.status == Case.Status.CANCELLED:
        raise Conflict(_("The case is cancelled"))
    if not reason.strip():
        raise ValidationFailed.one("reason", _("say why the case is corrected"))
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise ValidationFailed([FieldError(k, _("cannot be corrected")) for k in sorted(unknown)])
    current = {**_values(case), "facility": case.facility.code}
    merged = {**current, **changes}
    try:
        data = CaseInput(
            disease=merged["disease"], onset_date=_date(merged["onset_date"], "onset_date"),
            report_date=_date(merged["report_date"], "report_date"), age_years=merged["age_years"],
            ward=merged["ward"], facility=case.facility.code, classification=merged["classification"],
            sex=merged["sex"], hospitalised=bool(merged["hospitalised"]), outcome=merged["outcome"],
            date_of_birth=case.date_of_birth,
        )
    except ValueError as exc:
        raise ValidationFailed.one(str(exc), _("not a date (YYYY-MM-DD)")) from None
    errors, ward, _facility = _validate(data)
    if errors:
        raise ValidationFailed(errors)
    new = {**_input_values(data)}
    changed = {k: new[k] for k in CASE_FIELDS if new[k] != current[k]}
    if not changed:
        return case
    _check_base(case, base_version, current, new)
    for name in changed:
        setattr(case, name, ward if name == "ward" else getattr(data, name))
    case.version += 1
    case.save()
    CaseReport.objects.create(case=case, kind=CaseReport.Kind.CORRECTION, facility=case.facility,
                              source=CaseReport.Source.API, values=changed,
                              previous={k: current[k] for k in changed}, reason=reason.strip(),
                              version=case.version, submitted_by=user)
    audit.record(user, "surveillance.case.corrected", case, case.facility.code, changed=changed, reason=reason)
    _publish(case, "case.updated")
    return case


def _check_base(case: Case, base_version: int | None, current: dict[str, Any], yours: dict[str, Any]) -> None:
    """The edit-conflict rule for corrections; the case's values at the base version come from its history
    (each later report keeps what it replaced)."""
    if base_version is None or base_version == case.version:
        return
    base = dict(current)
    for report in case.reports.filter(version__gt=base_version).order_by("-version"):
        base.update(report.previous or {})  # walking back from now to the base version
    edits.check_version(base_version, case.version, base, current, yours, fields=CASE_FIELDS)


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(name) from None


@transaction.atomic
def cancel_case(user: User, case: Case, reason: str) -> Case:
    """A case reported in error is cancelled with a reason (and no longer counted), never deleted."""
    case = Case.objects.select_for_update().select_related("facility", "ward").get(pk=case.pk)
    if not _may_change(user, case):
        raise PermissionDenied(_("You may not cancel cases of %(unit)s") % {"unit": case.facility.code})
    if not reason.strip():
        raise ValidationFailed.one("reason", _("say why the case is cancelled"))
    if case.status == Case.Status.CANCELLED:
        raise Conflict(_("The case is already cancelled"))
    case.status = Case.Status.CANCELLED
    case.version += 1
    case.save()
    CaseReport.objects.create(case=case, kind=CaseReport.Kind.CANCELLATION, facility=case.facility,
                              source=CaseReport.Source.API, values={"status": "cancelled"},
                              previous={"status": "active"}, reason=reason.strip(), version=case.version,
                              submitted_by=user)
    audit.record(user, "surveillance.case.cancelled", case, case.facility.code, reason=reason)
    _publish(case, "case.cancelled")
    return case


def _publish(case: Case, kind: str) -> None:
    events.publish(events.Event(source=SOURCE, kind=kind, unit=case.facility.code, payload={
        "case_id": case.pk, "disease": case.disease, "ward": case.ward.code, "onset_date": case.onset_date.isoformat(),
        "report_date": case.report_date.isoformat(), "classification": case.classification, "version": case.version,
    }))


def record_case_access(user: User, cases: Iterable[Case], how: str) -> None:
    """Every view of personal case data is logged."""
    audit.record_many(user, "surveillance.case.viewed",
                      [(case, case.facility.code, {"how": how}) for case in cases])


def sees_case(user: Any, case: Case) -> bool:
    """May the user see this case's (non-personal) values? Only if it belongs to a facility in their scope: a
    report merged into another hospital's case learns nothing of it."""
    return isinstance(user, User) and user.in_scope(case.facility)


def cases_in_scope(user: User):
    """Cases first reported by a facility in the user's scope (their values, not personal data)."""
    return Case.objects.select_related("ward", "facility").filter(user.scope_filter("facility"))


def case_queryset(user: User):
    """Cases whose personal data the user may see: epidemiology roles, within their unit scope."""
    if not user.has_perm_in(Perm.VIEW_CASE_DETAILS):
        raise PermissionDenied(_("Personal case data is for epidemiology roles"))
    return Case.objects.select_related("ward", "facility").filter(user.scope_filter("facility"))


def erase_expired_personal_data(now: dt.datetime | None = None) -> int:
    """Blank the personal data of cases reported longer ago than SURVEILLANCE_PERSONAL_DATA_DAYS, with the free
    text written about them."""
    now = now or timezone.now()
    days = settings.SURVEILLANCE_PERSONAL_DATA_DAYS
    cutoff = timezone.localdate(now) - dt.timedelta(days=days)
    expired = list(Case.objects.filter(report_date__lt=cutoff, personal_data_erased_at__isnull=True)
                   .select_related("facility").only("pk", "facility__code"))
    if not expired:
        return 0
    ids = [c.pk for c in expired]
    with transaction.atomic():
        Case.objects.filter(pk__in=ids).update(
            patient_key="", patient_name="", date_of_birth=None, phone="", personal_data_erased_at=now)
        # The reasons people wrote for corrections and cancellations may name the patient: they go too, here
        # and where the audit log copied them.
        CaseReport.objects.filter(case_id__in=ids).exclude(reason="").update(reason="")
        audit.redact(Case, ids, ("reason",))
        audit.record_many("retention", "surveillance.case.personal_data_erased",
                          [(c, c.facility.code, {"retention_days": days}) for c in expired])
    return len(expired)


# ---- aggregates ---------------------------------------------------------------------------------

def counted_cases():
    return Case.objects.filter(status=Case.Status.ACTIVE)


def city_wide(user: User) -> bool:
    """Is the user's scope the whole city? Figures computed over every facility's cases and reports (detection
    signals, area forecasts) are for them only."""
    return user.unit is not None and user.unit.parent_id is None


def scoped_cases(user: User):
    """The counted cases a user's aggregates are made of: those of facilities in their scope."""
    return counted_cases().filter(user.scope_filter("facility"))


def daily_counts(disease: str, start: dt.date, end: dt.date, ward: str | None = None,
                 facility: str | None = None, cases=None) -> np.ndarray:
    """Cases per report day from `start` to `end` inclusive (zeros included), out of `cases` (all by default)."""
    qs = (counted_cases() if cases is None else cases).filter(disease=disease, report_date__gte=start,
                                                             report_date__lte=end)
    if ward:
        qs = qs.filter(ward__code=ward)
    if facility:
        qs = qs.filter(facility__code=facility)
    out = np.zeros((end - start).days + 1)
    for day, n in qs.values_list("report_date").annotate(n=Count("id")).values_list("report_date", "n"):
        out[(day - start).days] = n
    return out


def counts_by(user: User, disease: str | None, start: dt.date, end: dt.date, by: str = "day",
              group: str | None = None) -> list[dict[str, Any]]:
    """Case counts in the user's scope per day or ISO week, and per disease, ward or facility when asked."""
    qs = scoped_cases(user).filter(report_date__gte=start, report_date__lte=end)
    if disease:
        qs = qs.filter(disease=disease)
    fields = ["report_date", "disease", *{"ward": ["ward__code"], "facility": ["facility__code"]}.get(group or "", [])]
    totals: dict[tuple, int] = defaultdict(int)
    for row in qs.values(*fields).annotate(n=Count("id")):
        day = row["report_date"]
        period = day - dt.timedelta(days=day.weekday()) if by == "week" else day
        key = (period, row["disease"], row.get("ward__code") or row.get("facility__code") or "")
        totals[key] += row["n"]
    return [{"period": p, "disease": d, "group": g or None, "count": n} for (p, d, g), n in sorted(totals.items())]


def report_counts(user: User, disease: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """New cases as counted in the daily hospital reports (current versions) in the user's scope, per day and
    facility."""
    if disease not in Disease.values:
        return []
    column = f"cases_{disease}"
    return [{"period": r.period, "facility": r.unit.code, "count": getattr(r, column)}
            for r in figures.in_range(start, end, units=user.scope_units()) if getattr(r, column) is not None]


def incidence_by_ward(user: User, disease: str, end: dt.date, days: int = 28) -> list[dict[str, Any]]:
    """Cases in the user's scope in the last `days` per ward, and per 100,000 residents where the population is
    known."""
    start = end - dt.timedelta(days=days - 1)
    counts = dict(scoped_cases(user).filter(disease=disease, report_date__gte=start, report_date__lte=end)
                  .values_list("ward_id").annotate(n=Count("id")).values_list("ward_id", "n"))
    out = []
    for ward in Ward.objects.all():
        n = counts.get(ward.pk, 0)
        rate = round(n * 100_000 / ward.population, 2) if ward.population else None
        out.append({"ward": ward.code, "name": ward.name, "population": ward.population, "cases": n,
                    "per_100k": rate, "latitude": ward.latitude, "longitude": ward.longitude})
    return out


# ---- outbreak detection -------------------------------------------------------------------------

def _series_matrix(diseases: Sequence[str], day: dt.date, days: int) -> tuple[dict, list[Ward]]:
    """Daily counts per (disease, ward code or CITY) over `days` days ending on `day`, from one query."""
    start = day - dt.timedelta(days=days - 1)
    wards = list(Ward.objects.all())
    index = {w.pk: i for i, w in enumerate(wards)}
    cube = np.zeros((len(diseases), len(wards), days))
    position = {d: i for i, d in enumerate(diseases)}
    rows = (counted_cases().filter(disease__in=diseases, report_date__gte=start, report_date__lte=day)
            .values_list("disease", "ward_id", "report_date").annotate(n=Count("id")).order_by())
    for disease, ward_id, report_day, n in rows:
        cube[position[disease], index[ward_id], (report_day - start).days] = n
    series = {}
    for d, disease in enumerate(diseases):
        series[(disease, Signal.CITY)] = cube[d].sum(axis=0)
        for w, ward in enumerate(wards):
            series[(disease, ward.code)] = cube[d, w]
    return series, wards


def run_detection(day: dt.date | None = None, diseases: Sequence[str] | None = None,
                  wards: Sequence[str] | None = None) -> list[Signal]:
    """Run every method on every disease, per ward and city-wide, for `day`; store the results and
    publish the alarms (alert rules decide which become alerts). Returns the signals that alarmed."""
    day = day or local_today()
    diseases = list(diseases or Disease.values)
    series, all_wards = _series_matrix(diseases, day, DETECTION_DAYS)
    ward_by_code = {w.code: w for w in all_wards}
    wanted = None if wards is None else {*wards, Signal.CITY}
    results = []
    for (disease, area), daily in series.items():
        if wanted is not None and area not in wanted:
            continue
        if area != Signal.CITY and not daily[-35:].any():
            continue  # no case in five weeks: nothing to signal, nothing worth storing
        recent = [int(v) for v in daily[-56:]]
        for method, (observed, expected, threshold, alarm) in detection.daily_detection(daily).items():
            results.append(Signal(
                day=day, disease=disease, area=area, ward=ward_by_code.get(area), method=method,
                observed=observed, expected=None if np.isnan(expected) else round(expected, 3),
                threshold=None if np.isnan(threshold) else round(threshold, 3), alarm=alarm,
                series=detection.weekly(daily[-7 * 12:]).astype(int).tolist() if method == "farrington" else recent,
            ))
    _store_signals(day, results)
    alarms = [s for s in results if s.alarm]
    unit = department()
    for signal in alarms:
        if unit is not None:
            events.publish(events.Event(source=SOURCE, kind=SIGNAL, unit=unit.code,
                                        payload=signal_payload(signal)))
    return alarms


def _store_signals(day: dt.date, signals: list[Signal]) -> None:
    with transaction.atomic():
        keys = {(s.disease, s.area, s.method) for s in signals}
        stale = Signal.objects.filter(day=day, disease__in={k[0] for k in keys}, area__in={k[1] for k in keys})
        stale.delete()  # derived data, recomputed from the stored cases
        Signal.objects.bulk_create(signals, batch_size=2000)
        audit.record("surveillance", "surveillance.detection.run", None, "", day=day.isoformat(),
                     series=len(keys), alarms=sum(s.alarm for s in signals))


def signal_payload(signal: Signal) -> dict[str, Any]:
    return {
        "day": signal.day.isoformat(), "disease": signal.disease, "area": signal.area,
        "area_name": signal.ward.name if signal.ward else "", "method": signal.method,
        "observed": signal.observed, "expected": signal.expected, "threshold": signal.threshold,
        "series": signal.series, "series_unit": "week" if signal.method == "farrington" else "day",
    }


# ---- forecasts ----------------------------------------------------------------------------------

HISTORY_DAYS = 365


def hospital_series(day: dt.date, days: int = HISTORY_DAYS) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Admissions and occupied beds per hospital and bed type from the daily reports, with the latest
    reported (or licensed) bed totals as capacity. Missing days are carried forward."""
    start = day - dt.timedelta(days=days - 1)
    series: dict[str, np.ndarray] = {}
    capacity: dict[str, int] = {}
    for row in figures.in_range(start, day):
        if row.admissions is not None:
            key = f"hospital:{row.unit.code}:admissions"
            series.setdefault(key, np.full(days, np.nan))[(row.period - start).days] = row.admissions
    for code, period, bed_type, total, occupied in figures.beds_in_range(start, day):
        key = f"hospital:{code}:beds_{bed_type}"
        series.setdefault(key, np.full(days, np.nan))[(period - start).days] = occupied
        capacity[key] = total  # the latest reported (rows come oldest first)
    licensed = {(c.unit.code, f"beds_{c.bed_type}"): c.beds for c in BedCapacity.objects.select_related("unit")}
    for key in series:
        _h, code, target = key.split(":")
        if target != "admissions":
            capacity.setdefault(key, licensed.get((code, target), 0))
        series[key] = _fill_forward(series[key])
    return series, capacity


def _fill_forward(values: np.ndarray) -> np.ndarray:
    known = ~np.isnan(values)
    if not known.any():
        return np.array([])
    first = int(np.argmax(known))
    values = values[first:]
    idx = np.where(~np.isnan(values), np.arange(len(values)), 0)
    np.maximum.accumulate(idx, out=idx)
    return values[idx]


def case_series(day: dt.date, days: int = HISTORY_DAYS) -> dict[str, np.ndarray]:
    series, _wards = _series_matrix(Disease.values, day, days)
    # Ward series with few cases forecast nothing useful: keep those with a case a week on average.
    return {f"cases:{d}:{area}": v for (d, area), v in series.items() if area == Signal.CITY or v.sum() >= days / 7}


def run_forecasts(day: dt.date | None = None, horizon: int = 14, origins: int | None = None) -> int:
    """Forecast cases (city and wards) and each hospital's admissions and occupied beds; store them
    with their backtests and publish each hospital's bed forecasts (for the capacity alert rule).

    On the days ahead where the model's backtest does not beat the seasonal naive forecast (MASE at that horizon),
    and on every day when the history is too short to check it, the naive forecast is what is stored as the
    series' forecast (`shown`, `naive_days`), so the pages, the charts and the capacity alert never use a model
    worse than repeating last week."""
    from . import forecasting  # pandas and statsforecast: loaded by the task, not by the web process

    day = day or local_today()
    hospital, capacity = hospital_series(day)
    cases = case_series(day)
    results = forecasting.forecast({**cases, **hospital}, day, horizon=horizon,
                                   origins=origins or forecasting.ORIGINS)
    wards = {w.code: w for w in Ward.objects.all()}
    units = {u.code: u for u in Unit.objects.filter(code__in={k.split(":")[1] for k in hospital})}
    rows = []
    for key, result in results.items():
        kind, name, target = key.split(":")
        history = ({**cases, **hospital}[key])[-28:]
        row = Forecast(
            run_date=day, series_key=key, model=forecasting.MODEL, dates=[d.isoformat() for d in result.dates],
            mean=_round(result.mean), lower80=_round(result.lower[80]), upper80=_round(result.upper[80]),
            lower95=_round(result.lower[95]), upper95=_round(result.upper[95]), baseline=_round(result.baseline),
            history=_round(history), model_mean=_round(result.model_mean),
            shown=Forecast.Shown(result.shown), naive_days=list(result.naive_days),
        )
        if result.backtest:
            row.mae, row.mae_baseline = result.backtest.mae, result.backtest.mae_baseline
            row.mase, row.mase_baseline = result.backtest.mase, result.backtest.mase_baseline
            row.mase_by_horizon = [round(v, 4) for v in result.backtest.mase_by_horizon]
            row.mase_baseline_by_horizon = [round(v, 4) for v in result.backtest.mase_baseline_by_horizon]
        if kind == "cases":
            row.target, row.disease, row.ward = Forecast.Target.CASES, name, wards.get(target)
        else:
            row.unit = units.get(name)
            row.target = Forecast.Target.ADMISSIONS if target == "admissions" else Forecast.Target.BEDS
            row.bed_type = "" if target == "admissions" else target[len("beds_"):]
            row.capacity = capacity.get(key)
        rows.append(row)
    with transaction.atomic():
        Forecast.objects.filter(run_date=day, series_key__in=[r.series_key for r in rows]).delete()
        Forecast.objects.bulk_create(rows, batch_size=1000)
        audit.record("surveillance", "surveillance.forecast.run", None, "", day=day.isoformat(), series=len(rows),
                     naive_shown=sum(1 for r in rows if r.naive_shown))
        for row in rows:
            if row.target == Forecast.Target.BEDS and row.unit is not None and row.capacity:
                events.publish(events.Event(source=SOURCE, kind=FORECAST, unit=row.unit.code,
                                            payload=forecast_payload(row)))
    return len(rows)


def _round(values: Iterable[float]) -> list[float]:
    return [round(float(v), 2) for v in values]


def forecast_payload(row: Forecast) -> dict[str, Any]:
    return {
        "series_key": row.series_key, "run_date": row.run_date.isoformat(), "target": row.target,
        "bed_type": row.bed_type, "capacity": row.capacity, "dates": row.dates, "mean": row.mean,
        "upper80": row.upper80, "upper95": row.upper95,
    }


def latest_forecasts():
    latest = Forecast.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    if latest is None:
        return Forecast.objects.none()
    return Forecast.objects.filter(run_date=latest).select_related("unit", "ward")


def forecasts_for(user: User):
    """The latest forecasts a user may see: every series for a city-wide scope, else the series of the units in
    their scope (area series count every facility's cases)."""
    qs = latest_forecasts()
    return qs if city_wide(user) else qs.filter(user.scope_filter())


def hospital_forecasts(unit: Unit):
    """A hospital's latest admissions and occupied-beds forecasts (what its capacity charts draw)."""
    return latest_forecasts().filter(unit=unit).exclude(target=Forecast.Target.CASES).order_by("target", "bed_type")
