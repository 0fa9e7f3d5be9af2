"""Uploads: checked by content and size, stored with a SHA-256 checksum, text extracted in the background."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.errors import ValidationFailed
from opscenter.core.tasks import queue_after_commit
from opscenter.org.models import User

from .. import filetext, pdfsign
from ..models import Document, StoredFile
from ..textsearch import fold

log = logging.getLogger(__name__)


def max_upload_bytes() -> int:
    """WORK_MAX_UPLOAD_MB (settings)."""
    return int(float(settings.WORK_MAX_UPLOAD_MB) * 1024 * 1024)


def _checksum(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def store(actor: User, upload: UploadedFile, field: str = "file") -> tuple[StoredFile, bool]:
    """Keep an uploaded file; returns (file, created). The same person uploading the same bytes again gets the
    stored file back."""
    if upload.size is None or upload.size == 0:
        raise ValidationFailed.one(field, _("the file is empty"))
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationFailed.one(field, _("the file is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    mime = filetext.detect(upload.read(8192))
    upload.seek(0)
    if mime is None:
        raise ValidationFailed.one(field, _("this kind of file is not accepted: send a PDF, an office document "
                                            "(DOCX, XLSX, ODT, DOC, XLS) or a scanned image (PNG, JPEG, TIFF)"))
    sha256 = _checksum(upload)
    existing = StoredFile.objects.filter(sha256=sha256, uploaded_by=actor).first()
    if existing is not None:
        return existing, False
    name = os.path.basename(upload.name or "file")[:255]
    stored = StoredFile(name=name, mime=mime, size=upload.size, sha256=sha256, uploaded_by=actor)
    stored.file.save(f"{sha256[:16]}.{filetext.ALLOWED[mime]}", upload, save=False)
    stored.save()
    audit.record(actor, "work.file.uploaded", stored, actor.unit.code if actor.unit else "", name=name,
                 sha256=sha256, size=upload.size)
    from ..tasks import extract_file_text

    queue_after_commit(extract_file_text, file_id=stored.pk)  # swept by extract_pending if the broker is away
    return stored, True


def extract_pending(older_than: dt.timedelta = dt.timedelta(minutes=5), limit: int = 50) -> list[int]:
    """Extract the files whose extraction was never queued or never ran (the broker was away, a worker died):
    those uploaded more than `older_than` ago and still without text. Returns their ids."""
    ids = list(StoredFile.objects.filter(extracted=False, uploaded_at__lt=timezone.now() - older_than)
               .order_by("uploaded_at").values_list("pk", flat=True)[:limit])
    for file_id in ids:
        extract(file_id)
    return ids


def extract(file_id: int) -> StoredFile:
    """Read the file's text (OCR for scans) and its PDF signatures, then refresh the documents' search text."""
    stored = StoredFile.objects.get(pk=file_id)
    with stored.file.open("rb") as fh:
        data = fh.read()
    try:
        found = filetext.extract(data, stored.mime)
    except Exception:  # a damaged file keeps no text; it stays stored and downloadable
        log.warning("could not read the text of file %s", stored.pk, exc_info=True)
        found = filetext.Extracted("", ocr=False)
    signatures = [s.as_dict() for s in pdfsign.verify(data)] if stored.mime == "application/pdf" else []
    with transaction.atomic():
        StoredFile.objects.filter(pk=stored.pk).update(text=found.text, ocr=found.ocr, extracted=True,
                                                       signatures=signatures)
        audit.record("work.extract", "work.file.extracted", stored, chars=len(found.text), ocr=found.ocr,
                     signatures=len(signatures))
        for document in Document.objects.filter(files=stored):
            refresh_search_text(document)
    stored.refresh_from_db()
    return stored


def refresh_search_text(document: Document) -> None:
    texts = [t for t in document.files.values_list("text", flat=True) if t]
    folded = fold(" ".join([document.number_symbol, document.summary, document.issuing_body, document.signer,
                            *texts]))
    Document.objects.filter(pk=document.pk).update(search_text=folded)
    document.search_text = folded


def owned(actor: User, ids: list[int], field: str) -> list[StoredFile]:
    """Files a write may attach: ones this person uploaded."""
    files = list(StoredFile.objects.filter(pk__in=ids, uploaded_by=actor))
    if len(files) != len(set(ids)):
        raise ValidationFailed.one(field, _("unknown file, or a file uploaded by someone else"))
    return files
