"""`dossier doctor` here, and with pieces really missing (a wrong path, a broken file, no extra)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.fonts import FONT_DIR
from dossier.tools import install_hint
from tests.blocked_modules import shim_env


def doctor_json(*args: str) -> tuple[int, dict[str, dict]]:
    result = CliRunner().invoke(cli, ["doctor", "--json", *args])
    document = json.loads(result.stdout)
    assert document["ready"] == (result.exit_code == 0)
    return result.exit_code, {f["key"]: f for f in document["findings"]}


@pytest.mark.tesseract
def test_this_machine_has_everything(dossier_home: Path) -> None:
    code, found = doctor_json()
    assert code == ExitCode.ok
    assert found["workspace"]["ok"] and str(dossier_home) in found["workspace"]["detail"]
    assert found["tesseract"]["ok"] and "tesseract 5" in found["tesseract"]["detail"]
    assert found["tesseract_vie"]["ok"] and "vie" in found["tesseract_vie"]["detail"]
    assert found["fonts"]["ok"] and str(FONT_DIR) in found["fonts"]["detail"]  # the package's own copy
    assert found["scanimage"]["ok"] and found["softhsm"]["ok"]
    assert found["pkcs11"]["ok"] and "libsofthsm2.so" in found["pkcs11"]["detail"]
    assert found["extra_portal"]["ok"] and found["extra_pki"]["ok"]
    assert all(f["fix"] is None for f in found.values() if f["ok"])


def test_a_wrong_tesseract_path_is_reported_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "khong-co" / "tesseract"
    monkeypatch.setenv("DOSSIER_TESSERACT", str(missing))
    code, found = doctor_json()
    assert code == ExitCode.missing_dependency
    assert not found["tesseract"]["ok"] and found["tesseract"]["required"]
    assert (
        str(missing) in found["tesseract"]["detail"] and "$DOSSIER_TESSERACT" in found["tesseract"]["detail"]
    )
    fix = found["tesseract"]["fix"]
    assert "DOSSIER_TESSERACT=" in fix and install_hint("tesseract") in fix  # apt-get here, winget on Windows
    assert not found["tesseract_vie"]["ok"]


def test_an_unwritable_workspace_and_a_broken_config_fail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DOSSIER_HOME", str(blocker / "home"))  # nothing can be created under a file
    broken = tmp_path / "config.toml"
    broken.write_text("[signing\n", encoding="utf-8")
    monkeypatch.setenv("DOSSIER_CONFIG", str(broken))
    code, found = doctor_json()
    assert code == ExitCode.missing_dependency
    assert not found["workspace"]["ok"] and "DOSSIER_HOME" in found["workspace"]["fix"]
    assert not found["config"]["ok"] and str(broken) in found["config"]["detail"]
    assert not (blocker.parent / "home").exists()  # the doctor writes nothing


def test_a_configured_token_module_that_is_absent_is_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dossier_home: Path
) -> None:
    module = tmp_path / "vnpt-ca.dll"
    (dossier_home / "config.toml").write_text(f"[signing]\npkcs11_module = '{module}'\n", encoding="utf-8")
    code, found = doctor_json()
    assert code == ExitCode.missing_dependency
    assert not found["pkcs11_configured"]["ok"] and str(module) in found["pkcs11_configured"]["detail"]
    module.write_bytes(b"MZ")  # present now (doctor checks the file, it does not load it)
    code, found = doctor_json()
    assert found["pkcs11_configured"]["ok"]


def test_an_invalid_start_method_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_MP_START", "threads")
    code, found = doctor_json()
    assert code == ExitCode.missing_dependency
    assert not found["workers"]["ok"] and "DOSSIER_MP_START" in found["workers"]["fix"]


@pytest.mark.tesseract
def test_missing_extras_are_optional_and_name_the_pip_command(tmp_path: Path) -> None:
    env = shim_env(tmp_path / "shim", "starlette", "certomancer")
    env["DOSSIER_HOME"] = str(tmp_path / "home")
    process = subprocess.run(
        [sys.executable, "-m", "dossier", "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == ExitCode.ok, process.stderr
    found = {f["key"]: f for f in json.loads(process.stdout)["findings"]}
    assert not found["extra_portal"]["ok"] and found["extra_portal"]["fix"] == 'pip install "dossier[portal]"'
    assert "starlette" in found["extra_portal"]["detail"] and not found["extra_portal"]["required"]
    assert found["extra_pki"]["fix"] == 'pip install "dossier[pki]"'


def test_the_table_names_each_item(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOSSIER_TESSERACT", str(tmp_path / "nope"))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == ExitCode.missing_dependency
    assert (
        "Tesseract OCR" in result.stdout and "THIẾU" in result.stdout and "Liberation Serif" in result.stdout
    )


def test_every_font_user_gets_the_packaged_files() -> None:
    from dossier.fonts import FontStyle, font_path
    from dossier.signing.settings import DEFAULT_FONT

    assert font_path(FontStyle.regular) == DEFAULT_FONT
    assert all(font_path(style).parent == FONT_DIR for style in FontStyle)
    assert (FONT_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE Version 1.1") == 1
