"""Alert pages: the list, one alert with its trail and workflow forms, the live feed fragment, and the
POST endpoints behind the buttons (htmx swaps the feed item; without htmx they redirect)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
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
from opscenter.core.permissions import perm_required, require
from opscenter.core.ui import failure_text, page
from opscenter.org.models import Unit, User
from opscenter.org.roles import ROLE_PERMS, Perm

from . import services
from .models import Alert, Severity

TRAIL_ACTIONS = {
    "raised": gettext_lazy("raised"), "repeated": gettext_lazy("repeated"),
    "acknowledged": gettext_lazy("acknowledged"), "assigned": gettext_lazy("assigned"),
    "note": gettext_lazy("note"), "resolved": gettext_lazy("resolved"),
    "auto_resolved": gettext_lazy("resolved automatically"),
}
FEED_SIZE = 25
PAGE_SIZE = 50
OPEN = "open"


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


class AlertFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False,
        choices=[("", gettext_lazy("All")), (OPEN, gettext_lazy("Open (new or acknowledged)")),
                 *Alert.Status.choices],
    )
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), required=False,
                                 choices=[("", gettext_lazy("All")), *Severity.choices])
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)

    def __init__(self, *args: Any, alerts: QuerySet[Alert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = alerts.order_by("source").values_list("source", flat=True).distinct()
        cast(forms.ChoiceField, self.fields["source"]).choices = [("", _("All")), *((s, s) for s in sources)]
        units = Unit.objects.filter(pk__in=alerts.values("unit_id")).order_by("name")
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("All")), *((u.code, str(u)) for u in units)]

    def apply(self, qs: QuerySet[Alert]) -> QuerySet[Alert]:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["status"] == OPEN:
            qs = qs.exclude(status=Alert.Status.RESOLVED)
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["severity"]:
            qs = qs.filter(severity=data["severity"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        if data["unit"]:
            qs = qs.filter(unit__code=data["unit"])
        return qs


@perm_required(Perm.VIEW_ALERTS)
def alert_list(request: AuthedRequest) -> HttpResponse:
    alerts = visible_alerts(request.user)
    form = AlertFilter(request.GET or None, alerts=alerts)
    qs = form.apply(alerts).order_by("-raised_at", "-id")
    if fmt := export_format(request):
        headers = [_("ID"), _("Raised at"), _("Last seen"), _("Severity"), _("Status"), _("Resolution"),
                   _("Source"), _("Kind"), _("Unit code"), _("Unit"), _("Title"), _("Message"), _("Occurrences"),
                   _("Assignee")]
        rows = (
            [a.pk, a.raised_at, a.last_seen_at, a.get_severity_display(), a.get_status_display(),
             a.get_resolution_display(), a.source, a.kind, a.unit.code, str(a.unit), a.title, a.message,
             a.occurrences, a.assignee.get_username() if a.assignee else ""]
            for a in qs.iterator(chunk_size=500)
        )
        return table_response("alerts", headers, rows, fmt)
    paginator = Paginator(qs, PAGE_SIZE)
    return page(request, "alerts/list.html", {
        "form": form, "page_obj": paginator.get_page(request.GET.get("page")),
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
        "notes": [(note, TRAIL_ACTIONS.get(note.action, note.action)) for note in alert.notes.select_related("author")],
        "may_handle": may_handle,
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
