"""Alert pages: the list, one alert with its trail and workflow forms, the live feed fragment, and the
POST endpoints behind the buttons (htmx swaps the feed item; without htmx they redirect)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.core.exports import export_format, table_response
from opscenter.core.permissions import may_open, perm_required, require
from opscenter.core.ui import failure_text, page
from opscenter.org.models import User
from opscenter.org.roles import ROLE_PERMS, Perm

from . import services
from .filters import AlertFilterSet
from .models import Alert

TRAIL_ACTIONS = {
    "raised": gettext_lazy("raised"), "repeated": gettext_lazy("repeated"),
    "acknowledged": gettext_lazy("acknowledged"), "assigned": gettext_lazy("assigned"),
    "note": gettext_lazy("note"), "resolved": gettext_lazy("resolved"),
    "auto_resolved": gettext_lazy("resolved automatically"),
}
FEED_SIZE = 25
PAGE_SIZE = 50


def visible_alerts(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(user.scope_filter()).select_related("unit", "assignee")


def _get(request: AuthedRequest, alert_id: int) -> Alert:
    require(request.user, Perm.VIEW_ALERTS)
    return get_object_or_404(visible_alerts(request.user), pk=alert_id)


def feed_context(user: User) -> dict[str, Any]:
    """The newest open alerts in scope, for the live feed (dashboard and fragment)."""
    alerts = list(visible_alerts(user).exclude(status=Alert.Status.RESOLVED).order_by("-raised_at", "-id")[:FEED_SIZE])
    return {
        "feed_alerts": alerts,
        "feed_open_count": visible_alerts(user).exclude(status=Alert.Status.RESOLVED).count(),
        "may_handle": user.has_perm_in(Perm.HANDLE_ALERTS),
    }


@perm_required(Perm.VIEW_ALERTS)
def alert_list(request: AuthedRequest) -> HttpResponse:
    filters = AlertFilterSet(request.GET or None, queryset=visible_alerts(request.user))
    qs = filters.qs.order_by("-raised_at", "-id")
    if fmt := export_format(request):
        headers = [_("ID"), _("Raised at"), _("Last seen"), _("Severity"), _("Status"), _("Resolution"),
                   _("Source"), _("Kind"), _("Unit code"), _("Unit"), _("Title"), _("Message"), _("Occurrences"),
                   _("Assignee")]
        rows = (
            [a.pk, a.raised_at, a.last_seen_at, a.get_severity_display(), a.get_status_display(),
             a.get_resolution_display(), a.source, a.kind, a.unit.code, str(a.unit), a.shown_title, a.shown_message,
             a.occurrences, a.assignee.get_username() if a.assignee else ""]
            for a in qs.iterator(chunk_size=500)
        )
        return table_response("alerts", headers, rows, fmt)
    paginator = Paginator(qs, PAGE_SIZE)
    return page(request, "alerts/list.html", {
        "form": filters.form, "page_obj": paginator.get_page(request.GET.get("page")),
        "may_handle": request.user.has_perm_in(Perm.HANDLE_ALERTS),
    })


def _assignable(alert: Alert) -> list[User]:
    """People who may handle this alert: handlers at its unit or any unit above it."""
    ancestors = [int(pk) for pk in alert.unit.path.strip("/").split("/") if pk]
    roles = [role for role, perms in ROLE_PERMS.items() if Perm.HANDLE_ALERTS in perms]
    return list(User.objects.filter(unit_id__in=ancestors, role__in=roles, is_active=True)
                .select_related("unit").order_by("username"))


@perm_required(Perm.VIEW_ALERTS)
def alert_detail(request: AuthedRequest, alert_id: int) -> HttpResponse:
    alert = _get(request, alert_id)
    may_handle = request.user.has_perm_in(Perm.HANDLE_ALERTS, alert.unit)
    return page(request, "alerts/detail.html", {
        "alert": alert,
        # What the source sent, for technical staff: folded away, shown as sent.
        "payload_json": json.dumps(alert.payload, ensure_ascii=False, indent=2, sort_keys=True),
        "notes": [(note, TRAIL_ACTIONS.get(note.action, note.action)) for note in alert.notes.select_related("author")],
        "may_handle": may_handle,
        "evidence_open": bool(alert.evidence_url) and may_open(request.user, alert.evidence_url),
        "assignable": _assignable(alert) if may_handle else [],
        "resolutions": [(value, label) for value, label in Alert.Resolution.choices
                        if value in Alert.MANUAL_RESOLUTIONS],
    })


@perm_required(Perm.VIEW_ALERTS)
def feed(request: AuthedRequest) -> HttpResponse:
    context = {**feed_context(request.user), "next_url": reverse("dashboard:overview")}
    return render(request, "alerts/_feed.html", context)


def _answer(request: AuthedRequest, alert: Alert, feedback: str = "", level: int = messages.SUCCESS) -> HttpResponse:
    """The updated feed item for htmx; a redirect (with a message) otherwise."""
    alert = visible_alerts(request.user).get(pk=alert.pk)
    if request.headers.get("HX-Request"):
        return render(request, "alerts/_feed_item.html", {
            "alert": alert, "may_handle": request.user.has_perm_in(Perm.HANDLE_ALERTS), "feedback": feedback,
            "feedback_level": "error" if level >= messages.WARNING else "ok",
            "next_url": reverse("dashboard:overview"),
        })
    if feedback:
        messages.add_message(request, level, feedback)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("alerts:detail", args=[alert.pk])
    return redirect(target)


def _act(request: AuthedRequest, alert_id: int, action, done: str) -> HttpResponse:
    alert = _get(request, alert_id)
    try:
        action(alert)
    except Conflict as exc:
        return _answer(request, alert, str(exc), messages.WARNING)
    except ValidationFailed as exc:
        return _answer(request, alert, failure_text(exc), messages.ERROR)
    except PermissionDenied:
        raise
    return _answer(request, alert, done)


@require_POST
@perm_required(Perm.HANDLE_ALERTS)
def acknowledge(request: AuthedRequest, alert_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(request, alert_id, lambda a: services.acknowledge(request.user, a, note), _("Alert acknowledged."))


@require_POST
@perm_required(Perm.HANDLE_ALERTS)
def resolve(request: AuthedRequest, alert_id: int) -> HttpResponse:
    resolution = request.POST.get("resolution") or Alert.Resolution.HANDLED
    note = request.POST.get("note", "")
    return _act(request, alert_id, lambda a: services.resolve(request.user, a, resolution, note),
                _("Alert resolved."))


@require_POST
@perm_required(Perm.HANDLE_ALERTS)
def add_note(request: AuthedRequest, alert_id: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _act(request, alert_id, lambda a: services.add_note(request.user, a, text), _("Note added."))


@require_POST
@perm_required(Perm.HANDLE_ALERTS)
def assign(request: AuthedRequest, alert_id: int) -> HttpResponse:
    def do(alert: Alert) -> Alert:
        assignee = User.objects.filter(username=request.POST.get("assignee", ""), is_active=True).first()
        if assignee is None:
            raise ValidationFailed.one("assignee", _("no such active user"))
        return services.assign(request.user, alert, assignee, expected=request.POST.get("current_assignee"))

    return _act(request, alert_id, do, _("Alert assigned."))
