"""What every FHIR endpoint of the platform shares: JSON in `application/fhir+json`, errors as
`OperationOutcome`, bearer-token authentication, and one way to turn domain errors into outcomes."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from pydantic import ValidationError as PydanticValidationError

from opscenter.core.auth import INVALID_TOKEN, bearer_token, bearer_user, token_user
from opscenter.core.errors import Conflict, ValidationFailed

FHIR_JSON = "application/fhir+json"


@dataclass
class Served:
    """One resource type an app serves under /fhir/: what the CapabilityStatement lists, and how the base
    endpoint hands it a transaction or batch Bundle (`bundle(request, user, entries)`)."""

    type: str
    interactions: tuple[str, ...]
    search_params: tuple[tuple[str, str, str], ...] = ()  # (name, type, documentation)
    documentation: str = ""
    profiles: tuple[str, ...] = ()
    bundle: Callable[..., HttpResponse] | None = None
    operations: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # more of the statement's resource entry (versioning...)


SERVED: dict[str, Served] = {}


def serve(served: Served) -> None:
    """Register a resource type at import of the app's FHIR module (urls.py imports every one)."""
    SERVED[served.type] = served


def fhir_path(loc: tuple[Any, ...] | list[Any], root: str) -> str:
    """A pydantic error location as a FHIRPath: ('group', 0, 'population') -> Root.group[0].population."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return re.sub(r"__ext\b", "", path)


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
        return outcome([("structure", "", f"expected a {resource_type} resource")], 422)
    try:
        resource = model.model_validate(raw)
    except PydanticValidationError as exc:
        return outcome([("invalid", fhir_path(e["loc"], resource_type), e["msg"]) for e in exc.errors()], 422)
    try:
        return write(user, resource)
    except ValidationFailed as exc:
        return outcome([("invalid", e.field, e.message) for e in exc.errors], 422)
    except PermissionDenied as exc:
        return outcome([("forbidden", forbidden_expression, str(exc) or "outside your unit scope")], 403)
    except Conflict as exc:
        return outcome([("conflict", "", str(exc))], 409)


@endpoint("GET")
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: every resource type, interaction and search parameter the apps serve."""
    base = request.build_absolute_uri("/fhir/")
    resources = [{
        "type": s.type,
        **({"supportedProfile": list(s.profiles)} if s.profiles else {}),
        "interaction": [{"code": code} for code in s.interactions],
        **({"searchParam": [{"name": n, "type": t, "documentation": d} for n, t, d in s.search_params]}
           if s.search_params else {}),
        **({"documentation": s.documentation} if s.documentation else {}),
        **s.details,
    } for s in sorted(SERVED.values(), key=lambda s: s.type)]
    statement = CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement",
        "status": "active", "date": timezone.now().date().isoformat(), "kind": "instance",
        "software": {"name": "opscenter", "version": "0.1"},
        "implementation": {"description": "Smart Operations Center FHIR endpoint", "url": base},
        "fhirVersion": "4.0.1", "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {"description": "Authorization: Bearer <API token>"},
            "resource": resources,
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    })
    return respond(statement.model_dump(mode="json", exclude_none=True))


@endpoint("POST")
def root(request: HttpRequest) -> HttpResponse:
    """POST /fhir/: a transaction or batch Bundle, handed to the app serving the type of its entries (the
    MeasureReports of the daily report, or the Patients and Conditions of case reports)."""
    def write(user: Any, bundle: Any) -> HttpResponse:
        if bundle.type not in ("transaction", "batch"):
            return outcome([("not-supported", "Bundle.type", _("POST /fhir/ takes a transaction or batch Bundle"))],
                           422)
        types = {type(e.resource).__name__ for e in bundle.entry or [] if e.resource is not None}
        handlers = {id(s.bundle): s.bundle for t in types if (s := SERVED.get(t)) and s.bundle}
        for i, entry in enumerate(bundle.entry or []):
            if entry.request is not None and entry.request.method not in ("POST", "PUT"):
                return outcome([("not-supported", f"Bundle.entry[{i}].request.method",
                                 _("only POST (create) entries are supported"))], 422)
        if len(handlers) != 1:
            return outcome([("not-supported", "Bundle.entry",
                             _("the entries must all be MeasureReports, or Patients and Conditions of case "
                               "reports"))],
                           422)
        return next(iter(handlers.values()))(request, user, bundle)

    return handle_write(request, Bundle, write)


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /fhir/: 404 as an OperationOutcome, not a page."""
    return outcome([("not-found", "", _("nothing is served at /fhir/%(path)s") % {"path": path})], 404)
