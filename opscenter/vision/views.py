"""Camera AI pages: the camera wall, events with their evidence and alert workflow, the watch-list, false alarms
and the camera registry with its zone editor. Thin: reading goes through the services' scoped helpers, writing
through the services; pictures come from the API (which checks scope and records every look at a face)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opscenter.alerts.models import AlertRule
from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import StaleEdit
from opscenter.core.errors import Conflict, NotFound, ValidationFailed
from opscenter.core.permissions import perm_required
from opscenter.core.ui import form_failure, page, show_failure
from opscenter.org.roles import Perm

from . import labels, services
from .filters import EventFilterSet
from .models import Camera, LocationKind, VisionEvent, WatchListEntry

COUNTS_MAX_AGE = dt.timedelta(hours=1)
PAGE_SIZE = 50


def _not_found(exc: NotFound) -> Http404:
    return Http404(str(exc))


def _live_config(cameras: list[Camera]) -> dict[str, Any]:
    return {
        "streamUrl": reverse("event-stream"), "camerasUrl": reverse("api:list_cameras"),
        "crowdingUrl": reverse("api:crowding"), "eventUrl": reverse("vision:event", args=[0]),
        "kindLabels": {k.value: str(k.label) for k in VisionEvent.Kind},
        "zoneLabels": labels.zone_labels(cameras),
        # camera states (the live badge carries its own words)
        "labels": {"offline": _("offline"), "online": _("Online"), "unknown": _("Unknown"), "people": _("people"),
                   # %(count)s and %(capacity)s are filled in by the script
                   "crowding": _("%(count)s people, capacity %(capacity)s"),
                   "simulated": _("Simulated data")},
    }


def _camera_card(camera: Camera, counts: dict[str, Any]) -> dict[str, Any]:
    configured = {rule.get("type") for zone in camera.analytics.get("zones", []) for rule in zone.get("rules", [])}
    return {"camera": camera, "counts": sorted(counts.items()),
            "has_zones": bool(camera.analytics.get("zones")),
            "frame_url": reverse("api:camera_frame", args=[camera.code]) if camera.latest_frame else None,
            # Rules the camera has but its detector cannot serve (weapons, falls without such model classes).
            "unavailable": {k: v["reason"] for k, v in camera.analytics_available().items()
                            if not v["available"] and k in configured}}


def _scope_name(user: Any) -> str:
    """Whose cameras the wall shows: the officer's hospital, or the department's (all its hospitals)."""
    unit = user.unit
    if unit is None:
        return _("all hospitals")
    if unit.kind == unit.Kind.HOSPITAL:
        return unit.name
    return _("hospitals of %(unit)s") % {"unit": unit.name}


@perm_required(Perm.VIEW_CAMERAS)
def wall(request: AuthedRequest) -> HttpResponse:
    """Every camera in scope with its newest frame, health and zone counts, kept live by the event stream."""
    cameras = list(services.visible_cameras(request.user).filter(enabled=True))
    counts = services.latest_counts([c.pk for c in cameras], timezone.now() - COUNTS_MAX_AGE)
    services.log_wall_view(request.user)
    events = services.visible_events(request.user)
    recent = events.order_by("-started_at", "-id")[:12]
    switched_off = services.visible_cameras(request.user).filter(enabled=False).count()
    return page(request, "vision/wall.html", {
        "cards": [_camera_card(c, {z: n.count for z, n in counts.get(c.pk, {}).items()}) for c in cameras],
        "crowding": services.crowding(request.user) if request.user.has_perm_in(Perm.VIEW_DASHBOARD) else [],
        "recent": recent, "config": _live_config(cameras), "scope_name": _scope_name(request.user),
        "one_hospital": request.user.unit is not None and request.user.unit.kind == request.user.unit.Kind.HOSPITAL,
        "summary": {
            "cameras": len(cameras), "online": sum(c.status == Camera.Status.ONLINE for c in cameras),
            "offline": sum(c.status == Camera.Status.OFFLINE for c in cameras), "switched_off": switched_off,
            "open_alerts": events.filter(alert__isnull=False).exclude(alert__status="resolved")
            .values("alert").distinct().count(),
        },
        "counts_max_age_minutes": int(COUNTS_MAX_AGE.total_seconds() // 60),
    })


@perm_required(Perm.VIEW_CAMERAS)
def event_list(request: AuthedRequest) -> HttpResponse:
    filters = EventFilterSet(request.GET or None, queryset=services.visible_events(request.user),
                             cameras=list(services.visible_cameras(request.user)))
    qs = filters.qs.order_by("-started_at", "-id")
    return page(request, "vision/events.html", {
        "form": filters.form, "page_obj": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _shape(event: VisionEvent) -> dict[str, Any] | None:
    """The zone or line the event happened in, from the camera's configuration, to draw over the snapshot."""
    analytics = event.camera.analytics
    for zone in analytics.get("zones", []):
        if zone.get("name") == event.zone:
            return {"kind": "zone", "points": " ".join(f"{x},{y}" for x, y in zone["polygon"])}
    for line in analytics.get("lines", []):
        if line.get("name") == event.zone:
            return {"kind": "line", "points": " ".join(f"{x},{y}" for x, y in line["points"])}
    return None


def _rect(box: list[float]) -> dict[str, float]:
    return {"x": box[0], "y": box[1], "w": max(0.0, box[2] - box[0]), "h": max(0.0, box[3] - box[1])}


@perm_required(Perm.VIEW_CAMERAS)
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        event = services.get_event(request.user, pk)
    except NotFound as exc:
        raise _not_found(exc) from exc
    match = getattr(event, "face_match", None) if event.kind == VisionEvent.Kind.WATCHLIST else None
    if match is not None:
        services.log_face_view(request.user, match, "match")
    main = _rect(event.box) if event.box else None
    others = [_rect(b) for b in event.boxes if b != event.box]
    alert = event.alert
    data = event.data or {}
    shape = _shape(event)
    return page(request, "vision/event.html", {
        "event": event, "match": match, "main_box": main, "boxes": others, "shape": shape,
        "messages_trail": event.messages.order_by("time", "id"), "alert": alert,
        "may_handle": alert is not None and request.user.has_perm_in(Perm.HANDLE_ALERTS, alert.unit),
        "snapshot_url": reverse("api:event_snapshot", args=[event.pk]) if event.snapshot else None,
        "face_url": reverse("api:event_face", args=[event.pk]) if match and match.face_crop else None,
        "zone": labels.zone_label(event.zone), "is_line": (shape or {}).get("kind") == "line",
        "facts": labels.facts(event.kind, data), "score": labels.score(event.kind, event.score, data),
        "provenance": labels.provenance(data), "summary": labels.summary(event.kind, data),
        "rule_name": labels.rule_name(alert.rule) if alert and alert.rule else "",
    })


@perm_required(Perm.VIEW_CAMERAS)
def false_alarms(request: AuthedRequest) -> HttpResponse:
    rows = services.false_alarm_counts(request.user)
    rules = {r.code: r for r in AlertRule.objects.filter(code__in={row["rule"] for row in rows})}
    for row in rows:
        row["rule_name"] = labels.rule_name(rules.get(row["rule"])) or row["rule"]
    return page(request, "vision/false_alarms.html", {"rows": rows})


# ---- the watch-list -----------------------------------------------------------------------------------------

class WatchEntryForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Applies to"))
    name = forms.CharField(label=gettext_lazy("Name or description"), max_length=120)
    category = forms.ChoiceField(label=gettext_lazy("List"), choices=WatchListEntry.Category.choices)
    list_name = forms.CharField(label=gettext_lazy("Allowed-person list (e.g. staff)"), max_length=64,
                                required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255, required=False)
    photo = forms.ImageField(label=gettext_lazy("Photo showing one face"))

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.code, str(u)) for u in units]


@perm_required(Perm.MANAGE_WATCHLIST)
def watchlist(request: AuthedRequest) -> HttpResponse:
    """Security officers' watch-list: add a face from a photo, withdraw with a reason, see the matches."""
    user = request.user
    units = services.manageable_units(user, Perm.MANAGE_WATCHLIST)
    form = WatchEntryForm(units=units)
    if request.method == "POST":
        form = WatchEntryForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
            image = base64.b64encode(form.cleaned_data["photo"].read()).decode()
            try:
                entry = services.add_watch_entry(user, image=image, **data)
            except ValidationFailed as exc:
                form_failure(form, exc, aliases={"image": "photo"}, named=True)
            else:
                messages.success(request, _("%(name)s added to the watch-list.") % {"name": entry.name})
                return redirect("vision:watchlist")
    show_withdrawn = request.GET.get("withdrawn") == "1"
    entries = WatchListEntry.objects.filter(user.scope_filter()).select_related("unit", "created_by", "cancelled_by")
    if not show_withdrawn:
        entries = entries.filter(active=True)
    services.log_watchlist_view(user)
    return page(request, "vision/watchlist.html", {
        "form": form, "entries": entries, "show_withdrawn": show_withdrawn,
        "matches": services.visible_matches(user)[:50],
    })


@require_POST
@perm_required(Perm.MANAGE_WATCHLIST)
def watch_withdraw(request: AuthedRequest, entry_id: int) -> HttpResponse:
    entry = WatchListEntry.objects.filter(request.user.scope_filter(), pk=entry_id).select_related("unit").first()
    if entry is None:
        raise Http404(_("No such watch-list entry in your scope"))
    try:
        services.cancel_watch_entry(request.user, entry, request.POST.get("reason", ""))
    except ValidationFailed as exc:
        show_failure(request, exc)
    except Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("%(name)s withdrawn from the watch-list.") % {"name": entry.name})
    return redirect("vision:watchlist")


# ---- the camera registry ------------------------------------------------------------------------------------

ANALYTICS_HELP = gettext_lazy("Zones, lines and masks drawn on the snapshot, with their rules (see the camera JSON "
                              "in the documentation).")


class CameraForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32)
    unit = forms.ChoiceField(label=gettext_lazy("Hospital"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    location_kind = forms.ChoiceField(label=gettext_lazy("Location"), choices=LocationKind.choices)
    stream_url = forms.CharField(label=gettext_lazy("Stream URL (rtsp://, http(s):// or a file)"), max_length=500)
    width = forms.IntegerField(label=gettext_lazy("Analysis width"), initial=640)
    height = forms.IntegerField(label=gettext_lazy("Analysis height"), initial=360)
    fps = forms.FloatField(label=gettext_lazy("Analysed frames per second"), initial=5)
    analytics = forms.CharField(label=gettext_lazy("Camera JSON: zones, lines, masks"), required=False,
                                help_text=ANALYTICS_HELP, widget=forms.Textarea(attrs={"rows": 8, "class": "code"}))
    comment = forms.CharField(label=gettext_lazy("What changed (kept with the version)"), max_length=255,
                              required=False)
    # The version the form was loaded from: saving after someone saved a newer one is refused (no lost update).
    base_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Any], camera: Camera | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [(u.code, str(u)) for u in units]
        if camera is not None:  # the code and the hospital of a camera stay; a move is a new camera
            for name in ("code", "unit"):
                self.fields[name].disabled = True
            cast(forms.ChoiceField, self.fields["unit"]).choices = [(camera.unit.code, str(camera.unit))]

    def clean_analytics(self) -> dict[str, Any]:
        raw = self.cleaned_data["analytics"].strip() or "{}"
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("must be JSON: %(error)s") % {"error": exc}) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("must be a JSON object {\"zones\": [...], \"lines\": [...]}"))
        return value


def _initial(camera: Camera) -> dict[str, Any]:
    return {"code": camera.code, "unit": camera.unit.code, "name": camera.name,
            "location_kind": camera.location_kind, "stream_url": camera.stream_url, "width": camera.width,
            "height": camera.height, "fps": camera.fps, "analytics": json.dumps(camera.analytics, indent=1,
                                                                                   ensure_ascii=False),
            "base_version": camera.version}


@perm_required(Perm.MANAGE_CAMERAS)
def camera_list(request: AuthedRequest) -> HttpResponse:
    cameras = Camera.objects.filter(request.user.scope_filter()).select_related("unit")
    return page(request, "vision/cameras.html", {"cameras": cameras})


def _shown(value: Any) -> str:
    """A configuration value as the camera JSON writes it."""
    return "—" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _camera(request: AuthedRequest, code: str) -> Camera:
    camera = Camera.objects.filter(request.user.scope_filter(), code=code).select_related("unit").first()
    if camera is None:
        raise Http404(_("No such camera in your scope"))
    return camera


@perm_required(Perm.MANAGE_CAMERAS)
def camera_form(request: AuthedRequest, code: str | None = None) -> HttpResponse:
    """Register a camera or change its configuration, zones and lines drawn on its newest frame."""
    camera = _camera(request, code) if code else None
    units = services.manageable_units(request.user, Perm.MANAGE_CAMERAS)
    form = CameraForm(initial=_initial(camera) if camera else None, units=units, camera=camera)
    config_errors: list[tuple[str, str]] = []
    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST":
        form = CameraForm(request.POST, initial=_initial(camera) if camera else None, units=units, camera=camera)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("analytics", "comment", "base_version")}
            body = {**form.cleaned_data["analytics"], **data}
            try:
                saved, changed = services.save_camera(request.user, body, comment=form.cleaned_data["comment"],
                                                      base_version=form.cleaned_data["base_version"])
            except StaleEdit as exc:
                # Keep what was typed, show what others saved since, and base the form on the stored version:
                # saving again is then a deliberate choice.
                conflict = [{"field": c.field, "base": _shown(c.base), "stored": _shown(c.stored),
                             "yours": _shown(c.yours)} for c in exc.changes]
                data = request.POST.copy()
                data["base_version"] = str(exc.current_version)
                form = CameraForm(data, initial=_initial(camera) if camera else None, units=units, camera=camera)
                camera = _camera(request, code) if code else None
            except ValidationFailed as exc:
                config_errors = form_failure(form, exc, keep_others=True)
            else:
                messages.success(request, _("Camera %(code)s saved (version %(v)s).") % {
                    "code": saved.code, "v": saved.version} if changed else _("Nothing changed."))
                return redirect("vision:camera_edit", saved.code)
    available = camera.analytics_available() if camera else Camera().analytics_available()
    return page(request, "vision/camera_form.html", {
        "form": form, "camera": camera, "config_errors": config_errors,
        "frame_url": reverse("api:camera_frame", args=[camera.code]) if camera and camera.latest_frame else None,
        "aspect": (camera.height / camera.width) if camera else 360 / 640,
        "available": available,
        "versions": camera.versions.select_related("changed_by").order_by("-version")[:20] if camera else [],
        "conflict": conflict,
        "editor": {"labels": {
            "zone": _("Zone"), "line": _("Line"), "mask": _("Motion mask"), "name": _("Name"),
            "rules": _("Rules (JSON list)"), "direction": _("Direction"), "remove": _("Remove"),
            "finish": _("Finish the shape"), "drawing": _("Click on the picture to add points"),
            "directions": {"left_to_right": _("left to right"), "right_to_left": _("right to left"),
                           "both": _("both")},
            "badJson": _("The camera JSON is not valid JSON; fix it or draw again."),
        }},
    }, status=409 if conflict is not None else 200)


@require_POST
@perm_required(Perm.MANAGE_CAMERAS)
def camera_enable(request: AuthedRequest, code: str) -> HttpResponse:
    camera = _camera(request, code)
    enabled = request.POST.get("enabled") == "1"
    try:
        services.set_camera_enabled(request.user, camera, enabled, request.POST.get("reason", ""))
    except ValidationFailed as exc:
        show_failure(request, exc)
    else:
        messages.success(request, _("Camera switched on.") if enabled else _("Camera switched off."))
    return redirect("vision:camera_edit", camera.code)
