"""Helpers shared by the work services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from opscenter.core import audit, events
from opscenter.core.errors import ValidationFailed
from opscenter.org.models import Unit, User

from ..events import SOURCE


def record(actor: Any, action: str, obj: models.Model, unit: Unit, kind: str, **payload: Any) -> None:
    """Audit a write and publish its event (after commit) in one call."""
    audit.record(actor, f"work.{action}", obj, unit.code, **payload)
    events.publish(events.Event(source=SOURCE, kind=kind, unit=unit.code, payload={"id": obj.pk, **payload}))


def text(value: str | None, field: str, max_length: int | None = None, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.one(field, _("this field is required"))
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed.one(field, _("at most %(n)s characters") % {"n": max_length})
    return value


def actor_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


def home_unit(user: User) -> Unit:
    """The user's own unit: someone attached to no unit may do nothing in the work area."""
    if user.unit is None:
        raise PermissionDenied
    return user.unit
