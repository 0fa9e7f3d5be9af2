"""Read-mostly admin: the records are written by the services (audited), so the admin shows, never edits,
the registers and trails."""

from django.contrib import admin

from .models import Directive, Document, DocumentAction, Meeting, RegisterCounter, Room, StoredFile, Task


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TaskInline(admin.TabularInline):
    model = Task
    fields = ("unit", "status", "progress", "deadline", "done_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Directive)
class DirectiveAdmin(ReadOnly):
    list_display = ("title", "issuing_unit", "priority", "deadline", "status", "issued_at")
    list_filter = ("status", "priority")
    search_fields = ("title", "content")
    inlines = [TaskInline]


class ActionInline(admin.TabularInline):
    model = DocumentAction
    fields = ("time", "actor", "action", "to_user", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ("number_symbol", "direction", "unit", "register_number", "year", "status", "confidentiality")
    list_filter = ("direction", "status", "confidentiality", "doc_type")
    search_fields = ("number_symbol", "summary")
    inlines = [ActionInline]


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "unit", "room", "starts_at", "status")
    list_filter = ("status",)


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnly):
    list_display = ("name", "mime", "size", "sha256", "uploaded_by", "uploaded_at", "ocr")


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnly):
    list_display = ("unit", "direction", "year", "last_number")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "location", "capacity", "active")
    list_filter = ("active",)
    fields = ("location", "capacity", "active")  # renaming or creating goes through the API (audited)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
