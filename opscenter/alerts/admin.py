from django.contrib import admin

from .models import Alert, AlertNote, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "evaluator", "severity", "enabled"]
    list_filter = ["evaluator", "enabled"]


class AlertNoteInline(admin.TabularInline):
    model = AlertNote
    extra = 0
    readonly_fields = ["time", "author", "action", "text"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "title", "unit", "severity", "status", "assignee"]
    list_filter = ["status", "severity", "source"]
    search_fields = ["title", "unit__code"]
    inlines = [AlertNoteInline]
