"""`dossier verify` through CliRunner and a real process: table, JSON, exit codes, trust from config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.errors import ExitCode
from dossier.samples.pki import TestPki
from dossier.signing.verify_cli import verify
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set

pytestmark = pytest.mark.pki

REQUIRED_KEYS = {"indication", "sub_indication", "signer", "signing_time", "level", "intact", "trusted"}


@pytest.fixture(scope="session")
def samples(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(verify, [str(a) for a in args], env={"COLUMNS": "200"})  # no wrapped cells
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_good_files_exit_0_with_a_table(samples: SignedSet, test_pki: TestPki) -> None:
    code, out, _err = run(samples.b_lt, samples.two_signatures, "--trust", test_pki.root)
    assert code == ExitCode.ok
    assert "Cán Bộ Thử Nghiệm" in out and "TOTAL-PASSED" in out and "B-LT" in out
    assert "+07:00" in out  # signing times in Vietnam time with the offset, ISO 8601
    assert "Signature2" in out  # both signatures of the second file have a row


def test_json_gives_every_file_and_signature(samples: SignedSet, test_pki: TestPki) -> None:
    code, out, _err = run(
        samples.b_lta, samples.byte_changed, samples.stripped, "--trust", test_pki.root, "--json"
    )
    assert code == ExitCode.verification_failed
    document = json.loads(out)
    assert document["passed"] is False
    good, changed, stripped = document["files"]
    assert (good["indication"], good["passed"]) == ("TOTAL-PASSED", True)
    signature = good["signatures"][0]
    assert REQUIRED_KEYS | {"modified_after_signing"} <= set(signature)
    assert signature["level"] == "B-LTA" and signature["signer"].startswith("Cán Bộ Thử Nghiệm")
    assert signature["signing_time"].startswith("20") and signature["certificate"]["serial"]
    assert signature["revocation_source"] == "DSS" and signature["document_timestamp"]["time"]
    assert (changed["indication"], changed["sub_indication"]) == ("TOTAL-FAILED", "HASH_FAILURE")
    assert changed["signatures"][0]["intact"] is False
    assert (stripped["sub_indication"], stripped["signatures"]) == ("NO_SIGNATURE", [])


def test_unreadable_files_are_named_and_exit_3_when_nothing_could_be_read(tmp_path: Path) -> None:
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"khong phai PDF")
    code, _out, err = run(bad, tmp_path / "khong-co.pdf")
    assert code == ExitCode.input_file
    assert "hong.pdf" in err and "khong-co.pdf" in err


def test_one_unreadable_file_among_good_ones_fails_verification(
    samples: SignedSet, test_pki: TestPki, tmp_path: Path
) -> None:
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.7\n")
    code, _out, err = run(samples.b_lt, bad, "--trust", test_pki.root)
    assert code == ExitCode.verification_failed and "hong.pdf" in err


def test_trust_roots_from_the_configuration(
    samples: SignedSet, test_pki: TestPki, dossier_home: Path
) -> None:
    (dossier_home / "config.toml").write_text(f'[signing]\ntrust = ["{test_pki.root}"]\n', encoding="utf-8")
    code, _out, _err = run(samples.b_lt)
    assert code == ExitCode.ok


def test_without_trust_roots_nothing_passes(samples: SignedSet) -> None:
    code, out, err = run(samples.b_lt, "--json")
    assert code == ExitCode.verification_failed
    assert "--trust" in err
    assert json.loads(out)["files"][0]["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_offline_uses_only_embedded_data(samples: SignedSet, test_pki: TestPki) -> None:
    code, out, _err = run(samples.b_lt, samples.b_t, "--trust", test_pki.root, "--offline", "--json")
    assert code == ExitCode.verification_failed
    b_lt, b_t = json.loads(out)["files"]
    assert b_lt["indication"] == "TOTAL-PASSED"
    assert (b_t["indication"], b_t["sub_indication"]) == ("INDETERMINATE", "TRY_LATER")


def test_a_real_process_prints_only_json_on_stdout(samples: SignedSet, test_pki: TestPki) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dossier.signing.verify_cli import verify; verify()",
            str(samples.b_lt),
            str(samples.page_added),
            "--trust",
            str(test_pki.root),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == ExitCode.verification_failed, process.stderr
    files = json.loads(process.stdout)["files"]
    assert [f["indication"] for f in files] == ["TOTAL-PASSED", "TOTAL-FAILED"]
    assert files[1]["signatures"][0]["modified_after_signing"] is True
    assert "Traceback" not in process.stderr
