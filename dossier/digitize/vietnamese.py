"""A conservative Vietnamese post-correction of OCR words: tone marks and letter case, only where a syllable
is not valid Vietnamese.

Valid syllables come from Debian's `hunspell-vi` dictionary (/usr/share/hunspell/vi_VN.dic, one syllable a
line; read at run time, not shipped). A word is left alone when it holds a digit (ID numbers, dates) or
anything but letters, when its syllable is valid (both tone placements, "hòa" and "hoà", count as valid), or
when more than one repair is valid. Otherwise a capital inside a word ("vỊ") is lowered, a tone mark on the
wrong vowel ("đựơc") is moved, or the one valid spelling with another tone mark or hat on one vowel is taken.
Without the dictionary nothing is changed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DICTIONARY = Path("/usr/share/hunspell/vi_VN.dic")
TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining marks after NFD)
HATS = {
    "a": "aăâ",
    "ă": "aăâ",
    "â": "aăâ",
    "e": "eê",
    "ê": "eê",
    "o": "oôơ",
    "ô": "oôơ",
    "ơ": "oôơ",
    "u": "uư",
}
HATS |= {"ư": "uư"}
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE)


def _key(syllable: str) -> tuple[str, str]:
    """(letters without the tone mark, the tone mark or ''): the same for "hòa" and "hoà"."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((c for c in decomposed if c in TONES), "")
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    return base, tone


@cache
def dictionary(path: Path = DICTIONARY) -> dict[tuple[str, str], str]:
    """Valid syllables by key, each with its spelling in the dictionary; empty when it is not installed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[tuple[str, str], str] = {}
    for line in lines[1:]:
        word = unicodedata.normalize("NFC", line.strip()).lower()
        if word and " " not in word and word.isalpha():
            out.setdefault(_key(word), word)
    return out


def _placed(base: str, tone: str, like: str) -> str:
    """`base` with `tone` on the vowel that carries it in `like` (a valid spelling of the same key)."""
    decomposed = unicodedata.normalize("NFD", like)
    index = sum(
        1 for c in decomposed[: decomposed.find(tone)] if c not in TONES and not unicodedata.combining(c)
    )
    letters = list(base)
    if tone and index - 1 < len(letters):
        letters[index - 1] = unicodedata.normalize("NFC", letters[index - 1] + tone)
    return "".join(letters)


def _valid_spellings(key: tuple[str, str], words: dict[tuple[str, str], str]) -> set[str]:
    """The dictionary's spelling and the other tone placement of oa/oe/uy ("hòa" and "hoà")."""
    word = words[key]
    spellings = {word}
    base, tone = key
    for pair in ("oa", "oe", "uy"):
        at = base.find(pair)
        if tone and at >= 0:
            for offset in (0, 1):
                letters = list(base)
                letters[at + offset] = unicodedata.normalize("NFC", letters[at + offset] + tone)
                spellings.add("".join(letters))
    return spellings


def correct_word(word: str, words: dict[tuple[str, str], str] | None = None) -> str:
    """The word with its case or tone mark repaired when its syllable is invalid and one repair is valid."""
    words = dictionary() if words is None else words
    match = _EDGES.match(word)
    lead, core, trail = match.groups() if match else ("", word, "")
    if not words or not core or not core.isalpha():
        return word
    core = unicodedata.normalize("NFC", core)
    lower = core.lower()
    key = _key(lower)
    if key in words:
        if lower not in _valid_spellings(key, words):
            fixed = words[key]  # the tone mark on the wrong vowel
        elif any(c.isupper() for c in core[1:]) and not core[1:].isupper():
            fixed = lower  # a capital inside a word: "vỊ", "CộNG" (majority decides)
            rest = core[1:]
            if sum(c.isupper() for c in rest) > len(rest) / 2:
                return lead + core.upper() + trail
        elif core[0].islower() and core[1:].isupper() and len(core) > 1:
            fixed = lower  # "vỊ": first letter small, the rest a stray capital
        else:
            return word
    else:
        base, tone = key
        options = {(base, t) for t in ("", *TONES) if t != tone and (base, t) in words}
        for i, ch in enumerate(base):
            for other in HATS.get(ch, ""):
                candidate = (base[:i] + other + base[i + 1 :], tone)
                if other != ch and candidate in words:
                    options.add(candidate)
        if len(options) != 1:
            return word
        (found,) = options
        fixed = words[found]
    if core.isupper() and len(core) > 1:
        fixed = fixed.upper()
    elif core[0].isupper():
        fixed = fixed[0].upper() + fixed[1:]
    return lead + fixed + trail


def correct_text(text: str, words: dict[tuple[str, str], str] | None = None) -> str:
    """Each whitespace-separated word through `correct_word`, whitespace kept."""
    return re.sub(r"\S+", lambda m: correct_word(m.group(0), words), text)


def is_valid_syllable(syllable: str, words: dict[tuple[str, str], str] | None = None) -> bool:
    """True when the letters are one valid Vietnamese syllable (any case; either tone placement)."""
    words = dictionary() if words is None else words
    return bool(syllable) and _key(unicodedata.normalize("NFC", syllable).lower()) in words
