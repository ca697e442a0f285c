"""Refuse before signing: an expired, not yet valid, revoked, wrongly purposed or untrusted certificate.

pyHanko refuses some of these at B-LT but happily signs B-B/B-T with a revoked or expired certificate, so we
check the certificate ourselves, once per batch, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv

from dossier.errors import SigningError
from dossier.i18n import _

SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


class RevocationSource:
    ocsp = "OCSP"
    crl = "CRL"


@dataclass(frozen=True)
class CertificateCheck:
    """What was checked about the signer's certificate, for the officer and for the JSON report."""

    subject: str  # the full distinguished name
    short_subject: str  # "common name (organisation)"
    common_name: str
    organization: str | None
    issuer: str
    short_issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    revocation_source: str | None  # "OCSP", "CRL", or None when no answer was needed and none came


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.native
    return str(names.get("common_name") or certificate.subject.human_friendly)


def short_name(name: x509.Name) -> str:
    """ "Common name (organisation)": what an officer recognises, without the X.500 labels."""
    fields = name.native
    common = fields.get("common_name")
    organization = fields.get("organization_name")
    if not common:
        return name.human_friendly
    return f"{common} ({organization})" if organization else str(common)


def describe(certificate: x509.Certificate) -> str:
    return short_name(certificate.subject)


def check_dates(certificate: x509.Certificate, now: datetime) -> None:
    validity = certificate["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    if now < not_before:
        raise SigningError(
            _("Chứng thư số của {subject} chưa có hiệu lực (từ {start}): từ chối ký.").format(
                subject=describe(certificate), start=not_before.isoformat()
            )
        )
    if now > not_after:
        raise SigningError(
            _("Chứng thư số của {subject} đã hết hạn ngày {end}: từ chối ký.").format(
                subject=describe(certificate), end=not_after.isoformat()
            )
        )


def check_key_usage(certificate: x509.Certificate) -> None:
    """A certificate restricted to other uses (e.g. only encryption) may not sign documents."""
    usage = certificate.key_usage_value
    if usage is None:
        return  # no restriction declared
    if not SIGNING_USAGES & set(usage.native):
        raise SigningError(
            _(
                "Chứng thư số của {subject} không dùng để ký (mục đích khóa: {usage}; cần digitalSignature "
                "hoặc nonRepudiation): từ chối ký."
            ).format(subject=describe(certificate), usage=", ".join(sorted(usage.native)))
        )


def revocation_source(certificate: x509.Certificate, context: ValidationContext) -> str | None:
    """Which kind of answer about this certificate the context holds: OCSP preferred, then CRL."""
    serial = certificate.serial_number
    for response in context.ocsps:
        for single in response.basic_ocsp_response["tbs_response_data"]["responses"]:
            if single["cert_id"]["serial_number"].native == serial:
                return RevocationSource.ocsp
    issuer = certificate.issuer
    for crl in context.crls:
        if crl.issuer == issuer:
            return RevocationSource.crl
    return None


async def check_certificate(
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    context: ValidationContext,
    *,
    now: datetime | None = None,
) -> CertificateCheck:
    """Dates, key usage, then the chain to the trust roots and revocation (as strict as `context` says)."""
    now = now or datetime.now(UTC)
    check_dates(certificate, now)
    check_key_usage(certificate)
    subject = describe(certificate)
    validator = CertificateValidator(certificate, intermediate_certs=list(chain), validation_context=context)
    try:
        await validator.async_validate_usage(set())
    except cv.RevokedError as error:
        raise SigningError(
            _("Chứng thư số của {subject} đã bị thu hồi ({reason}): từ chối ký.").format(
                subject=subject, reason=error
            )
        ) from None
    except cv.InsufficientRevinfoError as error:
        raise SigningError(
            _(
                "Không kiểm tra được tình trạng thu hồi của chứng thư số {subject} "
                "(OCSP và CRL không trả lời: {reason}): từ chối ký."
            ).format(subject=subject, reason=error)
        ) from None
    except cv.PathBuildingError:
        raise SigningError(
            _(
                "Chứng thư số của {subject} (cấp bởi {issuer}) không dẫn tới CA gốc nào được tin cậy: "
                "từ chối ký. Thêm chứng thư CA gốc bằng --trust hoặc [signing] trust."
            ).format(subject=subject, issuer=short_name(certificate.issuer))
        ) from None
    except (cv.PathValidationError, cv.PathError, cv.InvalidCertificateError) as error:
        raise SigningError(
            _("Chứng thư số của {subject} không hợp lệ ({reason}): từ chối ký.").format(
                subject=subject, reason=error
            )
        ) from None
    names = certificate.subject.native
    validity = certificate["tbs_certificate"]["validity"]
    return CertificateCheck(
        subject=certificate.subject.human_friendly,
        short_subject=subject,
        common_name=common_name(certificate),
        organization=names.get("organization_name"),
        issuer=certificate.issuer.human_friendly,
        short_issuer=short_name(certificate.issuer),
        serial=format(certificate.serial_number, "x"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        revocation_source=revocation_source(certificate, context),
    )
