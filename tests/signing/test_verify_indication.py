"""The ETSI indication mapping, row by row, without any PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dossier.signing.indication import (
    Indication,
    SignatureFacts,
    SubIndication,
    Verdict,
    classify,
    worst,
)

NOW = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
FAILED, INDETERMINATE, PASSED = Indication.total_failed, Indication.indeterminate, Indication.total_passed


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (SignatureFacts(), Verdict(PASSED)),
        (SignatureFacts(format_error=True, intact=False), Verdict(FAILED, SubIndication.format_failure)),
        (SignatureFacts(intact=False, valid=False), Verdict(FAILED, SubIndication.hash_failure)),
        (SignatureFacts(valid=False), Verdict(FAILED, SubIndication.sig_crypto_failure)),
        (SignatureFacts(modification_allowed=False), Verdict(FAILED, SubIndication.format_failure)),
        # a broken digest wins over a chain problem: the content is what matters first
        (
            SignatureFacts(intact=False, chain_problem="NO_CERTIFICATE_CHAIN_FOUND"),
            Verdict(FAILED, SubIndication.hash_failure),
        ),
        (
            SignatureFacts(
                chain_problem="REVOKED_NO_POE", revoked_at=NOW - timedelta(days=10), best_signature_time=NOW
            ),
            Verdict(FAILED, SubIndication.revoked),
        ),
        # revoked only after a trusted timestamp proved the signature existed: not a failure, not a pass
        (
            SignatureFacts(
                chain_problem="REVOKED_NO_POE",
                revoked_at=NOW,
                best_signature_time=NOW - timedelta(days=1),
                timestamp_ok=True,
            ),
            Verdict(INDETERMINATE, SubIndication.revoked_no_poe),
        ),
        (
            SignatureFacts(chain_problem="REVOKED_CA_NO_POE", revoked_at=NOW, best_signature_time=NOW),
            Verdict(INDETERMINATE, SubIndication.revoked_ca_no_poe),
        ),
        (
            SignatureFacts(chain_problem="NO_CERTIFICATE_CHAIN_FOUND"),
            Verdict(INDETERMINATE, SubIndication.no_certificate_chain_found),
        ),
        (
            SignatureFacts(chain_problem="OUT_OF_BOUNDS_NO_POE"),
            Verdict(INDETERMINATE, SubIndication.out_of_bounds_no_poe),
        ),
        (
            SignatureFacts(chain_problem="OUT_OF_BOUNDS_NO_POE", revocation_known_good=True),
            Verdict(INDETERMINATE, SubIndication.out_of_bounds_not_revoked),
        ),
        (SignatureFacts(chain_problem="TRY_LATER"), Verdict(INDETERMINATE, SubIndication.try_later)),
        (
            SignatureFacts(chain_problem="REVOCATION_OUT_OF_BOUNDS_NO_POE"),
            Verdict(INDETERMINATE, SubIndication.revocation_out_of_bounds_no_poe),
        ),
        (
            SignatureFacts(chain_problem="CHAIN_CONSTRAINTS_FAILURE"),
            Verdict(INDETERMINATE, SubIndication.chain_constraints_failure),
        ),
        (SignatureFacts(chain_problem="SOMETHING_NEW"), Verdict(INDETERMINATE, SubIndication.generic)),
        (SignatureFacts(timestamp_ok=False), Verdict(INDETERMINATE, SubIndication.sig_constraints_failure)),
        (SignatureFacts(timestamp_ok=True), Verdict(PASSED)),
    ],
)
def test_classify(facts: SignatureFacts, expected: Verdict) -> None:
    assert classify(facts) == expected


def test_the_worst_signature_decides_the_file() -> None:
    hash_failure = Verdict(FAILED, SubIndication.hash_failure)
    untrusted = Verdict(INDETERMINATE, SubIndication.no_certificate_chain_found)
    assert worst([Verdict(PASSED), untrusted]) == untrusted
    assert worst([untrusted, hash_failure, Verdict(PASSED)]) == hash_failure
    assert worst([Verdict(PASSED), Verdict(PASSED)]).passed


def test_a_file_without_signatures_failed() -> None:
    assert worst([]) == Verdict(FAILED, SubIndication.no_signature)


def test_indications_use_the_etsi_spelling() -> None:
    assert [i.value for i in Indication] == ["TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED"]
    assert SubIndication.no_certificate_chain_found.value == "NO_CERTIFICATE_CHAIN_FOUND"
