"""Does an uploaded PDF carry an intact signature? Integrity only: the sandbox trusts no certificate."""

from __future__ import annotations

from pathlib import Path

from dossier.i18n import _


def unsigned_reason(path: Path) -> str | None:
    """None when the PDF has at least one signature and every signature is intact and cryptographically
    valid; otherwise the reason, for the `unsigned_file` error. Trust and revocation are not checked."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        with path.open("rb") as handle:
            signatures = PdfFileReader(handle, strict=False).embedded_signatures
            if not signatures:
                return _("tệp chưa được ký số")
            for signature in signatures:
                # The sandbox has no trust roots: it trusts each signer's own certificate, so path building
                # cannot fail and `intact` and `valid` say whether the signed bytes are unchanged and the
                # signature matches the certificate's key. Revocation is not checked (nothing to fetch).
                context = ValidationContext(
                    trust_roots=[signature.signer_cert], allow_fetching=False, crls=[], ocsps=[]
                )
                status = validate_pdf_signature(signature, context)
                if not (status.intact and status.valid):
                    return _("chữ ký số {field} không còn nguyên vẹn").format(field=signature.field_name)
    except (PdfError, OSError, ValueError, KeyError, TypeError) as error:
        return _("không đọc được PDF: {reason}").format(reason=type(error).__name__)
    return None
