"""What an uploaded file is (by its content, not its name) and the text inside it (no Django here).

PDF text comes from pypdf; a page without a text layer is a scan, so its images go through Tesseract
with the Vietnamese language data. DOCX text comes from python-docx; images are OCR'd directly.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import filetype

from opscenter.extras import needs

log = logging.getLogger(__name__)

# Detected MIME type -> what we call it. Anything else is refused.
ALLOWED = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tiff",
}
OCR_LANGUAGES = "vie"
MIN_TEXT_PER_PAGE = 20  # fewer characters than this and the page is treated as a scan


def detect(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (8 KB is plenty), if it is an allowed kind."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        return None
    return kind.mime


@dataclass
class Extracted:
    text: str
    ocr: bool  # some of the text came from OCR


def extract(data: bytes, mime: str) -> Extracted:
    kind = ALLOWED.get(mime)
    if kind == "pdf":
        return _pdf(data)
    if kind == "docx":
        return Extracted(_docx(data), ocr=False)
    if kind in ("png", "jpg", "tiff"):
        from PIL import Image

        return Extracted(ocr_image(Image.open(io.BytesIO(data))), ocr=True)
    return Extracted("", ocr=False)


def ocr_image(image) -> str:
    with needs("documents"):
        import pytesseract

    try:
        return pytesseract.image_to_string(image.convert("L"), lang=OCR_LANGUAGES).strip()
    except pytesseract.TesseractNotFoundError:
        log.warning("tesseract is not installed: a scanned page stays without text")
        return ""


def _pdf(data: bytes) -> Extracted:
    with needs("documents"):
        from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages, ocr = [], False
    for page in reader.pages:
        text = (page.extract_text() or "").strip()
        if len(text) < MIN_TEXT_PER_PAGE:
            scanned = "\n".join(ocr_image(image.image) for image in page.images if image.image is not None)
            if scanned.strip():
                text, ocr = scanned, True
        pages.append(text)
    return Extracted("\n\n".join(pages).strip(), ocr)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p.strip())
