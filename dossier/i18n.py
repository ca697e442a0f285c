"""Vietnamese-first messages: source strings are Vietnamese, English comes from a gettext catalog.

The language is taken from ``DOSSIER_LANG`` (``vi`` by default, ``en`` for English). The catalog lives in
``dossier/locale/en/LC_MESSAGES/dossier.po`` and is compiled to ``.mo`` by ``python -m dossier.i18n``.
"""

from __future__ import annotations

import ast
import gettext
import os
import struct
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "dossier"


def current_language() -> str:
    lang = os.environ.get("DOSSIER_LANG", "vi").strip().lower()
    return "en" if lang.startswith("en") else "vi"


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "vi":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """Translate a Vietnamese source message into the user's language."""
    return _translations(current_language()).gettext(message)


def parse_po(text: str) -> dict[str, str]:
    """Read msgid/msgstr pairs from a .po file (single-form messages only, as this project uses)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    target: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            entries["".join(msgid)] = "".join(msgstr)

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line or line.startswith("#"):
            continue
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """Build a GNU .mo catalog (the format gettext reads) from translated entries."""
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    count = len(keys)
    key_table_start = 7 * 4
    value_table_start = key_table_start + count * 8
    ids_start = value_table_start + count * 8
    strs_start = ids_start + len(ids)
    key_table = b"".join(struct.pack("<2I", length, ids_start + off) for off, length, _, _ in offsets)
    value_table = b"".join(struct.pack("<2I", length, strs_start + off) for _, _, off, length in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, count, key_table_start, value_table_start, 0, 0)
    return header + key_table + value_table + ids + strs


def build_catalogs() -> list[Path]:
    """Compile every .po under locale/ next to itself; returns the .mo files written."""
    written = []
    for po in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        entries = {k: v for k, v in parse_po(po.read_text(encoding="utf-8")).items() if k and v}
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_mo(entries))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in build_catalogs():
        print(path)
