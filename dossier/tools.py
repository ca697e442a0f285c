"""Checks for the external programs and data the tool needs, with messages that say how to install them.

Tesseract is `$DOSSIER_TESSERACT` when set (a program name on PATH or a full path), else `tesseract` on PATH,
else, on Windows, the UB Mannheim installer's default `C:\\Program Files\\Tesseract-OCR\\tesseract.exe`
(that installer does not add itself to PATH).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dossier.errors import MissingDependencyError
from dossier.i18n import _

TESSERACT_ENV = "DOSSIER_TESSERACT"

# How to install each program, per platform (a sys.platform prefix; "*" for any other): commands only.
INSTALL_HINTS: dict[str, dict[str, str]] = {
    "tesseract": {
        "linux": "apt-get install tesseract-ocr tesseract-ocr-vie",
        "darwin": "brew install tesseract tesseract-lang",
        "win32": "winget install UB-Mannheim.TesseractOCR",
        "*": "https://tesseract-ocr.github.io/tessdoc/Installation.html",
    },
    "tesseract-lang": {
        "linux": "apt-get install tesseract-ocr-{lang}",
        "darwin": "brew install tesseract-lang",
        "win32": r"{lang}.traineddata -> C:\Program Files\Tesseract-OCR\tessdata",
        "*": "{lang}.traineddata -> tessdata",
    },
    "scanimage": {
        "linux": "apt-get install sane-utils",
        "darwin": "brew install sane-backends",
        "win32": "NAPS2 (naps2.com) -> C:\\quet\\hs-001\\0001.jpg...; dossier scan C:\\quet\\hs-001",
        "*": "dossier scan FOLDER",
    },
}


def install_hint(tool: str, platform: str = sys.platform, **values: str) -> str:
    hints = INSTALL_HINTS[tool]
    key = next((k for k in hints if k != "*" and platform.startswith(k)), "*")
    return hints[key].format(**values)


def _windows_default_tesseract() -> str | None:
    base = os.environ.get("PROGRAMFILES", r"C:\Program Files")
    candidate = Path(base) / "Tesseract-OCR" / "tesseract.exe"
    return str(candidate) if candidate.is_file() else None


def tesseract_command() -> str:
    """The Tesseract program to run (see the module's docstring for the order)."""
    configured = os.environ.get(TESSERACT_ENV, "").strip()
    if configured:
        return configured
    if shutil.which("tesseract") is None and sys.platform == "win32":
        return _windows_default_tesseract() or "tesseract"
    return "tesseract"


def tesseract_path() -> str | None:
    """The full path of the Tesseract program, or None when it cannot be found."""
    return shutil.which(tesseract_command())


def _install_error(
    message: str, command: str, tool: str = "tesseract", **values: str
) -> MissingDependencyError:
    hint = _("Cài đặt: {install}").format(install=install_hint(tool, **values))
    if tool == "tesseract":
        hint += "\n" + _("Hoặc chỉ đường dẫn: {env}=/đường/dẫn/tesseract").format(env=TESSERACT_ENV)
    return MissingDependencyError(message, path=command, hint=hint)


@functools.cache
def _tesseract_languages(command: str, tessdata: str | None) -> frozenset[str]:
    """The languages Tesseract can load (cached per binary and TESSDATA_PREFIX)."""
    try:
        out = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise _install_error(
            _("Không chạy được Tesseract OCR ({reason}).").format(reason=exc), command
        ) from exc
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def tesseract_languages() -> frozenset[str]:
    return _tesseract_languages(tesseract_command(), os.environ.get("TESSDATA_PREFIX"))


def tesseract_version() -> str:
    """The first line of `tesseract --version` (e.g. 'tesseract 5.3.0')."""
    command = tesseract_command()
    try:
        out = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _install_error(
            _("Không chạy được Tesseract OCR ({reason}).").format(reason=exc), command
        ) from exc
    lines = (out.stdout or out.stderr).splitlines()
    return lines[0].strip() if lines else ""


def require_tesseract(languages: str) -> None:
    """Fail early, before any page is read, when Tesseract or a language's data is missing."""
    command = tesseract_command()
    if shutil.which(command) is None:
        raise _install_error(_("Không tìm thấy chương trình Tesseract OCR."), command)
    available = tesseract_languages()
    for lang in languages.split("+"):
        if lang not in available:
            raise _install_error(
                _("Tesseract thiếu dữ liệu ngôn ngữ '{lang}'.").format(lang=lang),
                command,
                "tesseract-lang",
                lang=lang,
            )


def require_scanimage() -> str:
    path = shutil.which("scanimage")
    if path is None:
        raise MissingDependencyError(
            _("Không tìm thấy chương trình scanimage (SANE)."),
            path="scanimage",
            hint=_("Cài đặt: {install}").format(install=install_hint("scanimage")),
        )
    return path
