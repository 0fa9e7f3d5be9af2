import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.auth import AuthedRequest
from opscenter.core.inputs import CleanStr, Text, Username
from opscenter.core.permissions import needs, require
from opscenter.org.models import User
from opscenter.org.roles import Perm

from . import services
from .filters import AlertFilterSchema
from .models import Alert

router = Router()


class NoteOut(Schema):
    time: dt.datetime
    author: str | None
    action: str
    text: str


class AlertOut(Schema):
    id: int
    source: str
    kind: str
    severity: str
    unit: str
    unit_name: str
    title: str
    message: str
    latitude: float | None
    longitude: float | None
    location: str
    raised_at: dt.datetime
    last_seen_at: dt.datetime
    occurrences: int
    status: str
    resolution: str
    assignee: str | None
    evidence_url: str
    payload: dict


class AlertDetailOut(AlertOut):
    notes: list[NoteOut]


class AlertNoteIn(Schema):
    text: Annotated[str, Text()] = ""


class ResolveIn(Schema):
    resolution: Annotated[str, CleanStr(16)] = Alert.Resolution.HANDLED
    note: Annotated[str, Text()] = ""


class AlertAssignIn(Schema):
    username: Username
    # The assignee the client saw ("" for none): if another was assigned since, 409.
    expected_assignee: Username | None = None


def alert_out(a: Alert) -> dict:
    return {
        **{f: getattr(a, f) for f in (
            "id", "source", "kind", "severity", "latitude", "longitude", "location",
            "raised_at", "last_seen_at", "occurrences", "status", "resolution", "evidence_url", "payload",
        )},
        "title": a.shown_title, "message": a.shown_message,  # in the request's language (core.texts)
        "unit": a.unit.code, "unit_name": str(a.unit),
        "assignee": a.assignee.get_username() if a.assignee else None,
    }


def visible_alerts(user: User):
    return Alert.objects.filter(user.scope_filter()).select_related("unit", "assignee")


def _get(request: AuthedRequest, alert_id: int) -> Alert:
    require(request.user, Perm.VIEW_ALERTS)
    return get_object_or_404(visible_alerts(request.user), pk=alert_id)


@router.get("", response=list[AlertOut])
@paginate(LimitOffsetPagination)
@needs(Perm.VIEW_ALERTS)
def list_alerts(request: AuthedRequest, filters: Query[AlertFilterSchema]):
    require(request.user, Perm.VIEW_ALERTS)
    return [alert_out(a) for a in filters.filter(visible_alerts(request.user))]


@router.get("/{alert_id}", response=AlertDetailOut)
@needs(Perm.VIEW_ALERTS)
def get_alert(request: AuthedRequest, alert_id: int):
    alert = _get(request, alert_id)
    notes = [
        {"time": n.time, "author": n.author.get_username() if n.author else None, "action": n.action,
         "text": n.shown_text}
        for n in alert.notes.select_related("author")
    ]
    return {**alert_out(alert), "notes": notes}


@router.post("/{alert_id}/acknowledge", response=AlertOut)
@needs(Perm.HANDLE_ALERTS)
def acknowledge(request: AuthedRequest, alert_id: int, payload: AlertNoteIn):
    return alert_out(services.acknowledge(request.user, _get(request, alert_id), payload.text))


@router.post("/{alert_id}/resolve", response=AlertOut)
@needs(Perm.HANDLE_ALERTS)
def resolve(request: AuthedRequest, alert_id: int, payload: ResolveIn):
    return alert_out(services.resolve(request.user, _get(request, alert_id), payload.resolution, payload.note))


@router.post("/{alert_id}/assign", response=AlertOut)
@needs(Perm.HANDLE_ALERTS)
def assign(request: AuthedRequest, alert_id: int, payload: AlertAssignIn):
    alert = _get(request, alert_id)
    assignee = User.objects.filter(username=payload.username, is_active=True).first()
    if assignee is None:
        from opscenter.core.errors import ValidationFailed

        raise ValidationFailed.one("username", "no such active user")
    return alert_out(services.assign(request.user, alert, assignee, expected=payload.expected_assignee))


@router.post("/{alert_id}/notes", response=AlertOut)
@needs(Perm.HANDLE_ALERTS)
def add_note(request: AuthedRequest, alert_id: int, payload: AlertNoteIn):
    return alert_out(services.add_note(request.user, _get(request, alert_id), payload.text))
