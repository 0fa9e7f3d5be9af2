"""Camera events in words: zone names, the figures of each analytic, the score, where demo figures come from.

The pages, the wall's live feed and the alerts the rules raise all say an event the same way, in the reader's
language: "People: 8 / capacity 12 (67% of capacity)", never `count`, `max_people` or a bare 1.25."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# Zone and line names the demo, the documentation and common set-ups use. A name not here is the operator's own
# (often already Vietnamese) and is shown as written.
ZONE_LABELS = {
    "waiting": gettext_lazy("Waiting area"),
    "triage-desk": gettext_lazy("Triage desk"),
    "theatre-door": gettext_lazy("Operating theatre door"),
    "corridor": gettext_lazy("Corridor"),
    "isolation": gettext_lazy("Isolation area"),
    "gate": gettext_lazy("Gate"),
    "parking": gettext_lazy("Parking area"),
    "red-line": gettext_lazy("Red line"),
    "door": gettext_lazy("Door"),
    "lawn": gettext_lazy("Lawn"),
    "queue": gettext_lazy("Queue"),
    "entrance": gettext_lazy("Entrance"),
    "ward": gettext_lazy("Hospital ward"),
    "pharmacy-store": gettext_lazy("Pharmacy store"),
    "all": gettext_lazy("Whole picture"),
}
DIRECTIONS = {
    "left_to_right": gettext_lazy("left to right"),
    "right_to_left": gettext_lazy("right to left"),
    "both": gettext_lazy("both"),
}
END_REASONS = {
    "end_of_stream": gettext_lazy("the video ended"),
    "worker_stopped": gettext_lazy("the camera worker stopped"),
    "stream_lost": gettext_lazy("the stream was lost"),
}
MESSAGE_TYPES = {
    "new": gettext_lazy("Detected"),
    "update": gettext_lazy("Updated"),
    "end": gettext_lazy("Ended"),
}
# Data a page never shows as a field: pictures, and what other fields already say.
HIDDEN = {"face_crop", "instantaneous", "entry_id", "line", "footage", "frame", "from_frame", "simulated",
          "method"}


def zone_label(name: str | None) -> str:
    if not name:
        return ""
    label = ZONE_LABELS.get(name) or ZONE_LABELS.get(name.strip().lower())
    return str(label) if label is not None else name


def zone_labels(cameras: Any) -> dict[str, str]:
    """Every zone and line name of these cameras with its label (for the live wall's script)."""
    names = {shape.get("name", "") for camera in cameras
             for shape in [*camera.analytics.get("zones", []), *camera.analytics.get("lines", [])]}
    return {name: zone_label(name) for name in sorted(names) if name}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def duration(seconds: Any) -> str:
    value = _number(seconds)
    if value is None:
        return "—"
    total = round(value)
    minutes, rest = divmod(total, 60)
    if minutes and rest:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": rest}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": rest}


def load_percent(count: Any, capacity: Any) -> int | None:
    """People over capacity, as a percentage of the capacity (125 = a quarter over)."""
    n, cap = _number(count), _number(capacity)
    return round(100 * n / cap) if n is not None and cap else None


def people_text(data: dict[str, Any]) -> str:
    """"8 / capacity 12", or "8" when the zone has no capacity."""
    count, capacity = data.get("count"), data.get("max_people")
    if capacity:
        return _("%(count)s / capacity %(capacity)s") % {"count": count, "capacity": capacity}
    return str(count)


def facts(kind: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The event's data as (label, value) pairs, in words, in the reader's language."""
    out: list[tuple[str, str]] = []
    if "count" in data:
        out.append((_("People"), people_text(data)))
    trend = _number(data.get("trend_per_minute"))
    if trend:
        out.append((_("Trend"), _("%(trend)s people per minute") % {"trend": f"{trend:+.1f}"}))
    if "frames_inside" in data:
        out.append((_("Inside the zone for"), _("%(n)s analysed frames in a row") % {"n": data["frames_inside"]}))
    if "dwell_seconds" in data:
        out.append((_("Time in the zone"), duration(data["dwell_seconds"])))
    if "limit_seconds" in data:
        out.append((_("Allowed time"), duration(data["limit_seconds"])))
    if "static_seconds" in data:
        out.append((_("Left unattended for"), duration(data["static_seconds"])))
    if "direction" in data:
        out.append((_("Direction"), str(DIRECTIONS.get(data["direction"], data["direction"]))))
    if kind == "fight" and "score" in data:
        out.append((_("Agitation score"), _("%(score)s (alert from %(threshold)s)") % {
            "score": data["score"], "threshold": data.get("threshold", "—")}))
    if "model_label" in data:
        out.append((_("Detected as"), str(data["model_label"])))
    if "name" in data:
        out.append((_("Watch-list entry"), str(data["name"])))
    if "distance" in data:
        out.append((_("Face distance"), _("%(distance)s (a match is at most %(threshold)s)") % {
            "distance": data["distance"], "threshold": data.get("threshold", "—")}))
    if "end_reason" in data:
        out.append((_("Ended because"), str(END_REASONS.get(data["end_reason"], data["end_reason"]))))
    known = {"count", "max_people", "trend_per_minute", "frames_inside", "dwell_seconds", "limit_seconds",
             "static_seconds", "direction", "score", "threshold", "model_label", "name", "distance", "end_reason"}
    for key, value in data.items():  # a worker of another version may send more: named in words, not as keys
        if key not in known and key not in HIDDEN and not isinstance(value, dict | list):
            out.append((key.replace("_", " ").capitalize(), str(value)))
    return out


def summary(kind: str, data: dict[str, Any]) -> str:
    """The one figure that says most about the event, for lists, feeds and alert titles ("" if none)."""
    if kind == "crowding" and "count" in data:
        if data.get("max_people"):
            return _("%(count)s people, capacity %(capacity)s") % {"count": data["count"],
                                                                   "capacity": data["max_people"]}
        return _("%(count)s people") % {"count": data["count"]}
    if kind == "loitering" and "dwell_seconds" in data:
        return _("%(time)s in the zone") % {"time": duration(data["dwell_seconds"])}
    if kind == "abandoned" and "static_seconds" in data:
        return _("unattended for %(time)s") % {"time": duration(data["static_seconds"])}
    if kind == "line_crossing" and "direction" in data:
        return str(DIRECTIONS.get(data["direction"], data["direction"]))
    if kind == "watchlist" and data.get("name"):
        return str(data["name"])
    if kind in ("weapon", "fall") and data.get("model_label"):
        return str(data["model_label"])
    return ""


def score(kind: str, value: float, data: dict[str, Any]) -> tuple[str, str] | None:
    """The event's score with what it means, or None where the rule has no score (a zone entered, a line
    crossed, a stay or an object over its time: the rule held, that is all)."""
    if kind == "crowding":
        percent = load_percent(data.get("count"), data.get("max_people"))
        if percent is None:
            return None
        return _("Load"), _("%(percent)s%% of capacity (people / capacity)") % {"percent": percent}
    if kind == "fight":
        return _("Agitation score"), _("%(score)s (heuristic: optical-flow statistics)") % {"score": f"{value:.2f}"}
    if kind == "watchlist":
        return _("Face similarity"), _("%(percent)s%% (1 − distance)") % {"percent": round(100 * value)}
    if kind in ("weapon", "fall"):
        return _("Detector confidence"), f"{round(100 * value)}%"
    return None


def provenance(data: dict[str, Any]) -> dict[str, Any] | None:
    """Where demo figures come from: the footage, the frame, whether the rule's condition was simulated."""
    if "footage" not in data:
        return None
    return {"footage": data.get("footage"), "frame": data.get("frame"), "from_frame": data.get("from_frame"),
            "simulated": bool(data.get("simulated"))}


def rule_name(rule: Any) -> str:
    """An alert rule's name in the reader's language (rules carry a Vietnamese and an English name)."""
    if rule is None:
        return ""
    if (get_language() or "").startswith("en") and rule.name_en:
        return str(rule.name_en)
    return str(rule.name)
