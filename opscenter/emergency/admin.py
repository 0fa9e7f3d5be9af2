"""Admin: the fleet is managed here; incidents and diversions are shown read-only (they change through the
services, which keep the timeline and the audit trail)."""

from django.contrib import admin

from .models import Ambulance, Diversion, Incident, IncidentEvent


@admin.register(Ambulance)
class AmbulanceAdmin(admin.ModelAdmin):
    list_display = ["code", "plate", "station", "crew", "equipment", "status", "position_at", "active"]
    list_filter = ["status", "equipment", "crew", "active", "station"]
    search_fields = ["code", "plate"]
    readonly_fields = ["status", "incident", "latitude", "longitude", "position_at"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = IncidentEvent
    fields = readonly_fields = ("time", "action", "actor_label", "ambulance", "text")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnly):
    list_display = ["code", "priority", "chief_complaint", "status", "received_at", "destination"]
    list_filter = ["status", "priority", "source"]
    search_fields = ["code", "external_id", "chief_complaint"]
    exclude = ["caller_phone", "notes"]  # personal data: read on the incident page, where access is logged
    inlines = [TimelineInline]


@admin.register(Diversion)
class DiversionAdmin(ReadOnly):
    list_display = ["hospital", "active", "reason", "set_at", "set_by"]
    list_filter = ["active"]
