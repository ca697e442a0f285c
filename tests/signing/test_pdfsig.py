"""An independent check: Poppler's pdfsig, with the test root trusted in an NSS database, agrees with us.

Only pdfsig's integrity lines are trusted ("Signature is Valid", "Digest Mismatch", "Certificate has Expired",
"Total document signed"): Debian's pdfsig 22.12 gets chains with intermediates wrong and ignores revocation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dossier.samples.pki import TestPki
from dossier.signing.indication import Indication, SubIndication
from dossier.signing.verify import verify_file
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set, load_root

pytestmark = pytest.mark.pki


@pytest.fixture(scope="session")
def samples(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)


@pytest.fixture(scope="session")
def roots(test_pki: TestPki) -> tuple:
    return (load_root(test_pki.root),)


def pdfsig(path: Path, nss_db: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (poppler-utils) is not installed: run `make test`, which installs it")
    return subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_db}", "-no-ocsp", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_both_accept_a_good_file(samples: SignedSet, roots: tuple, nss_db: Path) -> None:
    report = pdfsig(samples.b_b, nss_db)
    assert "Signature Validation: Signature is Valid." in report.stdout
    assert "- Total document signed" in report.stdout
    sig = verify_file(samples.b_b, roots).signatures[0]
    assert sig.indication is Indication.total_passed and not sig.modified_after_signing


def test_both_see_the_validation_data_added_after_a_b_lt_signature(
    samples: SignedSet, roots: tuple, nss_db: Path
) -> None:
    report = pdfsig(samples.b_lt, nss_db)
    assert "Signature Validation: Signature is Valid." in report.stdout
    assert "- Not total document signed" in report.stdout
    sig = verify_file(samples.b_lt, roots).signatures[0]
    assert sig.indication is Indication.total_passed
    assert sig.modified_after_signing and sig.modification_allowed  # we also tell the addition is harmless


def test_both_reject_a_changed_byte(samples: SignedSet, roots: tuple, nss_db: Path) -> None:
    report = pdfsig(samples.byte_changed, nss_db)
    assert "Signature Validation: Digest Mismatch." in report.stdout
    result = verify_file(samples.byte_changed, roots)
    assert (result.indication, result.sub_indication) == (Indication.total_failed, SubIndication.hash_failure)


def test_both_see_a_page_added_after_signing(samples: SignedSet, roots: tuple, nss_db: Path) -> None:
    report = pdfsig(samples.page_added, nss_db)
    # pdfsig: the signed bytes are intact, the file goes on past them; it cannot say whether that is allowed
    first = report.stdout.split("Signature #2")[0]
    assert "Signature Validation: Signature is Valid." in first
    assert "- Not total document signed" in first
    sig = verify_file(samples.page_added, roots).signatures[0]
    assert sig.intact and sig.valid and sig.modified_after_signing
    assert (sig.indication, sig.sub_indication) == (Indication.total_failed, SubIndication.format_failure)


def test_both_find_no_signature_in_a_stripped_file(samples: SignedSet, roots: tuple, nss_db: Path) -> None:
    report = pdfsig(samples.stripped, nss_db)
    assert "does not contain any signatures" in report.stdout + report.stderr
    result = verify_file(samples.stripped, roots)
    assert result.signatures == () and result.sub_indication is SubIndication.no_signature


def test_both_see_an_expired_certificate(samples: SignedSet, roots: tuple, nss_db: Path) -> None:
    report = pdfsig(samples.expired, nss_db)
    assert "Signature Validation: Signature is Valid." in report.stdout
    assert "Certificate Validation: Certificate has Expired" in report.stdout
    sig = verify_file(samples.expired, roots).signatures[0]
    assert sig.intact and (sig.indication, sig.sub_indication) == (
        Indication.indeterminate,
        SubIndication.out_of_bounds_no_poe,
    )
