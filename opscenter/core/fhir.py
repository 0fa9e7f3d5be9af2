"""What every FHIR endpoint of the platform shares: JSON in `application/fhir+json`, errors as
`OperationOutcome`, bearer-token authentication, and one way to turn domain errors into outcomes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PydanticValidationError

from opscenter.core.auth import INVALID_TOKEN, bearer_token, bearer_user, token_user
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


MAX_DEPTH = 64
"""Deepest nesting of objects and arrays a FHIR body may have; real resources stay far below (a Bundle's
Condition extension is about 8 deep), and a deeper one only costs recursion."""


def unauthorized(text: str) -> HttpResponse:
    response = outcome([("login", "", text)], 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A FHIR view for `methods`. Exempt from CSRF, as machine clients hold tokens, not cookies (the session
    counts only for reading: `core.auth.bearer_user`); a bad, expired or revoked bearer token is refused
    on every method, and any other method gets 405, each as an OperationOutcome."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = bearer_token(request)
            if key is not None and token_user(request, key) is None:
                return unauthorized(INVALID_TOKEN)
            if request.method not in methods:
                response = outcome([("not-supported", "", f"{request.method} is not supported here")], 405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorate


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def read_body(request: HttpRequest) -> Any:
    """The JSON of the request body, or an OperationOutcome response: 413 past Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, 400 if it is not JSON or nests deeper than MAX_DEPTH."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    if body is None or (limit is not None and len(body) > limit):
        return outcome([("too-costly", "", f"the body is larger than {limit} bytes")], 413)
    try:
        raw = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return outcome([("structure", "", f"body is not JSON: {exc}")], 400)
    except RecursionError:
        raw = None
    else:
        if not _too_deep(raw):
            return raw
    return outcome([("too-costly", "", f"the body nests deeper than {MAX_DEPTH} levels")], 400)


def handle_write(request: HttpRequest, model: Any, write: Callable[[Any, Any], HttpResponse],
                 forbidden_expression: str = "") -> HttpResponse:
    """Authenticate, parse and validate a resource of `model`'s type, then `write(user, resource)`;
    every failure on the way comes back as an OperationOutcome with the right status."""
    user = bearer_user(request)
    if user is None:
        return unauthorized("authentication required (Authorization: Bearer <token>)")
    resource_type = model.__name__
    raw = read_body(request)
    if isinstance(raw, HttpResponse):
        return raw
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
