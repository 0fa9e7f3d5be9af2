import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from opscenter.core.inputs import CleanStr, Count, Id, LocalDateTime, SaneDate, Text, Username

Code = Annotated[str, CleanStr(32)]  # unit codes, unit kinds
Key = Annotated[str, CleanStr(100)]  # idempotency keys


class FileOut(Schema):
    id: int
    name: str
    mime: str
    size: int
    sha256: str
    ocr: bool
    extracted: bool
    signatures: list[dict]
    url: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    created_at: dt.datetime
    read: bool


class ReadIn(Schema):
    ids: list[Id] | None = None


# --- directives ---

class DirectiveIn(Schema):
    title: Annotated[str, CleanStr(255)]
    content: Annotated[str, Text()]
    units: list[Code] = []
    unit_kinds: list[Code] = []
    priority: Annotated[str, CleanStr(10)] = "normal"
    deadline: LocalDateTime | None = None
    attachments: list[Id] = []
    alert_id: Id | None = None
    document_id: Id | None = None
    idempotency_key: Key | None = None


class TaskOut(Schema):
    id: int
    unit: str
    unit_name: str
    owner: str | None
    status: str
    progress: int
    deadline: dt.datetime | None
    acknowledged_at: dt.datetime | None
    done_at: dt.datetime | None
    timeliness: str


class UpdateOut(Schema):
    id: int
    time: dt.datetime
    kind: str
    unit: str | None
    author: str | None
    text: str
    progress: int | None
    attachments: list[FileOut]


class DirectiveOut(Schema):
    id: int
    title: str
    content: str
    priority: str
    deadline: dt.datetime | None
    status: str
    cancel_reason: str
    issued_at: dt.datetime
    issued_by: str
    issuing_unit: str
    alert_id: int | None
    document_id: int | None
    conclusion_id: int | None
    tasks: list[TaskOut]


class DirectiveDetailOut(DirectiveOut):
    attachments: list[FileOut]
    updates: list[UpdateOut]


class WorkNoteIn(Schema):
    text: Annotated[str, Text()] = ""
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    attachments: list[Id] = []


class WorkReasonIn(Schema):
    reason: Annotated[str, Text()] = ""


class BoardRow(Schema):
    unit: str
    unit_name: str
    total: int
    on_time: int
    late: int
    overdue: int
    open: int


# --- documents ---

class DocumentIn(Schema):
    summary: Annotated[str, Text()]
    doc_type: Annotated[str, CleanStr(16)] = "cong_van"
    number_symbol: Annotated[str, CleanStr(64)] = ""
    issuer_symbol: Annotated[str, CleanStr(32)] = ""
    issue_date: SaneDate | None = None
    issuing_body: Annotated[str, CleanStr(255)] = ""
    signer: Annotated[str, CleanStr(150)] = ""
    urgency: Annotated[str, CleanStr(12)] = "normal"
    confidentiality: Annotated[int, Field(ge=0, le=9)] = 0
    recipients: Annotated[str, Text()] = ""
    recipient_units: list[Code] = []
    files: list[Id] = []
    unit: Code | None = None
    idempotency_key: Key | None = None


class ActionOut(Schema):
    time: dt.datetime
    action: str
    actor: str | None
    to_user: str | None
    deadline: dt.datetime | None
    text: str


class DocumentOut(Schema):
    id: int
    direction: str
    unit: str
    status: str
    year: int | None
    register_number: int | None
    doc_type: str
    number_symbol: str
    issue_date: dt.date | None
    issuing_body: str
    summary: str
    signer: str
    urgency: str
    confidentiality: int
    recipients: str
    recipient_units: list[str]
    handler: str | None
    handling_deadline: dt.datetime | None
    created_at: dt.datetime
    cancel_reason: str


class DocumentDetailOut(DocumentOut):
    files: list[FileOut]
    actions: list[ActionOut]


class DocumentAssignIn(Schema):
    handler: Username
    deadline: LocalDateTime | None = None
    text: Annotated[str, Text()] = ""
    # The handler the client saw ("" for none): if another was given the document since, 409.
    expected_handler: Username | None = None


class ReviewIn(Schema):
    approve: bool
    text: Annotated[str, Text()] = ""


class FilesIn(Schema):
    files: list[Id]


# --- meetings ---

class RoomIn(Schema):
    name: Annotated[str, CleanStr(150)]
    location: Annotated[str, CleanStr(255)] = ""
    capacity: Count | None = None


class RoomOut(Schema):
    id: int
    name: str
    location: str
    capacity: int | None
    unit: str


class MeetingIn(Schema):
    title: Annotated[str, CleanStr(255)]
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    room_id: Id | None = None
    online_url: Annotated[str, CleanStr(200)] = ""
    chair: Annotated[str, CleanStr(150)] = ""
    units: list[Code] = []
    people: list[Username] = []
    idempotency_key: Key | None = None


class ClashOut(Schema):
    meeting: int
    title: str
    room: bool
    people: list[str]


AgendaMinutes = Annotated[int, Field(ge=1, le=24 * 60, description="Planned duration, at most a day")]


class AgendaItemIn(Schema):
    title: Annotated[str, CleanStr(255)]
    presenter: Annotated[str, CleanStr(150)] = ""
    minutes: AgendaMinutes | None = None
    documents: list[Id] = []
    vote_question: Annotated[str, CleanStr(255)] = ""
    vote_options: list[Annotated[str, CleanStr(100)]] = []


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    presenter: str
    minutes: int | None
    documents: list[FileOut]
    vote_question: str
    vote_options: list[str]
    voting_open: bool
    tally: dict[str, int]
    opinions: list[str]


class ConclusionIn(Schema):
    text: Annotated[str, Text()]
    owner_unit: Code | None = None
    owner: Username | None = None
    deadline: LocalDateTime | None = None
    item_id: Id | None = None


class ConclusionOut(Schema):
    id: int
    text: str
    owner_unit: str | None
    owner: str | None
    deadline: dt.datetime | None
    item_id: int | None
    directive_id: int | None


class MeetingOut(Schema):
    id: int
    title: str
    unit: str
    organiser: str
    chair: str
    room: RoomOut | None
    online_url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    cancel_reason: str
    units: list[str]
    people: list[str]


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    attendance: list[dict]
    notes: list[dict]
    conclusions: list[ConclusionOut]
    checkin_url: str | None


class ScheduledOut(Schema):
    meeting: MeetingOut
    created: bool
    clashes: list[ClashOut]


class CheckInIn(Schema):
    token: Annotated[str, CleanStr(200)] | None = None
    username: Username | None = None


class VoteIn(Schema):
    choice: Annotated[str, CleanStr(100)] = ""
    opinion: Annotated[str, Text()] = ""


class MeetingNoteIn(Schema):
    text: Annotated[str, Text()]
    item_id: Id | None = None


class MeetingStatusIn(Schema):
    status: Annotated[str, CleanStr(12)]
    reason: Annotated[str, Text()] = ""


class DirectIn(Schema):
    conclusions: list[Id] | None = None
