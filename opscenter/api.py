"""The JSON API (OpenAPI at /api/docs). Each app contributes a thin router; errors are mapped here once."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from opscenter.alerts.api import router as alerts_router
from opscenter.booking.api import router as booking_router
from opscenter.core.auth import API_AUTH, InvalidToken
from opscenter.core.edits import StaleEdit
from opscenter.core.errors import Conflict, NotFound, TooMany, ValidationFailed
from opscenter.dashboard.api import router as dashboard_router
from opscenter.emergency.api import router as emergency_router
from opscenter.org.api import router as org_router
from opscenter.reporting.api import router as reporting_router
from opscenter.surveillance.api import router as surveillance_router
from opscenter.vision.api import router as vision_router
from opscenter.work.api import router as work_router


class OpsAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation also documents its 422: one message per field, the same shape everywhere."""
        document = super().get_openapi_schema(*args, **kwargs)
        document["components"].setdefault("schemas", {})["FieldErrors"] = FIELD_ERRORS
        invalid = {"description": "Invalid input, one message per field",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FieldErrors"}}}}
        for operations in document["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault(422, invalid)
        return document


FIELD_ERRORS = {
    "title": "FieldErrors", "type": "object", "required": ["detail"],
    "properties": {"detail": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}},
}

api = OpsAPI(
    title="opscenter API",
    version="1",
    description="Smart Operations Center. Authenticate with `Authorization: Bearer <token>` or a session.",
    auth=API_AUTH,
    urls_namespace="api",
)
api.add_router("/org", org_router, tags=["organisation"])
api.add_router("/reporting", reporting_router, tags=["reporting"])
api.add_router("/alerts", alerts_router, tags=["alerts"])
api.add_router("/dashboard", dashboard_router, tags=["dashboard"])
api.add_router("/vision", vision_router, tags=["camera AI"])
api.add_router("/emergency", emergency_router, tags=["115 emergency"])
api.add_router("/surveillance", surveillance_router, tags=["epidemic surveillance"])
api.add_router("/work", work_router, tags=["direction and internal work"])
api.add_router("/booking", booking_router, tags=["appointments"])


def _field_from_loc(loc: list) -> str:
    """The field as the services name it: ("body", "payload", "values", "x") -> "values.x" (ninja's wrapping
    dropped), list items by index ("units[2]"), and a batch's items by index alone, ("body", "payload",
    "positions", 1, "latitude") -> "[1].latitude", as `[3].values.x` in the batch endpoints' own errors."""
    parts = list(loc)
    while parts and parts[0] in ("body", "payload", "query", "path", "header", "cookie", "form", "file"):
        parts.pop(0)
    if len(parts) > 2 and isinstance(parts[1], int):
        parts.pop(0)
    field = ""
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
    return field or "body"


@api.exception_handler(SchemaValidationError)
def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    detail = [{"field": _field_from_loc(list(e.get("loc", []))), "message": e.get("msg", "")} for e in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(ValidationFailed)
def invalid(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    detail = [{"field": e.field, "message": e.message} for e in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    body = exc.as_json() if isinstance(exc, StaleEdit) else {"detail": str(exc)}  # a stale edit says what changed
    return api.create_response(request, body, status=409)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


@api.exception_handler(TooMany)
def too_many(request: HttpRequest, exc: TooMany) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=429)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = str(exc) if isinstance(exc, InvalidToken) else "Authentication required"  # a refused token says so
    return api.create_response(request, {"detail": detail}, status=401)
