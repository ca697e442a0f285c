"""Signed PDFs for the verification tests: made with pyHanko directly, then tampered with on purpose.

Signing here bypasses `dossier sign` on purpose: the verifier must judge files our signer would refuse to make
(revoked or expired certificates) and files other tools made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from asn1crypto import pem, x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator import ValidationContext

from dossier.samples.pki import TestPki

PAGE_TEXT = "Giay to cong dan: ban sao dien tu"


def write_plain_pdf(path: Path, pages: int = 1, text: str = PAGE_TEXT) -> Path:
    """A born-digital PDF with uncompressed page content, so a test can find and change a byte of the text."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number in range(1, pages + 1):
        content = f"BT /F1 12 Tf 72 720 Td ({text} - trang {number}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return path


def sign_with_pyhanko(
    source: Path,
    output: Path,
    signer: signers.Signer,
    *,
    field_name: str = "Signature1",
    tsa_url: str | None = None,
    validation_context: ValidationContext | None = None,
    lta: bool = False,
) -> Path:
    """Sign `source` into `output` (incremental update): B-B, B-T with `tsa_url`, B-LT with a validation
    context (embedded revocation data), B-LTA with `lta` as well."""
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=validation_context is not None,
        validation_context=validation_context,
        use_pades_lta=lta,
    )
    with source.open("rb") as infile:
        data = signers.sign_pdf(
            IncrementalPdfFileWriter(infile, strict=False), meta, signer, timestamper=timestamper
        )
    output.write_bytes(data.getvalue())
    return output


def change_signed_byte(source: Path, output: Path, marker: bytes = PAGE_TEXT.encode()) -> Path:
    """Change one byte of the page text, inside the range the signature covers (same length, still parses)."""
    data = bytearray(source.read_bytes())
    position = data.index(marker)
    data[position] = ord("X") if data[position] != ord("X") else ord("Y")
    output.write_bytes(bytes(data))
    return output


def add_page_after_signing(source: Path, output: Path) -> Path:
    """Append a page by an incremental update, as someone slipping a paper into a signed dossier would."""
    with source.open("rb") as infile:
        writer = IncrementalPdfFileWriter(infile, strict=False)
        content = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (trang them) Tj ET")
        )
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/Contents"): content,
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
        writer.insert_page(page)
        with output.open("wb") as outfile:
            writer.write(outfile)
    return output


def strip_signatures(source: Path, output: Path) -> Path:
    """Rewrite the file without its signature fields: the pages stay, the signature is gone."""
    with pikepdf.open(source) as pdf:
        if "/AcroForm" in pdf.Root:
            del pdf.Root.AcroForm
        for page in pdf.pages:
            if "/Annots" in page.obj:
                kept = [a for a in page.obj.Annots if a.get("/FT") != pikepdf.Name.Sig]
                page.obj.Annots = pdf.make_indirect(pikepdf.Array(kept))
        if "/DSS" in pdf.Root:
            del pdf.Root.DSS
        pdf.save(output)
    return output


def garble_signature_contents(source: Path, output: Path) -> Path:
    """Overwrite the start of the CMS blob in /Contents (outside the signed range): a broken signature."""
    data = bytearray(source.read_bytes())
    start = data.index(b"/Contents <") + len(b"/Contents <")
    data[start : start + 40] = b"0" * 40
    output.write_bytes(bytes(data))
    return output


@dataclass(frozen=True)
class SignedSet:
    """One signed file per case the verifier must judge, all made once per test worker."""

    directory: Path
    unsigned: Path
    b_b: Path
    b_t: Path
    b_lt: Path
    b_lta: Path
    scan_b_lt: Path  # a PDF/A-2b scan like `dossier scan` makes, signed B-LT
    two_signatures: Path  # B-LT, then a second signature (B-T) on top
    byte_changed: Path  # one byte of the page text changed inside the signed range
    page_added: Path  # a page appended by an incremental update after signing
    stripped: Path  # the signature removed, the pages kept
    broken_cms: Path  # the signature's CMS blob overwritten
    untrusted: Path  # B-B by a certificate from a root nobody trusts
    revoked: Path  # B-B by officer-revoked (revoked 10 days ago), bypassing the signer's precheck
    expired: Path  # B-B by officer-expired (expired a year ago), bypassing the signer's precheck

    @property
    def good(self) -> tuple[Path, ...]:
        return (self.b_b, self.b_t, self.b_lt, self.b_lta, self.scan_b_lt, self.two_signatures)


_built: dict[Path, SignedSet] = {}


def load_root(path: Path) -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


def build_signed_set(pki: TestPki, directory: Path, scan_writer: Callable[[Path], Path]) -> SignedSet:
    """Sign every case with pyHanko directly against the running test PKI (cached per PKI and process)."""
    if pki.directory in _built:
        return _built[pki.directory]
    password = pki.p12_password.encode()

    def signer(name: str) -> signers.SimpleSigner:
        loaded = signers.SimpleSigner.load_pkcs12(pki.signer(name).p12, passphrase=password)
        assert loaded is not None
        return loaded

    def context() -> ValidationContext:
        return ValidationContext(
            trust_roots=[load_root(pki.root)], allow_fetching=True, revocation_mode="hard-fail"
        )

    officer = signer("officer")
    d = directory
    unsigned = write_plain_pdf(d / "chua-ky.pdf", pages=2)
    b_lt = sign_with_pyhanko(
        unsigned, d / "b-lt.pdf", officer, tsa_url=pki.tsa_url, validation_context=context()
    )
    scan = scan_writer(d / "scan.pdf")
    signed = SignedSet(
        directory=d,
        unsigned=unsigned,
        b_b=sign_with_pyhanko(unsigned, d / "b-b.pdf", officer),
        b_t=sign_with_pyhanko(unsigned, d / "b-t.pdf", officer, tsa_url=pki.tsa_url),
        b_lt=b_lt,
        b_lta=sign_with_pyhanko(
            unsigned, d / "b-lta.pdf", officer, tsa_url=pki.tsa_url, validation_context=context(), lta=True
        ),
        scan_b_lt=sign_with_pyhanko(
            scan, d / "scan-b-lt.pdf", officer, tsa_url=pki.tsa_url, validation_context=context()
        ),
        two_signatures=sign_with_pyhanko(
            b_lt, d / "hai-chu-ky.pdf", officer, field_name="Signature2", tsa_url=pki.tsa_url
        ),
        byte_changed=change_signed_byte(b_lt, d / "sua-1-byte.pdf"),
        page_added=add_page_after_signing(b_lt, d / "them-trang.pdf"),
        stripped=strip_signatures(b_lt, d / "bo-chu-ky.pdf"),
        broken_cms=garble_signature_contents(b_lt, d / "chu-ky-hong.pdf"),
        untrusted=sign_with_pyhanko(unsigned, d / "khong-tin-cay.pdf", signer("untrusted")),
        revoked=sign_with_pyhanko(unsigned, d / "bi-thu-hoi.pdf", signer("officer-revoked")),
        expired=sign_with_pyhanko(unsigned, d / "het-han.pdf", signer("officer-expired")),
    )
    scan.unlink()
    _built[pki.directory] = signed
    return signed
