"""Console and logging: one rich console on stderr, and a filter keeping personal data out of logs."""

from __future__ import annotations

import codecs
import logging
import re
import sys

from rich.console import Console
from rich.logging import RichHandler

# 9-digit (old CMND) and 12-digit (CCCD / personal ID) numbers, not part of a longer digit run.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")

stderr_console = Console(stderr=True, highlight=False, markup=False)  # messages name files: no markup
stdout_console = Console(
    highlight=False, soft_wrap=True, markup=False
)  # results; file names may hold [brackets]


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
