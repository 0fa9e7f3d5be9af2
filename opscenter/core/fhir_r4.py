"""What the tests check of every FHIR response: that it is a valid R4 (4.0.1) resource.

fhir.resources (>= 7) has no R4 package; its R4B models are used for the resource types this platform serves,
whose R4B definitions are R4's unchanged (CapabilityStatement, OperationOutcome, Bundle, MeasureReport, Measure,
CodeSystem, Patient, Condition: R4B changed the medication-definition and evidence resources and added new
ones). The models check structure and cardinality, not required bindings: those of the elements served are
checked here, from the R4 value sets."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

R4B_ONLY = {"AdministrableProductDefinition", "Citation", "ClinicalUseDefinition", "Evidence", "EvidenceReport",
            "EvidenceVariable", "Ingredient", "ManufacturedItemDefinition", "NutritionProduct",
            "PackagedProductDefinition", "RegulatedAuthorization", "SubscriptionStatus", "SubscriptionTopic"}
ISSUE_TYPES = {"invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired",
               "forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches",
               "not-found", "deleted", "too-long", "code-invalid", "extension", "too-costly", "business-rule",
               "conflict", "transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled",
               "informational"}
PUBLICATION = {"draft", "active", "retired", "unknown"}
# (resource type, element path) -> the codes of its required binding
REQUIRED = {
    ("MeasureReport", "status"): {"complete", "pending", "error"},
    ("MeasureReport", "type"): {"individual", "subject-list", "summary", "data-collection"},
    ("Bundle", "type"): {"document", "message", "transaction", "transaction-response", "batch", "batch-response",
                         "history", "searchset", "collection"},
    ("Measure", "status"): PUBLICATION, ("CodeSystem", "status"): PUBLICATION,
    ("CodeSystem", "content"): {"not-present", "example", "fragment", "complete", "supplement"},
    ("CapabilityStatement", "status"): PUBLICATION,
    ("CapabilityStatement", "kind"): {"instance", "capability", "requirements"},
}


def problems(resource: Any) -> list[str]:
    """What makes this JSON no valid R4 resource (empty: valid)."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return ["not a resource"]
    kind = resource["resourceType"]
    if kind in R4B_ONLY:
        return [f"{kind} is no R4 resource"]
    try:
        get_fhir_model_class(kind).model_validate(resource)
    except Exception as exc:  # any failure is the answer
        return [f"{kind}: {exc}"]
    found = [f"{kind}.{path} {resource[path]!r} not in its required binding"
             for (rtype, path), codes in REQUIRED.items() if rtype == kind and path in resource
             and resource[path] not in codes]
    if kind == "OperationOutcome":
        found += [f"issue code {i.get('code')!r}" for i in resource.get("issue", [])
                  if i.get("code") not in ISSUE_TYPES]
        found += [f"issue severity {i.get('severity')!r}" for i in resource.get("issue", [])
                  if i.get("severity") not in {"fatal", "error", "warning", "information"}]
    for entry in resource.get("entry", []) if kind == "Bundle" else []:
        for inner in (entry.get("resource"), (entry.get("response") or {}).get("outcome")):
            if inner is not None:
                found += problems(inner)
    return found
