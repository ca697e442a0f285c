"""The main commands with `fcntl` unimportable, as on Windows: nothing may import it unguarded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.samples.pki import TestPki
from tests.blocked_modules import shim_env
from tests.conftest import VIETNAMESE_LINES, render_text_page
from tests.signing.conftest import write_sample_pdf
from tests.signing.signed_samples import SignedSet, build_signed_set


@pytest.fixture(scope="module")
def no_fcntl_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = shim_env(tmp_path_factory.mktemp("no-fcntl"), "fcntl")
    env["DOSSIER_MP_START"] = "spawn"  # the workers run under the shim too, as on Windows
    env["DOSSIER_HOME"] = str(tmp_path_factory.mktemp("home"))
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_shim_really_blocks_fcntl(no_fcntl_env: dict[str, str]) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import fcntl"], env=no_fcntl_env, capture_output=True, text=True, check=False
    )
    assert probe.returncode == 1 and "blocked for this test" in probe.stderr


def test_help_profiles_and_code_run_without_fcntl(no_fcntl_env: dict[str, str]) -> None:
    for args in (["--help"], ["profiles", "list"], ["scan", "--help"], ["sign", "--help"]):
        process = run(args, no_fcntl_env)
        assert process.returncode == 0, (args, process.stderr)
        assert "fcntl" not in process.stderr
    code = run(["code", "next", "--agency", "000.00.06.H56"], no_fcntl_env)
    assert code.returncode == 0, code.stderr
    assert code.stdout.strip().startswith("000.00.06.H56-")


def test_batch_plans_without_fcntl(no_fcntl_env: dict[str, str], tmp_path: Path) -> None:
    """The backlog command (its journal and its one-batch-per-DEST lock) imports nothing POSIX-only."""
    source = tmp_path / "kho" / "hs-1"
    source.mkdir(parents=True)
    render_text_page(["Trang 1", *VIETNAMESE_LINES]).save(source / "1.png", dpi=(150, 150))
    process = run(
        ["batch", str(tmp_path / "kho"), "--out", str(tmp_path / "ra"), "--dry-run", "--json"], no_fcntl_env
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["totals"]["dossiers"] == 1


@pytest.mark.pki
def test_verify_runs_without_fcntl(
    no_fcntl_env: dict[str, str], test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory
) -> None:
    signed: SignedSet = build_signed_set(test_pki, tmp_path_factory.mktemp("signed"), write_sample_pdf)
    process = run(["verify", str(signed.b_lt), "--trust", str(test_pki.root), "--json"], no_fcntl_env)
    assert process.returncode == 0, process.stderr
    assert "TOTAL" in process.stdout and "PASSED" in process.stdout


@pytest.mark.tesseract
@pytest.mark.slow
def test_scan_runs_without_fcntl_in_parent_and_spawned_workers(
    no_fcntl_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in (1, 2):
        render_text_page([f"Trang {number}", *VIETNAMESE_LINES]).save(
            folder / f"{number}.png", dpi=(150, 150)
        )
    out = tmp_path / "hs"
    process = run(["scan", str(folder), "--out", str(out), "--jobs", "2", "--json"], no_fcntl_env)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["pages"] == 2
    assert list(out.glob("*.pdf"))
    # a second scan into the same folder takes the output lock again (filelock, not fcntl)
    again = run(["scan", str(folder / "1.png"), "--out", str(out), "--json"], no_fcntl_env)
    assert again.returncode == 0, again.stderr
