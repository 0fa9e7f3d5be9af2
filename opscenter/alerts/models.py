from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core.texts import shown
from opscenter.org.models import Unit
from opscenter.reporting.models import localized_name

# What raised an alert, in words (the `source` field holds the app's name).
SOURCE_LABELS = {
    "reporting": _("Hospital reports"),
    "vision": _("Cameras"),
    "emergency": _("115 emergency"),
    "surveillance": _("Epidemic surveillance"),
    "work": _("Directives"),
    "booking": _("Appointments"),
}


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertRule(models.Model):
    """A rule as data: which evaluator looks at which events, with which parameters."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    evaluator = models.CharField(max_length=64, help_text=_("Name of a registered evaluator"))
    params = models.JSONField(default=dict, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return localized_name(self.name, self.name_en)


class Alert(models.Model):
    """One alert model for every source (reports, cameras, 115, surveillance, ...)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        HANDLED = "handled", _("Handled")
        FALSE_ALARM = "false_alarm", _("False alarm")
        CLEARED = "cleared", _("Condition cleared")  # set by the system only (see services.clear_alert)

    # What an operator may choose when resolving by hand.
    MANUAL_RESOLUTIONS = (Resolution.HANDLED, Resolution.FALSE_ALARM)

    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    source = models.CharField(max_length=32)
    kind = models.CharField(max_length=64)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="alerts")
    title = models.CharField(max_length=255)
    message = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    raised_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField()
    occurrences = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_alerts"
    )
    # Same condition, same thing: while the alert is open, a repeat updates it instead of adding one.
    dedup_key = models.CharField(max_length=200)
    evidence_url = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # The title and message in every language of the site ({"title": {"vi": ..., "en": ...}, "message": ...});
    # `title` and `message` hold the site language's (core.texts).
    texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], condition=~Q(status="resolved"), name="one_open_alert_per_key"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="alert_unit_status")]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return shown(self.texts.get("title"), self.title)

    @property
    def shown_message(self) -> str:
        return shown(self.texts.get("message"), self.message)

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))


class AlertNote(models.Model):
    """The alert's trail: every status change and every note, never edited."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    time = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)  # raised, acknowledged, resolved, auto_resolved, assigned, note, ...
    text = models.TextField(blank=True)
    texts = models.JSONField(default=dict, blank=True)  # a note the system wrote, in every language (core.texts)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action}"

    @property
    def shown_text(self) -> str:
        return shown(self.texts, self.text)
