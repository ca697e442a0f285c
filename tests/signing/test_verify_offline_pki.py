"""`verify` when no OCSP or CRL can be reached (the PKI's services stopped): the revocation status is "not
checked" and the indication follows ETSI EN 319 102-1 (INDETERMINATE, never TOTAL-PASSED)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.errors import ExitCode
from dossier.samples.pki import TestPki, write_test_pki
from dossier.signing.indication import Indication, SignatureFacts, SubIndication, classify
from dossier.signing.verify import names_revocation_source, verify_file
from dossier.signing.verify_cli import verify
from dossier.signing.verify_result import RevocationMode
from tests.signing.conftest import P12_PASSWORD
from tests.signing.signed_samples import load_root, sign_with_pyhanko, write_plain_pdf

pytestmark = pytest.mark.pki


@pytest.fixture(scope="module")
def silent_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """A test PKI whose OCSP, CRL and TSA services are never started."""
    return write_test_pki(
        tmp_path_factory.mktemp("pki-silent"), now=datetime.now(UTC), p12_password=P12_PASSWORD
    )


@pytest.fixture(scope="module")
def signed_b_b(silent_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pyhanko.sign import signers

    directory = tmp_path_factory.mktemp("offline-signed")
    signer = signers.SimpleSigner.load_pkcs12(
        silent_pki.signer("officer").p12, passphrase=P12_PASSWORD.encode()
    )
    assert signer is not None
    return sign_with_pyhanko(write_plain_pdf(directory / "chua-ky.pdf"), directory / "b-b.pdf", signer)


@pytest.mark.parametrize("mode", [RevocationMode.auto, RevocationMode.online, RevocationMode.offline])
def test_unreachable_revocation_is_not_checked_and_indeterminate(
    signed_b_b: Path, silent_pki: TestPki, mode: RevocationMode
) -> None:
    result = verify_file(signed_b_b, (load_root(silent_pki.root),), revocation=mode)
    signature = result.signatures[0]
    assert signature.intact and signature.valid
    assert signature.revocation == "not-checked"
    assert result.indication == "INDETERMINATE"
    assert result.sub_indication in ("TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE")


def test_cli_shows_not_checked(signed_b_b: Path, silent_pki: TestPki) -> None:
    result = CliRunner().invoke(verify, [str(signed_b_b), "--trust", str(silent_pki.root), "--json"])
    assert result.exit_code == ExitCode.verification_failed, result.output
    document = json.loads(result.stdout)
    assert document["files"][0]["indication"] == "INDETERMINATE"
    assert document["files"][0]["signatures"][0]["revocation"] == "not-checked"
    table = CliRunner().invoke(
        verify, [str(signed_b_b), "--trust", str(silent_pki.root)], env={"COLUMNS": "200"}
    )
    assert "not-checked" in table.stdout and "TOTAL-PASSED" not in table.stdout


def test_a_trusted_chain_without_any_revocation_answer_is_not_total_passed() -> None:
    # pyHanko accepts a certificate that names no OCSP responder or CRL without checking it: not a pass
    verdict = classify(SignatureFacts(revocation_checked=False))
    assert (verdict.indication, verdict.sub_indication) == (Indication.indeterminate, SubIndication.try_later)
    assert classify(SignatureFacts(revocation_checked=True, revocation_known_good=True)).passed


def test_which_certificates_name_a_revocation_source(silent_pki: TestPki) -> None:
    officer = load_root(silent_pki.signer("officer").cert)
    assert names_revocation_source(officer)  # OCSP and CRL URLs of the test PKI
    assert not names_revocation_source(load_root(silent_pki.root))  # a root names none
