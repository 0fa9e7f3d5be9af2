"""Checks a report's values against its data set's definition. Pure: no database access."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from opscenter.core.errors import FieldError
from opscenter.core.inputs import within_int32

NUMBER = (int, float)
OPERATORS = {"<=": operator.le, "<": operator.lt, "==": operator.eq, ">=": operator.ge}


@dataclass(frozen=True)
class ElementSpec:
    code: str
    value_type: str  # "integer" | "number"
    required: bool = False
    min_value: float | None = 0
    max_value: float | None = None
    label: str = ""  # what people call it, for messages


@dataclass(frozen=True)
class RuleSpec:
    code: str
    message: str
    left: tuple[str, ...]
    operator: str
    right: tuple[str, ...]
    severity: str  # "error" | "warning"

    @property
    def codes(self) -> tuple[str, ...]:
        return self.left + self.right

    @cached_property
    def code_set(self) -> frozenset[str]:
        return frozenset(self.codes)


@dataclass
class Schema:
    """What a data set accepts: built once per batch from the database, then used for every report."""

    elements: dict[str, ElementSpec]
    rules: list[RuleSpec]
    jump_ratio: float = 0.5


@dataclass
class Checked:
    values: dict[str, float | int]
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # in the active language
    warning_texts: dict[str, list[str]] = field(default_factory=dict)  # in every language, once stored


def _coerce(spec: ElementSpec, raw: Any) -> float | int:
    if type(raw) is int:  # the common case, first: a whole number is fine for every value type
        within_int32(raw)  # what FHIR, the forecasts and the database can hold, whatever the element allows
        return raw
    if isinstance(raw, bool):
        raise ValueError(_("must be a number, not true/false"))
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        try:
            raw = float(text) if text else None
        except ValueError:
            raise ValueError(_("must be a number")) from None
    if raw is None:
        raise ValueError(_("must be a number"))
    if not isinstance(raw, NUMBER):
        raise ValueError(_("must be a number"))
    within_int32(raw)
    if spec.value_type == "integer":
        if float(raw) != int(raw):
            raise ValueError(_("must be a whole number"))
        return int(raw)
    return float(raw)


def check(schema: Schema, raw_values: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> Checked:
    """Type and range checks per element, then the data set's rules, then sudden-jump warnings."""
    checked = Checked(values={})
    for code, raw in raw_values.items():
        spec = schema.elements.get(code)
        if spec is None:
            checked.errors.append(FieldError(f"values.{code}", _("unknown data element")))
            continue
        if raw is None or raw == "":
            continue
        try:
            value = _coerce(spec, raw)
        except (TypeError, ValueError) as exc:
            checked.errors.append(FieldError(f"values.{code}", str(exc)))
            continue
        if spec.min_value is not None and value < spec.min_value:
            checked.errors.append(
                FieldError(f"values.{code}", _("must be at least %(min)s") % {"min": _fmt(spec.min_value)})
            )
        elif spec.max_value is not None and value > spec.max_value:
            checked.errors.append(
                FieldError(f"values.{code}", _("must be at most %(max)s") % {"max": _fmt(spec.max_value)})
            )
        else:
            checked.values[code] = value
    for spec in schema.elements.values():
        if spec.required and spec.code not in checked.values and f"values.{spec.code}" not in _fields(checked):
            checked.errors.append(FieldError(f"values.{spec.code}", _("this value is required")))

    # Rules run over every value that passed its own checks, so the person sees all problems at once.
    values = checked.values
    for rule in schema.rules:
        if not rule.code_set <= values.keys():
            continue  # a rule only applies when every value it names was reported
        left = sum(map(values.__getitem__, rule.left))
        right = sum(map(values.__getitem__, rule.right))
        if not OPERATORS[rule.operator](left, right):
            text = rule_message(schema, rule, left, right)
            if rule.severity == "error":
                checked.errors.append(FieldError(f"values.{rule.left[0]}", text))
            else:
                checked.warnings.append(text)
    if checked.errors:
        return checked

    if previous:
        ratio = schema.jump_ratio
        for code, value in values.items():
            before = previous.get(code)
            # Small counts move a lot by nature; judge jumps against at least 10.
            if isinstance(before, NUMBER) and abs(value - before) > ratio * max(before, 10):
                checked.warnings.append(
                    _("%(name)s changed sharply since the previous period: %(before)s → %(after)s")
                    % {"name": schema.elements[code].label or code, "before": _fmt(before), "after": _fmt(value)}
                )
    return checked


def rule_message(schema: Schema, rule: RuleSpec, left: float | int, right: float | int) -> str:
    """The broken rule in the reader's language, with the figures: 'ICU: occupied beds (999) must not exceed
    total beds (220)'. Built from the elements' own labels, so a rule added as data reads as well."""
    labels = {c: (schema.elements[c].label if c in schema.elements else "") or c for c in rule.codes}
    # Labels of one group share their heading ("Intensive care (ICU): occupied beds"): say it once, in front.
    heads = {label.partition(": ")[0] for label in labels.values() if ": " in label}
    head = heads.pop() if len(heads) == 1 and all(": " in label for label in labels.values()) else ""
    if head:
        labels = {c: label.partition(": ")[2] for c, label in labels.items()}

    def side(codes: tuple[str, ...]) -> str:
        return " + ".join(labels[c] for c in codes)

    figures = {"left": side(rule.left), "left_value": _fmt(left), "right": side(rule.right),
               "right_value": _fmt(right)}
    sentences = {
        "<=": _("%(left)s (%(left_value)s) must not exceed %(right)s (%(right_value)s)"),
        "<": _("%(left)s (%(left_value)s) must be less than %(right)s (%(right_value)s)"),
        "==": _("%(left)s (%(left_value)s) must equal %(right)s (%(right_value)s)"),
        ">=": _("%(left)s (%(left_value)s) must be at least %(right)s (%(right_value)s)"),
    }
    text = sentences[rule.operator] % figures
    if head:
        text = f"{head}: {text}"
    return text if rule.severity == "error" else _("%(problem)s; please check") % {"problem": text}


def _fields(checked: Checked) -> set[str]:
    return {e.field for e in checked.errors}


def _fmt(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
