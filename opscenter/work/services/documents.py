"""The registers of official documents (Decree 30/2020/NĐ-CP).

Incoming: register → assign to a handler with a deadline → forward → process → close.
Outgoing: draft → submit for review → approve (or return) → number and issue to recipients; a recipient unit
on the platform receives it in its own incoming register. Numbers come from a locked yearly counter per
register, so two clerks registering at the same moment never share a number and no number is skipped.
Nothing is deleted: a document is cancelled with a reason, and every step stays in its trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, texts
from opscenter.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm, Role

from ..events import DOCUMENT_KINDS
from ..models import (
    DOC_TYPE_ABBREVIATIONS,
    Confidentiality,
    Direction,
    DocType,
    Document,
    DocumentAction,
    RegisterCounter,
    StoredFile,
    Urgency,
)
from ..numbering import number_symbol
from ..textsearch import words
from . import files, notify
from .common import record, text

S = Document.Status
# The highest confidentiality level each role may read (other roles: normal documents only).
CLEARANCE: dict[str, int] = {Role.LEADER: Confidentiality.TOP_SECRET, Role.ADMIN: Confidentiality.TOP_SECRET,
             Role.CLERK: Confidentiality.SECRET, Role.OPERATOR: Confidentiality.CONFIDENTIAL,
             Role.HOSPITAL_MANAGER: Confidentiality.CONFIDENTIAL}


@dataclass
class DocumentFields:
    summary: str
    doc_type: str = DocType.OFFICIAL_LETTER
    number_symbol: str = ""
    issuer_symbol: str = ""
    issue_date: dt.date | None = None
    issuing_body: str = ""
    signer: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: int = Confidentiality.NORMAL
    recipients: str = ""
    recipient_units: Sequence[str] = ()
    files: Sequence[int] = ()
    unit: str | None = None  # the register's unit; the user's own by default
    idempotency_key: str | None = None


# --- access ---

def clearance(user: User) -> int:
    return CLEARANCE.get(user.role, Confidentiality.NORMAL)


def visible(user: User) -> QuerySet[Document]:
    """Documents of units in scope up to the user's clearance. No exception for whoever created or handles one:
    clearance is about the reader, whatever their part in the document's life."""
    if user.unit is None or not user.has_perm_in(Perm.VIEW_DOCUMENTS):
        return Document.objects.none()
    return Document.objects.filter(user.scope_filter(), confidentiality__lte=clearance(user))


def above_clearance(user: User, stored: StoredFile) -> bool:
    """Is this file part of a document the user is not cleared for? Then nothing else opens it, not even
    having uploaded it."""
    return Document.objects.filter(files=stored, confidentiality__gt=clearance(user)).exists()


def _cleared(user: User, fields: DocumentFields) -> None:
    """Nobody creates a document they could not read."""
    if isinstance(fields.confidentiality, int) and fields.confidentiality > clearance(user):
        raise ValidationFailed.one("confidentiality", _("above your clearance"))


def get(user: User, document_id: int, *, viewed: bool = False) -> Document:
    document = visible(user).select_related("unit", "handler", "created_by").filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document in your scope"))
    if viewed and document.confidentiality > Confidentiality.NORMAL:
        audit.record(user, "work.document.viewed", document, document.unit.code,
                     confidentiality=document.confidentiality)
    return document


def record_download(user: User, document: Document, file_id: int) -> None:
    if document.confidentiality > Confidentiality.NORMAL:
        audit.record(user, "work.document.downloaded", document, document.unit.code, file_id=file_id,
                     confidentiality=document.confidentiality)


def search(user: User, query: str, qs: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Full-text search over number, summary, issuer and file text, insensitive to Vietnamese diacritics.

    PostgreSQL: the stored tsvector of the folded text (GIN index); elsewhere every word as a substring."""
    qs = visible(user) if qs is None else qs
    terms = words(query)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        match = RawSQL("work_document.search_vector @@ to_tsquery('simple'::regconfig, %s)",
                       [" & ".join(terms)], output_field=BooleanField())
        return qs.filter(match)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    return qs


# --- numbering ---

def next_number(unit: Unit, direction: str, year: int) -> int:
    """The next number of a register; call inside the registering transaction (the counter row stays locked
    until it commits, so concurrent registrations queue here)."""
    RegisterCounter.objects.get_or_create(unit=unit, direction=direction, year=year)
    counter = RegisterCounter.objects.select_for_update().get(unit=unit, direction=direction, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


# --- writing ---

def _validate(fields: DocumentFields, outgoing: bool) -> list[FieldError]:
    errors = []
    if not fields.summary.strip():
        errors.append(FieldError("summary", _("this field is required")))
    if fields.doc_type not in DocType.values:
        errors.append(FieldError("doc_type", _("must be one of: %(v)s") % {"v": ", ".join(DocType.values)}))
    if fields.urgency not in Urgency.values:
        errors.append(FieldError("urgency", _("must be one of: %(v)s") % {"v": ", ".join(Urgency.values)}))
    if fields.confidentiality not in Confidentiality.values:
        errors.append(FieldError("confidentiality", _("must be one of: 0, 1, 2, 3")))
    if not outgoing:
        for name in ("number_symbol", "issuing_body"):
            if not getattr(fields, name).strip():
                errors.append(FieldError(name, _("this field is required")))
        if fields.issue_date is None:
            errors.append(FieldError("issue_date", _("this field is required")))
        elif fields.issue_date > timezone.localdate():
            errors.append(FieldError("issue_date", _("the issue date cannot be in the future")))
    for name, limit in (("number_symbol", 64), ("issuer_symbol", 32), ("issuing_body", 255), ("signer", 150)):
        if len(getattr(fields, name)) > limit:
            errors.append(FieldError(name, _("at most %(n)s characters") % {"n": limit}))
    return errors


def _register_unit(user: User, fields: DocumentFields, perm: Perm) -> Unit:
    unit = user.unit if not fields.unit else Unit.objects.filter(code=fields.unit).first()
    if unit is None:
        raise ValidationFailed.one("unit", _("unknown unit"))
    if not user.has_perm_in(perm, unit):
        raise PermissionDenied(_("You may not do this for %(unit)s") % {"unit": unit.code})
    return unit


def _idempotent(user: User, key: str | None) -> Document | None:
    return visible(user).filter(idempotency_key=key, created_by=user).first() if key else None


def _log(user: User | None, document: Document, action: str, note: str = "", to_user: User | None = None,
         deadline: dt.datetime | None = None, note_texts: texts.Texts | None = None, **data: Any) -> None:
    """`note_texts`: a note the system writes, in every language (core.texts); `note` is then the site's."""
    DocumentAction.objects.create(document=document, actor=user, action=action, text=note, texts=note_texts or {},
                                  to_user=to_user, deadline=deadline)
    record(user or "work", f"document.{action}", document, document.unit, DOCUMENT_KINDS[action],
           direction=document.direction, status=document.status, number_symbol=document.number_symbol,
           register_number=document.register_number, text=note,
           to_user=to_user.get_username() if to_user else None, **data)


def _create(user: User | None, unit: Unit, fields: DocumentFields, direction: str, status: str,
            **extra: Any) -> Document:
    return Document.objects.create(
        direction=direction, unit=unit, status=status, doc_type=fields.doc_type,
        number_symbol=fields.number_symbol.strip(), issuer_symbol=fields.issuer_symbol.strip(),
        issue_date=fields.issue_date, issuing_body=fields.issuing_body.strip(), summary=fields.summary.strip(),
        signer=fields.signer.strip(), urgency=fields.urgency, confidentiality=fields.confidentiality,
        recipients=fields.recipients.strip(), created_by=user, idempotency_key=fields.idempotency_key or None,
        **extra,
    )


def _number(document: Document) -> None:
    """Give the document the next number of its register. Done last in the transaction: the counter stays locked
    until commit, so the less work after it, the more clerks register per second."""
    document.year = timezone.localdate().year
    document.register_number = next_number(document.unit, document.direction, document.year)
    Document.objects.filter(pk=document.pk).update(year=document.year, register_number=document.register_number)


@transaction.atomic
def register_incoming(user: User, fields: DocumentFields) -> tuple[Document, bool]:
    """Enter a received document in the unit's incoming register with the next number of the year."""
    if existing := _idempotent(user, fields.idempotency_key):
        return existing, False
    unit = _register_unit(user, fields, Perm.REGISTER_DOCUMENTS)
    _cleared(user, fields)
    errors = _validate(fields, outgoing=False)
    if errors:
        raise ValidationFailed(errors)
    attached = files.owned(user, list(fields.files), "files")
    document = _create(user, unit, fields, Direction.INCOMING, S.REGISTERED, received_at=timezone.now())
    document.files.set(attached)
    files.refresh_search_text(document)
    _number(document)
    _log(user, document, "registered")
    return document, True


@transaction.atomic
def draft_outgoing(user: User, fields: DocumentFields) -> tuple[Document, bool]:
    if existing := _idempotent(user, fields.idempotency_key):
        return existing, False
    if not (user.has_perm_in(Perm.REGISTER_DOCUMENTS) or user.has_perm_in(Perm.ISSUE_DIRECTIVES)):
        raise PermissionDenied(_("You may not draft documents"))
    unit = _register_unit(user, fields, Perm.VIEW_DOCUMENTS)
    _cleared(user, fields)
    errors = _validate(fields, outgoing=True)
    if errors:
        raise ValidationFailed(errors)
    recipients = _recipient_units(user, fields.recipient_units)
    attached = files.owned(user, list(fields.files), "files")
    if not fields.issuer_symbol.strip():
        fields.issuer_symbol = unit.code
    document = _create(user, unit, fields, Direction.OUTGOING, S.DRAFT)
    document.files.set(attached)
    document.recipient_units.set(recipients)
    files.refresh_search_text(document)
    _log(user, document, "drafted")
    return document, True


def _recipient_units(user: User, codes: Sequence[str]) -> list[Unit]:
    units = list(Unit.objects.filter(code__in=list(codes), active=True))
    unknown = set(codes) - {u.code for u in units}
    if unknown:
        raise ValidationFailed.one("recipient_units", _("unknown units: %(c)s") % {"c": ", ".join(sorted(unknown))})
    return units


def _locked(user: User, document: Document) -> Document:
    get(user, document.pk)  # in scope and cleared
    return Document.objects.select_for_update(of=("self",)).select_related("unit", "handler").get(pk=document.pk)


def _expect(document: Document, *statuses: str) -> None:
    if document.status not in statuses:
        raise Conflict(_("Not possible while the document is %(status)s") % {"status": document.get_status_display()})


def _may_assign(user: User, document: Document) -> bool:
    return user.has_perm_in(Perm.REGISTER_DOCUMENTS, document.unit) or user.has_perm_in(
        Perm.APPROVE_DOCUMENTS, document.unit)


def _handler(document: Document, handler: User | None, field: str) -> User:
    if handler is None or not handler.is_active:
        raise ValidationFailed.one(field, _("no such active user"))
    if not handler.has_perm_in(Perm.VIEW_DOCUMENTS, document.unit) or clearance(handler) < document.confidentiality:
        raise ValidationFailed.one(field, _("this person may not handle this document"))
    return handler


@transaction.atomic
def assign(user: User, document: Document, handler: User | None, deadline: dt.datetime | None,
           note: str = "", expected_handler: str | None = None) -> Document:
    document = _locked(user, document)
    if not _may_assign(user, document):
        raise PermissionDenied(_("You may not assign documents of %(unit)s") % {"unit": document.unit.code})
    _expect(document, S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS)
    handler = _handler(document, handler, "handler")
    _expect_handler(document, expected_handler, handler)
    if deadline is not None and deadline <= timezone.now():
        raise ValidationFailed.one("deadline", _("the deadline must be in the future"))
    document.handler, document.handling_deadline, document.status = handler, deadline, S.ASSIGNED
    document.save(update_fields=["handler", "handling_deadline", "status"])
    _log(user, document, "assigned", note.strip(), handler, deadline)
    _tell_handler(document, lambda: _("Document to handle: %(s)s"))
    return document


def _expect_handler(document: Document, expected: str | None, handler: User) -> None:
    """`expected`: the handler's username the person saw ("" for none). If someone else was given the document
    since, Conflict (409) naming them, rather than silently taking it away (unless both chose the same)."""
    current = document.handler.get_username() if document.handler else ""
    if expected is not None and expected != current and current != handler.get_username():
        raise Conflict(_("Meanwhile the document was given to %(who)s; check and assign again if needed.")
                       % {"who": current or "—"})


def _tell_handler(document: Document, title: Callable[[], str]) -> None:
    notify.send([document.handler] if document.handler else [], "document.assigned",
                lambda: title() % {"s": document.number_symbol or document.summary[:60]},
                reverse("work:document", args=[document.pk]), document.summary)


@transaction.atomic
def forward(user: User, document: Document, handler: User | None, note: str = "",
            expected_handler: str | None = None) -> Document:
    document = _locked(user, document)
    if document.handler_id != user.pk and not _may_assign(user, document):
        raise PermissionDenied(_("Only the handler may forward this document"))
    _expect(document, S.ASSIGNED, S.IN_PROGRESS)
    handler = _handler(document, handler, "handler")
    _expect_handler(document, expected_handler, handler)
    document.handler = handler
    document.save(update_fields=["handler"])
    _log(user, document, "forwarded", note.strip(), handler)
    _tell_handler(document, lambda: _("Document forwarded to you: %(s)s"))
    return document


@transaction.atomic
def process(user: User, document: Document, note: str) -> Document:
    document = _locked(user, document)
    if document.handler_id != user.pk:
        raise PermissionDenied(_("Only the handler may record processing"))
    note = text(note, "text")
    _expect(document, S.ASSIGNED, S.IN_PROGRESS)
    document.status = S.IN_PROGRESS
    document.save(update_fields=["status"])
    _log(user, document, "processed", note)
    return document


@transaction.atomic
def close(user: User, document: Document, note: str) -> Document:
    document = _locked(user, document)
    if document.handler_id != user.pk and not _may_assign(user, document):
        raise PermissionDenied(_("Only the handler may close this document"))
    note = text(note, "text")
    _expect(document, S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS)
    document.status = S.CLOSED
    document.save(update_fields=["status"])
    _log(user, document, "closed", note)
    return document


@transaction.atomic
def submit_for_review(user: User, document: Document, note: str = "") -> Document:
    document = _locked(user, document)
    if document.created_by_id != user.pk:
        raise PermissionDenied(_("Only the drafter may submit this draft"))
    _expect(document, S.DRAFT)
    document.status = S.IN_REVIEW
    document.save(update_fields=["status"])
    _log(user, document, "submitted", note.strip())
    notify.send(notify.holders(Perm.APPROVE_DOCUMENTS, [document.unit]), "document.review",
                lambda: _("Draft to review: %(s)s") % {"s": document.summary[:80]},
                reverse("work:document", args=[document.pk]))
    return document


@transaction.atomic
def review(user: User, document: Document, approve: bool, note: str = "") -> Document:
    document = _locked(user, document)
    if not user.has_perm_in(Perm.APPROVE_DOCUMENTS, document.unit):
        raise PermissionDenied(_("You may not approve documents of %(unit)s") % {"unit": document.unit.code})
    _expect(document, S.IN_REVIEW)
    if not approve:
        note = text(note, "text")
    document.status = S.APPROVED if approve else S.DRAFT
    if approve and not document.signer:
        document.signer = user.get_full_name() or user.get_username()
    document.save(update_fields=["status", "signer"])
    _log(user, document, "approved" if approve else "returned", note.strip())
    return document


@transaction.atomic
def issue(user: User, document: Document, note: str = "") -> Document:
    """Number an approved outgoing document, date it, and deliver it to the recipient units on the platform."""
    document = _locked(user, document)
    if not user.has_perm_in(Perm.REGISTER_DOCUMENTS, document.unit):
        raise PermissionDenied(_("Only the records clerk issues documents"))
    _expect(document, S.APPROVED)
    today = timezone.localdate()
    document.year, document.register_number = today.year, next_number(document.unit, Direction.OUTGOING, today.year)
    document.number_symbol = number_symbol(document.register_number, DOC_TYPE_ABBREVIATIONS[document.doc_type],
                                           document.issuer_symbol)
    document.issue_date, document.status = today, S.ISSUED
    document.issuing_body = document.issuing_body or document.unit.name
    document.save(update_fields=["year", "register_number", "number_symbol", "issue_date", "status",
                                 "issuing_body"])
    files.refresh_search_text(document)
    _log(user, document, "issued", note.strip())
    for unit in document.recipient_units.order_by("pk"):  # one order for every issuer: no deadlock on counters
        _deliver(document, unit)
    return document


def _deliver(source: Document, unit: Unit) -> Document:
    fields = DocumentFields(
        summary=source.summary, doc_type=source.doc_type, number_symbol=source.number_symbol,
        issue_date=source.issue_date, issuing_body=source.issuing_body, signer=source.signer,
        urgency=source.urgency, confidentiality=source.confidentiality, recipients=source.recipients,
    )
    copy = _create(None, unit, fields, Direction.INCOMING, S.REGISTERED, received_at=timezone.now(), source=source)
    copy.files.set(source.files.all())
    files.refresh_search_text(copy)
    _number(copy)
    delivered = texts.each_language(lambda: _("Delivered through the platform from %(unit)s") % {"unit": source.unit})
    _log(None, copy, "received", delivered[settings.LANGUAGE_CODE], note_texts=delivered)
    readers = notify.holders(Perm.VIEW_DOCUMENTS, [unit]).filter(
        role__in=[r for r, level in CLEARANCE.items() if level >= copy.confidentiality]
        if copy.confidentiality else list(Role.values))
    notify.send(readers, "document.received", lambda: _("Incoming document: %(s)s") % {"s": copy.number_symbol},
                reverse("work:document", args=[copy.pk]), copy.summary)
    return copy


@transaction.atomic
def attach(user: User, document: Document, file_ids: Sequence[int]) -> Document:
    document = _locked(user, document)
    if document.status in (S.CLOSED, S.ISSUED, S.CANCELLED):
        raise Conflict(_("Not possible while the document is %(status)s") % {"status": document.get_status_display()})
    if document.created_by_id != user.pk and document.handler_id != user.pk and not _may_assign(user, document):
        raise PermissionDenied(_("You may not add files to this document"))
    new = files.owned(user, list(file_ids), "files")
    document.files.add(*new)
    files.refresh_search_text(document)
    _log(user, document, "files_added", ", ".join(f.name for f in new), files=[f.pk for f in new])
    return document


@transaction.atomic
def cancel(user: User, document: Document, reason: str) -> Document:
    document = _locked(user, document)
    drafter = document.status == S.DRAFT and document.created_by_id == user.pk
    if not drafter and not user.has_perm_in(Perm.REGISTER_DOCUMENTS, document.unit):
        raise PermissionDenied(_("You may not cancel this document"))
    reason = text(reason, "reason")
    if document.status == S.CANCELLED:
        raise Conflict(_("The document is already cancelled"))
    document.status, document.cancel_reason = S.CANCELLED, reason
    document.save(update_fields=["status", "cancel_reason"])
    _log(user, document, "cancelled", reason)
    return document
