"""Tesseract is found on PATH or through `DOSSIER_TESSERACT` (a Windows install is not on PATH)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.tools import TESSERACT_ENV, install_hint, tesseract_command

pytestmark = pytest.mark.tesseract


def scan(page: Path, out: Path):
    return CliRunner().invoke(cli, ["scan", str(page), "--out", str(out), "--jobs", "1"])


def test_a_missing_program_named_by_the_setting_is_reported_with_the_fix(
    text_page_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "khong-co" / "tesseract.exe"
    monkeypatch.setenv(TESSERACT_ENV, str(missing))
    result = scan(text_page_png, tmp_path / "hs")
    assert result.exit_code == ExitCode.missing_dependency
    assert str(missing) in result.stderr and TESSERACT_ENV in result.stderr
    assert "apt-get install tesseract-ocr" in result.stderr
    assert not (tmp_path / "hs").exists()


def test_the_program_named_by_the_setting_is_the_one_that_runs(
    text_page_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.which("tesseract")
    assert real is not None
    wrapper = tmp_path / "bin" / "ocr-wrapper"
    wrapper.parent.mkdir()
    calls = tmp_path / "calls.txt"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv(TESSERACT_ENV, str(wrapper))
    assert tesseract_command() == str(wrapper)
    result = scan(text_page_png, tmp_path / "hs")
    assert result.exit_code == 0, result.output
    invocations = calls.read_text(encoding="utf-8").splitlines()
    assert "--list-langs" in invocations and any("vie" in line for line in invocations)


def test_without_tesseract_on_path_the_scan_says_how_to_install_it(
    text_page_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TESSERACT_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = scan(text_page_png, tmp_path / "hs")
    assert result.exit_code == ExitCode.missing_dependency
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in result.stderr


def test_install_hints_follow_the_platform() -> None:
    assert install_hint("tesseract", "darwin") == "brew install tesseract tesseract-lang"
    assert "UB-Mannheim.TesseractOCR" in install_hint("tesseract", "win32")
    assert install_hint("tesseract-lang", "linux", lang="vie") == "apt-get install tesseract-ocr-vie"
    assert "dossier scan" in install_hint("scanimage", "win32")  # no SANE there: a folder of images


def test_the_windows_installer_folder_is_found_through_programfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dossier.tools import _windows_default_tesseract

    monkeypatch.setenv("PROGRAMFILES", str(tmp_path))
    assert _windows_default_tesseract() is None  # not installed there
    exe = tmp_path / "Tesseract-OCR" / "tesseract.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"MZ")
    assert _windows_default_tesseract() == str(exe)
