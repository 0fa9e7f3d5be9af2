from django.contrib import admin

from .models import DataElement, DataSet, Report, ValidationRule


class DataElementInline(admin.TabularInline):
    model = DataElement
    extra = 0


class ValidationRuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "periodicity", "due_time", "active"]
    inlines = [DataElementInline, ValidationRuleInline]
    filter_horizontal = ["reporting_units"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the reporting service, which keeps versions."""

    list_display = ["period", "unit", "data_set", "version", "is_current", "status", "source", "submitted_at"]
    list_filter = ["data_set", "status", "source", "is_current"]
    search_fields = ["unit__code", "unit__name"]
    date_hierarchy = "period"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
