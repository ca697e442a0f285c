"""The test PKI itself: certomancer answers OCSP and CRL requests and stamps time; the tokens hold the key."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx
import pkcs11
import pytest
from asn1crypto import crl, ocsp, pem, x509
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from dossier.samples.pki import ROOT_CN, SOFTHSM_MODULE, TestPki
from tests.signing.conftest import OFFICER_TOKEN, TOKEN_PIN, UNLABELLED_TOKEN, SoftHsmTokens

pytestmark = pytest.mark.pki


def load_cert(path: Path) -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor(path.read_bytes())[2])


def ocsp_status(pki: TestPki, name: str) -> str:
    cert = load_cert(pki.signer(name).cert)
    issuer = load_cert(pki.intermediate)
    cert_id = ocsp.CertId(
        {
            "hash_algorithm": {"algorithm": "sha1"},
            "issuer_name_hash": hashlib.sha1(issuer.subject.dump()).digest(),
            "issuer_key_hash": hashlib.sha1(issuer.public_key["public_key"].contents[1:]).digest(),
            "serial_number": cert.serial_number,
        }
    )
    request = ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": cert_id}]}})
    answer = httpx.post(
        pki.ocsp_url, content=request.dump(), headers={"Content-Type": "application/ocsp-request"}
    )
    answer.raise_for_status()
    response = ocsp.OCSPResponse.load(answer.content)
    assert response["response_status"].native == "successful"
    single = response.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_id"]["serial_number"].native == cert.serial_number
    return single["cert_status"].name


def test_certificates_are_labelled_as_test_and_chain(test_pki: TestPki) -> None:
    root = load_cert(test_pki.root)
    assert root.subject.native["common_name"] == ROOT_CN
    assert "KHÔNG DÙNG THẬT" in root.subject.native["common_name"]
    officer = load_cert(test_pki.signer("officer").cert)
    assert officer.issuer == load_cert(test_pki.intermediate).subject
    assert set(officer.key_usage_value.native) == {"digital_signature", "non_repudiation"}
    assert load_cert(test_pki.signer("officer-no-usage").cert).key_usage_value.native == {"key_encipherment"}
    assert load_cert(test_pki.signer("untrusted").cert).issuer == load_cert(test_pki.untrusted_root).subject
    assert test_pki.password_file.stat().st_mode & 0o077 == 0


def test_ocsp_answers_good_and_revoked(test_pki: TestPki) -> None:
    assert ocsp_status(test_pki, "officer") == "good"
    assert ocsp_status(test_pki, "officer-revoked") == "revoked"


def test_crl_lists_the_revoked_officer_only(test_pki: TestPki) -> None:
    answer = httpx.get(test_pki.crl_url)
    answer.raise_for_status()
    revoked = {
        entry["user_certificate"].native
        for entry in crl.CertificateList.load(answer.content)["tbs_cert_list"]["revoked_certificates"]
    }
    assert revoked == {load_cert(test_pki.signer("officer-revoked").cert).serial_number}


def test_timestamp_authority_stamps_and_validates(test_pki: TestPki) -> None:
    digest = hashlib.sha256(b"ho so thu nghiem").digest()
    token = asyncio.run(HTTPTimeStamper(test_pki.tsa_url).async_timestamp(digest, "sha256"))
    context = ValidationContext(trust_roots=[load_cert(test_pki.root)], allow_fetching=True)
    status = asyncio.run(validate_tst_signed_data(token["content"], context, lambda _algorithm: digest))
    assert status["intact"] and status["valid"]
    assert status["trust_problem_indic"] is None  # the TSA certificate chains to the test root
    assert status["validation_path"] is not None


def test_tokens_hold_the_officer_key(softhsm_tokens: SoftHsmTokens) -> None:
    library = pkcs11.lib(str(SOFTHSM_MODULE))
    for label, key_label in ((OFFICER_TOKEN, "officer"), (UNLABELLED_TOKEN, "")):
        token = library.get_token(token_label=label)
        with token.open(user_pin=TOKEN_PIN) as session:
            keys = list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY}))
            assert [k[pkcs11.Attribute.LABEL] for k in keys] == [key_label]
            certs = list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}))
            assert len(certs) == 3  # the officer's, the intermediate's and the root's


def test_a_pki_written_to_a_relative_folder_serves(
    test_pki: TestPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dossier samples pki ./pki-thu --serve` as the demo runs it: the server starts inside that folder."""
    from datetime import UTC, datetime

    from dossier.samples.pki import running_pki_server, write_test_pki

    monkeypatch.chdir(tmp_path)
    relative = write_test_pki(Path("pki-thu"), now=datetime.now(UTC), reuse_keys_from=test_pki)
    assert relative.directory.is_absolute() and relative.root.is_file()
    with running_pki_server(relative):
        assert ocsp_status(relative, "officer") == "good"
