"""What verification found, as typed frozen records: per signature, per file. No I/O, no pyHanko."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from asn1crypto import x509

from dossier.signing.indication import Indication, SubIndication


class RevocationMode(StrEnum):
    auto = "auto"
    offline = "offline"
    online = "online"


class Level(StrEnum):
    b_b = "B-B"
    b_t = "B-T"
    b_lt = "B-LT"
    b_lta = "B-LTA"
    not_pades = "PKCS7"  # adbe.pkcs7.detached and friends: a signature, but no PAdES baseline level


class RevocationStatus(StrEnum):
    good = "good"  # an OCSP answer or CRL said so
    revoked = "revoked"
    not_checked = "not-checked"  # no OCSP/CRL could be had, or the certificate names no place to ask


class RevocationSource(StrEnum):
    dss = "DSS"  # embedded in the document, checked offline
    ocsp = "OCSP"
    crl = "CRL"
    none = "none"


@dataclass(frozen=True)
class CertificateInfo:
    common_name: str
    organization: str | None
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str

    @property
    def display_name(self) -> str:
        return f"{self.common_name} ({self.organization})" if self.organization else self.common_name


@dataclass(frozen=True)
class TimestampInfo:
    time: datetime
    tsa: str
    intact: bool
    valid: bool
    trusted: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


@dataclass(frozen=True)
class SignatureVerification:
    field_name: str
    indication: Indication
    sub_indication: SubIndication | None
    signer: str
    certificate: CertificateInfo | None
    signing_time: datetime | None  # claimed by the signer: not proof
    signature_timestamp: TimestampInfo | None
    document_timestamp: TimestampInfo | None
    level: Level | None
    intact: bool
    valid: bool
    trusted: bool
    revocation: RevocationStatus
    revocation_source: RevocationSource
    revoked_at: datetime | None
    online_fallback: bool  # embedded data did not settle the status, so it was fetched online
    validated_at: datetime  # now, or the time a signature timestamp proves (archived B-LT files)
    coverage: str | None
    modified_after_signing: bool
    modification_level: str | None
    modification_allowed: bool
    problem: str | None = None


@dataclass(frozen=True)
class FileVerification:
    path: str
    indication: Indication
    sub_indication: SubIndication | None
    signatures: tuple[SignatureVerification, ...]
    validation_time: datetime
    error: str | None = None  # the file could not be read as a PDF at all
    document_timestamps: tuple[TimestampInfo, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.indication is Indication.total_passed

    @property
    def readable(self) -> bool:
        return self.error is None


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    subject = cert.subject.native
    validity = cert["tbs_certificate"]["validity"]
    return CertificateInfo(
        common_name=str(subject.get("common_name", cert.subject.human_friendly)),
        organization=subject.get("organization_name"),
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        sha256=cert.sha256.hex(),
    )
