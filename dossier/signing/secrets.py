"""Where the PKCS#12 password and the token PIN come from: an environment variable, a file or a hidden prompt.

Never from the command line, never logged, never written anywhere. A PIN is asked at most once per batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from dossier.errors import InputFileError, SigningError
from dossier.i18n import _

P12_PASSWORD_ENV = "DOSSIER_P12_PASSWORD"
PIN_ENV = "DOSSIER_PIN"

Prompter = Callable[[str], str]


def hidden_prompt(text: str) -> str:
    """Ask on the terminal without echo; refuse when there is no terminal to ask on."""
    if not os.isatty(0):
        raise SigningError(
            _("Không có bàn phím để hỏi bí mật (stdin không phải terminal): {what}").format(what=text)
        )
    return str(click.prompt(text, hide_input=True, err=True))


def p12_password(password_file: Path | None, prompt: Prompter = hidden_prompt) -> bytes:
    """The PKCS#12 password: from `password_file` (first line), else $DOSSIER_P12_PASSWORD, else a prompt."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputFileError(
                _("Không đọc được tệp mật khẩu PKCS#12: {reason}").format(reason=error), password_file
            ) from error
        lines = text.splitlines()
        return (lines[0] if lines else "").encode("utf-8")
    if P12_PASSWORD_ENV in os.environ:
        return os.environ[P12_PASSWORD_ENV].encode("utf-8")
    return prompt(_("Mật khẩu tệp PKCS#12")).encode("utf-8")


def token_pin(prompt: Prompter = hidden_prompt) -> str:
    """The token PIN: $DOSSIER_PIN, else a prompt (asked once; the caller keeps the session for the batch)."""
    pin = os.environ.get(PIN_ENV)
    if pin is None:
        pin = prompt(_("Mã PIN của token"))
    if not pin:
        raise SigningError(_("Mã PIN rỗng."))
    return pin
