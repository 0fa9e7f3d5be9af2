import datetime as dt

from ninja import Schema


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
    ids: list[int] | None = None


# --- directives ---

class DirectiveIn(Schema):
    title: str
    content: str
    units: list[str] = []
    unit_kinds: list[str] = []
    priority: str = "normal"
    deadline: dt.datetime | None = None
    attachments: list[int] = []
    alert_id: int | None = None
    document_id: int | None = None
    idempotency_key: str | None = None


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


class NoteIn(Schema):
    text: str = ""
    progress: int | None = None
    attachments: list[int] = []


class ReasonIn(Schema):
    reason: str = ""


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
    summary: str
    doc_type: str = "cong_van"
    number_symbol: str = ""
    issuer_symbol: str = ""
    issue_date: dt.date | None = None
    issuing_body: str = ""
    signer: str = ""
    urgency: str = "normal"
    confidentiality: int = 0
    recipients: str = ""
    recipient_units: list[str] = []
    files: list[int] = []
    unit: str | None = None
    idempotency_key: str | None = None


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


class AssignIn(Schema):
    handler: str
    deadline: dt.datetime | None = None
    text: str = ""
    # The handler the client saw ("" for none): if another was given the document since, 409.
    expected_handler: str | None = None


class ReviewIn(Schema):
    approve: bool
    text: str = ""


class FilesIn(Schema):
    files: list[int]


# --- meetings ---

class RoomIn(Schema):
    name: str
    location: str = ""
    capacity: int | None = None


class RoomOut(Schema):
    id: int
    name: str
    location: str
    capacity: int | None
    unit: str


class MeetingIn(Schema):
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: int | None = None
    online_url: str = ""
    chair: str = ""
    units: list[str] = []
    people: list[str] = []
    idempotency_key: str | None = None


class ClashOut(Schema):
    meeting: int
    title: str
    room: bool
    people: list[str]


class AgendaItemIn(Schema):
    title: str
    presenter: str = ""
    minutes: int | None = None
    documents: list[int] = []
    vote_question: str = ""
    vote_options: list[str] = []


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
    text: str
    owner_unit: str | None = None
    owner: str | None = None
    deadline: dt.datetime | None = None
    item_id: int | None = None


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
    token: str | None = None
    username: str | None = None


class VoteIn(Schema):
    choice: str = ""
    opinion: str = ""


class MeetingNoteIn(Schema):
    text: str
    item_id: int | None = None


class StatusIn(Schema):
    status: str
    reason: str = ""


class DirectIn(Schema):
    conclusions: list[int] | None = None
