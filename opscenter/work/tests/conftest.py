"""Fixtures of the work area's tests: its alert rule back after each flush, files under a temporary MEDIA_ROOT,
and documents the tests make themselves (a scanned Vietnamese page, a DOCX, a signed PDF)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from django.conf import settings as django_settings

FONT = Path(django_settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"
SCAN_LINES = [
    "SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH",
    "Số: 245/SYT-NVY",
    "V/v tăng cường phòng chống sốt xuất huyết",
    "Đề nghị các bệnh viện chuẩn bị giường bệnh",
    "và báo cáo tình hình điều trị hằng tuần.",
]


@pytest.fixture(autouse=True)
def _work_setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def city(city):
    """The shared city, plus this area's alert rule (transactional tests flush what migrations installed)."""
    from django.apps import apps

    from opscenter.work import definitions

    definitions.install(apps)
    return city


def scanned_page(lines: list[str] = SCAN_LINES, seed: int = 7) -> bytes:
    """A page as a scanner would give it: text rendered in DejaVu, slightly rotated, blurred and speckled."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(FONT), 34)
    page = Image.new("L", (1400, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((70, 60 + 70 * n), line, font=font, fill=20)
    rng = random.Random(seed)
    pixels = page.load()
    assert pixels is not None
    for _ in range(page.width * page.height // 150):  # speckles
        pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.choice((0, 90, 180))
    page = page.rotate(0.6, fillcolor=255, resample=Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(0.7))
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def signed_pdf(text: str) -> bytes:
    """A PDF signed with a self-signed certificate made here with `cryptography`."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Giám đốc Sở Y tế"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Y tế TP.HCM")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509

    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore(),
    )
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf_bytes(text))),
                     signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer, output=out)
    return out.getvalue()


def upload(client, data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/work/files", {"file": SimpleUploadedFile(name, data)})
