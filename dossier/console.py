"""Console and logging: one rich console on stderr, and a filter keeping personal data out of logs."""

from __future__ import annotations

import codecs
import logging
import re
import sys

from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text

# 9-digit (old CMND) and 12-digit (CCCD / personal ID) numbers, not part of a longer digit run.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")

# C0 controls but newline and tab, DEL, C1 controls (0x9b is a one-byte CSI on some terminals)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` safe to echo on a terminal: control characters (a file name may hold ESC sequences that
    retitle, clear or rewrite the screen) are shown as `\\x1b`-style escapes instead of being sent."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


class SafeConsole(Console):
    """A rich console that escapes control characters in every plain string it prints (table cells too)."""

    def render_str(self, text: str, **kwargs: object) -> Text:
        return super().render_str(printable(text), **kwargs)  # type: ignore[arg-type]


stderr_console = SafeConsole(stderr=True, highlight=False, markup=False)  # messages name files: no markup
stdout_console = SafeConsole(
    highlight=False, soft_wrap=True, markup=False
)  # results; names may hold [brackets]


def utf8_streams() -> None:
    """Write stdout and stderr as UTF-8 whatever the locale says.

    A Windows PC whose output goes to a file or a pipe gets the ANSI code page (cp1252, cp1258), which
    cannot encode every Vietnamese letter: `dossier profiles list > ds.txt` would stop with
    UnicodeEncodeError. JSON for scripts is UTF-8 everywhere.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or ""
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and codecs.lookup(encoding or "ascii").name != "utf-8":
            reconfigure(encoding="utf-8")


def redact(text: str, names: tuple[str, ...] = ()) -> str:
    """Mask ID numbers and the given personal names in `text`."""
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)
    for name in names:
        if name:
            text = text.replace(name, "***")
    return text


class RedactingFilter(logging.Filter):
    """Applied to every handler: rewrites each record's message with ID numbers masked."""

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.names)
        record.args = None
        return True


def setup_logging(verbosity: int, quiet: bool = False) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbosity >= 2:
        level = logging.DEBUG
    elif verbosity == 1:
        level = logging.INFO
    handler = RichHandler(console=stderr_console, show_path=False, show_time=verbosity >= 2, markup=False)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("dossier")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
