"""The overall verdict of one signature in the ETSI EN 319 102-1 / EU DSS vocabulary, from checked facts.

A pure function over a small frozen record, so the whole mapping is tested without any PDF. The first row that
applies wins:

============================================================  =============  =============================
what was found                                                indication     sub-indication
============================================================  =============  =============================
the file holds no signature at all (e.g. it was stripped)     TOTAL-FAILED   NO_SIGNATURE (our extension)
signature dictionary or CMS unreadable, unknown SubFilter     TOTAL-FAILED   FORMAT_FAILURE
digest of the signed byte ranges differs from the signed one  TOTAL-FAILED   HASH_FAILURE
signature value does not verify with the signer's key         TOTAL-FAILED   SIG_CRYPTO_FAILURE
non-standard byte range, or a change after signing that is    TOTAL-FAILED   FORMAT_FAILURE
  not allowed (page or content added or changed; an added
  signature, DSS or document timestamp is allowed)
signer certificate revoked at or before the best signature    TOTAL-FAILED   REVOKED
  time (trusted signature timestamp, else validation time)
signer certificate revoked after a trusted timestamp          INDETERMINATE  REVOKED_NO_POE
a CA certificate of the chain revoked                         INDETERMINATE  REVOKED_CA_NO_POE
no chain from the signer to a configured trust root           INDETERMINATE  NO_CERTIFICATE_CHAIN_FOUND
signer certificate expired at the validation time, status     INDETERMINATE  OUT_OF_BOUNDS_NOT_REVOKED
  known good / status unknown                                                OUT_OF_BOUNDS_NO_POE
signer certificate not yet valid                              INDETERMINATE  NOT_YET_VALID
no revocation data to be had (OCSP/CRL unreachable, offline   INDETERMINATE  TRY_LATER
  without embedded data, or the signer certificate names no
  OCSP responder or CRL): revocation "not-checked"
revocation data present but outside its validity period       INDETERMINATE  REVOCATION_OUT_OF_BOUNDS_NO_POE
weak or banned algorithm                                      INDETERMINATE  CRYPTO_CONSTRAINTS_FAILURE
signature timestamp present but broken or untrusted           INDETERMINATE  SIG_CONSTRAINTS_FAILURE
any other chain problem (key usage, path constraints, ...)    INDETERMINATE  pyHanko's AdES sub-indication
everything holds                                              TOTAL-PASSED   (none)
============================================================  =============  =============================

A file's indication is its worst signature's: TOTAL-FAILED over INDETERMINATE over TOTAL-PASSED.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Indication(StrEnum):
    total_passed = "TOTAL-PASSED"
    indeterminate = "INDETERMINATE"
    total_failed = "TOTAL-FAILED"


class SubIndication(StrEnum):
    # TOTAL-FAILED
    format_failure = "FORMAT_FAILURE"
    hash_failure = "HASH_FAILURE"
    sig_crypto_failure = "SIG_CRYPTO_FAILURE"
    revoked = "REVOKED"
    no_signature = "NO_SIGNATURE"  # our extension: a file that should be signed and is not
    # INDETERMINATE
    revoked_no_poe = "REVOKED_NO_POE"
    revoked_ca_no_poe = "REVOKED_CA_NO_POE"
    no_certificate_chain_found = "NO_CERTIFICATE_CHAIN_FOUND"
    out_of_bounds_no_poe = "OUT_OF_BOUNDS_NO_POE"
    out_of_bounds_not_revoked = "OUT_OF_BOUNDS_NOT_REVOKED"
    not_yet_valid = "NOT_YET_VALID"
    try_later = "TRY_LATER"
    revocation_out_of_bounds_no_poe = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    crypto_constraints_failure = "CRYPTO_CONSTRAINTS_FAILURE"
    crypto_constraints_failure_no_poe = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    sig_constraints_failure = "SIG_CONSTRAINTS_FAILURE"
    chain_constraints_failure = "CHAIN_CONSTRAINTS_FAILURE"
    certificate_chain_general_failure = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    no_signing_certificate_found = "NO_SIGNING_CERTIFICATE_FOUND"
    no_poe = "NO_POE"
    generic = "GENERIC"


_SEVERITY = {Indication.total_passed: 0, Indication.indeterminate: 1, Indication.total_failed: 2}


@dataclass(frozen=True)
class Verdict:
    indication: Indication
    sub_indication: SubIndication | None = None

    @property
    def passed(self) -> bool:
        return self.indication is Indication.total_passed


PASSED = Verdict(Indication.total_passed)


@dataclass(frozen=True)
class SignatureFacts:
    """What the checks established about one signature; `chain_problem` is an AdES sub-indication name."""

    format_error: bool = False
    intact: bool = True
    valid: bool = True
    modification_allowed: bool = True
    chain_problem: str | None = None
    revoked_at: datetime | None = None
    best_signature_time: datetime | None = None
    revocation_known_good: bool = False
    revocation_checked: bool = True  # False: no OCSP/CRL answer was had (unreachable, or none named)
    timestamp_ok: bool | None = None  # None: no signature timestamp


def _sub(name: str) -> SubIndication:
    try:
        return SubIndication(name)
    except ValueError:
        return SubIndication.generic


def classify(facts: SignatureFacts) -> Verdict:
    """The ETSI indication for one signature (see the module's table)."""
    failed = Indication.total_failed
    if facts.format_error:
        return Verdict(failed, SubIndication.format_failure)
    if not facts.intact:
        return Verdict(failed, SubIndication.hash_failure)
    if not facts.valid:
        return Verdict(failed, SubIndication.sig_crypto_failure)
    if not facts.modification_allowed:
        return Verdict(failed, SubIndication.format_failure)
    problem = facts.chain_problem
    revoked_before_proof = facts.revoked_at is not None and (
        facts.best_signature_time is None or facts.revoked_at <= facts.best_signature_time
    )
    if problem == SubIndication.revoked_no_poe and revoked_before_proof:
        return Verdict(failed, SubIndication.revoked)
    if problem == SubIndication.out_of_bounds_no_poe and facts.revocation_known_good:
        return Verdict(Indication.indeterminate, SubIndication.out_of_bounds_not_revoked)
    if problem is not None:
        return Verdict(Indication.indeterminate, _sub(problem))
    if not facts.revocation_checked:
        return Verdict(Indication.indeterminate, SubIndication.try_later)
    if facts.timestamp_ok is False:
        return Verdict(Indication.indeterminate, SubIndication.sig_constraints_failure)
    return PASSED


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe verdict (a file's indication); TOTAL-FAILED NO_SIGNATURE when there is none."""
    ordered = sorted(verdicts, key=lambda v: _SEVERITY[v.indication], reverse=True)
    return ordered[0] if ordered else Verdict(Indication.total_failed, SubIndication.no_signature)
