"""HL7 FHIR R4 endpoint for the daily capacity report: `MeasureReport` in, `OperationOutcome` on error.

The shape follows SANER/NHSN bed-capacity reports: one group per bed type, with populations for
total, occupied and available beds (SANER codes numBeds / numBedsOcc / numBedsAvail, or ours),
plus a `ventilators` group and an `counts` group whose population codes are our data element codes.
Models are fhir.resources' R4B, which reads and writes R4 (4.0.1) MeasureReports unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.measurereport import MeasureReport

from opscenter.core.auth import bearer_user
from opscenter.core.errors import FieldError, ValidationFailed
from opscenter.core.fhir import endpoint, handle_write, outcome, respond
from opscenter.org.roles import Perm

from . import services
from .definitions import BED_ELEMENTS, BED_TYPES, HOSPITAL_DAILY, MEASURES, bed_element
from .models import Report

BED_TYPE_SYSTEM = "urn:opscenter:bed-type"
ELEMENT_SYSTEM = "urn:opscenter:data-element"
MEASURE_CODES = {  # lower-case population code -> our measure
    "numbeds": "total", "numtotbeds": "total", "total": "total",
    "numbedsocc": "occupied", "occupied": "occupied",
    "numbedsavail": "available", "available": "available",
}
VENTILATOR_CODES = {"numvent": "ventilators_total", "numventuse": "ventilators_in_use",
                    "total": "ventilators_total", "in_use": "ventilators_in_use"}


@endpoint("GET")
def metadata(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/fhir/")
    statement = CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement",
        "status": "active", "date": timezone.now().date().isoformat(), "kind": "instance",
        "software": {"name": "opscenter", "version": "0.1"},
        "implementation": {"description": "Smart Operations Center FHIR endpoint", "url": base},
        "fhirVersion": "4.0.1", "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {"description": "Authorization: Bearer <API token>"},
            "resource": [{
                "type": "MeasureReport",
                "interaction": [{"code": "create"}, {"code": "read"}],
                "documentation": "Daily hospital capacity (SANER-style groups per bed type). "
                                 "Send an Idempotency-Key header (or MeasureReport.identifier) to make retries safe.",
            }],
        }],
    })
    return respond(statement.model_dump(mode="json", exclude_none=True))


def _unit_code(report: MeasureReport) -> str | None:
    ref = report.reporter
    if ref is None:
        return None
    if ref.identifier is not None and ref.identifier.value:
        return ref.identifier.value
    if ref.reference and ref.reference.startswith("Organization/"):
        return ref.reference.split("/", 1)[1]
    return None


def _codes(concept: Any) -> list[str]:
    if concept is None:
        return []
    return [c.code for c in (concept.coding or []) if c.code] + ([concept.text] if concept.text else [])


def to_submission(report: MeasureReport) -> services.Submission:
    """Map a MeasureReport to our submission, or raise ValidationFailed naming FHIRPath expressions."""
    errors: list[FieldError] = []
    unit = _unit_code(report)
    if not unit:
        errors.append(FieldError("MeasureReport.reporter",
                                 "give the reporting unit as Organization/<code> or identifier.value"))
    if report.period is None or not isinstance(report.period.start, dt.date):  # absent, or partial ("2026-01")
        errors.append(FieldError("MeasureReport.period.start", "the reporting day is required (YYYY-MM-DD)"))
    measure = report.measure or ""
    data_set = measure.rstrip("/").split("/")[-1].split("|")[0] or HOSPITAL_DAILY
    values: dict[str, Any] = {}
    for gi, group in enumerate(report.group or []):
        codes = [c.lower() for c in _codes(group.code)]
        bed_type = next((c for c in codes if c in BED_TYPES), None)
        kind = bed_type or ("ventilators" if "ventilators" in codes else "counts" if "counts" in codes else None)
        if kind is None:
            errors.append(FieldError(f"MeasureReport.group[{gi}].code",
                                     f"unknown group code {codes}; use a bed type, 'ventilators' or 'counts'"))
            continue
        for pi, population in enumerate(group.population or []):
            path = f"MeasureReport.group[{gi}].population[{pi}]"
            pcodes = _codes(population.code)
            element = None
            for code in pcodes:
                key = code.lower()
                if bed_type and key in MEASURE_CODES:
                    element = bed_element(bed_type, MEASURE_CODES[key])
                elif kind == "ventilators" and key in VENTILATOR_CODES:
                    element = VENTILATOR_CODES[key]
                elif kind == "counts":
                    element = code
                if element:
                    break
            if element is None:
                errors.append(FieldError(f"{path}.code", f"unknown population code {pcodes}"))
            elif population.count is None:
                errors.append(FieldError(f"{path}.count", "count is required"))
            else:
                values[element] = population.count
    if errors:
        raise ValidationFailed(errors)
    period = _local_day(report.period.start)
    identifier = next((i.value for i in (report.identifier or []) if i.value), None)
    return services.Submission(data_set=data_set, unit=unit or "", period=period, values=values,
                               source=Report.Source.FHIR, idempotency_key=identifier)


def _local_day(start: Any) -> dt.date:
    """The reporting day of period.start: a date as given; a datetime read in the city's time zone."""
    if isinstance(start, dt.datetime):
        return timezone.localtime(start).date() if start.tzinfo else start.date()
    return start


def to_fhir(report: Report, base: str = "") -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for bed_type in BED_TYPES:
        pops = [
            {"code": {"coding": [{"system": ELEMENT_SYSTEM, "code": measure}]},
             "count": report.values[bed_element(bed_type, measure)]}
            for measure in MEASURES if bed_element(bed_type, measure) in report.values
        ]
        if pops:
            groups.append({"code": {"coding": [{"system": BED_TYPE_SYSTEM, "code": bed_type}]}, "population": pops})
    counts = [
        {"code": {"coding": [{"system": ELEMENT_SYSTEM, "code": k}]}, "count": v}
        for k, v in report.values.items() if k not in BED_ELEMENTS
    ]
    if counts:
        groups.append({"code": {"coding": [{"system": BED_TYPE_SYSTEM, "code": "counts"}]}, "population": counts})
    resource = MeasureReport.model_validate({
        "resourceType": "MeasureReport", "id": str(report.pk), "status": "complete", "type": "summary",
        "measure": f"{base}Measure/{report.data_set.code}",
        "date": report.submitted_at.isoformat(),
        "reporter": {"reference": f"Organization/{report.unit.code}", "display": report.unit.name},
        "period": {"start": report.period.isoformat(), "end": report.period.isoformat()},
        "meta": {"versionId": str(report.version)},
        "group": groups,
    })
    return resource.model_dump(mode="json", exclude_none=True)


@endpoint("POST")
def measure_report(request: HttpRequest) -> HttpResponse:
    def write(user: Any, resource: MeasureReport) -> HttpResponse:
        submission = to_submission(resource)
        submission.idempotency_key = request.headers.get("Idempotency-Key") or submission.idempotency_key
        result = services.submit(user, submission)
        base = request.build_absolute_uri("/fhir/")
        return respond(to_fhir(result.report, base), 201 if result.created else 200,
                       Location=f"{base}MeasureReport/{result.report.pk}/_history/{result.report.version}")

    return handle_write(request, MeasureReport, write, forbidden_expression="MeasureReport.reporter")


@endpoint("GET")
def measure_report_read(request: HttpRequest, report_id: int) -> HttpResponse:
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", "authentication required")], 401)
    report = get_object_or_404(Report.objects.select_related("data_set", "unit"), pk=report_id)
    if not user.has_perm_in(Perm.VIEW_REPORTS, report.unit):
        return outcome([("forbidden", "", "outside your unit scope")], 403)
    return respond(to_fhir(report, request.build_absolute_uri("/fhir/")))
