"""What every FHIR endpoint of the platform shares: JSON in `application/fhir+json`, errors as
`OperationOutcome`, bearer-token authentication, and one way to turn domain errors into outcomes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from pydantic import ValidationError as PydanticValidationError

from opscenter.core.auth import bearer_user
from opscenter.core.errors import Conflict, ValidationFailed

FHIR_JSON = "application/fhir+json"


def respond(resource: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(resource, ensure_ascii=False, default=str), status=status,
                            content_type=FHIR_JSON)
    for key, value in headers.items():
        response[key] = value
    return response


def outcome(issues: list[tuple[str, str, str]], status: int) -> HttpResponse:
    """(code, FHIRPath expression, diagnostics) per issue; code from the FHIR issue-type value set."""
    return respond({
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": code, "diagnostics": text, **({"expression": [expr]} if expr else {})}
            for code, expr, text in issues
        ],
    }, status)


def handle_write(request: HttpRequest, model: Any, write: Callable[[Any, Any], HttpResponse],
                 forbidden_expression: str = "") -> HttpResponse:
    """Authenticate, parse and validate a resource of `model`'s type, then `write(user, resource)`;
    every failure on the way comes back as an OperationOutcome with the right status."""
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", "authentication required (Authorization: Bearer <token>)")], 401)
    resource_type = model.__name__
    try:
        raw = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return outcome([("structure", "", f"body is not JSON: {exc}")], 400)
    if not isinstance(raw, dict) or raw.get("resourceType") != resource_type:
        return outcome([("structure", "resourceType", f"expected a {resource_type} resource")], 422)
    try:
        resource = model.model_validate(raw)
    except PydanticValidationError as exc:
        return outcome([
            ("invalid", f"{resource_type}." + ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()
        ], 422)
    try:
        return write(user, resource)
    except ValidationFailed as exc:
        return outcome([("invalid", e.field, e.message) for e in exc.errors], 422)
    except PermissionDenied as exc:
        return outcome([("forbidden", forbidden_expression, str(exc) or "outside your unit scope")], 403)
    except Conflict as exc:
        return outcome([("conflict", "", str(exc))], 409)
