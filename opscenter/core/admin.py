from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["time", "actor_label", "action", "object_type", "object_id", "unit_code"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id", "unit_code"]

    def has_add_permission(self, request):  # the audit log is append-only, by the services
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
