"""The audit log: every service that writes calls `record` (or `record_many` for batches)."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditLog


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def _entry(actor: Any, action: str, obj: models.Model | None, unit_code: str = "", **data: Any) -> AuditLog:
    return AuditLog(
        actor=actor if actor is not None and not isinstance(actor, str) and actor.pk else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        unit_code=unit_code,
        data=data,
    )


def record(actor: Any, action: str, obj: models.Model | None = None, unit_code: str = "", **data: Any) -> None:
    """Record one write. `actor` is a user, a process name, or None for the system."""
    _entry(actor, action, obj, unit_code, **data).save()


def record_many(actor: Any, action: str, objects: Iterable[tuple[models.Model, str, dict]]) -> None:
    """Record a batch of writes in one insert: (object, unit code, data) each."""
    AuditLog.objects.bulk_create([_entry(actor, action, obj, unit, **data) for obj, unit, data in objects])


def redact(model: type[models.Model], ids: Iterable[Any], keys: Iterable[str]) -> int:
    """Retention: blank the given payload keys (free text, personal data) in the audit entries of these objects.
    The entries stay (who did what, when); only what they copied of the person goes. Returns the rows changed."""
    keys = set(keys)
    rows = [row for row in AuditLog.objects.filter(object_type=model._meta.label_lower,
                                                   object_id__in=[str(i) for i in ids])
            if keys & set(row.data)]
    for row in rows:
        row.data = {k: ("" if k in keys else v) for k, v in row.data.items()}
    AuditLog.objects.bulk_update(rows, ["data"], batch_size=500)
    return len(rows)
