"""Where each key of a TOML file stands: line numbers that tomllib does not report, for `file:line` errors."""

from __future__ import annotations

import re
from collections.abc import Mapping

KeyPath = tuple[str | int, ...]

_ARRAY_HEADER = re.compile(r"^\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\[\s*([^\]]+?)\s*\]")
_KEY_LINE = re.compile(r"^([A-Za-z0-9_\"'-]+(?:\s*\.\s*[A-Za-z0-9_\"'-]+)*)\s*=(.*)$")


def key_lines(text: str) -> dict[KeyPath, int]:
    """Line number (1-based) of every table header and key, by its path, e.g. ('versions', 1, 'level')."""
    lines: dict[KeyPath, int] = {(): 1}
    last_index: dict[KeyPath, int] = {}
    current: KeyPath = ()
    open_quote: str | None = None  # inside a multi-line string
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if open_quote is not None:
            if raw.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        if match := _ARRAY_HEADER.match(line):
            parts = _dotted(match.group(1))
            array = (*_resolve(parts[:-1], last_index), parts[-1])
            last_index[array] = last_index.get(array, -1) + 1
            current = (*array, last_index[array])
            lines.setdefault(current, number)
        elif match := _TABLE_HEADER.match(line):
            current = _resolve(_dotted(match.group(1)), last_index)
            lines.setdefault(current, number)
        elif match := _KEY_LINE.match(line):
            lines.setdefault(current + _dotted(match.group(1)), number)
            for quote in ('"""', "'''"):
                if match.group(2).count(quote) % 2 == 1:
                    open_quote = quote
    return lines


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _resolve(parts: tuple[str, ...], last_index: Mapping[KeyPath, int]) -> KeyPath:
    path: KeyPath = ()
    for part in parts:
        path = (*path, part)
        if path in last_index:
            path = (*path, last_index[path])
    return path
