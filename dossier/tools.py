"""Checks for the external programs and data the tool needs, with messages that say how to install them."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from dossier.errors import MissingDependencyError
from dossier.i18n import _


def tesseract_command() -> str:
    return os.environ.get("DOSSIER_TESSERACT", "tesseract")


@functools.cache
def _tesseract_languages(command: str, tessdata: str | None) -> frozenset[str]:
    """The languages Tesseract can load (cached per binary and TESSDATA_PREFIX)."""
    try:
        out = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependencyError(
            _("Không chạy được Tesseract OCR ({reason}).").format(reason=exc),
            path=command,
            hint=_("Cài đặt: apt-get install tesseract-ocr tesseract-ocr-vie"),
        ) from exc
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def require_tesseract(languages: str) -> None:
    """Fail early, before any page is read, when Tesseract or a language's data is missing."""
    command = tesseract_command()
    if shutil.which(command) is None:
        raise MissingDependencyError(
            _("Không tìm thấy chương trình Tesseract OCR."),
            path=command,
            hint=_("Cài đặt: apt-get install tesseract-ocr tesseract-ocr-vie"),
        )
    available = _tesseract_languages(command, os.environ.get("TESSDATA_PREFIX"))
    for lang in languages.split("+"):
        if lang not in available:
            raise MissingDependencyError(
                _("Tesseract thiếu dữ liệu ngôn ngữ '{lang}'.").format(lang=lang),
                path=command,
                hint=_("Cài đặt: apt-get install tesseract-ocr-{lang}").format(lang=lang),
            )


def require_scanimage() -> str:
    path = shutil.which("scanimage")
    if path is None:
        raise MissingDependencyError(
            _("Không tìm thấy chương trình scanimage (SANE)."),
            path="scanimage",
            hint=_("Cài đặt: apt-get install sane-utils"),
        )
    return path
