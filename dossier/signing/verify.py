"""`verify_file`: every signature of one PDF checked with pyHanko, as a typed result with an ETSI indication.

Validation time is now. Revocation: `auto` prefers the validation data embedded in the document (the DSS of
a B-LT/B-LTA file, offline) and fetches OCSP/CRL online only when there is none or it does not settle the
status; `offline` never touches the network; `online` always fetches. Each signature names its source.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    PdfSignatureStatus,
    SignatureCoverageLevel,
    SignatureStatus,
    TimestampSignatureStatus,
)
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    StaleRevinfoError,
    ValidationError,
)

from dossier.i18n import _
from dossier.signing.indication import Indication, SignatureFacts, SubIndication, Verdict, classify, worst
from dossier.signing.verify_contexts import Contexts, fetched_source
from dossier.signing.verify_result import (
    FileVerification,
    Level,
    RevocationMode,
    RevocationSource,
    RevocationStatus,
    SignatureVerification,
    TimestampInfo,
    certificate_info,
)

log = logging.getLogger(__name__)

SIGNING_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
# Changes after signing that keep a signature valid: none, DSS/document timestamps, further signatures.
ALLOWED_MODIFICATIONS = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)
FORMAT_FAILED = Verdict(Indication.total_failed, SubIndication.format_failure)
ContextFactory = Callable[[], ValidationContext]
# Chain problems that only mean "the revocation status could not be settled with this data".
REVOCATION_UNSETTLED = {SubIndication.try_later.value, SubIndication.revocation_out_of_bounds_no_poe.value}
# ...and those that embedded data can settle at the time a trusted signature timestamp proves (B-LT's purpose:
# the certificate has expired since, or the embedded OCSP answers are no longer fresh today).
SETTLED_AT_PROOF_TIME = {
    *REVOCATION_UNSETTLED,
    SubIndication.out_of_bounds_no_poe.value,
    SubIndication.certificate_chain_general_failure.value,  # pyHanko's name for "no revocation data" too
}


def _timestamp_info(status: TimestampSignatureStatus) -> TimestampInfo:
    return TimestampInfo(
        time=status.timestamp,
        tsa=status.signing_cert.subject.human_friendly,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
    )


async def _explain_chain_failure(
    status: SignatureStatus, intermediates: list[x509.Certificate], make_context: ContextFactory
) -> str:
    """pyHanko folds several chain failures into CERTIFICATE_CHAIN_GENERAL_FAILURE: tell them apart."""
    context = make_context()
    validator = CertificateValidator(
        status.signing_cert, intermediate_certs=intermediates, validation_context=context
    )
    try:
        await validator.async_validate_usage(key_usage=set(SIGNING_KEY_USAGE.key_usage or ()))
    except StaleRevinfoError:
        return SubIndication.revocation_out_of_bounds_no_poe.value
    except InsufficientRevinfoError:
        return SubIndication.try_later.value
    except NotYetValidError:
        return SubIndication.not_yet_valid.value
    except PathBuildingError:
        return SubIndication.no_certificate_chain_found.value
    except ValidationError:
        pass
    finally:
        await context.aclose()
    return SubIndication.certificate_chain_general_failure.value


async def _chain_problem(
    status: PdfSignatureStatus, embedded: EmbeddedPdfSignature, make_context: ContextFactory
) -> str | None:
    indic = status.trust_problem_indic
    if indic is None:
        return None if status.validation_path is not None else SubIndication.no_certificate_chain_found.value
    name = indic.standard_name
    if name == SubIndication.certificate_chain_general_failure.value:
        name = await _explain_chain_failure(status, embedded.other_embedded_certs, make_context)
    return name


@dataclass(frozen=True)
class _Checked:
    status: PdfSignatureStatus
    chain_problem: str | None
    source: RevocationSource
    fallback: bool = False
    validated_at: datetime | None = None  # None: now; else the time a signature timestamp proves


async def _validate_signature(
    embedded: EmbeddedPdfSignature, contexts: Contexts, mode: RevocationMode
) -> _Checked:
    async def run(make_context: ContextFactory, *, skip_diff: bool = False) -> PdfSignatureStatus:
        context = make_context()
        try:
            return await async_validate_pdf_signature(
                embedded, context, key_usage_settings=SIGNING_KEY_USAGE, skip_diff=skip_diff
            )
        finally:
            await context.aclose()

    async def checked(
        make_context: ContextFactory,
        source: RevocationSource,
        *,
        fallback: bool = False,
        validated_at: datetime | None = None,
    ) -> _Checked:
        status = await run(make_context)
        problem = await _chain_problem(status, embedded, make_context)
        return _Checked(status, problem, source, fallback, validated_at)

    use_embedded = mode is RevocationMode.offline or (
        mode is RevocationMode.auto and contexts.has_embedded_revinfo
    )
    if not use_embedded:
        result = await checked(contexts.online, RevocationSource.none)
        return replace(result, source=fetched_source(result.status.signing_cert))
    embedded_source = RevocationSource.dss if contexts.has_embedded_revinfo else RevocationSource.none
    status = await run(contexts.offline)
    proof = status.timestamp_validity
    raw_problem = status.trust_problem_indic.standard_name if status.trust_problem_indic is not None else None
    if (
        raw_problem in SETTLED_AT_PROOF_TIME
        and contexts.has_embedded_revinfo
        and proof is not None
        and proof.trusted
    ):
        # an archived B-LT file: the signature timestamp proves when it existed; validate at that time (the
        # changes made after signing are the same at any validation time: keep the first run's analysis)
        past = await run(lambda: contexts.offline(moment=proof.timestamp), skip_diff=True)
        if past.trusted:
            past = replace(
                past, coverage=status.coverage, diff_result=status.diff_result, docmdp_ok=status.docmdp_ok
            )
            return _Checked(past, None, RevocationSource.dss, validated_at=proof.timestamp)
    problem = await _chain_problem(status, embedded, contexts.offline)
    if mode is RevocationMode.offline or problem not in REVOCATION_UNSETTLED:
        return _Checked(status, problem, embedded_source, fallback=False)
    result = await checked(contexts.online, RevocationSource.none, fallback=True)
    return replace(result, source=fetched_source(result.status.signing_cert))


def _dss_revision(reader: PdfFileReader) -> int | None:
    """The revision that last wrote the document's DSS (None: no DSS)."""
    try:
        value = reader.root.raw_get("/DSS")
    except KeyError:
        return None
    reference = value.reference if isinstance(value, generic.IndirectObject) else reader.root_ref
    return reader.xrefs.get_last_change(reference)


async def _embedded_revinfo_settles(
    embedded: EmbeddedPdfSignature, contexts: Contexts, checked: _Checked
) -> bool:
    """B-LT: validation data added to the DSS after this signature, enough for its whole chain offline."""
    dss_revision = _dss_revision(embedded.reader)
    if not contexts.has_embedded_revinfo or dss_revision is None or dss_revision <= embedded.signed_revision:
        return False
    if checked.source is RevocationSource.dss:  # the check above already ran offline on the DSS alone
        return checked.status.trusted
    context = contexts.offline()
    try:
        status = await async_validate_pdf_signature(
            embedded, context, key_usage_settings=SIGNING_KEY_USAGE, skip_diff=True
        )
    finally:
        await context.aclose()
    return status.trusted


def names_revocation_source(cert: x509.Certificate) -> bool:
    """The certificate says where its status is published (OCSP or CRL), or that it needs no check."""
    no_check = any(ext["extn_id"].native == "ocsp_no_check" for ext in cert["tbs_certificate"]["extensions"])
    return bool(cert.ocsp_urls or cert.crl_distribution_points) or no_check


def _revocation(status: PdfSignatureStatus) -> tuple[RevocationStatus, datetime | None]:
    details = status.revocation_details  # the signer's or a CA's certificate
    if details is not None:
        return RevocationStatus.revoked, details.revocation_date
    # hard-fail: a trusted path means every certificate in it that names an OCSP responder or CRL was found
    # good there; a certificate that names none was never checked (pyHanko accepts it): ETSI says TRY_LATER
    if status.trusted and names_revocation_source(status.signing_cert):
        return RevocationStatus.good, None
    return RevocationStatus.not_checked, None


def _modification(status: PdfSignatureStatus) -> tuple[bool, str | None, bool]:
    coverage = status.coverage
    level = status.modification_level
    modified = coverage is not SignatureCoverageLevel.ENTIRE_FILE
    standard = coverage is not None and coverage >= SignatureCoverageLevel.ENTIRE_REVISION
    allowed = standard and level in ALLOWED_MODIFICATIONS and status.docmdp_ok is not False
    return modified, (level.name if level is not None else None), allowed


def _level(
    embedded: EmbeddedPdfSignature,
    timestamp: TimestampInfo | None,
    dss_settles: bool,
    document_timestamp: TimestampInfo | None,
) -> Level:
    if str(embedded.sig_object.get("/SubFilter", "")) != "/ETSI.CAdES.detached":
        return Level.not_pades
    if timestamp is None or not timestamp.ok:
        return Level.b_b
    if not dss_settles:
        return Level.b_t
    if document_timestamp is None or not document_timestamp.ok:
        return Level.b_lt
    return Level.b_lta


def _failed_signature(
    name: str,
    reason: str,
    verdict: Verdict = FORMAT_FAILED,
) -> SignatureVerification:
    return SignatureVerification(
        field_name=_plain(name),
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        signer="",
        certificate=None,
        signing_time=None,
        signature_timestamp=None,
        document_timestamp=None,
        level=None,
        intact=False,
        valid=False,
        trusted=False,
        revocation=RevocationStatus.not_checked,
        revocation_source=RevocationSource.none,
        revoked_at=None,
        online_fallback=False,
        validated_at=datetime.now(UTC),
        coverage=None,
        modified_after_signing=False,
        modification_level=None,
        modification_allowed=False,
        problem=reason,
    )


def _plain(name: object) -> str:
    """pyHanko's field names are string objects that still hold the (soon closed) reader: copy the text."""
    return "".join(str(name))


def _error_verdict(error: BaseException) -> Verdict:
    """pyHanko's own ETSI sub-indication when it gives one; any other crash of one signature's check is
    INDETERMINATE (GENERIC): the signature could be neither confirmed nor refuted."""
    sub = getattr(error, "ades_subindication", None)
    status = getattr(getattr(sub, "status", None), "name", None)
    known = {s.value for s in SubIndication}
    if sub is not None and sub.name in known and status in ("FAILED", "INDETERMINATE"):
        indication = Indication.total_failed if status == "FAILED" else Indication.indeterminate
        return Verdict(indication, SubIndication(sub.name))
    return Verdict(Indication.indeterminate, SubIndication.generic)


async def _verify_signature(
    embedded: EmbeddedPdfSignature,
    contexts: Contexts,
    mode: RevocationMode,
    document_timestamps: Sequence[tuple[int, TimestampInfo]],
    now: datetime,
) -> SignatureVerification:
    checked = await _validate_signature(embedded, contexts, mode)
    status = checked.status
    timestamp = _timestamp_info(status.timestamp_validity) if status.timestamp_validity is not None else None
    later = [info for revision, info in document_timestamps if revision > embedded.signed_revision]
    document_timestamp = next((info for info in later if info.ok), later[0] if later else None)
    modified, modification_level, allowed = _modification(status)
    revocation, revoked_at = _revocation(status)
    verdict = classify(
        SignatureFacts(
            intact=status.intact,
            valid=status.valid,
            modification_allowed=allowed,
            chain_problem=checked.chain_problem,
            revoked_at=revoked_at,
            best_signature_time=timestamp.time if timestamp is not None and timestamp.ok else now,
            revocation_known_good=revocation is RevocationStatus.good,
            revocation_checked=revocation is not RevocationStatus.not_checked,
            timestamp_ok=timestamp.ok if timestamp is not None else None,
        )
    )
    source = checked.source if revocation is not RevocationStatus.not_checked else RevocationSource.none
    dss_settles = await _embedded_revinfo_settles(embedded, contexts, checked)
    return SignatureVerification(
        field_name=_plain(embedded.field_name),
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        signer=certificate_info(status.signing_cert).display_name,
        certificate=certificate_info(status.signing_cert),
        signing_time=status.signer_reported_dt,
        signature_timestamp=timestamp,
        document_timestamp=document_timestamp,
        level=(
            _level(embedded, timestamp, dss_settles and status.trusted, document_timestamp)
            if status.intact and status.valid
            else None
        ),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revocation=revocation,
        revocation_source=source,
        revoked_at=revoked_at,
        online_fallback=checked.fallback,
        validated_at=checked.validated_at or now,
        coverage=status.coverage.name if status.coverage is not None else None,
        modified_after_signing=modified,
        modification_level=modification_level,
        modification_allowed=allowed,
    )


async def _validate_document_timestamp(
    embedded: EmbeddedPdfSignature, contexts: Contexts, mode: RevocationMode
) -> TimestampInfo | None:
    """Embedded data first (offline), then online in `auto` mode if that does not make it trusted."""
    makers = {
        RevocationMode.online: (contexts.online,),
        RevocationMode.offline: (contexts.offline,),
        RevocationMode.auto: (contexts.offline, contexts.online),
    }[mode]
    info = None
    for make_context in makers:
        context = make_context()
        try:
            info = _timestamp_info(await async_validate_pdf_timestamp(embedded, context))
        except (SignatureValidationError, PdfError, ValueError) as error:
            log.info("document timestamp %s unreadable: %s", embedded.field_name, error)
            return None
        finally:
            await context.aclose()
        if info.ok:
            break
    return info


async def _document_timestamps(
    stamps: Sequence[EmbeddedPdfSignature], contexts: Contexts, mode: RevocationMode
) -> list[tuple[int, TimestampInfo]]:
    found = []
    for embedded in stamps:
        info = await _validate_document_timestamp(embedded, contexts, mode)
        if info is not None:
            found.append((embedded.signed_revision, info))
    return found


async def _verify_reader(
    reader: PdfFileReader,
    trust_roots: Sequence[x509.Certificate],
    mode: RevocationMode,
    now: datetime,
    at: datetime | None,
) -> tuple[list[SignatureVerification], list[TimestampInfo]]:
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    contexts = Contexts(trust_roots, dss, at)
    signatures: list[tuple[str, EmbeddedPdfSignature | str]] = []
    for name, _value, field_ref in enumerate_sig_fields(reader, filled_status=True):
        try:
            signatures.append((name, EmbeddedPdfSignature(reader, field_ref, name)))
        except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            signatures.append(
                (name, _("Chữ ký hỏng (từ điển chữ ký hoặc CMS): {reason}").format(reason=error))
            )
    stamps = [
        s
        for _n, s in signatures
        if isinstance(s, EmbeddedPdfSignature) and s.sig_object_type == "/DocTimeStamp"
    ]
    document_timestamps = await _document_timestamps(stamps, contexts, mode)
    results = []
    for name, embedded in signatures:
        if isinstance(embedded, str):
            results.append(_failed_signature(name, embedded))
        elif embedded.sig_object_type != "/DocTimeStamp":
            try:
                results.append(await _verify_signature(embedded, contexts, mode, document_timestamps, now))
            except Exception as error:  # one signature's crash is that signature's verdict, never the run's
                log.info("signature %s could not be checked", _plain(name), exc_info=True)
                reason = str(error) or type(error).__name__
                results.append(_failed_signature(name, reason, _error_verdict(error)))
    return results, [info for _r, info in document_timestamps]


IN_MEMORY_LIMIT = 64 * 1024 * 1024


def _open_pdf(path: Path) -> BinaryIO:
    """Scans are small: one read, then pyHanko's many small seeks and reads run on memory (faster)."""
    if path.stat().st_size <= IN_MEMORY_LIMIT:
        return io.BytesIO(path.read_bytes())
    return path.open("rb")


def crashed_file(path: Path, error: BaseException, now: datetime | None = None) -> FileVerification:
    """A file whose check crashed: INDETERMINATE (GENERIC) with the reason, so the rest of a run goes on."""
    reason = str(error) or type(error).__name__
    return FileVerification(
        path=str(path),
        indication=Indication.indeterminate,
        sub_indication=SubIndication.generic,
        signatures=(),
        validation_time=now or datetime.now(UTC),
        error=_("Không kiểm tra được tệp: {reason}").format(reason=reason),
    )


def verify_file(
    path: Path,
    trust_roots: Sequence[x509.Certificate],
    *,
    revocation: RevocationMode = RevocationMode.auto,
    at: datetime | None = None,
) -> FileVerification:
    """Verify every signature in `path`. Never raises for a bad file: an unreadable one is a failed result.

    `at` validates at another time than now ("what will an auditor see in five years?"); it needs
    `RevocationMode.offline`, since nobody can ask an OCSP responder about the future.
    """
    if at is not None and revocation is not RevocationMode.offline:
        raise ValueError("a validation time other than now needs RevocationMode.offline")
    now = at or datetime.now(UTC)
    try:
        with _open_pdf(path) as handle:
            reader = PdfFileReader(handle, strict=False)
            signatures, document_timestamps = asyncio.run(
                _verify_reader(reader, trust_roots, revocation, now, at)
            )
    except (OSError, PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return FileVerification(
            path=str(path),
            indication=Indication.total_failed,
            sub_indication=SubIndication.format_failure,
            signatures=(),
            validation_time=now,
            error=_("Không đọc được tệp PDF: {reason}").format(reason=reason),
        )
    except Exception as error:  # anything else is this file's INDETERMINATE, never the whole run's
        log.info("%s could not be checked", path, exc_info=True)
        return crashed_file(path, error, now)
    verdict = worst(Verdict(s.indication, s.sub_indication) for s in signatures)
    return FileVerification(
        path=str(path),
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        signatures=tuple(signatures),
        validation_time=now,
        document_timestamps=tuple(document_timestamps),
    )
