"""Writes to the organisation: units, users, API tokens. Each is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from opscenter.core import audit

from .models import ApiToken, BedCapacity, Unit, User, Ward, token_expiry


@transaction.atomic
def upsert_ward(actor: Any, **fields: Any) -> Ward:
    ward, created = Ward.objects.update_or_create(code=fields.pop("code"), defaults=fields)
    audit.record(actor, "org.ward.created" if created else "org.ward.updated", ward, **fields)
    return ward


@transaction.atomic
def upsert_unit(actor: Any, *, code: str, beds: dict[str, int] | None = None, **fields: Any) -> Unit:
    unit, created = Unit.objects.update_or_create(code=code, defaults=fields)
    for bed_type, count in (beds or {}).items():
        BedCapacity.objects.update_or_create(unit=unit, bed_type=bed_type, defaults={"beds": count})
    audit.record(
        actor, "org.unit.created" if created else "org.unit.updated", unit, unit.code,
        **{k: str(v) for k, v in fields.items()}, beds=beds or {},
    )
    return unit


@transaction.atomic
def create_user(actor: Any, *, username: str, password: str | None, role: str, unit: Unit, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=password, role=role, unit=unit, **extra)
    audit.record(actor, "org.user.created", user, unit.code, role=role)
    return user


@transaction.atomic
def issue_token(actor: Any, user: User, name: str, expires_at: datetime.datetime | None = None,
                ) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is shown once and never stored.
    It expires API_TOKEN_DAYS from now unless `expires_at` says otherwise."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash(key),
                                    expires_at=expires_at or token_expiry())
    audit.record(actor, "org.token.issued", token, user.unit.code if user.unit else "", user=user.username,
                 name=name, expires_at=token.expires_at.isoformat())
    return token, key


@transaction.atomic
def revoke_token(actor: Any, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    token.revoked = True
    audit.record(actor, "org.token.revoked", token, token.user.unit.code if token.user.unit else "",
                 user=token.user.username, name=token.name)


def user_for_token(key: str) -> User | None:
    """The user of a valid key: not revoked, not expired, its user active. None otherwise."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=ApiToken.hash(key), revoked=False, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: the timestamp is for operators, not worth a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
