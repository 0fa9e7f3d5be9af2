"""The JSON API's input layer, class by class, over every operation the OpenAPI document lists: each text field,
time, date, count and number of every body and query string gets the values that used to end in a server error
(a lone surrogate, NUL, a year 9999 deadline, year 1, a 29-digit count, 1e999, inf, nan). Each must be refused
with 422 naming that field, and a time without a zone must be taken as local time."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opscenter.api import api
from opscenter.org.roles import Role

DOCUMENT = api.get_openapi_schema(path_prefix="/api/")
BAD_STRINGS = {"lone surrogate": "a\ud800b", "NUL": "a\x00b", "escape": "a\x1bb"}
BAD_NUMBERS = {"29 digits": 10**29, "1e999": "1e999", "inf": "inf", "nan": "nan"}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema)
    return [_resolve(o) for o in schema.get("anyOf", [schema]) if _resolve(o).get("type") != "null"]


def _kinds(schema: dict[str, Any]) -> set[str]:
    """What a value takes: 'string', 'date', 'date-time', 'integer', 'number' (nullable ones too)."""
    kinds = set()
    for option in _options(schema):
        kind = option.get("format") if option.get("format") in ("date", "date-time") else option.get("type")
        if kind in ("string", "date", "date-time", "integer", "number"):
            kinds.add(kind)
    return kinds


def _leaves(schema: dict[str, Any], wrap: Any, prefix: str, batch: bool) -> Iterator[tuple[Any, str, set[str]]]:
    """(how to build a body holding a value there, the field the API names, what it takes) for every scalar
    property, inside nested objects and lists too."""
    for name, prop in _resolve(schema).get("properties", {}).items():
        field = f"{prefix}.{name}" if prefix else name
        for option in _options(prop):
            def here(value: Any, name: str = name) -> Any:
                return wrap({name: value})
            if option.get("properties"):
                yield from _leaves(option, here, field, False)
            elif option.get("type") == "array":
                items = _options(option.get("items", {}))
                def listed(value: Any, here: Any = here) -> Any:
                    return here([value])
                if items and items[0].get("properties"):  # a batch: its items are named by index alone
                    yield from _leaves(items[0], listed, "[0]" if batch else f"{field}[0]", False)
                elif _kinds(option.get("items", {})):
                    yield listed, f"{field}[0]", _kinds(option.get("items", {}))
        if _kinds(prop):
            yield (lambda value, name=name: wrap({name: value})), field, _kinds(prop)


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _url(path: str, operation: dict[str, Any]) -> str:
    for p in operation.get("parameters", []):
        if p["in"] == "path":
            value = "1" if _kinds(p["schema"]) & {"integer"} else "2026-11-25" if "date" in _kinds(p["schema"]) else "X"
            path = path.replace("{" + p["name"] + "}", value)
    return path


def _body_fields() -> Iterator[tuple[str, str, str, Any, str, set[str]]]:
    for path, method, operation in _operations():
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        for build, field, kinds in _leaves(content["schema"], lambda body: body, "", True):
            yield method, _url(path, operation), path, build, field, kinds


def _query_fields() -> Iterator[tuple[str, str, str, set[str]]]:
    for path, _method, operation in _operations():
        for p in operation.get("parameters", []):
            if p["in"] == "query" and p["name"] not in ("limit", "offset"):
                yield _url(path, operation), path, p["name"], _kinds(p["schema"])


BODY_FIELDS = list(_body_fields())
QUERY_FIELDS = list(_query_fields())


@pytest.fixture
def client(city) -> Client:
    from opscenter.org.services import issue_token

    _token, key = issue_token("test", city.user(Role.ADMIN), "inputs")
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"}, raise_request_exception=False)


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    # json.dumps writes "\ud800" as an escape and refuses nothing; numbers the encoder cannot write go as text
    text = json.dumps(body)
    text = re.sub(r'"(1e999|inf|nan)"', lambda m: {"1e999": "1e999", "inf": "Infinity", "nan": "NaN"}[m[1]], text)
    return getattr(client, method)(url, text, content_type="application/json")


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    return {e["field"]: e["message"] for e in response.json()["detail"]}


def test_every_body_and_query_field_is_covered():
    kinds = {k for *_, ks in BODY_FIELDS for k in ks} | {k for *_, ks in QUERY_FIELDS for k in ks}
    assert {"[0].latitude", "changes.onset_date", "units[0]"} <= {f for *_, f, _k in BODY_FIELDS}
    assert kinds == {"string", "date", "date-time", "integer", "number"}
    assert len(BODY_FIELDS) > 150 and len(QUERY_FIELDS) > 40


def _refusals(client: Client, send: Any, name: str, bad: dict[str, Any]) -> list[str]:
    """What went wrong for one field: each bad value must be a 422 naming it."""
    wrong = []
    for label, value in bad.items():
        response = send(value)
        if response.status_code != 422:
            wrong.append(f"{name} = {label}: {response.status_code}")
        elif name not in {e["field"] for e in response.json()["detail"]}:
            wrong.append(f"{name} = {label}: 422 naming {[e['field'] for e in response.json()['detail']]}")
    return wrong


def test_body_fields_refuse_what_cannot_be_stored(client):
    """One city for all fields (a few hundred requests); every failure listed at once."""
    wrong = []
    for method, url, path, build, name, kinds in BODY_FIELDS:
        bad: dict[str, Any] = {}
        if "string" in kinds:
            bad |= BAD_STRINGS
        if kinds & {"integer", "number"}:
            bad |= BAD_NUMBERS
        if kinds & {"date", "date-time"}:
            bad |= {"year 9999": "9999-12-31T10:00:00+07:00" if "date-time" in kinds else "9999-12-31",
                    "year 1": "0001-01-01T00:00:00" if "date-time" in kinds else "0001-01-01"}
        wrong += [f"{method.upper()} {path} {w}" for w in _refusals(
            client, lambda value, m=method, u=url, b=build: _send(client, m, u, b(value)), name, bad)]
    assert not wrong, "\n".join(wrong)


def test_a_time_without_zone_is_local_time(client):
    wrong = []
    for method, url, path, build, name, kinds in BODY_FIELDS:
        if "date-time" in kinds:
            response = _send(client, method, url, build("2026-11-25T14:00:00"))
            if response.status_code == 500 or (
                    response.status_code == 422 and name in {e["field"] for e in response.json()["detail"]}):
                wrong.append(f"{method.upper()} {path} {name}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_query_parameters_refuse_what_cannot_be_stored(client):
    wrong = []
    for url, path, name, kinds in QUERY_FIELDS:
        bad: dict[str, str] = {}
        if "string" in kinds:
            bad |= {"NUL": "a\x00b", "escape": "a\x1bb"}
        if kinds & {"integer", "number"}:
            bad |= {"29 digits": str(10**29), "1e999": "1e999", "inf": "inf", "nan": "nan"}
        if "date" in kinds:
            bad |= {"year 1": "0001-01-01", "year 9999": "9999-12-31"}
        wrong += [f"GET {path} {w}" for w in _refusals(
            client, lambda value, u=url, n=name: client.get(u, {n: value}), name, bad)]
    assert not wrong, "\n".join(wrong)


def test_path_parameters_refuse_control_characters(client):
    """A code in the path with NUL (PostgreSQL refuses it in a query) is a 422 naming it, not a server error."""
    wrong, checked = [], 0
    for path, method, operation in _operations():
        for p in operation.get("parameters", []):
            if p["in"] == "path" and _kinds(p["schema"]) == {"string"}:
                checked += 1
                url = _url(path.replace("{" + p["name"] + "}", "a%00b"), operation)
                response = client.get(url) if method == "get" else getattr(client, method)(
                    url, "{}", content_type="application/json")
                if response.status_code != 422:
                    wrong.append(f"{method.upper()} {path} {p['name']}: {response.status_code}")
    assert checked >= 20 and not wrong, "\n".join(wrong)


def test_ranges_must_not_end_before_they_start(client):
    for url, start, end in (("/api/reporting/reports", "period_from", "period_to"),
                            ("/api/surveillance/cases", "date_from", "date_to"),
                            ("/api/surveillance/counts", "date_from", "date_to"),
                            ("/api/surveillance/report-counts", "date_from", "date_to")):
        fields = _fields(client.get(url, {"disease": "dengue", start: "2026-11-25", end: "2026-11-01"}))
        assert end in fields


def test_a_naive_deadline_is_local_time(city, api_client):
    operator = api_client(Role.OPERATOR)
    day = timezone.localdate() + dt.timedelta(days=30)  # a deadline must be ahead
    response = _send(operator, "post", "/api/work/directives", {
        "title": "Báo cáo", "content": "Hằng ngày", "units": ["BV-A"], "deadline": f"{day}T17:00:00"})
    assert response.status_code == 201, response.content
    deadline = dt.datetime.fromisoformat(response.json()["deadline"])
    assert deadline == dt.datetime.combine(day, dt.time(10), dt.UTC)  # 17:00 in Ho Chi Minh City is 10:00 UTC


@pytest.mark.parametrize("value", [10**29, -(10**29), "1e999", "inf", "nan", "1" * 40, "1\x00"])
def test_report_values_fit_a_32_bit_integer(client, value):
    body = {"data_set": "HOSP_DAILY", "unit": "BV-A", "period": "2026-11-25", "values": {"beds_icu_total": value}}
    assert "values.beds_icu_total" in _fields(_send(client, "post", "/api/reporting/reports", body))
