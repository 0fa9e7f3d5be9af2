"""How surveillance figures read on the pages and in the alerts: detection methods in words, dates and numbers
in the reader's language, a forecast's accuracy as a sentence (the precise figures stay in tooltips and
exports)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import dateformat, formats
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Forecast

# The detection methods (detection.py): a name an epidemiologist knows and what it compares today with.
METHODS: dict[str, tuple[str, Promise]] = {
    "ears-c1": ("EARS C1", gettext_lazy("compared with the 7 days before")),
    "ears-c2": ("EARS C2", gettext_lazy("compared with the 7 days before, leaving out the 2 most recent")),
    "ears-c3": ("EARS C3", gettext_lazy("as EARS C2, adding up the excess of the last 3 days")),
    "cusum": ("CUSUM", gettext_lazy("the excess accumulated over the last 7 days, against the 4 weeks before")),
    "farrington": ("Farrington", gettext_lazy("this week against the same weeks of earlier years")),
}


def method_name(code: str) -> str:
    return METHODS[code][0] if code in METHODS else code


def method_help(code: str) -> str:
    return str(METHODS[code][1]) if code in METHODS else ""


def method_text(code: str) -> str:
    """"EARS C2 — compared with the 7 days before, leaving out the 2 most recent"."""
    return f"{method_name(code)} — {method_help(code)}" if code in METHODS else code


# Dates: the day first in Vietnamese (05/03/2026), the month's name in English (5 Mar 2026), never ISO.
DATE_FORMATS = {"vi": ("d/m/Y", "d/m"), "en": ("j M Y", "j M")}


def day_text(day: dt.date | str | None, year: bool = True) -> str:
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    with_year, without = DATE_FORMATS.get((get_language() or "vi")[:2], DATE_FORMATS["vi"])
    return dateformat.format(day, with_year if year else without)


def number(value: float | int | None, decimals: int = 0) -> str:
    """A figure in the reader's language: 1,5 and 1.234 in Vietnamese, 1.5 and 1,234 in English."""
    if value is None:
        return "—"
    value = round(float(value), decimals)
    if decimals and value == int(value):
        decimals = 0  # 2 cases, not 2,0
    return formats.number_format(value if decimals else int(value), decimals, use_l10n=True, force_grouping=True)


def amount(value: float | None) -> str:
    """A daily average: one decimal below 10 (2,5 cases a day), whole above (142 admissions a day)."""
    return number(value, 1 if value is not None and abs(value) < 10 else 0)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{number(share * 100)}%"


def signed_percent(change: float | None) -> str:
    if change is None:
        return "—"
    if not round(change * 100):
        return percent(0)
    text = percent(abs(change))
    return f"+{text}" if change > 0 else f"−{text}"


# ---- forecasts ----------------------------------------------------------------------------------

def series_kind(forecast: Forecast) -> str:
    """cases, admissions or beds: what the forecast counts (the unit of its error)."""
    return str(forecast.target)


def accuracy(forecast: Forecast) -> str:
    """The backtest in a sentence. When the model is shown: how far off on average, better than repeating last
    week (the seasonal naive forecast over the same backtest days). When repeating last week is shown instead (the
    model did no better, or could not be checked): that, with both scaled errors (MASE). Forecasts stored before
    the naive forecast was put in the model's place may still show a worse model: they are told not to be relied on."""
    if forecast.naive_shown:
        return naive_shown_reason(forecast)
    if forecast.mae is None or forecast.mae_baseline is None:
        return _("not enough history yet to check its accuracy")
    error = number(forecast.mae, 1)
    better = bool(forecast.beats_baseline)
    kind = series_kind(forecast)
    if kind == "beds":
        return (_("off by %(error)s beds on average, better than repeating last week") if better
                else _("off by %(error)s beds on average, worse than repeating last week: do not rely on it")
                ) % {"error": error}
    if kind == "admissions":
        return (_("off by %(error)s admissions a day on average, better than repeating last week") if better
                else _("off by %(error)s admissions a day on average, worse than repeating last week: "
                       "do not rely on it")) % {"error": error}
    return (_("off by %(error)s cases a day on average, better than repeating last week") if better
            else _("off by %(error)s cases a day on average, worse than repeating last week: do not rely on it")
            ) % {"error": error}


def _two(model: float, naive: float) -> tuple[str, str]:
    """Two scaled errors with 2 decimals, or as many more (up to 4) as it takes to tell a near tie apart."""
    for decimals in (2, 3, 4):
        pair = number(model, decimals), number(naive, decimals)
        if pair[0] != pair[1]:
            return pair
    return number(model, 2), number(naive, 2)


def naive_shown_reason(forecast: Forecast) -> str:
    """Why a series shows repeating last week rather than the model, on every day ahead or on some (empty when the
    model is shown on every day), with the backtest MASE of both over those days."""
    if not forecast.naive_shown:
        return ""
    if forecast.mase is None or forecast.mase_baseline is None:
        return _("not enough history yet to check the model: repeating last week is shown")
    if forecast.shown == forecast.Shown.MIXED and (figures := forecast.horizon_mase()):
        days = forecast.naive_days
        return ngettext(
            "repeating last week is shown for day %(days)s ahead (the model did no better there: scaled error "
            "%(mase)s, against %(mase_naive)s for repeating last week), the model's forecast for the other days",
            "repeating last week is shown for days %(days)s ahead (the model did no better there: scaled error "
            "%(mase)s, against %(mase_naive)s for repeating last week), the model's forecast for the other days",
            len(days)) % dict(zip(("mase", "mase_naive"), _two(*figures), strict=True),
                              days=", ".join(str(d) for d in days))
    return _("repeating last week is shown: the model did no better (scaled error %(mase)s, against %(mase_naive)s "
             "for repeating last week)") % dict(zip(("mase", "mase_naive"),
                                                    _two(forecast.mase, forecast.mase_baseline), strict=True))


def accuracy_figures(forecast: Forecast) -> str:
    """The precise backtest figures, for analysts (a tooltip)."""
    if forecast.mae is None or forecast.mae_baseline is None:
        return ""
    text = _("Backtest over the last 6 weeks, a forecast made each day: MAE %(mae)s (seasonal naive %(mae_naive)s), "
             "MASE %(mase)s (seasonal naive %(mase_naive)s)") % {
        "mae": number(forecast.mae, 2), "mae_naive": number(forecast.mae_baseline, 2),
        "mase": number(forecast.mase, 2), "mase_naive": number(forecast.mase_baseline, 2)}
    model, naive = forecast.mase_by_horizon or [], forecast.mase_baseline_by_horizon or []
    if model and len(model) == len(naive):
        text += "; " + _("MASE 1 day ahead %(first)s (naive %(first_naive)s), %(days)s days ahead %(last)s "
                         "(naive %(last_naive)s)") % {
            "first": number(model[0], 2), "first_naive": number(naive[0], 2), "days": len(model),
            "last": number(model[-1], 2), "last_naive": number(naive[-1], 2)}
    return text
