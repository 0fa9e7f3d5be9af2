"""Direction and internal work: directives and their tasks, official documents, meetings, notifications.

Nothing here is ever deleted by the application: directives, documents and meetings are cancelled with a
reason, and each keeps a permanent trail (DirectiveUpdate, DocumentAction, MeetingNote).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opscenter.core.texts import shown
from opscenter.org.models import Unit

USER = settings.AUTH_USER_MODEL


def person_name(user: models.Model | None) -> str:
    """How the trails name someone: their full name, else what they do (their role), never a log-in name alone."""
    if user is None:
        return str(_("platform"))
    full = user.get_full_name()  # type: ignore[attr-defined]
    return full or str(user.get_role_display())  # type: ignore[attr-defined]


class StoredFile(models.Model):
    """An uploaded file, kept under MEDIA_ROOT with its SHA-256, detected type and extracted text."""

    file = models.FileField(upload_to="work/%Y/%m/")
    name = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(blank=True)
    ocr = models.BooleanField(default=False, help_text=_("Text recognised from a scan"))
    extracted = models.BooleanField(default=False)
    signatures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="work_notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    texts = models.JSONField(default=dict, blank=True)  # the title in every language of the site (core.texts)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="work_notification_unread")]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return shown(self.texts, self.title)


# --- directives ------------------------------------------------------------------------------------


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Directive(models.Model):
    """An instruction from a leader or operator to one or many units, each of which gets a task."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=255)
    content = models.TextField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    deadline = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="issued_directives")
    issuing_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="issued_directives")
    issued_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancel_reason = models.TextField(blank=True)
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="directives")
    # What prompted it (any of these, or none).
    alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="directives")
    conclusion = models.OneToOneField("Conclusion", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="directive")
    document = models.ForeignKey("Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="directives")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """One recipient unit's share of a directive."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        RETURNED = "returned", _("Returned for rework")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.SENT, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED)

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="work_tasks")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="work_tasks")
    deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["directive", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["directive", "unit"], name="one_task_per_unit")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.directive} → {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class DirectiveUpdate(models.Model):
    """The directive's permanent thread: issue, acknowledgements, progress, completion, returns, comments."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        PROGRESS = "progress", _("progress")
        DONE = "done", _("done")
        RETURNED = "returned", _("returned for rework")
        COMMENT = "comment", _("comment")
        CANCELLED = "cancelled", _("cancelled")

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="updates")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    time = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="directive_updates")

    # What happened, in words, for the thread (the kinds' own labels are verbs for a sentence, "issued").
    LABELS = {
        "issued": _("Issued"), "acknowledged": _("Acknowledged"), "progress": _("Progress reported"),
        "done": _("Completion reported"), "returned": _("Returned for rework"), "comment": _("Commented"),
        "cancelled": _("Cancelled"),
    }

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.kind}"

    @property
    def kind_label(self) -> str:
        return str(self.LABELS.get(self.kind, self.kind))


# --- official documents --------------------------------------------------------------------------


class DocType(models.TextChoices):
    """Types of administrative documents (Decree 30/2020/NĐ-CP, appendix III) with their abbreviation."""

    OFFICIAL_LETTER = "cong_van", _("Official letter")
    DECISION = "quyet_dinh", _("Decision")
    DIRECTIVE = "chi_thi", _("Directive")
    NOTICE = "thong_bao", _("Notice")
    PLAN = "ke_hoach", _("Plan")
    REPORT = "bao_cao", _("Report")
    SUBMISSION = "to_trinh", _("Submission")
    INVITATION = "giay_moi", _("Invitation")
    TELEGRAM = "cong_dien", _("Official telegram")
    MINUTES = "bien_ban", _("Minutes")
    OTHER = "khac", _("Other")


DOC_TYPE_ABBREVIATIONS: dict[str, str] = {
    DocType.OFFICIAL_LETTER: "", DocType.DECISION: "QĐ", DocType.DIRECTIVE: "CT", DocType.NOTICE: "TB",
    DocType.PLAN: "KH", DocType.REPORT: "BC", DocType.SUBMISSION: "TTr", DocType.INVITATION: "GM",
    DocType.TELEGRAM: "CĐ", DocType.MINUTES: "BB", DocType.OTHER: "",
}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")  # khẩn
    VERY_URGENT = "very_urgent", _("Very urgent")  # thượng khẩn
    EXPRESS = "express", _("Express")  # hỏa tốc


class Confidentiality(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    CONFIDENTIAL = 1, _("Confidential")  # mật
    SECRET = 2, _("Secret")  # tối mật
    TOP_SECRET = 3, _("Top secret")  # tuyệt mật


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")


class RegisterCounter(models.Model):
    """The last number given in one register (a unit's incoming or outgoing book) in one year.

    Locked (SELECT … FOR UPDATE) by the registering transaction, so numbers have no gaps and no duplicates."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "direction", "year"], name="one_counter_per_register")]
        verbose_name = _("register counter")
        verbose_name_plural = _("register counters")

    def __str__(self) -> str:
        return f"{self.unit.code} {self.direction} {self.year}: {self.last_number}"


class Document(models.Model):
    """An official document in a unit's incoming or outgoing register."""

    class Status(models.TextChoices):
        # incoming
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")
        # outgoing
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        ISSUED = "issued", _("Issued")
        # both
        CANCELLED = "cancelled", _("Cancelled")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="work_documents")
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    # The number in this unit's register for the year (số đến / số đi); none while an outgoing one is a draft.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    register_number = models.PositiveIntegerField(null=True, blank=True)
    doc_type = models.CharField(max_length=16, choices=DocType.choices, default=DocType.OFFICIAL_LETTER)
    number_symbol = models.CharField(max_length=64, blank=True, help_text=_("As printed, e.g. 123/SYT-NVY"))
    issuer_symbol = models.CharField(max_length=32, blank=True, help_text=_("Outgoing: e.g. SYT-NVY"))
    issue_date = models.DateField(null=True, blank=True)
    issuing_body = models.CharField(max_length=255, blank=True)
    summary = models.TextField(help_text=_("Trích yếu: what the document is about"))
    signer = models.CharField(max_length=150, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.PositiveSmallIntegerField(choices=Confidentiality.choices,
                                                       default=Confidentiality.NORMAL)
    recipients = models.TextField(blank=True, help_text=_("Nơi nhận, as written on the document"))
    recipient_units = models.ManyToManyField(Unit, blank=True, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handling_deadline = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    files = models.ManyToManyField(StoredFile, blank=True, related_name="documents")
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries",
                               help_text=_("The outgoing document this incoming one was delivered from"))
    cancel_reason = models.TextField(blank=True)
    # Number, summary, issuer and file text, folded (no diacritics): what full-text search reads.
    search_text = models.TextField(blank=True, editable=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "direction", "year", "register_number"],
                                    condition=Q(register_number__isnull=False), name="unique_register_number"),
        ]
        indexes = [models.Index(fields=["unit", "direction", "status"], name="work_doc_unit_dir_status"),
                   models.Index(fields=["-created_at", "-id"], name="work_doc_newest")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.number_symbol or _('(unnumbered)')} {self.summary[:60]}"


class DocumentAction(models.Model):
    """The permanent processing trail of a document."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="actions")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    time = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=24)
    text = models.TextField(blank=True)
    texts = models.JSONField(default=dict, blank=True)  # a note the system wrote, in every language (core.texts)
    to_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)

    # What happened, in words (services.documents writes these actions).
    LABELS = {
        "registered": _("Registered"), "drafted": _("Draft written"), "assigned": _("Assigned for handling"),
        "forwarded": _("Forwarded for handling"), "processed": _("Processing recorded"), "closed": _("Closed"),
        "submitted": _("Submitted for review"), "approved": _("Approved"), "returned": _("Returned to the drafter"),
        "issued": _("Numbered and issued"), "received": _("Received"), "files_added": _("Files added"),
        "cancelled": _("Cancelled"),
    }

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))

    @property
    def shown_text(self) -> str:
        return shown(self.texts, self.text)


# --- meetings --------------------------------------------------------------------------------------


class Room(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_rooms")
    name = models.CharField(max_length=150)
    location = models.CharField(max_length=255, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unique_room_name")]
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=255)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meetings")
    organiser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="organised_meetings")
    chair = models.CharField(max_length=150, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    online_url = models.URLField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.TextField(blank=True)
    invited_units = models.ManyToManyField(Unit, blank=True, related_name="+")
    invited_people = models.ManyToManyField("org.User", blank=True, related_name="meeting_invitations")
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    presenter = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    presenter_name = models.CharField(max_length=150, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Planned duration"))
    documents = models.ManyToManyField(StoredFile, blank=True, related_name="agenda_items")
    vote_question = models.CharField(max_length=255, blank=True)
    vote_options = models.JSONField(default=list, blank=True)
    voting_open = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def presenter_label(self) -> str:
        if self.presenter_name:
            return self.presenter_name
        return (self.presenter.get_full_name() or self.presenter.get_username()) if self.presenter else ""


class Vote(models.Model):
    """One person's vote or opinion on an agenda item; never changed once cast."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=100, blank=True)
    opinion = models.TextField(blank=True)
    time = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["time", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="one_vote_per_person")]

    def __str__(self) -> str:
        return f"{self.voter}: {self.choice or self.opinion[:40]}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        MANUAL = "manual", _("Manual")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["checked_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_check_in_per_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.checked_in_at:%H:%M}"


class MeetingNote(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notes")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    time = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Conclusion(models.Model):
    """A decision of the meeting, with an owner unit and a deadline; becomes a directive in one step."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="conclusions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="conclusions")
    text = models.TextField()
    owner_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
