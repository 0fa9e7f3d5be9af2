"""The events reporting publishes (declared in core.events' catalogue)."""

from __future__ import annotations

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "reporting"
SUBMITTED, OVERDUE = "report.submitted", "report.overdue"


class ReportSubmitted(TypedDict):
    report_id: int
    data_set: str  # data set code
    period: str  # ISO date
    version: int
    status: str
    flags: list[str]
    values: dict[str, int | float | None]
    unit_name: str


class ReportOverdue(TypedDict):
    data_set: str
    data_set_name: str
    period: str  # ISO date
    due_at: str  # ISO date-time
    unit_name: str


declare(SOURCE, SUBMITTED, ReportSubmitted, live=("report",), read_by="dashboard trends cache",
        doc="A report (or a new version of it) was stored.")
declare(SOURCE, OVERDUE, ReportOverdue, live=("report",),
        doc="A unit's report is past its due time (once per data set, unit and period).")
