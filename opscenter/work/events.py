"""The events of direction and internal work: directives and their tasks, documents, meetings."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "work"
# What happens to a task (directives._log with DirectiveUpdate.Kind) -> its event kind.
TASK_KINDS = {kind: f"task.{kind}" for kind in ("acknowledged", "progress", "done", "returned")}
# What happens to a document (documents._log) -> its event kind.
DOCUMENT_KINDS = {action: f"document.{action}" for action in (
    "registered", "drafted", "assigned", "forwarded", "processed", "closed", "submitted", "approved", "returned",
    "issued", "received", "files_added", "cancelled")}


class DirectiveIssued(TypedDict):
    id: int
    title: str
    units: list[str]
    priority: str
    deadline: str | None  # ISO date-time


class TaskChanged(TypedDict):
    id: int  # the task
    directive_id: int
    status: str
    text: str
    progress: int | None


class DirectiveComment(TypedDict):
    id: int
    text: str
    author: str


class DirectiveCancelled(TypedDict):
    id: int
    reason: str


class TaskOverdue(TypedDict):
    id: int  # the task
    directive_id: int
    title: str
    priority: str
    deadline: str | None
    unit_name: str


class DocumentChanged(TypedDict):
    id: int
    direction: str
    status: str
    number_symbol: str
    register_number: int | None
    text: str
    to_user: str | None
    files: NotRequired[list[int]]  # document.files_added


class MeetingScheduled(TypedDict):
    id: int
    title: str
    starts_at: str
    room: str
    units: list[str]
    people: list[str]


class RoomCreated(TypedDict):
    id: int
    name: str


class MeetingUpdated(TypedDict):
    """Agenda, status, notes, votes opened or closed, conclusions: `id` is the row that changed."""
    id: int
    meeting_id: NotRequired[int]
    title: NotRequired[str]
    presenter: NotRequired[str]
    status: NotRequired[str]
    reason: NotRequired[str]
    owner_unit: NotRequired[str | None]


class MeetingCheckedIn(TypedDict):
    id: int
    meeting_id: int
    person: str
    method: str


class MeetingVoted(TypedDict):
    id: int
    meeting_id: int
    item_id: int
    choice: str


declare(SOURCE, "directive.issued", DirectiveIssued, doc="A directive was issued to units.")
declare(SOURCE, list(TASK_KINDS.values()), TaskChanged, doc="A unit acknowledged, reported on or finished its task, "
        "or the issuer returned it.")
declare(SOURCE, "directive.comment", DirectiveComment, doc="A comment on a directive.")
declare(SOURCE, "directive.cancelled", DirectiveCancelled, doc="A directive was cancelled.")
declare(SOURCE, "directive.overdue", TaskOverdue, doc="Scheduled: a task is past its deadline (once per task).")
declare(SOURCE, list(DOCUMENT_KINDS.values()), DocumentChanged, doc="A step in an official document's handling.")
declare(SOURCE, "meeting.scheduled", MeetingScheduled, doc="A meeting was scheduled.")
declare(SOURCE, "room.created", RoomCreated, doc="A meeting room was added.")
declare(SOURCE, "meeting.updated", MeetingUpdated, doc="A meeting's agenda, status, notes, votes or conclusions.")
declare(SOURCE, "meeting.checked_in", MeetingCheckedIn, doc="Someone checked in to a meeting.")
declare(SOURCE, "meeting.voted", MeetingVoted, doc="A vote on an agenda item.")
