"""Directives: issue to units, acknowledge, report progress and completion, return for rework, comment,
cancel; overdue tasks flagged for the alert rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.alerts.models import Alert
from opscenter.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from ..events import TASK_KINDS
from ..models import Conclusion, Directive, DirectiveUpdate, Priority, Task
from . import files, notify
from .common import actor_label, home_unit, record, text


@dataclass
class DirectiveDraft:
    title: str
    content: str
    units: Sequence[str] = ()  # unit codes
    unit_kinds: Sequence[str] = ()  # or every unit of these kinds in the issuer's scope
    priority: str = Priority.NORMAL
    deadline: dt.datetime | None = None
    attachments: Sequence[int] = ()
    alert_id: int | None = None
    document_id: int | None = None
    owner: User | None = None
    idempotency_key: str | None = None
    conclusion: Conclusion | None = field(default=None, repr=False)


# --- who sees what ---

def visible(user: User) -> QuerySet[Directive]:
    """Directives the user issued from their scope, or addressed to a unit in it."""
    if user.unit is None or not (user.has_perm_in(Perm.HANDLE_DIRECTIVES) or user.has_perm_in(Perm.ISSUE_DIRECTIVES)):
        return Directive.objects.none()
    path = user.unit.path
    ids = Task.objects.filter(unit__path__startswith=path).values("directive_id")
    return Directive.objects.filter(Q(issuing_unit__path__startswith=path) | Q(pk__in=ids))


def visible_tasks(user: User, directive: Directive) -> QuerySet[Task]:
    """All tasks for the issuing side; only their own units' tasks for recipients."""
    tasks = directive.tasks.select_related("unit", "owner")
    return tasks if user.in_scope(directive.issuing_unit) else tasks.filter(unit__path__startswith=home_unit(user).path)


def get(user: User, directive_id: int) -> Directive:
    directive = visible(user).select_related("issued_by", "issuing_unit").filter(pk=directive_id).first()
    if directive is None:
        raise NotFound(_("No such directive in your scope"))
    return directive


def get_task(user: User, task_id: int) -> Task:
    task = Task.objects.select_related("directive", "directive__issuing_unit", "unit").filter(pk=task_id).first()
    if task is None or not (user.unit and (user.in_scope(task.unit) or user.in_scope(task.directive.issuing_unit))):
        raise NotFound(_("No such task in your scope"))
    return task


def may_direct(user: User, directive: Directive) -> bool:
    return user.has_perm_in(Perm.ISSUE_DIRECTIVES, directive.issuing_unit)


# --- issuing ---

def _recipients(user: User, draft: DirectiveDraft) -> list[Unit]:
    scope = user.scope_units().filter(active=True)
    units = list(scope.filter(code__in=list(draft.units)))
    unknown = set(draft.units) - {u.code for u in units}
    if unknown:
        raise ValidationFailed.one("units", _("unknown or outside your scope: %(codes)s")
                                   % {"codes": ", ".join(sorted(unknown))})
    if draft.unit_kinds:
        bad = set(draft.unit_kinds) - set(Unit.Kind.values)
        if bad:
            raise ValidationFailed.one("unit_kinds", _("unknown unit kinds: %(k)s") % {"k": ", ".join(sorted(bad))})
        units += list(scope.filter(kind__in=list(draft.unit_kinds)).exclude(pk=home_unit(user).pk))
    units = list({u.pk: u for u in units}.values())
    if not units:
        raise ValidationFailed.one("units", _("name at least one recipient unit or unit kind"))
    return units


def _check_draft(user: User, draft: DirectiveDraft) -> list[FieldError]:
    errors = []
    for name, value, limit in (("title", draft.title, 255), ("content", draft.content, None)):
        try:
            text(value, name, limit)
        except ValidationFailed as exc:
            errors += exc.errors
    if draft.priority not in Priority.values:
        errors.append(FieldError("priority", _("must be one of: %(v)s") % {"v": ", ".join(Priority.values)}))
    if draft.deadline is not None and draft.deadline <= timezone.now():
        errors.append(FieldError("deadline", _("the deadline must be in the future")))
    return errors


@transaction.atomic
def issue(user: User, draft: DirectiveDraft) -> tuple[Directive, bool]:
    """Issue a directive; each recipient unit gets a task and its people a notice. Returns (directive, created):
    the same idempotency key again returns the stored directive."""
    if not user.has_perm_in(Perm.ISSUE_DIRECTIVES):
        raise PermissionDenied(_("You may not issue directives"))
    issuing_unit = home_unit(user)
    if draft.idempotency_key:
        existing = Directive.objects.filter(idempotency_key=draft.idempotency_key, issued_by=user).first()
        if existing is not None:
            return existing, False
    errors = _check_draft(user, draft)
    if errors:
        raise ValidationFailed(errors)
    units = _recipients(user, draft)
    alert = document = None
    if draft.alert_id is not None:
        alert = Alert.objects.filter(user.scope_filter(), pk=draft.alert_id).first()
        if alert is None:
            raise ValidationFailed.one("alert_id", _("no such alert in your scope"))
    if draft.document_id is not None:
        from . import documents

        document = documents.visible(user).filter(pk=draft.document_id, direction="in").first()
        if document is None:
            raise ValidationFailed.one("document_id", _("no such incoming document in your scope"))
    attachments = files.owned(user, list(draft.attachments), "attachments")
    directive = Directive.objects.create(
        title=draft.title.strip(), content=draft.content.strip(), priority=draft.priority, deadline=draft.deadline,
        issued_by=user, issuing_unit=issuing_unit, alert=alert, document=document, conclusion=draft.conclusion,
        idempotency_key=draft.idempotency_key or None,
    )
    directive.attachments.set(attachments)
    Task.objects.bulk_create([Task(directive=directive, unit=u, deadline=draft.deadline, owner=draft.owner
                                   if draft.owner and draft.owner.unit_id == u.pk else None) for u in units])
    DirectiveUpdate.objects.create(directive=directive, author=user, kind=DirectiveUpdate.Kind.ISSUED,
                                   text=directive.content)
    record(user, "directive.issued", directive, issuing_unit, "directive.issued", title=directive.title,
           units=[u.code for u in units], priority=directive.priority,
           deadline=directive.deadline.isoformat() if directive.deadline else None)
    url = reverse("work:directive", args=[directive.pk])
    notify.send(notify.holders(Perm.HANDLE_DIRECTIVES, units), "directive.issued",
                lambda: _("New directive: %(title)s") % {"title": directive.title}, url, directive.content)
    return directive, True


def _log(user: User, task: Task, kind: str, note: str = "", progress: int | None = None,
         attachments: Sequence[int] = ()) -> DirectiveUpdate:
    update = DirectiveUpdate.objects.create(directive=task.directive, task=task, author=user, kind=kind, text=note,
                                            progress=progress)
    update.attachments.set(files.owned(user, list(attachments), "attachments"))
    record(user, f"task.{kind}", task, task.unit, TASK_KINDS[kind], directive_id=task.directive_id,
           status=task.status, text=note, progress=progress)
    return update


def _locked(task: Task) -> Task:
    related = ("directive", "unit", "directive__issuing_unit")
    return Task.objects.select_for_update(of=("self",)).select_related(*related).get(pk=task.pk)


def _as_handler(user: User, task: Task) -> Task:
    task = _locked(task)
    if not user.has_perm_in(Perm.HANDLE_DIRECTIVES, task.unit):
        raise PermissionDenied(_("You may not act on tasks of %(unit)s") % {"unit": task.unit.code})
    if task.directive.status == Directive.Status.CANCELLED or task.status == Task.Status.CANCELLED:
        raise Conflict(_("The directive has been cancelled"))
    return task


def _tell_issuer(task: Task, title: Callable[[], str]) -> None:
    notify.send([task.directive.issued_by], "task.update", title, reverse("work:directive", args=[task.directive_id]))


@transaction.atomic
def acknowledge(user: User, task: Task, note: str = "") -> Task:
    task = _as_handler(user, task)
    if task.status != Task.Status.SENT:
        return task  # acknowledging twice changes nothing
    task.status, task.acknowledged_at = Task.Status.ACKNOWLEDGED, timezone.now()
    task.save(update_fields=["status", "acknowledged_at"])
    _log(user, task, DirectiveUpdate.Kind.ACKNOWLEDGED, note.strip())
    _tell_issuer(task, lambda: _("%(unit)s acknowledged: %(title)s") % {"unit": task.unit,
                                                                          "title": task.directive.title})
    return task


@transaction.atomic
def report_progress(user: User, task: Task, note: str, progress: int | None = None,
                    attachments: Sequence[int] = ()) -> Task:
    task = _as_handler(user, task)
    note = text(note, "text")
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationFailed.one("progress", _("a percentage from 0 to 100"))
    if task.status == Task.Status.DONE:
        raise Conflict(_("The task is already done"))
    task.status = Task.Status.IN_PROGRESS
    task.acknowledged_at = task.acknowledged_at or timezone.now()
    task.progress = progress if progress is not None else task.progress
    task.save(update_fields=["status", "acknowledged_at", "progress"])
    _log(user, task, DirectiveUpdate.Kind.PROGRESS, note, progress, attachments)
    return task


@transaction.atomic
def complete(user: User, task: Task, note: str, attachments: Sequence[int] = ()) -> Task:
    task = _as_handler(user, task)
    note = text(note, "text")
    if task.status == Task.Status.DONE:
        raise Conflict(_("The task is already done"))
    now = timezone.now()
    task.status, task.done_at, task.progress = Task.Status.DONE, now, 100
    task.acknowledged_at = task.acknowledged_at or now
    task.save(update_fields=["status", "done_at", "progress", "acknowledged_at"])
    _log(user, task, DirectiveUpdate.Kind.DONE, note, 100, attachments)
    _tell_issuer(task, lambda: _("%(unit)s reported done: %(title)s") % {"unit": task.unit,
                                                                            "title": task.directive.title})
    return task


@transaction.atomic
def return_for_rework(user: User, task: Task, reason: str) -> Task:
    task = _locked(task)
    if not may_direct(user, task.directive):
        raise PermissionDenied(_("Only the issuing side may return a report"))
    reason = text(reason, "text")
    if task.status != Task.Status.DONE:
        raise Conflict(_("Only a report of completion can be returned"))
    task.status, task.done_at = Task.Status.RETURNED, None
    task.save(update_fields=["status", "done_at"])
    _log(user, task, DirectiveUpdate.Kind.RETURNED, reason)
    notify.send(notify.holders(Perm.HANDLE_DIRECTIVES, [task.unit]), "task.returned",
                lambda: _("Returned for rework: %(title)s") % {"title": task.directive.title},
                reverse("work:directive", args=[task.directive_id]), reason)
    return task


@transaction.atomic
def comment(user: User, directive: Directive, note: str, attachments: Sequence[int] = ()) -> DirectiveUpdate:
    directive = get(user, directive.pk)
    note = text(note, "text")
    update = DirectiveUpdate.objects.create(directive=directive, author=user, kind=DirectiveUpdate.Kind.COMMENT,
                                            text=note)
    update.attachments.set(files.owned(user, list(attachments), "attachments"))
    record(user, "directive.comment", directive, directive.issuing_unit, "directive.comment", text=note,
           author=actor_label(user))
    return update


@transaction.atomic
def cancel(user: User, directive: Directive, reason: str) -> Directive:
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if not may_direct(user, directive):
        raise PermissionDenied(_("Only the issuing side may cancel a directive"))
    reason = text(reason, "reason")
    if directive.status == Directive.Status.CANCELLED:
        raise Conflict(_("The directive is already cancelled"))
    directive.status, directive.cancel_reason = Directive.Status.CANCELLED, reason
    directive.save(update_fields=["status", "cancel_reason"])
    open_tasks = directive.tasks.filter(status__in=Task.OPEN)
    units = [t.unit for t in open_tasks.select_related("unit")]
    open_tasks.update(status=Task.Status.CANCELLED)
    DirectiveUpdate.objects.create(directive=directive, author=user, kind=DirectiveUpdate.Kind.CANCELLED, text=reason)
    record(user, "directive.cancelled", directive, directive.issuing_unit, "directive.cancelled", reason=reason)
    notify.send(notify.holders(Perm.HANDLE_DIRECTIVES, units), "directive.cancelled",
                lambda: _("Directive cancelled: %(title)s") % {"title": directive.title},
                reverse("work:directive", args=[directive.pk]), reason)
    return directive


# --- deadlines ---

def flag_overdue(now: dt.datetime | None = None) -> list[Task]:
    """Mark each open task past its deadline once, publishing `directive.overdue` for the alert rules."""
    now = now or timezone.now()
    flagged = []
    candidates = Task.objects.filter(status__in=Task.OPEN, deadline__lt=now, overdue_flagged_at__isnull=True,
                                     directive__status=Directive.Status.ACTIVE)
    for task in candidates.select_related("directive", "unit"):
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, overdue_flagged_at__isnull=True).update(overdue_flagged_at=now):
                continue  # another checker got there first
            record("work.scheduler", "task.overdue", task, task.unit, "directive.overdue",
                   directive_id=task.directive_id, title=task.directive.title, priority=task.directive.priority,
                   deadline=task.deadline.isoformat() if task.deadline else None, unit_name=str(task.unit))
            flagged.append(task)
    return flagged


def board(user: User, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per unit in scope: tasks done on time, done late, overdue and still open (deadline ahead)."""
    now = now or timezone.now()
    done = Q(status=Task.Status.DONE)
    late = done & Q(deadline__isnull=False, done_at__gt=F("deadline"))
    on_time = done & (Q(deadline__isnull=True) | Q(done_at__lte=F("deadline")))
    open_ = Q(status__in=Task.OPEN)
    rows = (
        Task.objects.filter(user.scope_filter(), directive__status=Directive.Status.ACTIVE)
        .values("unit__code", "unit__name", "unit__short_name")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=on_time),
            late=Count("pk", filter=late),
            overdue=Count("pk", filter=open_ & Q(deadline__lt=now)),
            open=Count("pk", filter=open_ & (Q(deadline__isnull=True) | Q(deadline__gte=now))),
        )
        .order_by("unit__name")
    )
    return [{"unit": r["unit__code"], "unit_name": r["unit__short_name"] or r["unit__name"],
             **{k: r[k] for k in ("total", "on_time", "late", "overdue", "open")}} for r in rows]

