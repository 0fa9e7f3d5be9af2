from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, BedCapacity, Unit, User, Ward


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "former_district", "population"]
    search_fields = ["code", "name", "former_district"]
    list_filter = ["kind"]


class BedCapacityInline(admin.TabularInline):
    model = BedCapacity
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "ward", "is_pilot", "active"]
    list_filter = ["kind", "level", "is_pilot", "active"]
    search_fields = ["code", "name", "short_name"]
    inlines = [BedCapacityInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Operations center", {"fields": ("role", "unit", "phone")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
