"""Digital signatures embedded in a PDF, checked with pyHanko (no Django here).

A signature is reported as intact (the signed bytes are unchanged), valid (the cryptography holds) and
trusted (the certificate chains to a trust root we were given); with no trust roots, nothing is trusted,
but intact and valid still tell a tampered file from a sound one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass
from typing import Any

from opscenter.extras import needs

log = logging.getLogger(__name__)
# pyHanko logs every untrusted chain with a traceback; the result we return already says it.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)


@dataclass
class SignatureCheck:
    field: str
    signer: str
    signed_at: str | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(data: bytes, trust_roots: list[Any] | None = None) -> list[SignatureCheck]:
    """Every signature of the PDF; an empty list if it has none (or is not a readable PDF)."""
    with needs("documents"):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:
        log.info("not a readable PDF for signature checks", exc_info=True)
        return []
    checks = []
    for signature in signatures:
        try:
            context = ValidationContext(trust_roots=trust_roots or [], allow_fetching=False)
            status = validate_pdf_signature(signature, context)
            cert = status.signing_cert
            checks.append(SignatureCheck(
                field=signature.field_name,
                signer=cert.subject.human_friendly if cert is not None else "",
                signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
                covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
                summary=status.summary(),
            ))
        except Exception as exc:  # a broken signature is a finding, not a crash
            checks.append(SignatureCheck(signature.field_name, "", None, False, False, False, False,
                                         f"unreadable signature: {exc}"))
    return checks
