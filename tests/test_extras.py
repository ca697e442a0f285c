"""Optional extras: a machine without them runs the core commands and names the extra for the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dossier.errors import ExitCode
from dossier.extras import EXTRAS, missing_modules
from tests.blocked_modules import shim_env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dossier", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_every_extra_is_installed_in_the_test_venv() -> None:
    assert {name: missing_modules(name) for name in EXTRAS} == {"portal": (), "pki": ()}


def test_portal_serve_without_the_portal_extra_names_it(tmp_path: Path) -> None:
    env = shim_env(tmp_path / "shim", "starlette", "uvicorn")
    env["DOSSIER_PORTAL_SERVER_TOKEN"] = "bi-mat-thu"
    process = run(["portal", "serve", "--port", "0", "--data", str(tmp_path / "data")], env)
    assert process.returncode == ExitCode.missing_dependency, process.stderr
    assert "'portal'" in process.stderr and 'pip install "dossier[portal]"' in process.stderr
    assert "starlette" in process.stderr and "Traceback" not in process.stderr
    assert not (tmp_path / "data").exists()


def test_samples_pki_without_the_pki_extra_names_it_and_samples_make_still_works(tmp_path: Path) -> None:
    env = shim_env(tmp_path / "shim", "certomancer", "yaml", "werkzeug")
    process = run(["samples", "pki", str(tmp_path / "pki")], env)
    assert process.returncode == ExitCode.missing_dependency, process.stderr
    assert 'pip install "dossier[pki]"' in process.stderr and "certomancer" in process.stderr
    assert not (tmp_path / "pki").exists()
    made = run(["samples", "make", str(tmp_path / "mau"), "--count", "1"], env)
    assert made.returncode == 0, made.stderr
    assert list((tmp_path / "mau").glob("sample-*"))


@pytest.mark.parametrize(
    "args", [["--help"], ["profiles", "list"], ["portal", "--help"], ["samples", "--help"]]
)
def test_core_commands_load_without_any_extra(tmp_path: Path, args: list[str]) -> None:
    env = shim_env(tmp_path / "shim", "starlette", "uvicorn", "certomancer", "yaml", "werkzeug")
    process = run(args, env)
    assert process.returncode == 0, process.stderr
