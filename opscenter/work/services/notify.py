"""Notices to people: in the application (Notification) and by e-mail (Django's mail backend)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from opscenter.core import audit, texts
from opscenter.org.models import Unit, User
from opscenter.org.roles import ROLE_PERMS, Perm

from ..models import Notification


def holders(perm: Perm, units: Iterable[Unit]) -> QuerySet[User]:
    """Active people holding `perm` whose own unit is one of `units`."""
    roles = [role for role, perms in ROLE_PERMS.items() if perm in perms]
    return User.objects.filter(unit__in=list(units), role__in=roles, is_active=True)


def send(users: Iterable[User], kind: str, title: Callable[[], str], url: str, body: str = "") -> int:
    """Notify each person once, in the app and (after commit) by e-mail. `title` writes the notice in the active
    language: it is kept in every language of the site, and each person reads their own (core.texts)."""
    people = {u.pk: u for u in users}
    if not people:
        return 0
    titles = texts.each_language(lambda: title()[:255])
    site_title = titles[settings.LANGUAGE_CODE]
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=site_title, texts=titles, url=url) for u in people.values()]
    )
    addresses = [u.email for u in people.values() if u.email]
    if addresses:  # people have no language of their own on record: mail speaks the site's
        message = f"{body or site_title}\n\n{url}"
        sender = settings.DEFAULT_FROM_EMAIL
        transaction.on_commit(
            lambda: [send_mail(site_title, message, sender, [a], fail_silently=True) for a in addresses]
        )
    return len(people)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    count = qs.update(read_at=timezone.now())
    if count:
        audit.record(user, "work.notifications.read", None, count=count)
    return count


def purge_read(older_than_days: int) -> int:
    """Retention: read notices older than the limit go (they hold who was told what, nothing else)."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    if deleted:
        audit.record("work.retention", "work.notifications.purged", None, count=deleted, days=older_than_days)
    return deleted
