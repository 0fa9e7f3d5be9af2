"""The work area's JSON API: directives and tasks, documents, meetings, files and notifications."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import NotFound, ValidationFailed
from opscenter.core.inputs import Line
from opscenter.core.permissions import needs, require
from opscenter.org.models import User
from opscenter.org.roles import Perm

from . import exports
from .deadlines import timeliness
from .filters import (
    DirectiveFilterSchema,
    DocumentFilterSchema,
    MeetingFilterSchema,
    NotificationFilterSchema,
)
from .models import AgendaItem, Directive, Document, Meeting, Notification, StoredFile, Task
from .schemas import (
    AgendaItemIn,
    BoardRow,
    CheckInIn,
    ConclusionIn,
    DirectIn,
    DirectiveDetailOut,
    DirectiveIn,
    DirectiveOut,
    DocumentAssignIn,
    DocumentDetailOut,
    DocumentIn,
    DocumentOut,
    FileOut,
    FilesIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingNoteIn,
    MeetingOut,
    MeetingStatusIn,
    NotificationOut,
    ReadIn,
    ReviewIn,
    RoomIn,
    RoomOut,
    ScheduledOut,
    VoteIn,
    WorkNoteIn,
    WorkReasonIn,
)
from .services import directives, documents, files, meetings, notify

router = Router()
WORK_PERMS = (Perm.VIEW_DOCUMENTS, Perm.HANDLE_DIRECTIVES, Perm.ISSUE_DIRECTIVES, Perm.MANAGE_MEETINGS)


def _name(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _user(username: str | None, field: str) -> User:
    user = User.objects.filter(username=username or "", is_active=True).first()
    if user is None:
        raise ValidationFailed.one(field, _("no such active user"))
    return user


# --- files and notifications ---

def file_out(f: StoredFile) -> dict[str, Any]:
    return {"id": f.pk, "name": f.name, "mime": f.mime, "size": f.size, "sha256": f.sha256, "ocr": f.ocr,
            "extracted": f.extracted, "signatures": f.signatures, "url": reverse("work:file", args=[f.pk])}


@router.post("/files", response={201: FileOut, 200: FileOut})
@needs(Perm.VIEW_DOCUMENTS, Perm.HANDLE_DIRECTIVES, Perm.ISSUE_DIRECTIVES, Perm.MANAGE_MEETINGS)
def upload(request: AuthedRequest, file: File[UploadedFile]):
    """Upload a PDF, office document or scan (checked by content and size); attach it by id afterwards."""
    if not any(request.user.has_perm_in(p) for p in WORK_PERMS):
        raise PermissionDenied
    stored, created = files.store(request.user, file)
    stored.refresh_from_db()  # the text extracted after commit (at once when tasks run eagerly)
    return Status(201 if created else 200, file_out(stored))


@router.get("/notifications", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
@needs()
def list_notifications(request: AuthedRequest, filters: Query[NotificationFilterSchema]):
    qs = filters.filter(Notification.objects.filter(user=request.user))
    return [{"id": n.pk, "kind": n.kind, "title": n.shown_title, "url": n.url, "created_at": n.created_at,
             "read": n.read_at is not None} for n in qs]


@router.get("/notifications/count")
@needs()
def notification_count(request: AuthedRequest) -> dict[str, int]:
    return {"unread": notify.unread_count(request.user)}


@router.post("/notifications/read")
@needs()
def read_notifications(request: AuthedRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": notify.mark_read(request.user, payload.ids)}


# --- directives ---

def task_out(t: Task, now=None) -> dict[str, Any]:
    return {"id": t.pk, "unit": t.unit.code, "unit_name": str(t.unit), "owner": _name(t.owner), "status": t.status,
            "progress": t.progress, "deadline": t.deadline, "acknowledged_at": t.acknowledged_at,
            "done_at": t.done_at, "timeliness": timeliness(t.deadline, t.done_at, now or timezone.now()).value}


def directive_out(user: User, d: Directive) -> dict[str, Any]:
    return {
        **{f: getattr(d, f) for f in ("id", "title", "content", "priority", "deadline", "status", "cancel_reason",
                                      "issued_at", "alert_id", "document_id", "conclusion_id")},
        "issued_by": d.issued_by.get_username(), "issuing_unit": d.issuing_unit.code,
        "tasks": [task_out(t) for t in directives.visible_tasks(user, d)],
    }


def directive_detail(user: User, d: Directive) -> dict[str, Any]:
    tasks = {t.pk for t in directives.visible_tasks(user, d)}
    updates = [u for u in d.updates.select_related("author", "task__unit").prefetch_related("attachments")
               if u.task_id is None or u.task_id in tasks]
    return {
        **directive_out(user, d), "attachments": [file_out(f) for f in d.attachments.all()],
        "updates": [{"id": u.pk, "time": u.time, "kind": u.kind, "unit": u.task.unit.code if u.task else None,
                     "author": _name(u.author), "text": u.text, "progress": u.progress,
                     "attachments": [file_out(f) for f in u.attachments.all()]} for u in updates],
    }


def _directive_draft(payload: DirectiveIn, key: str | None) -> directives.DirectiveDraft:
    data = payload.dict()
    data["idempotency_key"] = data["idempotency_key"] or key
    return directives.DirectiveDraft(**data)


@router.post("/directives", response={201: DirectiveDetailOut, 200: DirectiveDetailOut})
@needs(Perm.ISSUE_DIRECTIVES)
def issue_directive(request: AuthedRequest, payload: DirectiveIn):
    """Issue a directive to units (codes) and/or every unit of some kinds in your scope."""
    directive, created = directives.issue(request.user, _directive_draft(payload,
                                                                         request.headers.get("Idempotency-Key")))
    return Status(201 if created else 200, directive_detail(request.user, directive))


@router.get("/directives", response=list[DirectiveOut])
@paginate(LimitOffsetPagination)
@needs(Perm.HANDLE_DIRECTIVES, Perm.ISSUE_DIRECTIVES)
def list_directives(request: AuthedRequest, filters: Query[DirectiveFilterSchema]):
    qs = filters.filter(directives.visible(request.user)).select_related("issued_by", "issuing_unit")
    return [directive_out(request.user, d) for d in qs]


@router.get("/directives/board", response=list[BoardRow])
@needs(Perm.HANDLE_DIRECTIVES)
def directive_board(request: AuthedRequest):
    """Per unit: tasks done on time, late, overdue, and open."""
    require(request.user, Perm.HANDLE_DIRECTIVES)
    return directives.board(request.user)


@router.get("/directives/{directive_id}", response=DirectiveDetailOut)
@needs(Perm.HANDLE_DIRECTIVES, Perm.ISSUE_DIRECTIVES)
def get_directive(request: AuthedRequest, directive_id: int):
    return directive_detail(request.user, directives.get(request.user, directive_id))


@router.post("/directives/{directive_id}/comments", response={201: DirectiveDetailOut})
@needs(Perm.HANDLE_DIRECTIVES, Perm.ISSUE_DIRECTIVES)
def comment_directive(request: AuthedRequest, directive_id: int, payload: WorkNoteIn):
    directive = directives.get(request.user, directive_id)
    directives.comment(request.user, directive, payload.text, payload.attachments)
    return Status(201, directive_detail(request.user, directive))


@router.post("/directives/{directive_id}/cancel", response=DirectiveDetailOut)
@needs(Perm.ISSUE_DIRECTIVES)
def cancel_directive(request: AuthedRequest, directive_id: int, payload: WorkReasonIn):
    directive = directives.cancel(request.user, directives.get(request.user, directive_id), payload.reason)
    return directive_detail(request.user, directive)


def _task_action(request: AuthedRequest, task_id: int, action) -> dict[str, Any]:
    task = directives.get_task(request.user, task_id)
    action(task)
    return directive_detail(request.user, directives.get(request.user, task.directive_id))


@router.post("/tasks/{task_id}/acknowledge", response=DirectiveDetailOut)
@needs(Perm.HANDLE_DIRECTIVES)
def acknowledge_task(request: AuthedRequest, task_id: int, payload: WorkNoteIn):
    return _task_action(request, task_id, lambda t: directives.acknowledge(request.user, t, payload.text))


@router.post("/tasks/{task_id}/progress", response=DirectiveDetailOut)
@needs(Perm.HANDLE_DIRECTIVES)
def task_progress(request: AuthedRequest, task_id: int, payload: WorkNoteIn):
    return _task_action(request, task_id, lambda t: directives.report_progress(
        request.user, t, payload.text, payload.progress, payload.attachments))


@router.post("/tasks/{task_id}/done", response=DirectiveDetailOut)
@needs(Perm.HANDLE_DIRECTIVES)
def task_done(request: AuthedRequest, task_id: int, payload: WorkNoteIn):
    return _task_action(request, task_id, lambda t: directives.complete(request.user, t, payload.text,
                                                                        payload.attachments))


@router.post("/tasks/{task_id}/return", response=DirectiveDetailOut)
@needs(Perm.ISSUE_DIRECTIVES)
def task_return(request: AuthedRequest, task_id: int, payload: WorkNoteIn):
    return _task_action(request, task_id, lambda t: directives.return_for_rework(request.user, t, payload.text))


# --- documents ---

def document_out(d: Document) -> dict[str, Any]:
    return {
        **{f: getattr(d, f) for f in ("id", "direction", "status", "year", "register_number", "doc_type",
                                      "number_symbol", "issue_date", "issuing_body", "summary", "signer", "urgency",
                                      "confidentiality", "recipients", "handling_deadline", "created_at",
                                      "cancel_reason")},
        "unit": d.unit.code, "handler": _name(d.handler),
        "recipient_units": [u.code for u in d.recipient_units.all()],
    }


def document_detail(d: Document) -> dict[str, Any]:
    return {**document_out(d), "files": [file_out(f) for f in d.files.all()],
            "actions": [{"time": a.time, "action": a.action, "actor": _name(a.actor), "to_user": _name(a.to_user),
                         "deadline": a.deadline, "text": a.text}
                        for a in d.actions.select_related("actor", "to_user")]}


def _fields(payload: DocumentIn, key: str | None) -> documents.DocumentFields:
    data = payload.dict()
    data["idempotency_key"] = data["idempotency_key"] or key
    return documents.DocumentFields(**data)


@router.post("/documents/incoming", response={201: DocumentDetailOut, 200: DocumentDetailOut})
@needs(Perm.REGISTER_DOCUMENTS)
def register_incoming(request: AuthedRequest, payload: DocumentIn):
    """Register a received document; it gets the next number of the unit's incoming register for the year."""
    document, created = documents.register_incoming(request.user, _fields(payload,
                                                                          request.headers.get("Idempotency-Key")))
    return Status(201 if created else 200, document_detail(document))


@router.post("/documents/outgoing", response={201: DocumentDetailOut, 200: DocumentDetailOut})
@needs((Perm.VIEW_DOCUMENTS, Perm.REGISTER_DOCUMENTS), (Perm.VIEW_DOCUMENTS, Perm.ISSUE_DIRECTIVES))
def draft_outgoing(request: AuthedRequest, payload: DocumentIn):
    """Draft an outgoing document; it is numbered when the records clerk issues it."""
    document, created = documents.draft_outgoing(request.user, _fields(payload,
                                                                       request.headers.get("Idempotency-Key")))
    return Status(201 if created else 200, document_detail(document))


@router.get("/documents", response=list[DocumentOut])
@paginate(LimitOffsetPagination)
@needs(Perm.VIEW_DOCUMENTS)
def list_documents(request: AuthedRequest, filters: Query[DocumentFilterSchema]):
    """Documents in scope, newest first; `q` searches number, summary and file text without diacritics."""
    require(request.user, Perm.VIEW_DOCUMENTS)
    qs = filters.filter(documents.search(request.user, filters.q or ""))
    return [document_out(d) for d in qs.select_related("unit", "handler").prefetch_related("recipient_units")]


@router.get("/documents/{document_id}", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def get_document(request: AuthedRequest, document_id: int):
    return document_detail(documents.get(request.user, document_id, viewed=True))


def _doc_action(request: AuthedRequest, document_id: int, action) -> dict[str, Any]:
    document = action(documents.get(request.user, document_id))
    return document_detail(documents.get(request.user, document.pk))


@router.post("/documents/{document_id}/assign", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def assign_document(request: AuthedRequest, document_id: int, payload: DocumentAssignIn):
    handler = User.objects.filter(username=payload.handler, is_active=True).first()
    return _doc_action(request, document_id, lambda d: documents.assign(request.user, d, handler, payload.deadline,
                                                                        payload.text, payload.expected_handler))


@router.post("/documents/{document_id}/forward", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def forward_document(request: AuthedRequest, document_id: int, payload: DocumentAssignIn):
    handler = User.objects.filter(username=payload.handler, is_active=True).first()
    return _doc_action(request, document_id, lambda d: documents.forward(request.user, d, handler, payload.text,
                                                                         payload.expected_handler))


@router.post("/documents/{document_id}/process", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def process_document(request: AuthedRequest, document_id: int, payload: WorkNoteIn):
    return _doc_action(request, document_id, lambda d: documents.process(request.user, d, payload.text))


@router.post("/documents/{document_id}/close", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def close_document(request: AuthedRequest, document_id: int, payload: WorkNoteIn):
    return _doc_action(request, document_id, lambda d: documents.close(request.user, d, payload.text))


@router.post("/documents/{document_id}/submit", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def submit_document(request: AuthedRequest, document_id: int, payload: WorkNoteIn):
    return _doc_action(request, document_id, lambda d: documents.submit_for_review(request.user, d, payload.text))


@router.post("/documents/{document_id}/review", response=DocumentDetailOut)
@needs(Perm.APPROVE_DOCUMENTS)
def review_document(request: AuthedRequest, document_id: int, payload: ReviewIn):
    return _doc_action(request, document_id, lambda d: documents.review(request.user, d, payload.approve,
                                                                        payload.text))


@router.post("/documents/{document_id}/issue", response=DocumentDetailOut)
@needs(Perm.REGISTER_DOCUMENTS)
def issue_document(request: AuthedRequest, document_id: int, payload: WorkNoteIn):
    return _doc_action(request, document_id, lambda d: documents.issue(request.user, d, payload.text))


@router.post("/documents/{document_id}/files", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def attach_files(request: AuthedRequest, document_id: int, payload: FilesIn):
    return _doc_action(request, document_id, lambda d: documents.attach(request.user, d, payload.files))


@router.post("/documents/{document_id}/cancel", response=DocumentDetailOut)
@needs(Perm.VIEW_DOCUMENTS)
def cancel_document(request: AuthedRequest, document_id: int, payload: WorkReasonIn):
    return _doc_action(request, document_id, lambda d: documents.cancel(request.user, d, payload.reason))


# --- meetings ---

def room_out(r) -> dict[str, Any] | None:
    return r and {"id": r.pk, "name": r.name, "location": r.location, "capacity": r.capacity, "unit": r.unit.code}


def meeting_out(m: Meeting) -> dict[str, Any]:
    return {
        **{f: getattr(m, f) for f in ("id", "title", "chair", "online_url", "starts_at", "ends_at", "status",
                                      "cancel_reason")},
        "unit": m.unit.code, "organiser": m.organiser.get_username(), "room": room_out(m.room),
        "units": [u.code for u in m.invited_units.all()], "people": [p.username for p in m.invited_people.all()],
    }


def item_out(item: AgendaItem) -> dict[str, Any]:
    return {"id": item.pk, "position": item.position, "title": item.title, "presenter": item.presenter_label,
            "minutes": item.minutes, "documents": [file_out(f) for f in item.documents.all()],
            "vote_question": item.vote_question, "vote_options": item.vote_options,
            "voting_open": item.voting_open, "tally": meetings.tally(item),
            "opinions": [v.opinion for v in item.votes.all() if v.opinion]}


def meeting_detail(user: User, m: Meeting) -> dict[str, Any]:
    return {
        **meeting_out(m),
        "agenda": [item_out(i) for i in m.agenda.prefetch_related("documents", "votes")],
        "attendance": [{"person": a.person.username, "checked_in_at": a.checked_in_at, "method": a.method}
                       for a in m.attendance.select_related("person")],
        "notes": [{"time": n.time, "author": _name(n.author), "item_id": n.item_id, "text": n.text}
                  for n in m.notes.select_related("author")],
        "conclusions": [{"id": c.pk, "text": c.text, "owner_unit": c.owner_unit.code if c.owner_unit else None,
                         "owner": _name(c.owner), "deadline": c.deadline, "item_id": c.item_id,
                         "directive_id": getattr(getattr(c, "directive", None), "pk", None)}
                        for c in m.conclusions.select_related("owner_unit", "owner", "directive")],
        "checkin_url": reverse("work:checkin", args=[m.pk, meetings.checkin_token(m)])
        if meetings.may_manage(user, m) else None,
    }


@router.get("/rooms", response=list[RoomOut])
@needs(Perm.ATTEND_MEETINGS, Perm.MANAGE_MEETINGS)
def list_rooms(request: AuthedRequest):
    require(request.user, Perm.ATTEND_MEETINGS)
    from .models import Room

    return [room_out(r) for r in Room.objects.filter(active=True).select_related("unit")]


@router.post("/rooms", response={201: RoomOut})
@needs(Perm.MANAGE_MEETINGS)
def create_room(request: AuthedRequest, payload: RoomIn):
    return Status(201, room_out(meetings.create_room(request.user, payload.name, payload.location, payload.capacity)))


def _clash_out(clashes) -> list[dict[str, Any]]:
    people = {u.pk: u.username for u in User.objects.filter(pk__in={p for c in clashes for p in c.people})}
    return [{"meeting": c.meeting, "title": c.title, "room": c.room, "people": sorted(people[p] for p in c.people)}
            for c in clashes]


@router.post("/meetings", response={201: ScheduledOut, 200: ScheduledOut})
@needs(Perm.MANAGE_MEETINGS)
def schedule_meeting(request: AuthedRequest, payload: MeetingIn):
    """Schedule a meeting; a room already booked is a 409, people booked elsewhere are listed in `clashes`."""
    data = payload.dict()
    data["idempotency_key"] = data["idempotency_key"] or request.headers.get("Idempotency-Key")
    meeting, created, clashes = meetings.schedule(request.user, meetings.MeetingFields(**data))
    return Status(201 if created else 200, {"meeting": meeting_out(meeting), "created": created,
                                            "clashes": _clash_out(clashes)})


@router.get("/meetings", response=list[MeetingOut])
@paginate(LimitOffsetPagination)
@needs(Perm.ATTEND_MEETINGS, Perm.MANAGE_MEETINGS)
def list_meetings(request: AuthedRequest, filters: Query[MeetingFilterSchema]):
    require(request.user, Perm.ATTEND_MEETINGS)
    qs = filters.filter(meetings.visible(request.user)).select_related("unit", "organiser", "room", "room__unit")
    if filters.upcoming:
        qs = qs.order_by("starts_at")
    return [meeting_out(m) for m in qs]


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
@needs(Perm.ATTEND_MEETINGS, Perm.MANAGE_MEETINGS)
def get_meeting(request: AuthedRequest, meeting_id: int):
    return meeting_detail(request.user, meetings.get(request.user, meeting_id))


def _meeting_action(request: AuthedRequest, meeting_id: int, action) -> dict[str, Any]:
    action(meetings.get(request.user, meeting_id))
    return meeting_detail(request.user, meetings.get(request.user, meeting_id))


def _item(request: AuthedRequest, meeting_id: int, item_id: int) -> AgendaItem:
    item = meetings.get(request.user, meeting_id).agenda.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such agenda item"))
    return item


@router.post("/meetings/{meeting_id}/agenda", response={201: MeetingDetailOut})
@needs(Perm.MANAGE_MEETINGS)
def add_agenda_item(request: AuthedRequest, meeting_id: int, payload: AgendaItemIn):
    return Status(201, _meeting_action(request, meeting_id, lambda m: meetings.add_agenda_item(
        request.user, m, **payload.dict())))


@router.post("/meetings/{meeting_id}/status", response=MeetingDetailOut)
@needs(Perm.MANAGE_MEETINGS)
def set_meeting_status(request: AuthedRequest, meeting_id: int, payload: MeetingStatusIn):
    return _meeting_action(request, meeting_id, lambda m: meetings.set_status(request.user, m, payload.status,
                                                                              payload.reason))


@router.post("/meetings/{meeting_id}/checkin", response=MeetingDetailOut)
@needs(Perm.ATTEND_MEETINGS, Perm.MANAGE_MEETINGS)
def check_in(request: AuthedRequest, meeting_id: int, payload: CheckInIn):
    """Check in yourself with the door's QR token, or (organisers) someone else by username."""
    def act(m: Meeting) -> None:
        if payload.token is not None:
            meetings.check_in(request.user, m, token=payload.token)
        else:
            meetings.check_in(request.user, m, person=_user(payload.username, "username"))
    return _meeting_action(request, meeting_id, act)


@router.post("/meetings/{meeting_id}/agenda/{item_id}/voting", response=MeetingDetailOut)
@needs(Perm.MANAGE_MEETINGS)
def set_voting(request: AuthedRequest, meeting_id: int, item_id: int, open: bool = True):
    item = _item(request, meeting_id, item_id)
    return _meeting_action(request, meeting_id, lambda m: meetings.set_voting(request.user, item, open))


@router.post("/meetings/{meeting_id}/agenda/{item_id}/votes", response={201: MeetingDetailOut, 200: MeetingDetailOut})
@needs(Perm.ATTEND_MEETINGS)
def vote(request: AuthedRequest, meeting_id: int, item_id: int, payload: VoteIn):
    item = _item(request, meeting_id, item_id)
    _vote, created = meetings.cast_vote(request.user, item, payload.choice, payload.opinion)
    return Status(201 if created else 200, meeting_detail(request.user, meetings.get(request.user, meeting_id)))


@router.post("/meetings/{meeting_id}/notes", response={201: MeetingDetailOut})
@needs(Perm.MANAGE_MEETINGS)
def add_meeting_note(request: AuthedRequest, meeting_id: int, payload: MeetingNoteIn):
    return Status(201, _meeting_action(request, meeting_id, lambda m: meetings.add_note(
        request.user, m, payload.text, payload.item_id)))


@router.post("/meetings/{meeting_id}/conclusions", response={201: MeetingDetailOut})
@needs(Perm.MANAGE_MEETINGS)
def add_conclusion(request: AuthedRequest, meeting_id: int, payload: ConclusionIn):
    return Status(201, _meeting_action(request, meeting_id, lambda m: meetings.add_conclusion(
        request.user, m, payload.text, payload.owner_unit, payload.owner, payload.deadline, payload.item_id)))


@router.post("/meetings/{meeting_id}/conclusions/directives", response={201: list[DirectiveOut]})
@needs(Perm.ISSUE_DIRECTIVES)
def direct_conclusions(request: AuthedRequest, meeting_id: int, payload: DirectIn):
    """Turn the meeting's conclusions into tracked directives, in one step."""
    issued = meetings.conclusions_to_directives(request.user, meetings.get(request.user, meeting_id),
                                                payload.conclusions)
    return Status(201, [directive_out(request.user, d) for d in issued])


@router.get("/meetings/{meeting_id}/minutes.{fmt}")
@needs(Perm.ATTEND_MEETINGS, Perm.MANAGE_MEETINGS)
def meeting_minutes(request: AuthedRequest, meeting_id: int, fmt: Line):
    """The minutes as `pdf` or `docx`, generated from the agenda, notes, votes and conclusions."""
    meeting = meetings.get(request.user, meeting_id)
    if fmt not in ("pdf", "docx"):
        raise NotFound(_("Minutes come as pdf or docx"))
    return minutes_response(meeting, fmt)


def minutes_response(meeting: Meeting, fmt: str) -> HttpResponse:
    mime = {"pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[fmt]
    body = exports.pdf(meeting) if fmt == "pdf" else exports.docx(meeting)
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.pk}.{fmt}"'
    return response
