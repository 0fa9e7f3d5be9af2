"""Alert evaluators for surveillance events (their thresholds are AlertRule rows: see definitions.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from opscenter.alerts.models import AlertRule, Severity
from opscenter.alerts.rules import evaluator
from opscenter.alerts.services import AlertCandidate, AlertClear
from opscenter.core.events import Event
from opscenter.org.models import BedType, Unit

from . import wording
from .models import Disease


def signal_raises_alert(rule: AlertRule, method: str, observed: float) -> bool:
    """Whether a detection alarm of this method and size becomes an alert under this rule."""
    return method in rule.params.get("methods", [method]) and observed >= rule.params.get("min_observed", 1)


@evaluator("outbreak_signal", kind="surveillance.signal")
def outbreak_signal(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate]:
    """params: methods (that may alert), min_observed, critical_ratio (observed/threshold for critical)."""
    p = event.payload
    if not signal_raises_alert(rule, p["method"], p["observed"]):
        return
    threshold = p["threshold"] or 0
    critical = threshold > 0 and p["observed"] >= float(rule.params.get("critical_ratio", 2.0)) * threshold
    disease = str(Disease(p["disease"]).label)
    if disease[1:2].islower():  # "influenza" inside the sentence, but "COVID-19" as it is
        disease = disease[0].lower() + disease[1:]
    area = p["area_name"] or _("city-wide")
    values = {"observed": int(p["observed"]), "day": wording.day_text(p["day"]),
              "expected": wording.number(p["expected"], 1), "threshold": wording.number(p["threshold"], 1),
              "method": wording.method_name(p["method"]), "how": wording.method_help(p["method"]),
              "series": ", ".join(map(str, p["series"][-14:]))}
    message = (_("%(observed)s cases in the week to %(day)s where about %(expected)s were expected (threshold "
                 "%(threshold)s; %(method)s: %(how)s). Recent weeks: %(series)s") if p["series_unit"] == "week"
               else _("%(observed)s cases on %(day)s where about %(expected)s were expected (threshold "
                      "%(threshold)s; %(method)s: %(how)s). Last 14 days: %(series)s")) % values
    yield AlertCandidate(
        source="surveillance", kind="outbreak_signal", severity=Severity.CRITICAL if critical else rule.severity,
        unit=unit, rule=rule,
        title=_("Possible %(disease)s outbreak: %(area)s") % {"disease": disease, "area": area},
        message=message,
        # one open alert per disease and area, whichever method sees it
        dedup_key=f"{rule.code}:{p['disease']}:{p['area']}",
        evidence_url="/surveillance/?" + urlencode({"disease": p["disease"], "area": p["area"]}),
        payload=p,
    )


@evaluator("forecast_exceeds_capacity", kind="surveillance.forecast")
def forecast_exceeds_capacity(rule: AlertRule, event: Event, unit: Unit) -> Iterator[AlertCandidate | AlertClear]:
    """params: within_days (7), share of capacity (1.0), use ("mean" or "upper80"), min_capacity.
    A forecast that no longer exceeds the limit within the window clears the alert."""
    p = event.payload
    capacity = p.get("capacity") or 0
    if capacity < rule.params.get("min_capacity", 5):
        return
    limit = capacity * float(rule.params.get("share", 1.0))
    within_days = int(rule.params.get("within_days", 7))
    demand = p[rule.params.get("use", "mean")][:within_days]
    over = [(day, value) for day, value in zip(p["dates"], demand, strict=False) if value > limit]
    label = BedType(p["bed_type"]).label if p["bed_type"] in BedType.values else p["bed_type"]
    dedup_key = f"{rule.code}:{unit.code}:{p['bed_type']}"
    if not over:
        yield AlertClear(
            dedup_key=dedup_key, as_of=("run_date", p["run_date"]),
            reason=_("The forecast of %(run)s stays within %(limit)s occupied %(beds)s beds for the next "
                     "%(days)s days") % {"run": wording.day_text(p["run_date"]), "limit": round(limit), "beds": label,
                                         "days": within_days},
        )
        return
    day, value = over[0]
    yield AlertCandidate(
        source="surveillance", kind="forecast_capacity", severity=rule.severity, unit=unit, rule=rule,
        title=_("%(unit)s: %(beds)s beds forecast to exceed capacity by %(day)s")
        % {"unit": unit, "beds": label, "day": wording.day_text(day, year=False)},
        message=_("Forecast %(value)s occupied %(beds)s beds on %(day)s against %(capacity)s available "
                  "(forecast of %(run)s)")
        % {"value": round(value), "beds": label, "day": wording.day_text(day), "capacity": capacity,
           "run": wording.day_text(p["run_date"])},
        dedup_key=dedup_key,
        evidence_url=f"/surveillance/forecasts/?unit={unit.code}",
        payload={**p, "first_day_over": day, "value": value, "limit": limit},
    )
