from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
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


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must lie in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued here (the key is generated and shown once) and revoked; nothing else about a
    token can change, so the stored hash always belongs to the key that was handed out."""

    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        fixed = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        return [*fixed, "revoked"] if obj.revoked else fixed  # a revoked token stays revoked

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoke instead: the token and its audit trail stay

    def save_model(self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool) -> None:
        if change:
            if "revoked" in form.changed_data and obj.revoked:
                services.revoke_token(request.user, obj)
            return
        token, key = services.issue_token(request.user, obj.user, obj.name, obj.expires_at)
        # The admin goes on with `obj` (its log entry, the redirect): make it the issued token.
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = token.pk, token.prefix, token.key_hash, token.created_at
        obj._state.adding = False
        self.message_user(request, format_html(
            gettext("Key of the API token “{name}”: {key} — copy it now, it is not shown again."),
            name=token.name, key=format_html("<code>{}</code>", key),
        ), messages.WARNING)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked=False).select_related("user__unit"):
            services.revoke_token(request.user, token)
