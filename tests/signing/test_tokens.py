"""`dossier tokens`: what a token holds, for choosing --key-label / --key-id / --cert-subject."""

from __future__ import annotations

import json

import pytest

from dossier.samples.pki import SOFTHSM_MODULE
from tests.signing.conftest import (
    OFFICER_TOKEN,
    TOKEN_PIN,
    TWO_KEYS_TOKEN,
    UNLABELLED_TOKEN,
    SoftHsmTokens,
    run_cli,
)

pytestmark = pytest.mark.pki


def test_lists_tokens_without_login(softhsm_tokens: SoftHsmTokens) -> None:
    result = run_cli(["tokens", "--pkcs11-module", SOFTHSM_MODULE, "--no-login", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {t["label"] for t in document["tokens"]} == {OFFICER_TOKEN, UNLABELLED_TOKEN, TWO_KEYS_TOKEN}
    assert document["objects"] is None


def test_lists_keys_and_certificates_after_login(softhsm_tokens: SoftHsmTokens) -> None:
    args = ["tokens", "--pkcs11-module", SOFTHSM_MODULE, "--token-label", TWO_KEYS_TOKEN, "--json"]
    result = run_cli(args, env={"DOSSIER_PIN": TOKEN_PIN})
    assert result.exit_code == 0, result.output
    objects = json.loads(result.stdout)["objects"]
    keys = {o["label"]: o for o in objects if o["private_key"]}
    assert set(keys) == {"officer", "officer-no-usage"}
    officer = keys["officer"]
    assert officer["id"] == b"officer".hex()
    assert "Cán Bộ Thử Nghiệm" in officer["subject"]
    assert "Intermediate" in officer["issuer"]
    assert officer["key_usage"] == ["digital_signature", "non_repudiation"]
    assert officer["not_before"] < officer["not_after"]
    assert keys["officer-no-usage"]["key_usage"] == ["key_encipherment"]
    assert TOKEN_PIN not in result.stdout


def test_table_output_and_wrong_pin(softhsm_tokens: SoftHsmTokens) -> None:
    args = ["tokens", "--pkcs11-module", SOFTHSM_MODULE, "--token-label", OFFICER_TOKEN]
    result = run_cli(args, env={"DOSSIER_PIN": TOKEN_PIN})
    assert result.exit_code == 0
    assert OFFICER_TOKEN in result.stdout and "6f666669636572" in result.stdout
    result = run_cli(args, env={"DOSSIER_PIN": "111111"})
    assert result.exit_code == 7 and "Sai mã PIN" in result.stderr
