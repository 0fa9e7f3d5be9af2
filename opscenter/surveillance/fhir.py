"""FHIR R4 case reports: a `Bundle` (collection or transaction) of `Patient` and `Condition` entries in,
an `OperationOutcome` on error (parsed with fhir.resources' R4B models, which read R4 unchanged).

Mapping (one Condition per case, its `subject` a Patient of the Bundle):
- Condition.code: one of our disease codes (system urn:opscenter:disease) or an ICD-10 code (A90/A91, B08.4,
  J06/J22, J09–J11, U07.1, B05); onsetDateTime: onset; recordedDate: report date (default today);
  verificationStatus: unconfirmed → suspected, provisional → probable, confirmed → confirmed;
  clinicalStatus resolved/remission → recovered, active → under treatment; an extension
  urn:opscenter:hospitalised (valueBoolean); an extension urn:opscenter:reporting-facility
  (valueString, a unit code; default: the sender's unit).
- Patient: gender, birthDate (age at onset; a year "2018" or a month "2018-05" alone is understood as its first
  day, for the age only; an onset or report date must be a full day, else 422), identifier[0].value (only its
  keyed hash is kept), name, telecom phone, address[0].district = ward code of residence, deceasedBoolean → died.
- Sent as a transaction Bundle to POST /fhir/ (or to the former /surveillance/fhir/Bundle).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import FieldError, ValidationFailed
from opscenter.core.fhir import Served, endpoint, handle_write, respond, serve

from . import services
from .models import CaseReport, Classification, Disease, Outcome

DISEASE_SYSTEM = "urn:opscenter:disease"
ICD10 = {"A90": "dengue", "A91": "dengue", "A97": "dengue", "B08.4": "hfmd", "J06": "ari", "J22": "ari",
         "J09": "influenza", "J10": "influenza", "J11": "influenza", "U07.1": "covid19", "B05": "measles"}
VERIFICATION = {"unconfirmed": Classification.SUSPECTED, "provisional": Classification.PROBABLE,
                "differential": Classification.PROBABLE, "confirmed": Classification.CONFIRMED}


ICD10_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm",
                 "http://hl7.org/fhir/sid/icd-10-vn"}
# Required bindings (R4): condition-ver-status, condition-clinical, administrative-gender.
VERIFICATION_CODES = {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
CLINICAL_CODES = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
GENDER_CODES = {"male", "female", "other", "unknown"}


def _code(concept: Any) -> str | None:
    """Our disease of a Condition.code: a code of ours (urn:opscenter:disease) or of ICD-10; a code of another
    system (a SNOMED "B05"...) says nothing."""
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.system == DISEASE_SYSTEM and coding.code in Disease.values:
            return coding.code
        if coding.system not in ICD10_SYSTEMS:
            continue
        code = (coding.code or "").upper()
        for prefix, disease in ICD10.items():
            if code == prefix or code.startswith(prefix + ".") or (len(prefix) == 3 and code.startswith(prefix)):
                return disease
    return None


def _first_code(concept: Any) -> str | None:
    """The first code of a CodeableConcept that may have no coding at all."""
    return next((c.code for c in (concept.coding or []) if c.code), None) if concept is not None else None


def _extension(resource: Any, url: str) -> Any:
    for ext in resource.extension or []:
        if ext.url == url:
            return ext.valueBoolean if ext.valueBoolean is not None else ext.valueString
    return None


def _date(value: Any) -> dt.date | None:
    """The day of a FHIR date or dateTime; None if absent or partial ("2026-01" names no day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _day(value: Any, path: str, errors: list[FieldError], missing: str) -> dt.date | None:
    """A full day, or an error at `path`: `missing` if absent, another if partial ("2026", "2026-05")."""
    day = _date(value)
    if day is None:
        errors.append(FieldError(path, missing if value is None else
                                 _("must be a full day (YYYY-MM-DD), not %(value)s") % {"value": value}))
    return day


def _birth(value: Any) -> tuple[dt.date | None, bool]:
    """A birth date and whether it is exact: a year ("2018") or a month ("2018-05") is understood as its
    first day, for the age only."""
    day = _date(value)
    if day is not None:
        return day, True
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", str(value or ""))
    if m and 1 <= int(m.group(2) or 1) <= 12:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), 1), False
    return None, False


# Where each field of a case comes from in the Bundle: (entry kind, FHIRPath below the entry's resource).
FIELD_PATHS = {
    "disease": ("condition", "code"), "classification": ("condition", "verificationStatus"),
    "outcome": ("condition", "clinicalStatus"), "onset_date": ("condition", "onsetDateTime"),
    "report_date": ("condition", "recordedDate"), "facility": ("condition", "extension"),
    "hospitalised": ("condition", "extension"), "sex": ("patient", "gender"), "age_years": ("patient", "birthDate"),
    "date_of_birth": ("patient", "birthDate"), "ward": ("patient", "address[0].district"),
    "patient_id": ("patient", "identifier[0].value"), "patient_name": ("patient", "name[0]"),
    "phone": ("patient", "telecom"),
}


def as_fhir_errors(exc: ValidationFailed, entries: list[tuple[int, int]]) -> ValidationFailed:
    """The service's field names (`ward`, `[2].onset_date`) as FHIRPath into the Bundle sent."""
    errors = []
    for e in exc.errors:
        index, field = 0, e.field
        if m := re.match(r"\[(\d+)\]\.(.*)", field):
            index, field = int(m.group(1)), m.group(2)
        condition, patient = entries[index] if index < len(entries) else (0, 0)
        kind, below = FIELD_PATHS.get(field, ("condition", ""))
        entry = condition if kind == "condition" else patient
        errors.append(FieldError(f"Bundle.entry[{entry}].resource" + (f".{below}" if below else ""), e.message))
    return ValidationFailed(errors)


def to_cases(bundle: Bundle, default_facility: str) -> tuple[list[services.CaseInput], list[tuple[int, int]]]:
    """The cases of a Bundle, and for each the indexes of its Condition and Patient entries."""
    patients: dict[str, tuple[int, Any]] = {}
    conditions: list[tuple[int, Any]] = []
    for i, entry in enumerate(bundle.entry or []):
        resource: Any = entry.resource  # a Patient, a Condition, ... : read by kind below
        kind = type(resource).__name__
        if kind == "Patient":
            for ref in filter(None, [entry.fullUrl, f"Patient/{resource.id}" if resource.id else None]):
                patients[ref] = (i, resource)
        elif kind == "Condition":
            conditions.append((i, resource))
    errors: list[FieldError] = []
    cases, where = [], []
    today = services.local_today()
    if not conditions:
        raise ValidationFailed.one("Bundle.entry", _("no Condition entry"))
    for i, condition in conditions:
        path = f"Bundle.entry[{i}].resource"
        subject = condition.subject.reference if condition.subject else None
        pi, patient = patients.get(subject or "", (None, None))
        disease = _code(condition.code)
        onset = _day(condition.onsetDateTime, f"{path}.onsetDateTime", errors, _("the onset date is required"))
        recorded = (_day(condition.recordedDate, f"{path}.recordedDate", errors, "")
                    if condition.recordedDate is not None else today)
        if patient is None:
            errors.append(FieldError(f"{path}.subject", _("must reference a Patient entry of the Bundle")))
        if disease is None:
            errors.append(FieldError(f"{path}.code", _("unknown disease code")))
        verification, clinical = _first_code(condition.verificationStatus), _first_code(condition.clinicalStatus)
        for value, codes, element in ((verification, VERIFICATION_CODES, "verificationStatus"),
                                      (clinical, CLINICAL_CODES, "clinicalStatus")):
            if value is not None and value not in codes:
                errors.append(FieldError(f"{path}.{element}", _("must be one of %(codes)s")
                                         % {"codes": ", ".join(sorted(codes))}))
        if verification in ("refuted", "entered-in-error"):
            errors.append(FieldError(f"{path}.verificationStatus", _("a refuted or erroneous Condition is no case")))
        if patient is not None and pi is not None and patient.gender not in (None, *GENDER_CODES):
            errors.append(FieldError(f"Bundle.entry[{pi}].resource.gender", _("must be one of %(codes)s")
                                     % {"codes": ", ".join(sorted(GENDER_CODES))}))
        if patient is None or pi is None or disease is None or onset is None or recorded is None:
            continue
        birth, exact = _birth(patient.birthDate)
        if birth is None:
            errors.append(FieldError(f"Bundle.entry[{pi}].resource.birthDate",
                                     _("the birth date (or year) is required, for the age")))
            continue
        ward = patient.address[0].district if patient.address else None
        name = patient.name[0] if patient.name else None
        phone = next((t.value for t in patient.telecom or [] if t.system == "phone"), "")
        where.append((i, pi))
        cases.append(services.CaseInput(
            disease=disease, onset_date=onset, report_date=recorded,
            age_years=max(0, int((onset - birth).days // 365.25)), ward=ward or "",
            facility=_extension(condition, "urn:opscenter:reporting-facility") or default_facility,
            classification=VERIFICATION.get(verification or "", Classification.SUSPECTED),
            sex={"female": "female", "male": "male"}.get(patient.gender or "", "unknown"),
            hospitalised=bool(_extension(condition, "urn:opscenter:hospitalised")),
            outcome=Outcome.DIED if patient.deceasedBoolean else
            Outcome.RECOVERED if clinical in ("resolved", "remission") else
            Outcome.UNDER_TREATMENT if clinical == "active" else Outcome.UNKNOWN,
            patient_id=(patient.identifier[0].value or "") if patient.identifier else "",
            patient_name=(name.text or " ".join([*(name.given or []), name.family or ""]).strip()) if name else "",
            date_of_birth=birth if exact else None, phone=phone or "",
        ))
    if errors:
        raise ValidationFailed(errors)
    return cases, where


def _entry_response(user: Any, result: services.CaseOutcome) -> dict[str, Any]:
    """Where the case is, if the sender may see it; a report merged into another facility's case is only told
    so (nothing of that case)."""
    if services.sees_case(user, result.case):
        # No `location`: Condition is not read over FHIR (the case is at /api/surveillance/cases/<id>), and a
        # location must resolve. The version is the etag, as R4 has it for a create.
        return {"response": {"status": "201 Created" if result.created else "200 OK",
                             "etag": f'W/"{result.case.version}"', "outcome": {
                                 "resourceType": "OperationOutcome",
                                 "issue": [{"severity": "information", "code": "informational",
                                            "diagnostics": f"case {result.case.pk}"}]}}}
    return {"response": {"status": "200 OK", "outcome": {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "information", "code": "duplicate", "diagnostics": "merged with an existing case"}],
    }}}


def case_bundle(request: Any, user: Any, resource: Bundle) -> HttpResponse:
    """Case reports of a Bundle, all or nothing (a batch too: one Condition's error refuses the Bundle)."""
    cases, where = to_cases(resource, user.unit.code if user.unit else "")
    try:
        results = services.report_cases(user, cases, CaseReport.Source.FHIR)
    except ValidationFailed as exc:
        raise as_fhir_errors(exc, where) from exc
    return respond({
        "resourceType": "Bundle",
        "type": "transaction-response" if resource.type == "transaction" else "batch-response",
        "entry": [_entry_response(user, r) for r in results],
    }, 200)


BUNDLE_TYPES = {"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
                "searchset", "collection"}


@endpoint("POST")
def bundle(request: AuthedRequest) -> HttpResponse:
    """The former address of case reports (kept): a collection, transaction or batch Bundle."""
    def write(user: Any, resource: Bundle) -> HttpResponse:
        if resource.type not in BUNDLE_TYPES:
            raise ValidationFailed.one("Bundle.type", _("must be one of %(codes)s")
                                       % {"codes": ", ".join(sorted(BUNDLE_TYPES))})
        return case_bundle(request, user, resource)

    return handle_write(request, Bundle, write)


CASES = ("Case reports: a transaction Bundle (POST /fhir/) of Patient and Condition entries, one Condition "
         "per case; see docs/fhir.md for the mapping.")
serve(Served("Condition", ("create",), documentation=CASES, bundle=case_bundle))
serve(Served("Patient", ("create",), documentation=CASES, bundle=case_bundle))
