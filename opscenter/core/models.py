from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """One row per write anywhere in the platform: who did what to which object, and with what."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text=_("Username or system process"))
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    unit_code = models.CharField(max_length=32, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class OutboxEntry(models.Model):
    """An event that durable subscribers (the alert rules) must see, written in the transaction of the write that
    caused it. Delivered after commit and marked done in the transaction of what its subscribers write; the sweep
    delivers again what stays pending (the process died in between), so a crash loses nothing (core.outbox)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=80)
    event = models.TextField()  # core.events.Event.to_json()
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # deliveries that failed
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["created_at"], condition=models.Q(done_at__isnull=True),
                                name="outbox_pending")]
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M:%S} {'done' if self.done_at else 'pending'}"
