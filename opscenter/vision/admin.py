from django.contrib import admin

from .models import Camera, CameraVersion, VisionEvent, WatchListEntry


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "location_kind", "status", "measured_fps", "last_frame_at", "enabled")
    list_filter = ("status", "location_kind", "enabled")
    search_fields = ("code", "name", "unit__code")
    readonly_fields = ("version", "status", "status_reason", "status_at", "last_frame_at", "measured_fps",
                       "latest_frame", "capabilities")


@admin.register(CameraVersion)
class CameraVersionAdmin(admin.ModelAdmin):
    list_display = ("camera", "version", "changed_by", "changed_at", "comment")
    readonly_fields = ("camera", "version", "config", "changed_by", "changed_at", "comment")


@admin.register(VisionEvent)
class VisionEventAdmin(admin.ModelAdmin):
    list_display = ("camera", "kind", "zone", "score", "started_at", "ended_at", "alert")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in VisionEvent._meta.fields]


@admin.register(WatchListEntry)
class WatchListEntryAdmin(admin.ModelAdmin):
    # Faces are managed through the audited watch-list API and page, not here.
    list_display = ("name", "unit", "category", "list_name", "active", "created_at")
    readonly_fields = [f.name for f in WatchListEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
