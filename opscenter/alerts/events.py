"""The events the alerts app publishes: one kind per change of an alert, all with the same payload."""

from __future__ import annotations

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "alerts"

# What an operator does to an alert (services._log) -> its event kind.
ACTION_KINDS = {
    "acknowledged": "alert.acknowledged",
    "resolved": "alert.resolved",
    "assigned": "alert.assigned",
    "note": "alert.note",
}
RAISED, UPDATED, RESOLVED = "alert.raised", "alert.updated", "alert.resolved"


class AlertChanged(TypedDict):
    alert_id: int
    title: str
    severity: str
    status: str
    resolution: str
    source: str  # the app whose rule raised it
    kind: str  # the alert's kind ("bed_occupancy", "incoming_patient", ...), not the event's
    unit_name: str
    raised_at: str  # ISO date-time
    message: str


declare(SOURCE, RAISED, AlertChanged, live=("alert",), doc="A rule raised a new alert.")
declare(SOURCE, UPDATED, AlertChanged, live=("alert",), doc="The condition of an open alert was seen again.")
declare(SOURCE, RESOLVED, AlertChanged, live=("alert",),
        doc="Resolved by an operator, or by the system when its condition cleared.")
declare(SOURCE, [k for k in ACTION_KINDS.values() if k != RESOLVED], AlertChanged, live=("alert",),
        doc="An operator acknowledged, assigned or noted the alert.")
