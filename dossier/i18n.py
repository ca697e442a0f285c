"""Vietnamese-first messages: source strings are Vietnamese, English comes from a gettext catalog.

The language is taken from ``DOSSIER_LANG`` (``vi`` by default, ``en`` for English). The catalog is the
plain ``dossier/locale/<lang>/LC_MESSAGES/dossier.po``, compiled in memory when first needed, so no binary .mo
file can go stale.
"""

from __future__ import annotations

import ast
import gettext
import io
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
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "vi" or not po.exists():
        return gettext.NullTranslations()
    entries = {k: v for k, v in parse_po(po.read_text(encoding="utf-8")).items() if k and v}
    entries[""] = "Content-Type: text/plain; charset=UTF-8\n"
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))


def _(message: str) -> str:
    """Translate a Vietnamese source message into the user's language."""
    return _translations(current_language()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; `_()` translates it where it is shown."""
    return message


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
    key_table = b"".join(struct.pack("<2I", k_len, ids_start + k_off) for k_off, k_len, _v, _l in offsets)
    value_table = b"".join(struct.pack("<2I", v_len, strs_start + v_off) for _k, _l, v_off, v_len in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, count, key_table_start, value_table_start, 0, 0)
    return header + key_table + value_table + ids + strs


def extract_messages(package_dir: Path = Path(__file__).parent) -> list[str]:
    """Every literal passed to `_()` or `N_()` in the package, in first-seen order."""
    found: dict[str, None] = {}
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = None
    return list(found)


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\b", "\\b")
    return f'"{escaped}"'


def update_catalog(lang: str = "en", extra: dict[str, str] | None = None) -> Path:
    """Add new messages to the language's .po, keeping existing translations.

    `extra` supplies translations for messages still untranslated (contributors hand them in as JSON).
    """
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    known = parse_po(po.read_text(encoding="utf-8")) if po.exists() else {}
    for message, translation in (extra or {}).items():
        if not known.get(message):
            known[message] = translation
    lines = [f"# {lang} translation of dossier's Vietnamese messages", 'msgid ""', 'msgstr ""', ""]
    for message in extract_messages():
        lines += [f"msgid {_po_quote(message)}", f"msgstr {_po_quote(known.get(message, ''))}", ""]
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text("\n".join(lines), encoding="utf-8")
    return po


if __name__ == "__main__":
    import json
    import sys

    # python -m dossier.i18n [translations.json ...]: refresh the English catalog, merging {"vi": "en"} files.
    merged: dict[str, str] = {}
    for name in sys.argv[1:]:
        merged.update(json.loads(Path(name).read_text(encoding="utf-8")))
    print(update_catalog(extra=merged))
