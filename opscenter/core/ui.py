"""Page helpers shared by every app's views (the apps sit below the dashboard, so these live here)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ValidationFailed

# Occupancy and risk levels, the same colours on every map and chart.
LEVEL_COLOURS = {
    "low": "#2e9d4f", "medium": "#e3c21b", "high": "#f08a24", "critical": "#d62e2e", "unknown": "#9aa3ad",
}


def qr_svg(text: str) -> bytes:
    """`text` as a QR code, an SVG image (meeting check-in links, booking codes)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).save(out)
    return out.getvalue()


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HttpResponse:
    return render(request, template, context or {}, **kwargs)


def parse_date(raw: str | None, default: dt.date) -> dt.date:
    """An ISO date from a query or form field; `default` when missing or malformed."""
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


# A service's refusal (ValidationFailed) shown on a page: as one message, or on the form that was posted.

def failure_text(exc: ValidationFailed, *, named: bool = False) -> str:
    """The refusal as one line: its messages joined by "; ", each after its field when `named`."""
    return "; ".join(f"{e.field}: {e.message}" if named else e.message for e in exc.errors)


def show_failure(request: HttpRequest, exc: ValidationFailed, *, named: bool = False) -> None:
    """The refusal as the page's error message (shown after the redirect)."""
    messages.error(request, failure_text(exc, named=named))


def form_failure(form: forms.BaseForm, exc: ValidationFailed, *, aliases: Mapping[str, str] | None = None,
                 named: bool = False, keep_others: bool = False) -> list[tuple[str, str]]:
    """The refusal on the posted form: each error next to the form's field of that name (`aliases`: the service's
    name -> the form's); an error without one becomes an error of the whole form ("field: message" when `named`),
    or with `keep_others` is left to the caller: the (field, message) pairs returned."""
    others = []
    for error in exc.errors:
        name = (aliases or {}).get(error.field, error.field)
        if name in form.fields:
            form.add_error(name, error.message)
        elif keep_others:
            others.append((error.field, error.message))
        else:
            form.add_error(None, f"{error.field}: {error.message}" if named else error.message)
    return others
