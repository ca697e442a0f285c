"""Sandbox portal test helpers: signed test PDFs (a throwaway self-signed certificate) and requests."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
import pikepdf
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

TOKEN = "sandbox-test-token-0123456789"
AGENCY = "000.00.06.H56"
PROCEDURE = "1.001193"  # same day
SEVEN_DAY_PROCEDURE = "1.004222"
CITIZEN_ID = "001203012345"
CITIZEN_NAME = "Trần Thị Mỹ Duyên"


@cache
def test_signer() -> signers.SimpleSigner:
    """A self-signed EC certificate and key, made once per process: enough for an integrity check."""
    key = ec.generate_private_key(ec.SECP256R1())  # EC: key and signatures in milliseconds
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Can bo mot cua (test)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),
    )


def plain_pdf(text: str = "TO KHAI DANG KY KHAI SINH", padding: int = 0) -> bytes:
    """A one-page PDF; `padding` bytes of an unused stream make it as large as a test needs."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()),
    )
    pdf.pages.append(pikepdf.Page(page))
    if padding:
        pdf.Root.Padding = pdf.make_stream(bytes(range(256)) * (padding // 256 + 1))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def signed_pdf(text: str = "TO KHAI DANG KY KHAI SINH", padding: int = 0) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(plain_pdf(text, padding)))
    meta = signers.PdfSignatureMetadata(field_name="KySo", subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=test_signer(), output=out)
    return out.getvalue()


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    component_code: str = "TP01"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def spec(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "component_code": self.component_code,
            "component_name": "Tờ khai",
            "size": len(self.data),
            "sha256": self.sha256,
            "digitised": True,
            "reused": False,
        }


def create_body(
    uploads: list[Upload],
    procedure: str = PROCEDURE,
    received_at: str = "2026-11-30T09:15:00+07:00",
    agency: str = AGENCY,
) -> dict[str, Any]:
    return {
        "procedure_code": procedure,
        "procedure_name": "Đăng ký khai sinh",
        "channel": 2,
        "received_at": received_at,
        "summary": "Đăng ký khai sinh cho con",
        "citizen": {
            "id_type": 1,
            "id_number": CITIZEN_ID,
            "full_name": CITIZEN_NAME,
            "phone": "0912345678",
            "consent_reference": "DONG-Y-2026-0001",
        },
        "officer": {"account": "canbo01", "agency_code": agency},
        "files": [u.spec() for u in uploads],
    }


def new_key() -> str:
    return str(uuid.uuid4())


def create(client: httpx.Client, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return client.post("/v1/dossiers", json=body, headers={"Idempotency-Key": key or new_key()})


def put_chunk(
    client: httpx.Client, dossier_id: str, name: str, data: bytes, start: int, total: int
) -> httpx.Response:
    end = start + len(data) - 1
    return client.put(
        f"/v1/dossiers/{dossier_id}/files/{name}",
        content=data,
        headers={"Content-Range": f"bytes {start}-{end}/{total}", "Content-Type": "application/octet-stream"},
    )


def upload(client: httpx.Client, dossier_id: str, item: Upload, chunk: int = 64 * 1024) -> httpx.Response:
    response = None
    for start in range(0, len(item.data), chunk):
        response = put_chunk(
            client, dossier_id, item.name, item.data[start : start + chunk], start, len(item.data)
        )
        assert response.status_code == 200, response.text
    assert response is not None
    return response


def submit(client: httpx.Client, uploads: list[Upload], **body_options: Any) -> dict[str, Any]:
    """Create, upload every file, finalize: the finalized dossier's JSON."""
    created = create(client, create_body(uploads, **body_options))
    assert created.status_code == 201, created.text
    dossier_id = created.json()["id"]
    for item in uploads:
        upload(client, dossier_id, item)
    finalized = client.post(f"/v1/dossiers/{dossier_id}/finalize")
    assert finalized.status_code == 200, finalized.text
    return finalized.json()
