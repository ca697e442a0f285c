"""Keys on a real SoftHSM2 token: found by label, id, subject or as the only key; PIN and token failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.errors import ExitCode, MissingDependencyError, SigningError
from dossier.samples.pki import SOFTHSM_MODULE, TestPki
from dossier.signing.keys import KeySelector, P12Source, TokenSource, open_signer
from dossier.signing.precheck import common_name
from tests.signing.conftest import (
    OFFICER_TOKEN,
    P12_PASSWORD,
    TOKEN_PIN,
    TWO_KEYS_TOKEN,
    UNLABELLED_TOKEN,
    SoftHsmTokens,
    post_validate,
    run_cli,
)

pytestmark = pytest.mark.pki


class CountingPrompt:
    """Stands in for the terminal: answers with `answer` and counts how often it was asked."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked = 0

    def __call__(self, text: str) -> str:
        self.asked += 1
        return self.answer


def token_source(token_label: str, **selector: str) -> TokenSource:
    return TokenSource(SOFTHSM_MODULE, token_label, KeySelector(**selector))


@pytest.mark.parametrize(
    ("token", "selector"),
    [
        (OFFICER_TOKEN, {"label": "officer"}),
        (OFFICER_TOKEN, {"id_hex": b"officer".hex()}),
        (OFFICER_TOKEN, {"subject": "thử nghiệm"}),  # case-insensitive piece of the subject
        (OFFICER_TOKEN, {}),  # the only key with a certificate
        (UNLABELLED_TOKEN, {}),  # no label at all, as on many Vietnamese tokens
        (UNLABELLED_TOKEN, {"id_hex": "01"}),
        (TWO_KEYS_TOKEN, {"label": "officer"}),
        (TWO_KEYS_TOKEN, {"subject": "Thử Nghiệm"}),
    ],
)
def test_key_is_found(softhsm_tokens: SoftHsmTokens, token: str, selector: dict[str, str]) -> None:
    prompt = CountingPrompt(TOKEN_PIN)
    with open_signer(token_source(token, **selector), prompt) as key:
        assert common_name(key.certificate) == "Cán Bộ Thử Nghiệm"
        assert key.source == f"pkcs11:{token}"
    assert prompt.asked == 1


def test_several_keys_without_a_choice_are_listed(softhsm_tokens: SoftHsmTokens) -> None:
    with (
        pytest.raises(SigningError) as caught,
        open_signer(token_source(TWO_KEYS_TOKEN), CountingPrompt(TOKEN_PIN)),
    ):
        pass
    message = str(caught.value)
    assert "label='officer'" in message and "label='officer-no-usage'" in message
    assert "--key-label" in message
    assert TOKEN_PIN not in message


def test_no_matching_key_lists_what_the_token_has(softhsm_tokens: SoftHsmTokens) -> None:
    with (
        pytest.raises(SigningError, match="label='officer'"),
        open_signer(token_source(OFFICER_TOKEN, label="khong-co"), CountingPrompt(TOKEN_PIN)),
    ):
        pass


def test_wrong_pin_stops_at_once_and_does_not_lock(softhsm_tokens: SoftHsmTokens) -> None:
    wrong = CountingPrompt("000000")
    with (
        pytest.raises(SigningError, match="Sai mã PIN") as caught,
        open_signer(token_source(OFFICER_TOKEN), wrong),
    ):
        pass
    assert caught.value.exit_code == ExitCode.signing_failed
    assert wrong.asked == 1  # asked once, tried once
    with open_signer(token_source(OFFICER_TOKEN), CountingPrompt(TOKEN_PIN)) as key:  # the token still opens
        assert key.certificate is not None


def test_missing_token_and_missing_module(softhsm_tokens: SoftHsmTokens, tmp_path: Path) -> None:
    with (
        pytest.raises(SigningError, match="Không tìm thấy token"),
        open_signer(token_source("khong-cam"), CountingPrompt(TOKEN_PIN)),
    ):
        pass
    with pytest.raises(MissingDependencyError), open_signer(TokenSource(tmp_path / "libkhongco.so")):
        pass


def test_wrong_pin_through_the_cli(
    softhsm_tokens: SoftHsmTokens, test_pki: TestPki, sample_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [
        "sign",
        sample_pdf,
        "--out",
        out,
        "--pkcs11-module",
        SOFTHSM_MODULE,
        "--token-label",
        OFFICER_TOKEN,
    ]
    args += ["--trust", test_pki.root, "--level", "B-B"]
    result = run_cli(args, env={"DOSSIER_PIN": "999999"})
    assert result.exit_code == ExitCode.signing_failed
    assert "Sai mã PIN" in result.stderr and "999999" not in result.stderr + result.stdout
    assert not out.exists()


@pytest.mark.parametrize("level", ["B-T", "B-LT"])
def test_token_signs_a_batch(
    softhsm_tokens: SoftHsmTokens, test_pki: TestPki, sample_pdf: Path, tmp_path: Path, level: str
) -> None:
    second = sample_pdf.with_name("TP02.pdf")
    second.write_bytes(sample_pdf.read_bytes())
    out = tmp_path / "out"
    args = ["sign", sample_pdf, second, "--out", out, "--pkcs11-module", SOFTHSM_MODULE]
    args += ["--token-label", UNLABELLED_TOKEN, "--trust", test_pki.root, "--tsa", test_pki.tsa_url]
    args += ["--level", level, "--json"]
    result = run_cli(args, env={"DOSSIER_PIN": TOKEN_PIN})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["key_source"] == f"pkcs11:{UNLABELLED_TOKEN}"
    assert [f["level"] for f in document["files"]] == [level, level]
    for entry in document["files"]:
        post_validate(Path(entry["output"]), test_pki)


def test_p12_key_carries_its_chain(test_pki: TestPki) -> None:
    with open_signer(P12Source(test_pki.signer("officer").p12), CountingPrompt(P12_PASSWORD)) as key:
        assert key.source == "pkcs12:officer.pfx"
        assert {common_name(c) for c in key.chain} == {
            "Dossier TEST Intermediate CA - KHÔNG DÙNG THẬT",
            "Dossier TEST Root CA - KHÔNG DÙNG THẬT",
        }
