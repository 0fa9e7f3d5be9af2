"""FHIR R4 case reports: a `Bundle` (collection or transaction) of `Patient` and `Condition` entries in,
an `OperationOutcome` on error (parsed with fhir.resources' R4B models, which read R4 unchanged).

Mapping (one Condition per case, its `subject` a Patient of the Bundle):
- Condition.code: one of our disease codes (system urn:opscenter:disease) or an ICD-10 code (A90/A91, B08.4,
  J06/J22, J09–J11, U07.1, B05); onsetDateTime: onset; recordedDate: report date (default today);
  verificationStatus: unconfirmed → suspected, provisional → probable, confirmed → confirmed;
  clinicalStatus resolved/remission → recovered, active → under treatment; an extension
  urn:opscenter:hospitalised (valueBoolean); an extension urn:opscenter:reporting-facility
  (valueString, a unit code; default: the sender's unit).
- Patient: gender, birthDate (age at onset), identifier[0].value (only its keyed hash is kept), name,
  telecom phone, address[0].district = ward code of residence, deceasedBoolean → died.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from fhir.resources.R4B.bundle import Bundle

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import FieldError, ValidationFailed
from opscenter.core.fhir import endpoint, handle_write, respond

from . import services
from .models import CaseReport, Classification, Disease, Outcome

DISEASE_SYSTEM = "urn:opscenter:disease"
ICD10 = {"A90": "dengue", "A91": "dengue", "A97": "dengue", "B08.4": "hfmd", "J06": "ari", "J22": "ari",
         "J09": "influenza", "J10": "influenza", "J11": "influenza", "U07.1": "covid19", "B05": "measles"}
VERIFICATION = {"unconfirmed": Classification.SUSPECTED, "provisional": Classification.PROBABLE,
                "differential": Classification.PROBABLE, "confirmed": Classification.CONFIRMED}


def _code(concept: Any) -> str | None:
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.code in Disease.values:
            return coding.code
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


def to_cases(bundle: Bundle, default_facility: str) -> list[services.CaseInput]:
    patients: dict[str, Any] = {}
    conditions: list[tuple[int, Any]] = []
    for i, entry in enumerate(bundle.entry or []):
        resource: Any = entry.resource  # a Patient, a Condition, ... : read by kind below
        kind = type(resource).__name__
        if kind == "Patient":
            for ref in filter(None, [entry.fullUrl, f"Patient/{resource.id}" if resource.id else None]):
                patients[ref] = resource
        elif kind == "Condition":
            conditions.append((i, resource))
    errors: list[FieldError] = []
    cases = []
    today = services.local_today()
    if not conditions:
        raise ValidationFailed.one("Bundle.entry", "no Condition entry")
    for i, condition in conditions:
        path = f"Bundle.entry[{i}].resource"
        subject = condition.subject.reference if condition.subject else None
        patient = patients.get(subject or "")
        disease = _code(condition.code)
        onset = _date(condition.onsetDateTime)
        if patient is None:
            errors.append(FieldError(f"{path}.subject", "must reference a Patient entry of the Bundle"))
        if disease is None:
            errors.append(FieldError(f"{path}.code", "unknown disease code"))
        if onset is None:
            errors.append(FieldError(f"{path}.onsetDateTime", "the onset date is required"))
        if patient is None or disease is None or onset is None:
            continue
        birth = _date(patient.birthDate)
        if birth is None:
            errors.append(FieldError(f"{path}.subject.birthDate", "the birth date is required (for the age)"))
            continue
        ward = patient.address[0].district if patient.address else None
        verification, clinical = _first_code(condition.verificationStatus), _first_code(condition.clinicalStatus)
        name = patient.name[0] if patient.name else None
        phone = next((t.value for t in patient.telecom or [] if t.system == "phone"), "")
        cases.append(services.CaseInput(
            disease=disease, onset_date=onset, report_date=_date(condition.recordedDate) or today,
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
            date_of_birth=birth, phone=phone or "",
        ))
    if errors:
        raise ValidationFailed(errors)
    return cases


def _entry_response(user: Any, result: services.CaseOutcome) -> dict[str, Any]:
    """Where the case is, if the sender may see it; a report merged into another facility's case is only told
    so (nothing of that case)."""
    if services.sees_case(user, result.case):
        return {"response": {"status": "201 Created" if result.created else "200 OK",
                             "location": f"Condition/{result.case.pk}/_history/{result.case.version}"}}
    return {"response": {"status": "200 OK", "outcome": {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "information", "code": "duplicate", "diagnostics": "merged with an existing case"}],
    }}}


@endpoint("POST")
def bundle(request: AuthedRequest) -> HttpResponse:
    def write(user: Any, resource: Bundle) -> HttpResponse:
        results = services.report_cases(user, to_cases(resource, user.unit.code if user.unit else ""),
                                        CaseReport.Source.FHIR)
        return respond({
            "resourceType": "Bundle",
            "type": "transaction-response" if resource.type == "transaction" else "batch-response",
            "entry": [_entry_response(user, r) for r in results],
        }, 200)

    return handle_write(request, Bundle, write)
