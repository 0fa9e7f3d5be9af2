"""Raising alerts, clearing them when their condition is over, and the operators' workflow on them:
acknowledge, assign, note, resolve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, events
from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.core.texts import Texts
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from .events import ACTION_KINDS, RAISED, RESOLVED, UPDATED
from .models import Alert, AlertNote, AlertRule


@dataclass
class AlertCandidate:
    source: str
    kind: str
    severity: str
    unit: Unit
    title: str
    dedup_key: str
    message: str = ""
    rule: AlertRule | None = None
    evidence_url: str = ""
    location: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # The title and message in every language of the site, {"title": {"vi": ...}, "message": {...}} (core.texts);
    # `title` and `message` are the site language's. The rules fill it in (alerts.rules.on_event).
    texts: dict[str, Texts] = field(default_factory=dict)
    # Called with the alert raised or refreshed, in the same transaction (e.g. to link it to its source record).
    on_raised: Callable[[Alert], None] | None = None


@dataclass
class AlertClear:
    """The condition behind `dedup_key` is over (yielded by an evaluator, like a candidate).

    `as_of` is (payload field, value), e.g. ("period", "2025-03-02"): an open alert whose payload holds a
    later value was refreshed by a newer observation and stays open (a late correction of yesterday's
    report does not clear the alert raised by today's)."""

    dedup_key: str
    reason: str
    as_of: tuple[str, str] | None = None
    reasons: Texts = field(default_factory=dict)  # the reason in every language (filled in by alerts.rules)


RAISE_ATTEMPTS = 3


def raise_alert(candidate: AlertCandidate, attempt: int = 1) -> tuple[Alert, bool]:
    """Open an alert, or refresh the open one with the same key. Returns (alert, created). Called by the rules
    (alerts.rules.on_event) only: an app publishes its event and registers its rule there."""
    now = timezone.now()
    try:
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update()
                .filter(dedup_key=candidate.dedup_key).exclude(status=Alert.Status.RESOLVED).first()
            )
            if alert is not None:
                alert.last_seen_at = now
                alert.occurrences += 1
                alert.payload = candidate.payload
                alert.message = candidate.message
                alert.texts = {**alert.texts, "message": candidate.texts.get("message", {})}
                alert.save(update_fields=["last_seen_at", "occurrences", "payload", "message", "texts"])
                _publish(alert, UPDATED)
                return alert, False
            alert = Alert.objects.create(
                rule=candidate.rule, source=candidate.source, kind=candidate.kind, severity=candidate.severity,
                unit=candidate.unit, title=candidate.title, message=candidate.message,
                latitude=candidate.unit.latitude, longitude=candidate.unit.longitude,
                location=candidate.location or candidate.unit.address, raised_at=now, last_seen_at=now,
                dedup_key=candidate.dedup_key, evidence_url=candidate.evidence_url, payload=candidate.payload,
                texts=candidate.texts,
            )
            AlertNote.objects.create(alert=alert, action="raised", text=candidate.message,
                                     texts=candidate.texts.get("message", {}))
            audit.record(candidate.source, "alerts.alert.raised", alert, candidate.unit.code, title=alert.title)
            _publish(alert, RAISED)
            return alert, True
    except IntegrityError:
        # Raised at the same moment by another process: refresh that one. A few times at most: an integrity
        # error that a fresh look does not explain is a real error.
        if attempt >= RAISE_ATTEMPTS:
            raise
        return raise_alert(candidate, attempt + 1)


def clear_alert(dedup_key: str, reason: str, as_of: tuple[str, str] | None = None,
                reasons: Texts | None = None) -> Alert | None:
    """Resolve the open alert with this key as "condition cleared", by the system. Nothing open: no-op.
    `reasons`: the reason in every language (core.texts). Returns the alert it resolved."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update().select_related("unit")
            .filter(dedup_key=dedup_key).exclude(status=Alert.Status.RESOLVED).first()
        )
        if alert is None:
            return None
        if as_of is not None:
            key, value = as_of
            seen = alert.payload.get(key) if isinstance(alert.payload, dict) else None
            if seen is not None and str(seen) > value:
                return None
        alert.status = Alert.Status.RESOLVED
        alert.resolution = Alert.Resolution.CLEARED
        alert.save(update_fields=["status", "resolution"])
        AlertNote.objects.create(alert=alert, action="auto_resolved", text=reason, texts=reasons or {})
        audit.record("system", "alerts.alert.auto_resolved", alert, alert.unit.code, text=reason,
                     resolution=alert.resolution)
        _publish(alert, RESOLVED)  # what the live feed listens to, whoever resolved it
        return alert


def _check(user: User, alert: Alert) -> None:
    if not user.has_perm_in(Perm.HANDLE_ALERTS, alert.unit):
        raise PermissionDenied(_("You may not handle alerts of %(unit)s") % {"unit": alert.unit.code})


@transaction.atomic
def acknowledge(user: User, alert: Alert, note: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check(user, alert)
    if alert.status != Alert.Status.NEW:
        raise Conflict(_("The alert is already %(status)s") % {"status": alert.get_status_display()})
    alert.status = Alert.Status.ACKNOWLEDGED
    if alert.assignee is None:
        alert.assignee = user
    alert.save(update_fields=["status", "assignee"])
    return _log(user, alert, "acknowledged", note)


@transaction.atomic
def resolve(user: User, alert: Alert, resolution: str = Alert.Resolution.HANDLED, note: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check(user, alert)
    if resolution not in Alert.MANUAL_RESOLUTIONS:
        raise ValidationFailed.one("resolution",
                                   _("must be one of: %(v)s") % {"v": ", ".join(Alert.MANUAL_RESOLUTIONS)})
    if alert.status == Alert.Status.RESOLVED:
        raise Conflict(_("The alert is already resolved"))
    alert.status = Alert.Status.RESOLVED
    alert.resolution = resolution
    alert.save(update_fields=["status", "resolution"])
    return _log(user, alert, "resolved", note, resolution=resolution)


@transaction.atomic
def assign(user: User, alert: Alert, assignee: User, expected: str | None = None) -> Alert:
    """`expected`: the assignee's username the person saw ("" for none). If someone else was assigned since,
    Conflict (409) naming them, rather than silently taking the alert away from them."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check(user, alert)
    current = alert.assignee.get_username() if alert.assignee else ""
    if expected is not None and expected != current and current != assignee.get_username():
        raise Conflict(_("Meanwhile the alert was assigned to %(who)s; check and assign again if needed.")
                       % {"who": current or "—"})
    if not assignee.has_perm_in(Perm.HANDLE_ALERTS, alert.unit):
        raise ValidationFailed.one("assignee", _("this person cannot handle alerts of this unit"))
    alert.assignee = assignee
    alert.save(update_fields=["assignee"])
    return _log(user, alert, "assigned", assignee.get_username())


@transaction.atomic
def add_note(user: User, alert: Alert, text: str) -> Alert:
    _check(user, alert)
    if not text.strip():
        raise ValidationFailed.one("text", _("a note cannot be empty"))
    return _log(user, alert, "note", text.strip())


def _log(user: User, alert: Alert, action: str, text: str, **data: Any) -> Alert:
    AlertNote.objects.create(alert=alert, author=user, action=action, text=text)
    audit.record(user, f"alerts.alert.{action}", alert, alert.unit.code, text=text, **data)
    _publish(alert, ACTION_KINDS[action])
    return alert


def _publish(alert: Alert, kind: str) -> None:
    events.publish(events.Event(
        source="alerts", kind=kind, unit=alert.unit.code,
        payload={
            "alert_id": alert.pk, "title": alert.title, "severity": alert.severity, "status": alert.status,
            "resolution": alert.resolution, "source": alert.source, "kind": alert.kind, "unit_name": str(alert.unit),
            "raised_at": alert.raised_at.isoformat(), "message": alert.message,
        },
    ))
