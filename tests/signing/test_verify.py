"""verify_file on the real test PKI: good files at every level, and every way a signature can fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dossier.samples.pki import TestPki
from dossier.signing.indication import Indication, SubIndication
from dossier.signing.verify import verify_file
from dossier.signing.verify_result import (
    FileVerification,
    Level,
    RevocationMode,
    RevocationSource,
    RevocationStatus,
    SignatureVerification,
)
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set, load_root

pytestmark = pytest.mark.pki


@pytest.fixture(scope="session")
def samples(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)


@pytest.fixture(scope="session")
def roots(test_pki: TestPki) -> tuple:
    return (load_root(test_pki.root),)


def only_signature(result: FileVerification) -> SignatureVerification:
    assert len(result.signatures) == 1, result
    return result.signatures[0]


@pytest.mark.parametrize(
    ("case", "level", "source"),
    [
        ("b_b", Level.b_b, RevocationSource.ocsp),
        ("b_t", Level.b_t, RevocationSource.ocsp),
        ("b_lt", Level.b_lt, RevocationSource.dss),
        ("b_lta", Level.b_lta, RevocationSource.dss),
        ("scan_b_lt", Level.b_lt, RevocationSource.dss),
    ],
)
def test_good_files_pass_at_their_level(
    samples: SignedSet, roots: tuple, test_pki: TestPki, case: str, level: Level, source: RevocationSource
) -> None:
    result = verify_file(getattr(samples, case), roots)
    assert result.indication is Indication.total_passed and result.sub_indication is None
    sig = only_signature(result)
    assert (sig.indication, sig.level, sig.revocation_source) == (Indication.total_passed, level, source)
    assert sig.intact and sig.valid and sig.trusted and sig.modification_allowed
    assert sig.revocation is RevocationStatus.good and not sig.online_fallback
    assert sig.signer.startswith("Cán Bộ Thử Nghiệm")
    assert sig.certificate is not None and sig.certificate.issuer.find("Intermediate") >= 0
    assert sig.certificate.serial == format(load_root(test_pki.signer("officer").cert).serial_number, "x")
    assert sig.signing_time is not None
    assert sig.certificate.not_before < sig.signing_time < sig.certificate.not_after
    assert (sig.signature_timestamp is not None) == (level is not Level.b_b)
    assert (sig.document_timestamp is not None) == (level is Level.b_lta)
    # B-LT/B-LTA carry a DSS (and a document timestamp) added after the signature: allowed changes
    assert sig.modified_after_signing == (level in (Level.b_lt, Level.b_lta))


def test_embedded_validation_data_is_enough_offline(samples: SignedSet, roots: tuple) -> None:
    for path in (samples.b_lt, samples.b_lta):
        sig = only_signature(verify_file(path, roots, revocation=RevocationMode.offline))
        assert sig.indication is Indication.total_passed
        assert sig.revocation_source is RevocationSource.dss


def test_offline_without_embedded_data_cannot_settle_revocation(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.b_t, roots, revocation=RevocationMode.offline))
    assert (sig.indication, sig.sub_indication) == (Indication.indeterminate, SubIndication.try_later)
    assert sig.revocation is RevocationStatus.not_checked and sig.revocation_source is RevocationSource.none
    assert sig.intact and sig.valid and sig.level is Level.b_t


def test_a_changed_byte_is_a_hash_failure(samples: SignedSet, roots: tuple) -> None:
    result = verify_file(samples.byte_changed, roots)
    sig = only_signature(result)
    assert (result.indication, result.sub_indication) == (Indication.total_failed, SubIndication.hash_failure)
    assert not sig.intact and not sig.trusted and sig.level is None


def test_a_page_added_after_signing_is_not_allowed(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.page_added, roots))
    assert (sig.indication, sig.sub_indication) == (Indication.total_failed, SubIndication.format_failure)
    assert sig.intact and sig.valid  # the signed revision itself is untouched...
    assert sig.modified_after_signing and not sig.modification_allowed  # ...but a page came after it
    assert sig.coverage == "ENTIRE_REVISION" and sig.modification_level == "OTHER"


def test_a_further_signature_keeps_the_first_valid(samples: SignedSet, roots: tuple) -> None:
    result = verify_file(samples.two_signatures, roots)
    assert result.indication is Indication.total_passed
    first, second = result.signatures
    assert (first.field_name, second.field_name) == ("Signature1", "Signature2")
    assert (
        first.modified_after_signing
        and first.modification_allowed
        and first.modification_level == "FORM_FILLING"
    )
    assert not second.modified_after_signing and second.coverage == "ENTIRE_FILE"
    assert first.level is Level.b_lt and second.level is Level.b_t


def test_a_stripped_signature_leaves_an_unsigned_file(samples: SignedSet, roots: tuple) -> None:
    result = verify_file(samples.stripped, roots)
    assert result.signatures == () and result.readable
    assert (result.indication, result.sub_indication) == (Indication.total_failed, SubIndication.no_signature)


def test_a_broken_signature_dictionary_is_a_format_failure(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.broken_cms, roots))
    assert (sig.indication, sig.sub_indication) == (Indication.total_failed, SubIndication.format_failure)
    assert sig.problem


def test_an_untrusted_chain_is_indeterminate(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.untrusted, roots))
    assert (sig.indication, sig.sub_indication) == (
        Indication.indeterminate,
        SubIndication.no_certificate_chain_found,
    )
    assert sig.intact and sig.valid and not sig.trusted
    assert sig.signer.startswith("Người Ký Không Tin Cậy")


def test_a_revoked_certificate_fails(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.revoked, roots))
    assert (sig.indication, sig.sub_indication) == (Indication.total_failed, SubIndication.revoked)
    assert sig.revocation is RevocationStatus.revoked and sig.revocation_source is RevocationSource.ocsp
    assert sig.revoked_at is not None
    assert abs(sig.revoked_at - (datetime.now(UTC) - timedelta(days=10))) < timedelta(hours=1)


def test_an_expired_certificate_does_not_pass(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.expired, roots))
    assert (sig.indication, sig.sub_indication) == (
        Indication.indeterminate,
        SubIndication.out_of_bounds_no_poe,
    )
    assert sig.certificate is not None and sig.certificate.not_after < datetime.now(UTC)


def test_trusting_the_wrong_root_trusts_nothing(samples: SignedSet, test_pki: TestPki) -> None:
    sig = only_signature(verify_file(samples.b_lt, (load_root(test_pki.untrusted_root),)))
    assert sig.indication is Indication.indeterminate and not sig.trusted


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.7\n garbage", b"not a pdf at all", None],
    ids=["empty", "truncated", "text", "missing"],
)
def test_unreadable_files_are_named_failures(tmp_path: Path, roots: tuple, content: bytes | None) -> None:
    path = tmp_path / "hong.pdf"
    if content is not None:
        path.write_bytes(content)
    result = verify_file(path, roots)
    assert not result.readable and result.error
    assert result.path == str(path) and result.signatures == ()
    assert (result.indication, result.sub_indication) == (
        Indication.total_failed,
        SubIndication.format_failure,
    )


def test_a_truncated_signed_file_does_not_crash(tmp_path: Path, samples: SignedSet, roots: tuple) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(samples.b_lt.read_bytes()[: samples.b_lt.stat().st_size // 2])
    result = verify_file(path, roots)
    assert result.indication is Indication.total_failed


def test_an_archived_b_lt_file_validates_at_its_signature_timestamp(samples: SignedSet, roots: tuple) -> None:
    # two days on, the embedded OCSP answer and CRL are out of date: the signature timestamp proves the
    # signature existed while they were fresh, so the embedded data still settles it, with no network
    later = datetime.now(UTC) + timedelta(days=2)
    result = verify_file(samples.b_lt, roots, revocation=RevocationMode.offline, at=later)
    sig = only_signature(result)
    assert sig.indication is Indication.total_passed and sig.level is Level.b_lt
    assert sig.signature_timestamp is not None and sig.validated_at == sig.signature_timestamp.time
    assert sig.revocation_source is RevocationSource.dss


def test_after_the_certificate_expired_only_b_lt_still_passes(samples: SignedSet, roots: tuple) -> None:
    sig = only_signature(verify_file(samples.b_lt, roots))
    assert sig.certificate is not None
    after_expiry = sig.certificate.not_after + timedelta(days=1)
    archived = only_signature(
        verify_file(samples.b_lt, roots, revocation=RevocationMode.offline, at=after_expiry)
    )
    assert archived.indication is Indication.total_passed
    plain = only_signature(
        verify_file(samples.b_t, roots, revocation=RevocationMode.offline, at=after_expiry)
    )
    assert plain.indication is Indication.indeterminate and plain.sub_indication in {
        SubIndication.out_of_bounds_no_poe,
        SubIndication.try_later,
    }


def test_another_validation_time_needs_offline_mode(samples: SignedSet, roots: tuple) -> None:
    with pytest.raises(ValueError, match="offline"):
        verify_file(samples.b_lt, roots, at=datetime.now(UTC) + timedelta(days=1))


def test_an_archived_file_with_a_page_added_still_fails(samples: SignedSet, roots: tuple) -> None:
    later = datetime.now(UTC) + timedelta(days=2)
    sig = only_signature(verify_file(samples.page_added, roots, revocation=RevocationMode.offline, at=later))
    assert sig.validated_at == (sig.signature_timestamp.time if sig.signature_timestamp else None)
    assert (sig.indication, sig.sub_indication) == (Indication.total_failed, SubIndication.format_failure)
    assert sig.modified_after_signing and not sig.modification_allowed
