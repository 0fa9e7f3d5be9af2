"""Pages of the work area: directives, documents, meetings, notifications. Thin: every write goes to the
services; a refused write comes back as a message on the page it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import Conflict, NotFound, ValidationFailed
from opscenter.core.inputs import Count, Id, LocalDateTime, SaneDate, check_form, form_value
from opscenter.core.permissions import login_only, perm_required
from opscenter.core.ui import page, qr_svg, show_failure
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from .api import minutes_response
from .deadlines import timeliness
from .filters import DirectiveFilterSet, DocumentFilterSet
from .models import (
    AgendaItem,
    Confidentiality,
    Direction,
    DirectiveUpdate,
    DocType,
    Document,
    Meeting,
    Notification,
    Priority,
    Room,
    StoredFile,
    Task,
    Urgency,
)
from .picker import unit_groups
from .schemas import AgendaMinutes
from .services import directives, documents, files, meetings, notify

PAGE_SIZE = 30


def work_page(request: AuthedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return page(request, template, {"unread_notices": notify.unread_count(request.user), **context})


def _local(raw: str | None, field: str = "deadline") -> dt.datetime | None:
    """A datetime-local input ("2025-07-01T09:00"), read as the API reads times: in the site's time zone, within
    1900..2200."""
    return form_value(LocalDateTime, raw, field)


def _uploads(request: AuthedRequest, field: str) -> list[int]:
    return [files.store(request.user, f, field)[0].pk for f in request.FILES.getlist(field)]


def _attempt(request: AuthedRequest, action: Callable[[], Any], done: str, back: str) -> HttpResponse:
    """Run a write; on refusal show why (naming the field) and go back."""
    try:
        check_form(request.POST)  # what no field may hold (NUL...), before anything reads it
        result = action()
    except ValidationFailed as exc:
        show_failure(request, exc, named=True)
        return redirect(back)
    except Conflict as exc:
        messages.warning(request, str(exc))
        return redirect(back)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, done)
    return redirect(result if isinstance(result, str) else back)


def _found(getter: Callable[[], Any]) -> Any:
    try:
        return getter()
    except NotFound as exc:
        raise Http404(str(exc)) from exc


# --- notifications ---

@login_only
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        notify.mark_read(request.user)
        return redirect("work:notifications")
    items = Notification.objects.filter(user=request.user)[:200]
    return work_page(request, "work/notifications.html", {"items": items})


@login_only
def notification_count(request: AuthedRequest) -> HttpResponse:
    """A small fragment for any page's top bar: the unread count, linking to the list."""
    return render(request, "work/_notice_count.html", {"unread_notices": notify.unread_count(request.user)})


@login_only
def open_notification(request: AuthedRequest, notification_id: int) -> HttpResponse:
    notice = Notification.objects.filter(user=request.user, pk=notification_id).first()
    if notice is None:
        raise Http404
    notify.mark_read(request.user, [notice.pk])
    return redirect(notice.url or "work:notifications")


@login_only
def download(request: AuthedRequest, file_id: int) -> FileResponse:
    """A stored file, if the user may see something it belongs to; confidential downloads are audited."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None:
        raise Http404
    user = request.user
    if documents.above_clearance(user, stored):
        raise Http404
    document = documents.visible(user).filter(files=stored).first()
    allowed = (
        stored.uploaded_by_id == user.pk or document is not None
        or directives.visible(user).filter(attachments=stored).exists()
        or directives.visible(user).filter(updates__attachments=stored).exists()
        or meetings.visible(user).filter(agenda__documents=stored).exists()
    )
    if not allowed:
        raise Http404
    if document is not None:
        documents.record_download(user, document, stored.pk)
    return FileResponse(stored.file.open("rb"), as_attachment=request.GET.get("inline") != "1",
                        filename=stored.name, content_type=stored.mime)


# --- directives ---

@perm_required(Perm.HANDLE_DIRECTIVES)
def directive_list(request: AuthedRequest) -> HttpResponse:
    qs = DirectiveFilterSet(request.GET or None, queryset=directives.visible(request.user)).qs.select_related(
        "issuing_unit", "issued_by")
    now = timezone.now()
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(d, [(t, timeliness(t.deadline, t.done_at, now).value) for t in directives.visible_tasks(request.user, d)])
            for d in page_obj]
    return work_page(request, "work/directive_list.html", {
        "page_obj": page_obj, "rows": rows, "board": directives.board(request.user, now),
        "may_issue": request.user.has_perm_in(Perm.ISSUE_DIRECTIVES),
    })


@perm_required(Perm.ISSUE_DIRECTIVES)
def directive_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        post = request.POST

        def issue() -> str:
            draft = directives.DirectiveDraft(
                title=post.get("title", ""), content=post.get("content", ""), units=post.getlist("units"),
                unit_kinds=post.getlist("unit_kinds"), priority=post.get("priority", Priority.NORMAL),
                deadline=_local(post.get("deadline")), attachments=_uploads(request, "attachments"),
                alert_id=form_value(Id, post.get("alert_id"), "alert_id"),
                document_id=form_value(Id, post.get("document_id"), "document_id"),
                idempotency_key=post.get("idempotency_key") or None,
            )
            return reverse("work:directive", args=[directives.issue(request.user, draft)[0].pk])

        return _attempt(request, issue, _("Directive issued."), request.get_full_path())
    own = request.user.unit_id or 0
    units = request.user.scope_units().filter(active=True).exclude(pk=own).select_related("ward")
    return work_page(request, "work/directive_form.html", {
        "unit_groups": unit_groups(units), "kinds": Unit.Kind.choices, "priorities": Priority.choices,
        "alert_id": request.GET.get("alert", ""), "document_id": request.GET.get("document", ""),
    })


@perm_required(Perm.HANDLE_DIRECTIVES)
def directive_detail(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = _found(lambda: directives.get(request.user, directive_id))
    tasks = list(directives.visible_tasks(request.user, directive))
    shown = {t.pk for t in tasks}
    now = timezone.now()
    updates = [u for u in directive.updates.select_related("author", "task__unit").prefetch_related("attachments")
               if u.task_id is None or u.task_id in shown]
    return work_page(request, "work/directive_detail.html", {
        "directive": directive, "updates": updates, "kinds": dict(DirectiveUpdate.Kind.choices),
        "tasks": [(t, timeliness(t.deadline, t.done_at, now).value,
                   request.user.has_perm_in(Perm.HANDLE_DIRECTIVES, t.unit)) for t in tasks],
        "may_direct": directives.may_direct(request.user, directive),
    })


@require_POST
@perm_required(Perm.HANDLE_DIRECTIVES)
def task_action(request: AuthedRequest, task_id: int, action: str) -> HttpResponse:
    task = _found(lambda: directives.get_task(request.user, task_id))
    note = request.POST.get("text", "")
    progress = request.POST.get("progress")
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "acknowledge": (lambda: directives.acknowledge(request.user, task, note), _("Acknowledged.")),
        "progress": (lambda: directives.report_progress(request.user, task, note,
                                                        form_value(Count, progress, "progress"),
                                                        _uploads(request, "attachments")), _("Progress reported.")),
        "done": (lambda: directives.complete(request.user, task, note, _uploads(request, "attachments")),
                 _("Completion reported.")),
        "return": (lambda: directives.return_for_rework(request.user, task, note), _("Returned for rework.")),
    }
    if action not in actions:
        raise Http404
    return _attempt(request, actions[action][0], actions[action][1],
                    reverse("work:directive", args=[task.directive_id]))


@require_POST
@perm_required(Perm.HANDLE_DIRECTIVES)
def directive_action(request: AuthedRequest, directive_id: int, action: str) -> HttpResponse:
    directive = _found(lambda: directives.get(request.user, directive_id))
    back = reverse("work:directive", args=[directive.pk])
    if action == "comment":
        def add() -> object:
            return directives.comment(request.user, directive, request.POST.get("text", ""),
                                      _uploads(request, "attachments"))

        return _attempt(request, add, _("Comment added."), back)
    if action == "cancel":
        return _attempt(request, lambda: directives.cancel(request.user, directive, request.POST.get("reason", "")),
                        _("Directive cancelled."), back)
    raise Http404


# --- documents ---

@perm_required(Perm.VIEW_DOCUMENTS)
def document_list(request: AuthedRequest) -> HttpResponse:
    q, direction = request.GET.get("q", ""), request.GET.get("direction", "")
    filters = DocumentFilterSet(request.GET or None, queryset=documents.visible(request.user), request=request)
    qs = filters.qs.select_related("unit", "handler")
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return work_page(request, "work/document_list.html", {
        "page_obj": page_obj, "q": q, "direction": direction, "directions": Direction.choices,
        "may_register": request.user.has_perm_in(Perm.REGISTER_DOCUMENTS),
        "may_draft": request.user.has_perm_in(Perm.REGISTER_DOCUMENTS) or request.user.has_perm_in(
            Perm.ISSUE_DIRECTIVES),
    })


def _document_fields(request: AuthedRequest) -> documents.DocumentFields:
    post = request.POST
    return documents.DocumentFields(
        summary=post.get("summary", ""), doc_type=post.get("doc_type", DocType.OFFICIAL_LETTER),
        number_symbol=post.get("number_symbol", ""), issuer_symbol=post.get("issuer_symbol", ""),
        issue_date=form_value(SaneDate, post.get("issue_date"), "issue_date"),
        issuing_body=post.get("issuing_body", ""), signer=post.get("signer", ""),
        urgency=post.get("urgency", Urgency.NORMAL),
        confidentiality=form_value(Count, post.get("confidentiality"), "confidentiality") or 0,
        recipients=post.get("recipients", ""), recipient_units=post.getlist("recipient_units"),
        files=_uploads(request, "files"), idempotency_key=post.get("idempotency_key") or None,
    )


@perm_required(Perm.REGISTER_DOCUMENTS)
def incoming_new(request: AuthedRequest) -> HttpResponse:
    return _document_new(request, Direction.INCOMING)


@perm_required((Perm.VIEW_DOCUMENTS, Perm.REGISTER_DOCUMENTS), (Perm.VIEW_DOCUMENTS, Perm.ISSUE_DIRECTIVES))
def outgoing_new(request: AuthedRequest) -> HttpResponse:
    return _document_new(request, Direction.OUTGOING)


def _document_new(request: AuthedRequest, direction: str) -> HttpResponse:
    incoming = direction == Direction.INCOMING
    if request.method == "POST":
        def save() -> str:
            register = documents.register_incoming if incoming else documents.draft_outgoing
            return reverse("work:document", args=[register(request.user, _document_fields(request))[0].pk])

        done = _("Document registered.") if incoming else _("Draft saved.")
        return _attempt(request, save, done, request.get_full_path())
    return work_page(request, "work/document_form.html", {
        "incoming": incoming, "doc_types": DocType.choices, "urgencies": Urgency.choices,
        "levels": Confidentiality.choices,
        "unit_groups": [] if incoming else unit_groups(Unit.objects.filter(active=True).select_related("ward")),
        "today": timezone.localdate(),
    })


@perm_required(Perm.VIEW_DOCUMENTS)
def document_detail(request: AuthedRequest, document_id: int) -> HttpResponse:
    document = _found(lambda: documents.get(request.user, document_id, viewed=True))
    user = request.user
    unit = document.unit
    handlers = User.objects.filter(is_active=True, unit__path__startswith=unit.path).order_by("username")
    return work_page(request, "work/document_detail.html", {
        "document": document, "files": document.files.all(),
        "actions": document.actions.select_related("actor", "to_user"),
        "handlers": [h for h in handlers if h.has_perm_in(Perm.VIEW_DOCUMENTS, unit)],
        "may_assign": user.has_perm_in(Perm.REGISTER_DOCUMENTS, unit) or user.has_perm_in(Perm.APPROVE_DOCUMENTS,
                                                                                          unit),
        "is_handler": document.handler_id == user.pk, "is_drafter": document.created_by_id == user.pk,
        "may_approve": user.has_perm_in(Perm.APPROVE_DOCUMENTS, unit),
        "may_issue": user.has_perm_in(Perm.REGISTER_DOCUMENTS, unit),
        "may_direct": user.has_perm_in(Perm.ISSUE_DIRECTIVES),
        "directives": document.directives.all(),
    })


@require_POST
@perm_required(Perm.VIEW_DOCUMENTS)
def document_action(request: AuthedRequest, document_id: int, action: str) -> HttpResponse:
    document = _found(lambda: documents.get(request.user, document_id))
    post, user = request.POST, request.user
    note = post.get("text", "")

    def person() -> User | None:
        return User.objects.filter(username=post.get("handler", ""), is_active=True).first()

    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "assign": (lambda: documents.assign(user, document, person(), _local(post.get("deadline")), note,
                                            expected_handler=post.get("current_handler")), _("Handler assigned.")),
        "forward": (lambda: documents.forward(user, document, person(), note,
                                              expected_handler=post.get("current_handler")), _("Forwarded.")),
        "process": (lambda: documents.process(user, document, note), _("Processing recorded.")),
        "close": (lambda: documents.close(user, document, note), _("Document closed.")),
        "submit": (lambda: documents.submit_for_review(user, document, note), _("Submitted for review.")),
        "approve": (lambda: documents.review(user, document, True, note), _("Approved.")),
        "reject": (lambda: documents.review(user, document, False, note), _("Returned to the drafter.")),
        "issue": (lambda: documents.issue(user, document, note), _("Numbered and issued.")),
        "files": (lambda: documents.attach(user, document, _uploads(request, "files")), _("Files added.")),
        "cancel": (lambda: documents.cancel(user, document, post.get("reason", "")), _("Document cancelled.")),
    }
    if action not in actions:
        raise Http404
    return _attempt(request, actions[action][0], actions[action][1], reverse("work:document", args=[document.pk]))


# --- meetings ---

@perm_required(Perm.ATTEND_MEETINGS)
def meeting_list(request: AuthedRequest) -> HttpResponse:
    qs = meetings.visible(request.user).select_related("room", "unit").order_by("-starts_at")
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return work_page(request, "work/meeting_list.html", {
        "page_obj": page_obj, "may_manage": request.user.has_perm_in(Perm.MANAGE_MEETINGS),
    })


@perm_required(Perm.MANAGE_MEETINGS)
def meeting_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        post = request.POST

        def schedule() -> str:
            starts_at, ends_at = _local(post.get("starts_at"), "starts_at"), _local(post.get("ends_at"), "ends_at")
            if starts_at is None or ends_at is None:
                raise ValidationFailed.one("starts_at" if starts_at is None else "ends_at", _("a date and time"))
            meeting, _created, clashes = meetings.schedule(request.user, meetings.MeetingFields(
                title=post.get("title", ""), starts_at=starts_at, ends_at=ends_at,
                room_id=form_value(Id, post.get("room_id"), "room_id"),
                online_url=post.get("online_url", ""), chair=post.get("chair", ""), units=post.getlist("units"),
                people=[p for p in post.get("people", "").replace(",", " ").split() if p],
                idempotency_key=post.get("idempotency_key") or None,
            ))
            for clash in clashes:
                messages.warning(request, _("Some invitees are also in “%(title)s” at that time.")
                                 % {"title": clash.title})
            return reverse("work:meeting", args=[meeting.pk])

        return _attempt(request, schedule, _("Meeting scheduled."), request.get_full_path())
    return work_page(request, "work/meeting_form.html", {
        "rooms": Room.objects.filter(active=True).order_by("name"),
        "unit_groups": unit_groups(Unit.objects.filter(active=True).select_related("ward")),
    })


@perm_required(Perm.ATTEND_MEETINGS)
def meeting_detail(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    user = request.user
    agenda = list(meeting.agenda.prefetch_related("documents", "votes", "notes").select_related("presenter"))
    my_votes = {v.item_id: v for item in agenda for v in item.votes.all() if v.voter_id == user.pk}
    manage = meetings.may_manage(user, meeting)
    return work_page(request, "work/meeting_detail.html", {
        "meeting": meeting, "manage": manage,
        "agenda": [(item, meetings.tally(item), my_votes.get(item.pk)) for item in agenda],
        "attendance": meeting.attendance.select_related("person", "person__unit"),
        "checked_in": meeting.attendance.filter(person=user).exists(),
        "invited": meetings.is_invited(user, meeting),
        "notes": meeting.notes.select_related("author", "item"),
        "conclusions": meeting.conclusions.select_related("owner_unit", "owner", "directive"),
        "checkin_url": request.build_absolute_uri(reverse("work:checkin", args=[meeting.pk,
                                                                                 meetings.checkin_token(meeting)]))
        if manage else "",
        "units": Unit.objects.filter(active=True).order_by("kind", "name"),
        "may_direct": user.has_perm_in(Perm.ISSUE_DIRECTIVES),
    })


@require_POST
@perm_required(Perm.ATTEND_MEETINGS)
def meeting_action(request: AuthedRequest, meeting_id: int, action: str) -> HttpResponse:
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    post, user = request.POST, request.user
    back = reverse("work:meeting", args=[meeting.pk])

    def item() -> AgendaItem:
        found = meeting.agenda.filter(pk=form_value(Id, post.get("item_id"), "item_id") or 0).first()
        if found is None:
            raise ValidationFailed.one("item_id", _("no such agenda item in this meeting"))
        return found

    def item_id() -> int | None:
        return form_value(Id, post.get("item_id"), "item_id")

    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "agenda": (lambda: meetings.add_agenda_item(
            user, meeting, post.get("title", ""), post.get("presenter", ""),
            form_value(AgendaMinutes, post.get("minutes"), "minutes"), _uploads(request, "documents"),
            post.get("vote_question", ""), [o for o in post.get("vote_options", "").split(";") if o.strip()]),
            _("Agenda item added.")),
        "start": (lambda: meetings.set_status(user, meeting, Meeting.Status.IN_PROGRESS), _("Meeting started.")),
        "end": (lambda: meetings.set_status(user, meeting, Meeting.Status.ENDED), _("Meeting ended.")),
        "cancel": (lambda: meetings.set_status(user, meeting, Meeting.Status.CANCELLED, post.get("reason", "")),
                   _("Meeting cancelled.")),
        "checkin": (lambda: meetings.check_in(user, meeting, person=User.objects.filter(
            username=post.get("username", ""), is_active=True).first()), _("Checked in.")),
        "open_vote": (lambda: meetings.set_voting(user, item(), True), _("Voting opened.")),
        "close_vote": (lambda: meetings.set_voting(user, item(), False), _("Voting closed.")),
        "vote": (lambda: meetings.cast_vote(user, item(), post.get("choice", ""), post.get("opinion", "")),
                 _("Your vote is recorded.")),
        "note": (lambda: meetings.add_note(user, meeting, post.get("text", ""), item_id()), _("Note added.")),
        "conclusion": (lambda: meetings.add_conclusion(user, meeting, post.get("text", ""),
                                                       post.get("owner_unit") or None, post.get("owner") or None,
                                                       _local(post.get("deadline")), item_id()),
                       _("Conclusion added.")),
        "direct": (lambda: meetings.conclusions_to_directives(user, meeting), _("Directives issued from the "
                                                                                "conclusions.")),
    }
    if action not in actions:
        raise Http404
    return _attempt(request, actions[action][0], actions[action][1], back)


@login_only
def checkin(request: AuthedRequest, meeting_id: int, token: str) -> HttpResponse:
    """Where the door's QR code leads: a button that checks the signed-in person in."""
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    if request.method == "POST":
        return _attempt(request, lambda: meetings.check_in(request.user, meeting, token=token) and reverse(
            "work:meeting", args=[meeting.pk]), _("Checked in."), request.get_full_path())
    return work_page(request, "work/checkin.html", {
        "meeting": meeting, "checked_in": meeting.attendance.filter(person=request.user).exists()})


@perm_required(Perm.MANAGE_MEETINGS)
def meeting_qr(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    if not meetings.may_manage(request.user, meeting):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("work:checkin", args=[meeting.pk, meetings.checkin_token(meeting)]))
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


@perm_required(Perm.ATTEND_MEETINGS)
def meeting_minutes(request: AuthedRequest, meeting_id: int, fmt: str) -> HttpResponse:
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    if fmt not in ("pdf", "docx"):
        raise Http404
    return minutes_response(meeting, fmt)


@perm_required(Perm.ATTEND_MEETINGS)
def meeting_screen(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    """The agenda on the room's screen: big type, the current item, live tallies (refreshed by htmx)."""
    meeting = _found(lambda: meetings.get(request.user, meeting_id))
    agenda = [(item, meetings.tally(item)) for item in meeting.agenda.prefetch_related("votes")]
    template = "work/_screen.html" if request.headers.get("HX-Request") else "work/meeting_screen.html"
    return (render if request.headers.get("HX-Request") else work_page)(request, template, {
        "meeting": meeting, "agenda": agenda, "present": meeting.attendance.count()})


def _open_tasks_count(user: User) -> int:
    return Task.objects.filter(user.scope_filter(), status__in=Task.OPEN).count()


@login_only
def index(request: AuthedRequest) -> HttpResponse:
    """The work area's front page: what waits for me."""
    user = request.user
    return work_page(request, "work/index.html", {
        "open_tasks": _open_tasks_count(user) if user.has_perm_in(Perm.HANDLE_DIRECTIVES) else None,
        "my_documents": documents.visible(user).filter(handler=user).exclude(
            status__in=[Document.Status.CLOSED, Document.Status.CANCELLED]).select_related("unit")[:20],
        "upcoming": meetings.visible(user).filter(ends_at__gte=timezone.now(), status__in=[
            Meeting.Status.SCHEDULED, Meeting.Status.IN_PROGRESS]).order_by("starts_at")[:10],
        "notices": Notification.objects.filter(user=user, read_at__isnull=True)[:10],
    })
