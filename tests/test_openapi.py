"""The OpenAPI document tells the truth about shapes: no two schema classes share a component name (django-ninja
keeps the last one it meets, so one app's body would document another's), and what the input types promise
(bounds, lengths, formats) is in it."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from opscenter.api import api


def _models(annotation: Any) -> set[type[BaseModel]]:
    """Every pydantic model an annotation mentions, through lists, unions, dicts and nested fields."""
    found: set[type[BaseModel]] = set()
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item not in found:
                found.add(item)
                stack.extend(f.annotation for f in item.model_fields.values())
        else:
            stack.extend(getattr(item, "__args__", ()))
    return found


def _schema_classes() -> set[type[BaseModel]]:
    classes: set[type[BaseModel]] = set()
    for router in api._routers:  # every router, with the operations of its paths
        for path_view in router[1].path_operations.values():
            for operation in path_view.operations:
                # ninja's own wrappers (parameters, `response`) are not components; what they hold is
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in (w for w in wrappers if isinstance(w, type) and issubclass(w, BaseModel)):
                    classes |= {m for f in wrapper.model_fields.values() for m in _models(f.annotation)}
    return classes


def test_no_two_schema_classes_share_a_component_name():
    by_name: dict[str, list[type[BaseModel]]] = {}
    for cls in _schema_classes():
        by_name.setdefault(cls.__name__, []).append(cls)
    shared = {name: [f"{c.__module__}.{c.__qualname__}" for c in classes]
              for name, classes in by_name.items() if len(classes) > 1}
    assert not shared, f"rename one of each: {shared}"


def test_no_component_is_documented_twice_differently(monkeypatch):
    """The document itself: a component name written twice must be written the same way."""
    seen: dict[str, list[Any]] = {}
    original = OpenAPISchema.add_schema_definitions

    def record(self: OpenAPISchema, definitions: dict) -> None:
        for name, definition in definitions.items():
            seen.setdefault(name, [])
            if definition not in seen[name]:
                seen[name].append(definition)
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", record)
    document = api.get_openapi_schema(path_prefix="/api/")
    differing = sorted(name for name, definitions in seen.items() if len(definitions) > 1)
    assert not differing
    assert len(document["components"]["schemas"]) >= 100


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/")


def _body(document: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_each_body_is_its_own(document):
    """The bodies that other apps' same-named classes used to overwrite."""
    for path, own, foreign in (
        ("/api/emergency/incidents/{code}/assign", {"ambulance", "hospital"}, {"handler", "deadline", "username"}),
        ("/api/alerts/{alert_id}/assign", {"username"}, {"handler", "ambulance"}),
        ("/api/work/documents/{document_id}/assign", {"handler", "deadline", "text"}, {"ambulance", "username"}),
        ("/api/emergency/incidents/{code}/status", {"status", "at", "note"}, {"reason"}),
        ("/api/work/meetings/{meeting_id}/status", {"status", "reason"}, {"at", "note"}),
        ("/api/alerts/{alert_id}/notes", {"text"}, {"progress", "attachments"}),
        ("/api/work/directives/{directive_id}/comments", {"text", "progress", "attachments"}, set()),
    ):
        properties = set(_body(document, path)["properties"])
        assert own <= properties and not foreign & properties, (path, properties)


def test_bounds_are_documented(document):
    room = _body(document, "/api/work/rooms")["properties"]
    assert room["name"]["maxLength"] == 150
    assert room["capacity"]["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 2_147_483_647}
    agenda = _body(document, "/api/work/meetings/{meeting_id}/agenda")["properties"]
    assert agenda["minutes"]["anyOf"][0]["maximum"] == 24 * 60
    trends = {p["name"]: p for p in document["paths"]["/api/dashboard/trends"]["get"]["parameters"]}
    assert trends["days"]["schema"]["maximum"] == 2_147_483_647


def test_every_operation_documents_its_422(document):
    """Field-level errors, the same shape for every operation, so clients and the fuzz test can check it."""
    assert document["components"]["schemas"]["FieldErrors"]["properties"]["detail"]["items"]["required"] == [
        "field", "message"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"][422]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/FieldErrors"}, (method, path)
