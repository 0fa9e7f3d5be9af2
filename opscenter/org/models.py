from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .roles import ROLE_PERMS, Perm, Role


class Ward(models.Model):
    """A ward, commune or special zone of the city, as organised since 1 July 2025."""

    class Kind(models.TextChoices):
        WARD = "ward", _("Ward")
        COMMUNE = "commune", _("Commune")
        SPECIAL_ZONE = "special_zone", _("Special zone")

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WARD)
    former_district = models.CharField(
        max_length=100, blank=True, help_text=_("District before 1 July 2025, for historical data")
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ward / commune")
        verbose_name_plural = _("wards / communes")

    def __str__(self) -> str:
        return self.name


class BedType(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    ICU = "icu", _("Intensive care (ICU)")
    INTERNAL_MEDICINE = "internal_medicine", _("Internal medicine")
    SURGERY = "surgery", _("Surgery")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    INFECTIOUS = "infectious", _("Infectious / isolation")
    OBSTETRICS = "obstetrics", _("Obstetrics")


class Specialty(models.TextChoices):
    """What a facility can treat (`Unit.specialties`), as the 115 ranking and the facility page name it."""

    GENERAL = "general", pgettext_lazy("specialty", "General")
    TRAUMA = "trauma", _("Trauma")
    STROKE = "stroke", _("Stroke")
    CARDIAC = "cardiac", _("Cardiology")
    BURNS = "burns", _("Burns")
    ONCOLOGY = "oncology", _("Oncology")
    OBSTETRICS = "obstetrics", _("Obstetrics")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    INFECTIOUS = "infectious", _("Infectious diseases")
    RESPIRATORY = "respiratory", _("Respiratory")


def specialty_labels(codes: list[str]) -> list[str]:
    labels = dict(Specialty.choices)
    return [str(labels.get(code, code)) for code in codes]


class Unit(models.Model):
    """Any organisational unit: the department, a hospital, the 115 centre and its stations, later schools."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        HOSPITAL = "hospital", _("Hospital")
        HEALTH_CENTER = "health_center", _("Health centre")
        EMERGENCY_CENTER = "emergency_center", _("Emergency centre (115)")
        AMBULANCE_STATION = "ambulance_station", _("Ambulance station")

    class Level(models.TextChoices):
        CENTRAL = "central", _("Central (Ministry of Health)")
        CITY = "city", _("City")
        REGIONAL = "regional", _("Regional")
        PRIVATE = "private", _("Private")

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of ids ("/1/7/"), so scope filters are one indexed prefix match.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    address = models.CharField(max_length=255, blank=True)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    specialties = models.JSONField(default=list, blank=True)
    is_pilot = models.BooleanField(default=False, help_text=_("Part of the camera AI pilot"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Unit.objects.filter(pk=self.pk).update(path=path)

    @property
    def specialty_labels(self) -> list[str]:
        return specialty_labels(self.specialties)

    def descendants_and_self(self) -> QuerySet[Unit]:
        return Unit.objects.filter(path__startswith=self.path)

    def contains(self, other: Unit) -> bool:
        return other.path.startswith(self.path)


class BedCapacity(models.Model):
    """Licensed beds of one type at a facility (the reported totals may differ day to day)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="bed_capacities")
    bed_type = models.CharField(max_length=24, choices=BedType.choices)
    beds = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "bed_type"], name="unique_bed_capacity")]
        verbose_name = _("bed capacity")
        verbose_name_plural = _("bed capacities")

    def __str__(self) -> str:
        return f"{self.unit} {self.bed_type}: {self.beds}"


class User(AbstractUser):
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.OPERATOR)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        help_text=_("The user sees and acts on this unit and the units below it"),
    )
    phone = models.CharField(max_length=32, blank=True)

    def has_perm_in(self, perm: Perm, unit: Unit | None = None) -> bool:
        """May this user do `perm`, on `unit` if one is named (it must be in the user's scope)?"""
        if not self.is_active:
            return False
        if perm not in ROLE_PERMS.get(self.role, set()):
            return False
        return unit is None or self.in_scope(unit)

    def in_scope(self, unit: Unit) -> bool:
        return self.unit is not None and self.unit.contains(unit)

    def scope_units(self) -> QuerySet[Unit]:
        if self.unit is None:
            return Unit.objects.none()
        return self.unit.descendants_and_self()

    def scope_filter(self, field: str = "unit") -> Q:
        """A filter limiting any queryset with a unit foreign key to this user's scope."""
        if self.unit is None:
            return Q(pk__in=[])
        return Q(**{f"{field}__path__startswith": self.unit.path})


def token_expiry() -> datetime.datetime:
    """When a token issued now expires: API_TOKEN_DAYS from now."""
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for a machine client (a hospital information system). Only its hash is stored;
    the key is shown once, when the token is issued (`org.services.issue_token`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=token_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_valid(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)
