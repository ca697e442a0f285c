"""`dossier audit --jobs 2` in a real process with the `spawn` start method (the only one on Windows)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.errors import ExitCode
from dossier.samples.pki import TestPki
from dossier.signing.indication import Indication
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set

pytestmark = pytest.mark.pki

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def signed(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> SignedSet:
    return build_signed_set(test_pki, tmp_path_factory.mktemp("signed-spawn"), write_sample_pdf)


def test_audit_with_two_spawned_workers(signed: SignedSet, test_pki: TestPki, tmp_path: Path) -> None:
    root = tmp_path / "luu-tru"
    good = [signed.b_b, signed.b_lt, signed.scan_b_lt, signed.b_t]
    bad = [signed.byte_changed, signed.page_added, signed.stripped, signed.untrusted]
    for number, source in enumerate(good + bad, start=1):  # 8 files: the audit goes parallel from 8
        (root / f"hs-{number:02d}").mkdir(parents=True)
        shutil.copyfile(source, root / f"hs-{number:02d}" / "TP01.pdf")
    env = dict(os.environ, DOSSIER_MP_START="spawn", PYTHONPATH=str(REPO))
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "dossier",
            "audit",
            str(root),
            "--trust",
            str(test_pki.root),
            "--json",
            "--jobs",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == ExitCode.verification_failed, process.stderr
    document = json.loads(process.stdout)
    indications = [f["indication"] for f in document["files"]]
    assert len(indications) == 8
    assert indications.count(Indication.total_passed.value) == 4, indications
