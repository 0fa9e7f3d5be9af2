"""HL7 FHIR R4 door of the daily hospital report: `MeasureReport` in (create, transaction/batch), read and
search out, the `Measure` resources that define it and the `CodeSystem`s of its codes.

Two shapes of report are accepted, told apart by `MeasureReport.measure`:
- HL7 SANER measures (`saner.MEASURES`, e.g. http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity):
  groups `Beds`, `Ventilators`, `Encounters`, ... with `MeasuredValues` population codes, mapped onto the data set
  by `saner.py`; populations without a counterpart are kept with the report (`Report.unmapped`);
- our own Measure (`<base>/Measure/HOSP_DAILY`): one group per bed type (codes of `urn:opscenter:bed-type`) with
  populations total/occupied/available, a `ventilators` group and a `counts` group coded by data element.
A population whose count is absent with a data-absent-reason is "not reported". Models are fhir.resources' R4B,
which read and write these R4 (4.0.1) resources unchanged; required bindings are checked here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.measurereport import MeasureReport

from opscenter.core.auth import bearer_user
from opscenter.core.errors import FieldError, ValidationFailed
from opscenter.core.fhir import Served, endpoint, handle_write, outcome, respond, serve
from opscenter.org.models import BedType
from opscenter.org.roles import Perm

from . import saner, services
from .definitions import BED_ELEMENTS, BED_TYPES, HOSPITAL_DAILY, MEASURES, bed_element
from .models import DataSet, Report

BED_TYPE_SYSTEM = "urn:opscenter:bed-type"
ELEMENT_SYSTEM = "urn:opscenter:data-element"
GROUP_SYSTEM = "urn:opscenter:measure-group"
OUR_SYSTEMS = {None, BED_TYPE_SYSTEM, ELEMENT_SYSTEM, GROUP_SYSTEM}
BED_MEASURE_CODES = {  # lower-case population code in a bed-type group -> our measure
    "total": "total", "occupied": "occupied", "available": "available",
    "numbeds": "total", "numtotbeds": "total", "numbedsocc": "occupied", "numbedsavail": "available",
}
VENTILATOR_CODES = {"numvent": "ventilators_total", "numventuse": "ventilators_in_use",
                    "total": "ventilators_total", "in_use": "ventilators_in_use"}
STATUS_CODES = ("complete", "pending", "error")  # required binding measure-report-status
TYPE_CODES = ("individual", "subject-list", "summary", "data-collection")  # required binding measure-report-type
ACCEPTED_TYPES = ("summary", "data-collection")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


def known_measures(base: str) -> list[str]:
    return [f"{base}Measure/{HOSPITAL_DAILY}", *(m.url for m in saner.MEASURES.values())]


# --- MeasureReport in ---------------------------------------------------------------------------------------

def _unit_code(report: MeasureReport) -> str | None:
    ref = report.reporter
    if ref is None:
        return None
    if ref.identifier is not None and ref.identifier.value:
        return ref.identifier.value
    if ref.reference and ref.reference.startswith("Organization/"):
        return ref.reference.split("/", 1)[1]
    return None


def _codings(concept: Any, systems: set[str | None]) -> list[str]:
    """The codes of a CodeableConcept in these code systems (others, such as measure-population roles or a
    LOINC code, say nothing here)."""
    return [c.code for c in (concept.coding or []) if c.code and c.system in systems] if concept is not None else []


def _absent_reason(population: Any) -> str | None:
    ext = population.count__ext
    for e in (ext.extension or []) if ext is not None else []:
        if e.url == saner.DATA_ABSENT_REASON and e.valueCode:
            return str(e.valueCode)
    return None


def _day(value: Any, path: str, errors: list[FieldError]) -> dt.date | None:
    """The reporting day of a FHIR date or dateTime (a dateTime read in the city's time zone); a partial date
    ("2026", "2026-01") names no day and is refused."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    errors.append(FieldError(path, _("a full day is required (YYYY-MM-DD); %(value)s names none")
                             % {"value": value}))
    return None


class Mapped:
    """A MeasureReport read onto the data set: values, what has no element, and where each value came from."""

    def __init__(self) -> None:
        self.values: dict[str, int | None] = {}
        self.unmapped: dict[str, int | str] = {}
        self.paths: dict[str, str] = {}  # element -> FHIRPath of its count


def _population(mapped: Mapped, errors: list[FieldError], path: str, element: str | None, key: str,
                population: Any) -> None:
    reason = _absent_reason(population)
    if population.count is None and reason is None:
        errors.append(FieldError(f"{path}.count", _("count is required, or a data-absent-reason extension")))
        return
    if element is None:
        mapped.unmapped[key] = population.count if population.count is not None else reason or "unknown"
        return
    if element in mapped.paths:
        errors.append(FieldError(f"{path}.code",
                                 _("reported twice (also at %(path)s)") % {"path": mapped.paths[element]}))
        return
    mapped.paths[element] = f"{path}.count"
    mapped.values[element] = population.count  # None: not reported


def _saner_groups(report: MeasureReport, measure: saner.Measure, mapped: Mapped, errors: list[FieldError]) -> None:
    for gi, group in enumerate(report.group or []):
        codes = _codings(group.code, {saner.GROUP_SYSTEM, None})
        spec = next((g for g in measure.groups if g.code.lower() in {c.lower() for c in codes}), None)
        if spec is None and _codings(group.code, OUR_SYSTEMS - {None}):
            _our_group(gi, group, mapped, errors)  # figures of ours beside the measure's (as read back)
            continue
        if spec is None:
            errors.append(FieldError(f"MeasureReport.group[{gi}].code", _("no group %(codes)s in %(measure)s")
                                     % {"codes": codes, "measure": measure.name}))
            continue
        for pi, population in enumerate(group.population or []):
            path = f"MeasureReport.group[{gi}].population[{pi}]"
            pcodes = _codings(population.code, {saner.MEASURED_VALUES, None})
            found = next((p for c in pcodes if (p := measure.population(spec.code, c))), None)
            if found is None:
                errors.append(FieldError(f"{path}.code", _("unknown population code %(codes)s in group %(group)s")
                                         % {"codes": pcodes, "group": spec.code}))
                continue
            _population(mapped, errors, path, found.element, f"{spec.code}/{found.code}", population)


def _our_groups(report: MeasureReport, mapped: Mapped, errors: list[FieldError]) -> None:
    for gi, group in enumerate(report.group or []):
        _our_group(gi, group, mapped, errors)


def _our_group(gi: int, group: Any, mapped: Mapped, errors: list[FieldError]) -> None:
    codes = [c.lower() for c in _codings(group.code, OUR_SYSTEMS)]
    bed_type = next((c for c in codes if c in BED_TYPES), None)
    kind = bed_type or ("ventilators" if "ventilators" in codes else "counts" if "counts" in codes else None)
    if kind is None:
        errors.append(FieldError(f"MeasureReport.group[{gi}].code",
                                 _("unknown group code %(codes)s; use a bed type, 'ventilators' or 'counts'")
                                 % {"codes": codes}))
        return
    for pi, population in enumerate(group.population or []):
        path = f"MeasureReport.group[{gi}].population[{pi}]"
        pcodes = _codings(population.code, OUR_SYSTEMS | {saner.MEASURED_VALUES})
        element = None
        for code in pcodes:
            key = code.lower()
            if code in BED_ELEMENTS and BED_ELEMENTS[code][0] == bed_type:
                element = code
            elif bed_type and key in BED_MEASURE_CODES:
                element = bed_element(bed_type, BED_MEASURE_CODES[key])
            elif kind == "ventilators" and key in VENTILATOR_CODES:
                element = VENTILATOR_CODES[key]
            elif kind == "counts" and code not in BED_ELEMENTS:
                element = code  # a data element code; the data set checks it
            if element:
                break
        if element is None:
            errors.append(FieldError(f"{path}.code", _("unknown population code %(codes)s") % {"codes": pcodes}))
            continue
        _population(mapped, errors, path, element, "", population)


def to_submission(report: MeasureReport, base: str = "") -> tuple[services.Submission, dict[str, str]]:
    """Map a MeasureReport to our submission and where each value came from, or raise ValidationFailed naming
    FHIRPath expressions into the resource."""
    errors: list[FieldError] = []
    if report.status not in STATUS_CODES:
        errors.append(FieldError("MeasureReport.status",
                                 _("must be one of %(codes)s") % {"codes": ", ".join(STATUS_CODES)}))
    elif report.status == "error":
        errors.append(FieldError("MeasureReport.status", _("a report in error holds no figures to store")))
    if report.type not in TYPE_CODES:
        errors.append(FieldError("MeasureReport.type",
                                 _("must be one of %(codes)s") % {"codes": ", ".join(TYPE_CODES)}))
    elif report.type not in ACCEPTED_TYPES:
        errors.append(FieldError("MeasureReport.type", _("only summary reports of a facility are accepted")))
    unit = _unit_code(report)
    if not unit:
        errors.append(FieldError("MeasureReport.reporter",
                                 _("give the reporting unit as Organization/<code> or identifier.value")))
    period = None
    if report.period is None or report.period.start is None:
        errors.append(FieldError("MeasureReport.period.start", _("the reporting day is required (YYYY-MM-DD)")))
    else:
        period = _day(report.period.start, "MeasureReport.period.start", errors)
        end = _day(report.period.end, "MeasureReport.period.end", errors) if report.period.end else period
        if period and end and end < period:
            errors.append(FieldError("MeasureReport.period.end", _("ends before it starts")))
    canonical = (report.measure or "").split("|", 1)[0].rstrip("/")
    measure = saner.measure_named(canonical)
    mapped = Mapped()
    if measure is not None:
        _saner_groups(report, measure, mapped, errors)
    elif canonical.endswith(f"/Measure/{HOSPITAL_DAILY}") or canonical == HOSPITAL_DAILY:
        _our_groups(report, mapped, errors)
    else:
        errors.append(FieldError("MeasureReport.measure", _("unknown measure %(measure)s; known: %(known)s")
                                 % {"measure": canonical or "-", "known": ", ".join(known_measures(base))}))
    if errors:
        raise ValidationFailed(errors)
    identifier = next((i.value for i in (report.identifier or []) if i.value), None)
    submission = services.Submission(
        data_set=HOSPITAL_DAILY, unit=unit or "", period=period or dt.date.min,
        values={k: v for k, v in mapped.values.items() if v is not None}, source=Report.Source.FHIR,
        idempotency_key=identifier, unmapped=mapped.unmapped, measure=measure.url if measure else "")
    return submission, mapped.paths


def with_other_measures(submission: services.Submission) -> services.Submission:
    """A SANER report covers its measure's populations only: the day's figures of other measures (another SANER
    measure, or our form) stay in the new version instead of being dropped by it."""
    measure = saner.measure_named(submission.measure) if submission.measure else None
    if measure is None:
        return submission
    current = (Report.objects.filter(data_set__code=HOSPITAL_DAILY, unit__code=submission.unit,
                                     period=submission.period, is_current=True)
               .only("values", "unmapped").first())
    if current is None:
        return submission
    mine = {p.element for g in measure.groups for p in g.populations if p.element}
    groups = {g.code for g in measure.groups}
    submission.values = {**{k: v for k, v in current.values.items() if k not in mine}, **submission.values}
    submission.unmapped = {**{k: v for k, v in current.unmapped.items() if k.split("/", 1)[0] not in groups},
                           **submission.unmapped}
    return submission


TOP_FIELDS = {"data_set": "MeasureReport.measure", "unit": "MeasureReport.reporter",
              "period": "MeasureReport.period.start"}


def as_fhir_errors(exc: ValidationFailed, paths: list[dict[str, str]], roots: list[str]) -> ValidationFailed:
    """The service's field names (`values.beds_icu_occupied`, `[2].unit`) as FHIRPath into what was sent: `paths`
    (element -> path of its count) and `roots` (`MeasureReport`, `Bundle.entry[3].resource`) per submission."""
    errors = []
    for e in exc.errors:
        index, field = 0, e.field
        if m := re.match(r"\[(\d+)\]\.(.*)", field):
            index, field = int(m.group(1)), m.group(2)
        where, root = (paths[index], roots[index]) if index < len(paths) else ({}, roots[0])
        if field.startswith("values."):
            path = where.get(field[len("values."):], f"{root}.group")
        else:
            path = TOP_FIELDS.get(field, "MeasureReport").replace("MeasureReport", root, 1)
        errors.append(FieldError(path, e.message))
    return ValidationFailed(errors)


# --- MeasureReport out --------------------------------------------------------------------------------------

def _pop(system: str, code: str, value: Any, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    if isinstance(value, str):  # not reported, with its reason
        return {"code": {"coding": [coding]},
                "_count": {"extension": [{"url": saner.DATA_ABSENT_REASON, "valueCode": value}]}}
    return {"code": {"coding": [coding]}, "count": value}


def _saner_out(report: Report, measure: saner.Measure) -> tuple[list[dict[str, Any]], set[str]]:
    groups, used = [], set()
    for group in measure.groups:
        pops = []
        for p in group.populations:
            key = f"{group.code}/{p.code}"
            if p.element and p.element in report.values:
                pops.append(_pop(saner.MEASURED_VALUES, p.code, report.values[p.element], p.display))
                used.add(p.element)
            elif key in report.unmapped:
                pops.append(_pop(saner.MEASURED_VALUES, p.code, report.unmapped[key], p.display))
        if pops:
            groups.append({"code": {"coding": [{"system": saner.GROUP_SYSTEM, "code": group.code}],
                                    "text": group.text}, "population": pops})
    return groups, used


def to_fhir(report: Report, base: str = "") -> dict[str, Any]:
    measure = saner.measure_named(report.measure) if report.measure else None
    groups, used = _saner_out(report, measure) if measure else ([], set())
    for bed_type in BED_TYPES:
        pops = [_pop(ELEMENT_SYSTEM, bed_element(bed_type, m), report.values[bed_element(bed_type, m)])
                for m in MEASURES if bed_element(bed_type, m) in report.values and bed_element(bed_type, m) not in used]
        if pops:
            groups.append({"code": {"coding": [{"system": BED_TYPE_SYSTEM, "code": bed_type}]}, "population": pops})
    counts = [_pop(ELEMENT_SYSTEM, k, v) for k, v in report.values.items() if k not in BED_ELEMENTS and k not in used]
    if counts:
        groups.append({"code": {"coding": [{"system": GROUP_SYSTEM, "code": "counts"}]}, "population": counts})
    resource = MeasureReport.model_validate({
        "resourceType": "MeasureReport", "id": str(report.pk), "status": "complete", "type": "summary",
        "measure": measure.url if measure else f"{base}Measure/{report.data_set.code}",
        "date": report.submitted_at.isoformat(),
        "reporter": {"reference": f"Organization/{report.unit.code}", "display": report.unit.name},
        "period": {"start": report.period.isoformat(), "end": report.period.isoformat()},
        "meta": {"versionId": str(report.version), "lastUpdated": report.submitted_at.isoformat()},
        "group": groups,
    })
    return resource.model_dump(mode="json", exclude_none=True)


# --- endpoints ----------------------------------------------------------------------------------------------

def _submit(request: HttpRequest, user: Any, resource: MeasureReport) -> HttpResponse:
    base = _base(request)
    submission, paths = to_submission(resource, base)
    with_other_measures(submission)
    submission.idempotency_key = request.headers.get("Idempotency-Key") or submission.idempotency_key
    try:
        result = services.submit(user, submission)
    except ValidationFailed as exc:
        raise as_fhir_errors(exc, [paths], ["MeasureReport"]) from exc
    return respond(to_fhir(result.report, base), 201 if result.created else 200,
                   Location=f"{base}MeasureReport/{result.report.pk}/_history/{result.report.version}")


@endpoint("GET", "POST")
def measure_report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return search(request)
    return handle_write(request, MeasureReport, lambda user, resource: _submit(request, user, resource),
                        forbidden_expression="MeasureReport.reporter")


@endpoint("GET")
def measure_report_read(request: HttpRequest, report_id: int, version: int | None = None) -> HttpResponse:
    """read, and vread (`/_history/<version>`: the Location of a create) of a report version."""
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", _("authentication required"))], 401)
    report = Report.objects.select_related("data_set", "unit").filter(pk=report_id).first()
    if report is None or (version is not None and report.version != version):
        return outcome([("not-found", "", _("no MeasureReport %(id)s") % {"id": report_id})], 404)
    if not user.has_perm_in(Perm.VIEW_REPORTS, report.unit):
        return outcome([("forbidden", "", _("outside your unit scope"))], 403)
    return respond(to_fhir(report, _base(request)))


PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt", "sa", "eb", "ap")


def _date_range(value: str) -> tuple[str, dt.date, dt.date]:
    """A FHIR date search value (prefix, then YYYY, YYYY-MM or YYYY-MM-DD) as (prefix, first day, last day)."""
    prefix = value[:2] if value[:2] in PREFIXES else "eq"
    text = value[2:] if value[:2] in PREFIXES else value
    text = text.split("T", 1)[0]
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        raise ValueError(text)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if day:
        first = last = dt.date(year, int(month), int(day))
    elif month:
        first = dt.date(year, int(month), 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return prefix, first, last


def _period_filter(value: str) -> Q:
    prefix, first, last = _date_range(value)
    return {
        "eq": Q(period__gte=first, period__lte=last), "ap": Q(period__gte=first, period__lte=last),
        "ne": ~Q(period__gte=first, period__lte=last),
        "ge": Q(period__gte=first), "sa": Q(period__gt=last), "gt": Q(period__gt=last),
        "le": Q(period__lte=last), "eb": Q(period__lt=first), "lt": Q(period__lt=first),
    }[prefix]


SEARCH_PARAMS = (
    ("subject", "reference", "The facility reported on: Organization/<unit code> (or Location/<code>, <code>)"),
    ("reporter", "reference", "The reporting facility: Organization/<unit code>"),
    ("period", "date", "The reporting day: 2026-11-25, 2026-11, 2026, with ge/le/gt/lt/eq/ne prefixes; repeatable"),
    ("measure", "reference", "The Measure's canonical URL: ours (Measure/HOSP_DAILY) or a SANER measure"),
    ("_count", "number", "Reports per page (default 50, at most 500)"),
)
MAX_COUNT = 500


def search(request: HttpRequest) -> HttpResponse:
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", _("authentication required"))], 401)
    base = _base(request)
    reports = Report.objects.filter(is_current=True, data_set__code=HOSPITAL_DAILY).filter(user.scope_filter())
    issues = []
    for name in ("subject", "reporter"):
        for value in request.GET.getlist(name):
            reports = reports.filter(unit__code=value.split("/")[-1])
    for value in request.GET.getlist("period"):
        try:
            reports = reports.filter(_period_filter(value))
        except ValueError:
            issues.append(("invalid", "period", _("not a FHIR date: %(value)s") % {"value": value}))
    for value in request.GET.getlist("measure"):
        canonical = value.split("|", 1)[0].rstrip("/")
        if (found := saner.measure_named(canonical)) is not None:
            reports = reports.filter(measure=found.url)
        elif not (canonical.endswith(f"/Measure/{HOSPITAL_DAILY}") or canonical == HOSPITAL_DAILY):
            issues.append(("not-supported", "measure", _("unknown measure %(measure)s; known: %(known)s")
                           % {"measure": canonical, "known": ", ".join(known_measures(base))}))
    count = 50
    if "_count" in request.GET:
        try:
            count = max(0, min(MAX_COUNT, int(request.GET["_count"])))
        except ValueError:
            issues.append(("invalid", "_count", _("must be a whole number")))
    if issues:
        return outcome(issues, 422)
    if user.unit is None or not user.has_perm_in(Perm.VIEW_REPORTS, user.unit):
        reports = reports.none()
    total = reports.count()
    page = list(reports.select_related("data_set", "unit").order_by("-period", "unit__code")[:count])
    return respond({
        "resourceType": "Bundle", "type": "searchset", "total": total,
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [{"fullUrl": f"{base}MeasureReport/{r.pk}", "resource": to_fhir(r, base),
                   "search": {"mode": "match"}} for r in page],
    })


# --- definitions: Measure and CodeSystem --------------------------------------------------------------------

MEASURE_ID = HOSPITAL_DAILY.replace("_", "-")  # a FHIR id has no underscore; both spellings are served


def _definition(element: Any) -> dict[str, Any]:
    """A population of our Measure: the data element, counted as the hospital reports it (no computation)."""
    return {"code": {"coding": [{"system": ELEMENT_SYSTEM, "code": element.code,
                                 "display": element.name_en or element.name}]},
            "criteria": {"language": "text/plain", "expression": element.code}}


def our_measure(base: str) -> dict[str, Any]:
    data_set = DataSet.objects.prefetch_related("elements").get(code=HOSPITAL_DAILY)
    elements = list(data_set.elements.all())
    groups = []
    for bed_type in BED_TYPES:
        pops = [_definition(e) for e in elements if e.bed_type == bed_type]
        groups.append({"code": {"coding": [{"system": BED_TYPE_SYSTEM, "code": bed_type,
                                            "display": str(BedType(bed_type).label)}]}, "population": pops})
    for kind, pick in (("ventilators", lambda e: e.code.startswith("ventilators_")),
                       ("counts", lambda e: not e.bed_type and not e.code.startswith("ventilators_"))):
        groups.append({"code": {"coding": [{"system": GROUP_SYSTEM, "code": kind}]},
                       "population": [_definition(e) for e in elements if pick(e)]})
    return {
        "resourceType": "Measure", "id": MEASURE_ID, "url": f"{base}Measure/{HOSPITAL_DAILY}",
        "name": HOSPITAL_DAILY, "title": data_set.name_en or data_set.name, "status": "active",
        "description": data_set.description or data_set.name,
        "scoring": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/measure-scoring", "code": "cohort"}]},
        "group": groups,
    }


def saner_measure(measure: saner.Measure) -> dict[str, Any]:
    return {
        "resourceType": "Measure", "id": measure.name, "url": measure.url, "name": measure.name,
        "title": measure.title, "status": "active",
        "description": "Accepted as published in the HL7 SANER IG; populations mapped onto the daily hospital "
                       "data set (see each population's description), the others kept with the report.",
        "scoring": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/measure-scoring", "code": "cohort"}]},
        "group": [{
            "code": {"coding": [{"system": saner.GROUP_SYSTEM, "code": g.code}], "text": g.text},
            "population": [{
                "code": {"coding": [{"system": saner.MEASURED_VALUES, "code": p.code, "display": p.display}]},
                "description": f"{ELEMENT_SYSTEM}#{p.element}" if p.element else "kept with the report, no element",
                "criteria": {"language": "text/plain", "expression": p.code},
            } for p in g.populations],
        } for g in measure.groups],
    }


def _measures(base: str) -> list[dict[str, Any]]:
    return [our_measure(base), *(saner_measure(m) for m in saner.MEASURES.values())]


@endpoint("GET")
def measure_read(request: HttpRequest, measure_id: str) -> HttpResponse:
    base = _base(request)
    if measure_id in (HOSPITAL_DAILY, MEASURE_ID):
        return respond(our_measure(base))
    if measure_id in saner.MEASURES:
        return respond(saner_measure(saner.MEASURES[measure_id]))
    return outcome([("not-found", "", _("no Measure %(id)s; known: %(known)s")
                     % {"id": measure_id, "known": ", ".join(known_measures(base))})], 404)


def _searchset(request: HttpRequest, resources: list[dict[str, Any]]) -> HttpResponse:
    base = _base(request)
    return respond({
        "resourceType": "Bundle", "type": "searchset", "total": len(resources),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    })


@endpoint("GET")
def measure_search(request: HttpRequest) -> HttpResponse:
    wanted = [u.split("|", 1)[0] for u in request.GET.getlist("url")]
    return _searchset(request, [m for m in _measures(_base(request)) if not wanted or m["url"] in wanted])


def code_systems() -> list[dict[str, Any]]:
    elements = DataSet.objects.get(code=HOSPITAL_DAILY).elements.all()
    return [
        {"resourceType": "CodeSystem", "id": "bed-type", "url": BED_TYPE_SYSTEM, "name": "BedType",
         "title": "Bed types", "status": "active", "content": "complete", "caseSensitive": True,
         "concept": [{"code": code, "display": str(label)} for code, label in BedType.choices]},
        {"resourceType": "CodeSystem", "id": "data-element", "url": ELEMENT_SYSTEM, "name": "DataElement",
         "title": "Data elements of the daily hospital report", "status": "active", "content": "complete",
         "caseSensitive": True,
         "concept": [{"code": e.code, "display": e.name_en or e.name} for e in elements]},
        {"resourceType": "CodeSystem", "id": "measure-group", "url": GROUP_SYSTEM, "name": "MeasureGroup",
         "title": "Groups of the daily hospital report besides the bed types", "status": "active",
         "content": "complete", "caseSensitive": True,
         "concept": [{"code": "ventilators", "display": "Ventilators"}, {"code": "counts", "display": "Counts"}]},
    ]


@endpoint("GET")
def code_system_read(request: HttpRequest, system_id: str) -> HttpResponse:
    found = next((c for c in code_systems() if c["id"] == system_id), None)
    if found is None:
        return outcome([("not-found", "", _("no CodeSystem %(id)s") % {"id": system_id})], 404)
    return respond(found)


@endpoint("GET")
def code_system_search(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.getlist("url")
    return _searchset(request, [c for c in code_systems() if not wanted or c["url"] in wanted])


# --- transaction / batch Bundle entries (POST /fhir/) -------------------------------------------------------

def bundle_entries(request: HttpRequest, user: Any, bundle: Any) -> HttpResponse:
    """MeasureReport entries of a transaction (all or nothing, one submit_many) or a batch (each on its own)."""
    base = _base(request)
    parsed: list[services.Submission | None] = []
    paths: list[dict[str, str]] = []
    roots: list[str] = []
    errors: dict[int, list[FieldError]] = {}
    for i, entry in enumerate(bundle.entry or []):
        root = f"Bundle.entry[{i}].resource"
        roots.append(root)
        try:
            submission, where = to_submission(entry.resource, base)
        except ValidationFailed as exc:
            errors[i] = [FieldError(e.field.replace("MeasureReport", root, 1), e.message) for e in exc.errors]
            parsed.append(None)
            paths.append({})
            continue
        parsed.append(with_other_measures(submission))
        paths.append({k: v.replace("MeasureReport", root, 1) for k, v in where.items()})
    if bundle.type == "transaction":
        if errors:
            raise ValidationFailed([e for found in errors.values() for e in found])
        try:
            results = services.submit_many(user, [s for s in parsed if s is not None])
        except ValidationFailed as exc:
            raise as_fhir_errors(exc, paths, roots) from exc
        entries = [_entry(r, base) for r in results]
    else:
        entries = []
        for i, item in enumerate(parsed):
            try:
                if item is None:
                    raise ValidationFailed(errors[i])
                try:
                    entries.append(_entry(services.submit(user, item), base))
                except ValidationFailed as exc:
                    raise as_fhir_errors(exc, [paths[i]], [roots[i]]) from exc
            except ValidationFailed as exc:
                entries.append(_failed(422, [("invalid", e.field, e.message) for e in exc.errors]))
    return respond({"resourceType": "Bundle", "type": f"{bundle.type}-response", "entry": entries})


def _entry(result: services.Outcome, base: str) -> dict[str, Any]:
    r = result.report
    return {"fullUrl": f"{base}MeasureReport/{r.pk}", "resource": to_fhir(r, base),
            "response": {"status": "201 Created" if result.created else "200 OK",
                         "location": f"MeasureReport/{r.pk}/_history/{r.version}"}}


def _failed(status: int, issues: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"response": {"status": str(status), "outcome": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": code, "diagnostics": text, **({"expression": [expr]} if expr else {})}
        for code, expr, text in issues]}}}


serve(Served("MeasureReport", ("create", "read", "vread", "search-type"), SEARCH_PARAMS,
             "Daily hospital capacity: HL7 SANER measures or Measure/HOSP_DAILY. Send an Idempotency-Key header "
             "(or MeasureReport.identifier) to make retries safe.",
             ("http://hl7.org/fhir/uv/saner/StructureDefinition/PublicHealthMeasureReport",),
             bundle=bundle_entries))
serve(Served("Measure", ("read", "search-type"), (("url", "uri", "The Measure's canonical URL"),),
             "The daily hospital report (HOSP_DAILY) and the SANER measures accepted."))
serve(Served("CodeSystem", ("read", "search-type"), (("url", "uri", "The code system's URL"),),
             "Bed types, data elements and groups of the daily hospital report."))
