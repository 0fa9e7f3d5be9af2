"""Meetings: schedule (room and/or online link) with conflict checks, agenda with presenters and documents,
check-in (QR at the door or by the secretary), votes and opinions, notes, conclusions, minutes, and the
conclusions turned into directives in one step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from .. import conflicts
from ..models import AgendaItem, Attendance, Conclusion, Directive, Meeting, MeetingNote, Room, Vote
from . import directives, files, notify
from .common import home_unit, record, text

M = Meeting.Status
CHECKIN_SALT = "opscenter.work.checkin"
CHECKIN_MARGIN = dt.timedelta(hours=1)  # the door QR works from an hour before to an hour after


@dataclass
class MeetingFields:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: int | None = None
    online_url: str = ""
    chair: str = ""
    units: Sequence[str] = ()
    people: Sequence[str] = ()  # usernames
    idempotency_key: str | None = None


# --- access ---

def visible(user: User) -> QuerySet[Meeting]:
    if user.unit is None or not (user.has_perm_in(Perm.ATTEND_MEETINGS) or user.has_perm_in(Perm.MANAGE_MEETINGS)):
        return Meeting.objects.none()
    return Meeting.objects.filter(
        Q(unit__path__startswith=user.unit.path) | Q(invited_people=user) | Q(invited_units=user.unit)
    ).distinct()


def get(user: User, meeting_id: int) -> Meeting:
    meeting = visible(user).select_related("room", "unit", "organiser").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("No such meeting in your scope"))
    return meeting


def may_manage(user: User, meeting: Meeting) -> bool:
    return user.has_perm_in(Perm.MANAGE_MEETINGS, meeting.unit)


def is_invited(user: User, meeting: Meeting) -> bool:
    """The organiser, people invited by name, and the meeting-goers of invited units."""
    if meeting.organiser_id == user.pk:
        return True
    invited = meeting.invited_people.filter(pk=user.pk).exists() or meeting.invited_units.filter(
        pk=user.unit_id or 0).exists()
    return invited and user.has_perm_in(Perm.ATTEND_MEETINGS)


def _managed(user: User, meeting: Meeting) -> Meeting:
    visible_meeting = get(user, meeting.pk)
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("unit", "room").get(pk=visible_meeting.pk)
    if not may_manage(user, meeting):
        raise PermissionDenied(_("You may not manage this meeting"))
    if meeting.status == M.CANCELLED:
        raise Conflict(_("The meeting has been cancelled"))
    return meeting


# --- scheduling ---

def clashes(starts_at: dt.datetime, ends_at: dt.datetime, room_id: int | None, people: set[int],
            exclude: int | None = None) -> list[conflicts.Clash]:
    """Meetings (not cancelled) at overlapping times in the same room or with any of the same people."""
    overlapping = (Meeting.objects.exclude(status=M.CANCELLED).exclude(pk=exclude or 0)
                   .filter(starts_at__lt=ends_at, ends_at__gt=starts_at).prefetch_related("invited_people"))
    existing = [conflicts.Booking(m.pk, m.title, m.starts_at, m.ends_at, m.room_id,
                                  frozenset({m.organiser_id, *(p.pk for p in m.invited_people.all())}))
                for m in overlapping]
    return conflicts.clashes(conflicts.Booking(exclude or 0, "", starts_at, ends_at, room_id, frozenset(people)),
                             existing)


def _validate(user: User, fields: MeetingFields) -> tuple[Room | None, list[Unit], list[User]]:
    errors = []
    if not fields.title.strip():
        errors.append(FieldError("title", _("this field is required")))
    if fields.ends_at <= fields.starts_at:
        errors.append(FieldError("ends_at", _("the meeting must end after it starts")))
    room = None
    if fields.room_id is not None:
        room = Room.objects.filter(pk=fields.room_id, active=True).first()
        if room is None:
            errors.append(FieldError("room_id", _("no such room")))
    if room is None and not fields.online_url:
        errors.append(FieldError("room_id", _("give a room, an online link, or both")))
    units = list(Unit.objects.filter(code__in=list(fields.units), active=True))
    if len(units) != len(set(fields.units)):
        errors.append(FieldError("units", _("unknown units: %(c)s")
                                 % {"c": ", ".join(sorted(set(fields.units) - {u.code for u in units}))}))
    people = list(User.objects.filter(username__in=list(fields.people), is_active=True))
    if len(people) != len(set(fields.people)):
        errors.append(FieldError("people", _("unknown people: %(p)s")
                                 % {"p": ", ".join(sorted(set(fields.people) - {p.username for p in people}))}))
    if errors:
        raise ValidationFailed(errors)
    return room, units, people


@transaction.atomic
def schedule(user: User, fields: MeetingFields) -> tuple[Meeting, bool, list[conflicts.Clash]]:
    """Schedule a meeting and invite. A room already taken is refused (409); people booked elsewhere at the same
    time are returned as clashes for the organiser to see. Returns (meeting, created, person clashes)."""
    unit = home_unit(user)
    if not user.has_perm_in(Perm.MANAGE_MEETINGS, unit):
        raise PermissionDenied(_("You may not organise meetings"))
    if fields.idempotency_key:
        existing = Meeting.objects.filter(idempotency_key=fields.idempotency_key, organiser=user).first()
        if existing is not None:
            return existing, False, []
    room, units, people = _validate(user, fields)
    if room is not None:  # lock the room so two bookings of it cannot pass the check together
        Room.objects.select_for_update().get(pk=room.pk)
    found = clashes(fields.starts_at, fields.ends_at, room.pk if room else None, {user.pk, *(p.pk for p in people)})
    taken = [c for c in found if c.room]
    if taken:
        raise Conflict(_("The room is booked at that time for: %(titles)s")
                       % {"titles": "; ".join(c.title for c in taken)})
    meeting = Meeting.objects.create(
        title=fields.title.strip(), unit=unit, organiser=user, chair=fields.chair.strip(), room=room,
        online_url=fields.online_url, starts_at=fields.starts_at, ends_at=fields.ends_at,
        idempotency_key=fields.idempotency_key or None,
    )
    meeting.invited_units.set(units)
    meeting.invited_people.set(people)
    record(user, "meeting.scheduled", meeting, meeting.unit, "meeting.scheduled", title=meeting.title,
           starts_at=meeting.starts_at.isoformat(), room=str(room or ""), units=[u.code for u in units],
           people=[p.username for p in people])
    invitees = {*people, *notify.holders(Perm.ATTEND_MEETINGS, units)}
    when = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M")
    notify.send(invitees, "meeting.invited",
                lambda: _("Invitation: %(title)s, %(when)s") % {"title": meeting.title, "when": when},
                reverse("work:meeting", args=[meeting.pk]))
    return meeting, True, [c for c in found if c.people]


@transaction.atomic
def create_room(user: User, name: str, location: str = "", capacity: int | None = None) -> Room:
    unit = home_unit(user)
    if not user.has_perm_in(Perm.MANAGE_MEETINGS, unit):
        raise PermissionDenied(_("You may not manage rooms"))
    name = text(name, "name", 150)
    room, created = Room.objects.get_or_create(unit=unit, name=name,
                                               defaults={"location": location, "capacity": capacity})
    if created:
        record(user, "room.created", room, unit, "room.created", name=name)
    return room


@transaction.atomic
def add_agenda_item(user: User, meeting: Meeting, title: str, presenter: str = "", minutes: int | None = None,
                    documents: Sequence[int] = (), vote_question: str = "",
                    vote_options: Sequence[str] = ()) -> AgendaItem:
    meeting = _managed(user, meeting)
    title = text(title, "title", 255)
    person = User.objects.filter(username=presenter, is_active=True).first() if presenter else None
    position = meeting.agenda.count() + 1
    options = [o.strip() for o in vote_options if o.strip()]
    if vote_options and len(options) < 2:
        raise ValidationFailed.one("vote_options", _("a vote needs at least two options"))
    item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, presenter=person,
                                     presenter_name="" if person else presenter.strip(), minutes=minutes,
                                     vote_question=vote_question.strip(), vote_options=options)
    item.documents.set(files.owned(user, list(documents), "documents"))
    record(user, "meeting.agenda_item_added", item, meeting.unit, "meeting.updated", meeting_id=meeting.pk,
           title=title, presenter=item.presenter_label)
    return item


@transaction.atomic
def set_status(user: User, meeting: Meeting, status: str, reason: str = "") -> Meeting:
    meeting = _managed(user, meeting)
    allowed: dict[str, set[str]] = {M.IN_PROGRESS: {M.SCHEDULED}, M.ENDED: {M.SCHEDULED, M.IN_PROGRESS},
               M.CANCELLED: {M.SCHEDULED, M.IN_PROGRESS}}
    if status not in allowed:
        raise ValidationFailed.one("status", _("must be one of: %(v)s") % {"v": ", ".join(allowed)})
    if meeting.status == status:
        return meeting
    if meeting.status not in allowed[status]:
        raise Conflict(_("The meeting is %(status)s") % {"status": meeting.get_status_display()})
    if status == M.CANCELLED:
        meeting.cancel_reason = text(reason, "reason")
    meeting.status = status
    meeting.save(update_fields=["status", "cancel_reason"])
    record(user, f"meeting.{status}", meeting, meeting.unit, "meeting.updated", status=status, reason=reason)
    return meeting


# --- during the meeting ---

def checkin_token(meeting: Meeting) -> str:
    return signing.dumps(meeting.pk, salt=CHECKIN_SALT)


@transaction.atomic
def check_in(user: User, meeting: Meeting, *, token: str | None = None, person: User | None = None) -> Attendance:
    """Check in oneself with the door's QR token, or (the secretary) another invited person by hand.
    Checking in twice returns the first check-in."""
    meeting = get(user, meeting.pk)
    if token is not None:
        try:
            valid = signing.loads(token, salt=CHECKIN_SALT) == meeting.pk
        except signing.BadSignature:
            valid = False
        if not valid:
            raise ValidationFailed.one("token", _("this check-in code is not for this meeting"))
        person, method = user, Attendance.Method.QR
    else:
        if not may_manage(user, meeting):
            raise PermissionDenied(_("Only the organisers check in other people"))
        if person is None:
            raise ValidationFailed.one("username", _("no such active user"))
        method = Attendance.Method.MANUAL
    if meeting.status in (M.CANCELLED, M.ENDED):
        raise Conflict(_("The meeting is %(status)s") % {"status": meeting.get_status_display()})
    now = timezone.now()
    if not meeting.starts_at - CHECKIN_MARGIN <= now <= meeting.ends_at + CHECKIN_MARGIN:
        raise Conflict(_("Check-in opens an hour before the meeting"))
    if not is_invited(person, meeting):
        raise ValidationFailed.one("username", _("this person is not invited"))
    existing = Attendance.objects.filter(meeting=meeting, person=person).first()
    if existing is not None:
        return existing
    attendance = Attendance.objects.create(meeting=meeting, person=person, method=method, recorded_by=user)
    record(user, "meeting.checked_in", attendance, meeting.unit, "meeting.checked_in", meeting_id=meeting.pk,
           person=person.get_username(), method=method)
    return attendance


@transaction.atomic
def set_voting(user: User, item: AgendaItem, open_: bool) -> AgendaItem:
    _managed(user, item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if open_ and not item.vote_options:
        raise ValidationFailed.one("vote_options", _("this item has nothing to vote on"))
    if item.voting_open != open_:
        item.voting_open = open_
        item.save(update_fields=["voting_open"])
        record(user, "meeting.voting_opened" if open_ else "meeting.voting_closed", item, item.meeting.unit,
               "meeting.updated", meeting_id=item.meeting_id)
    return item


@transaction.atomic
def cast_vote(user: User, item: AgendaItem, choice: str = "", opinion: str = "") -> tuple[Vote, bool]:
    """One vote or opinion per person and item, by a checked-in participant. The same vote again is harmless;
    a different one is refused (409): a cast vote is never changed."""
    meeting = get(user, item.meeting_id)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    choice, opinion = choice.strip(), opinion.strip()
    if not Attendance.objects.filter(meeting=meeting, person=user).exists():
        raise PermissionDenied(_("Check in to the meeting first"))
    if choice:
        if not item.voting_open:
            raise Conflict(_("Voting on this item is not open"))
        if choice not in item.vote_options:
            raise ValidationFailed.one("choice", _("must be one of: %(v)s") % {"v": ", ".join(item.vote_options)})
    elif not opinion:
        raise ValidationFailed.one("opinion", _("give a choice or an opinion"))
    existing = Vote.objects.filter(item=item, voter=user).first()
    if existing is not None:
        if (existing.choice, existing.opinion) == (choice, opinion):
            return existing, False
        raise Conflict(_("You have already voted on this item"))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(item=item, voter=user, choice=choice, opinion=opinion)
    except IntegrityError as exc:
        raise Conflict(_("You have already voted on this item")) from exc
    record(user, "meeting.voted", vote, meeting.unit, "meeting.voted", meeting_id=meeting.pk, item_id=item.pk,
           choice=choice)
    return vote, True


def tally(item: AgendaItem) -> dict[str, int]:
    counts = {option: 0 for option in item.vote_options}
    for vote in item.votes.all():
        if vote.choice:
            counts[vote.choice] = counts.get(vote.choice, 0) + 1
    return counts


@transaction.atomic
def add_note(user: User, meeting: Meeting, note: str, item_id: int | None = None) -> MeetingNote:
    meeting = _managed(user, meeting)
    note = text(note, "text")
    item = None
    if item_id is not None:
        item = meeting.agenda.filter(pk=item_id).first()
        if item is None:
            raise ValidationFailed.one("item_id", _("no such agenda item in this meeting"))
    entry = MeetingNote.objects.create(meeting=meeting, item=item, author=user, text=note)
    record(user, "meeting.note_added", entry, meeting.unit, "meeting.updated", meeting_id=meeting.pk)
    return entry


@transaction.atomic
def add_conclusion(user: User, meeting: Meeting, note: str, owner_unit: str | None = None,
                   owner: str | None = None, deadline: dt.datetime | None = None,
                   item_id: int | None = None) -> Conclusion:
    meeting = _managed(user, meeting)
    note = text(note, "text")
    unit = person = item = None
    if owner_unit:
        unit = Unit.objects.filter(code=owner_unit, active=True).first()
        if unit is None:
            raise ValidationFailed.one("owner_unit", _("unknown unit"))
    if owner:
        person = User.objects.filter(username=owner, is_active=True).first()
        if person is None:
            raise ValidationFailed.one("owner", _("no such active user"))
        unit = unit or person.unit
    if item_id is not None:
        item = meeting.agenda.filter(pk=item_id).first()
        if item is None:
            raise ValidationFailed.one("item_id", _("no such agenda item in this meeting"))
    conclusion = Conclusion.objects.create(meeting=meeting, item=item, text=note, owner_unit=unit, owner=person,
                                           deadline=deadline, created_by=user)
    record(user, "meeting.conclusion_added", conclusion, meeting.unit, "meeting.updated", meeting_id=meeting.pk,
           owner_unit=unit.code if unit else None)
    return conclusion


@transaction.atomic
def conclusions_to_directives(user: User, meeting: Meeting, ids: Sequence[int] | None = None) -> list[Directive]:
    """Turn the meeting's conclusions (those given, or every one not yet turned) into directives, each to its
    owner unit with its deadline, linked back to the conclusion. All or nothing."""
    meeting = get(user, meeting.pk)
    if not user.has_perm_in(Perm.ISSUE_DIRECTIVES):
        raise PermissionDenied(_("You may not issue directives"))
    pending = meeting.conclusions.select_related("owner_unit", "owner").filter(directive__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    pending_list = list(pending.order_by("pk"))
    errors = [FieldError(f"conclusions.{c.pk}.owner_unit", _("a conclusion needs an owner unit to be directed"))
              for c in pending_list if c.owner_unit is None]
    if errors:
        raise ValidationFailed(errors)
    issued = []
    for conclusion in pending_list:
        owner_unit = conclusion.owner_unit
        assert owner_unit is not None  # checked above
        title = _("%(meeting)s: %(text)s") % {"meeting": meeting.title, "text": conclusion.text}
        directive, _created = directives.issue(user, directives.DirectiveDraft(
            title=title[:250], content=conclusion.text, units=[owner_unit.code],
            deadline=conclusion.deadline, owner=conclusion.owner, conclusion=conclusion,
        ))
        issued.append(directive)
    return issued
