"""Generate the Vietnamese data files of `dossier.digitize.vietnamese` (run from the repository's root).

    python scripts/make_vi_data.py syllables PATH/TO/wordfreq/data/small_vi.msgpack.gz
    python scripts/make_vi_data.py bigrams            # rewrite dossier/digitize/data/vi_bigrams.tsv
    python scripts/make_vi_data.py bigrams --check    # exit 1 when the committed file is out of date

`syllables` (needs msgpack, a dependency of wordfreq, not of dossier): syllable frequencies from wordfreq
3.1.1's Vietnamese list (`small_vi.msgpack.gz` in the wordfreq wheel: `pip download wordfreq==3.1.1
--no-deps`, then unzip). Its format 'cB' is a list of buckets, bucket i holding the words whose frequency is
10^(-i/100). Kept: lowercase NFC words of letters only.
wordfreq's data is CC BY-SA 4.0 (Robyn Speer; built from Wikipedia, OPUS OpenSubtitles 2018 and OSCAR web
text), so the file it writes is under CC BY-SA 4.0 too, as its header says; nothing else in the package is.

`bigrams`: pairs of adjacent syllables, counted in the project's own Vietnamese text (MIT, like the code):
every string of the procedure profiles (dossier/profiles/data/**/*.toml), the msgids of the gettext catalogue
(dossier/locale/en/LC_MESSAGES/dossier.po) and every string literal holding a Vietnamese letter in the
package's Python source (notice and apology templates, the sample generator's texts, messages), except the
post-correction's own package, and dossier/digitize/data/vi_phrases.txt (common phrases of administrative
papers written for this purpose). Never the evaluation corpus under bench/. Pairs never cross punctuation.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import itertools
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dossier"
DATA = PACKAGE / "digitize" / "data"
OWN = PACKAGE / "digitize" / "vietnamese"
VI_LETTER = re.compile(
    r"[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.IGNORECASE
)
# a run of letters and the spaces between them: a clause; punctuation, digits and symbols end it
CLAUSE = re.compile(r"[^\W\d_]+(?:[ \t]+[^\W\d_]+)*")

SYLLABLES_HEADER = """\
# Vietnamese syllable frequencies (per million words), from wordfreq 3.1.1's list small_vi
# (https://github.com/rspeer/wordfreq, Robyn Speer; its Vietnamese data comes from Wikipedia, OPUS
# OpenSubtitles 2018 and OSCAR web text). Licence of THIS FILE ONLY: CC BY-SA 4.0
# (https://creativecommons.org/licenses/by-sa/4.0/), attribution to wordfreq / Robyn Speer and its sources;
# changes: lowercased, NFC, words of letters only, buckets written as frequencies. The rest of dossier is MIT.
# Regenerate: python scripts/make_vi_data.py syllables small_vi.msgpack.gz
# syllable<TAB>per_million
"""

BIGRAMS_HEADER = """\
# Adjacent Vietnamese syllable pairs and their counts in dossier's own text (MIT, like the code): the
# procedure profiles' strings, the gettext catalogue's msgids, the Vietnamese string literals of the
# package's Python source and dossier/digitize/data/vi_phrases.txt (not the evaluation corpus).
# Regenerate: python scripts/make_vi_data.py bigrams
# left<TAB>right<TAB>count
"""


def _nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def syllables(source: Path) -> str:
    import msgpack  # type: ignore[import-untyped]  # only the generator needs it (wordfreq's dependency)

    buckets = msgpack.unpackb(gzip.decompress(source.read_bytes()), raw=False)
    header, *buckets = buckets
    if header.get("format") != "cB":
        raise SystemExit(f"{source}: not a wordfreq 'cB' list")
    seen: dict[str, float] = {}
    for index, words in enumerate(buckets, start=1):
        for word in words:
            word = _nfc_lower(word)
            if word.isalpha() and word not in seen:
                seen[word] = 10 ** (-index / 100) * 1e6
    rows = sorted(seen.items(), key=lambda item: (-item[1], item[0]))
    return SYLLABLES_HEADER + "".join(f"{word}\t{freq:.4g}\n" for word, freq in rows)


def _toml_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _toml_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _toml_strings(item)


def _po_msgids(text: str) -> Iterator[str]:
    current: list[str] | None = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[6:])]
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        elif current is not None:
            yield "".join(current)
            current = None


def project_texts() -> Iterator[str]:
    """The project's own Vietnamese text, in a fixed order."""
    for path in sorted((PACKAGE / "profiles" / "data").rglob("*.toml")):
        yield from _toml_strings(tomllib.loads(path.read_text(encoding="utf-8")))
    phrases = (DATA / "vi_phrases.txt").read_text(encoding="utf-8").splitlines()
    yield from (line for line in phrases if not line.startswith("#"))
    yield from _po_msgids(
        (PACKAGE / "locale" / "en" / "LC_MESSAGES" / "dossier.po").read_text(encoding="utf-8")
    )
    for path in sorted(PACKAGE.rglob("*.py")):
        if OWN in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value


def bigrams() -> str:
    counts: Counter[tuple[str, str]] = Counter()
    for text in project_texts():
        if not VI_LETTER.search(text):
            continue
        for clause in CLAUSE.findall(_nfc_lower(text)):
            words = clause.split()
            counts.update(itertools.pairwise(words))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return BIGRAMS_HEADER + "".join(f"{a}\t{b}\t{n}\n" for (a, b), n in rows)


def _write(path: Path, text: str) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("syllables").add_argument("source", type=Path, help="wordfreq's small_vi.msgpack.gz")
    sub.add_parser("bigrams").add_argument(
        "--check", action="store_true", help="only compare, exit 1 if stale"
    )
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    if args.what == "syllables":
        _write(DATA / "vi_syllables.tsv", syllables(args.source))
        return 0
    text, path = bigrams(), DATA / "vi_bigrams.tsv"
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run python scripts/make_vi_data.py bigrams", file=sys.stderr)
            return 1
        return 0
    _write(path, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
