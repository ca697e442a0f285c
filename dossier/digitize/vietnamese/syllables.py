"""Vietnamese syllables: hunspell-vi's valid ones, their spellings and the OCR-like edits between them."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from pathlib import Path

DICTIONARY = Path("/usr/share/hunspell/vi_VN.dic")
TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining marks after NFD)
# one glyph read for another of the same letter: the hats (ă â ê ô ơ ư), đ/d
FAMILIES = ("aăâ", "eê", "i", "oôơ", "uư", "y", "dđ")
FAMILY = {letter: family for family in FAMILIES for letter in family}
# letters Tesseract takes for one another in a word it cannot read ("Vĩnl", "Vĩni" for "Vĩnh")
CONFUSED = {"l": "ih", "i": "lh", "h": "b", "b": "h"}

# common family names that are seldom an ordinary word in a heading ("Chu", "Hà", "Mai", "Cao" are left out:
# "CHU NGHIA" is "CHỦ NGHĨA" read without marks; "La" is in, or a misread name would turn it into "Lã"); a
# capitalised run of words from one is a person's name, and so is a capitalised run whose second word is a
# middle name
_SURNAMES = (
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đoàn vương trịnh trương"
    " lâm đinh lưu tạ quách triệu phùng kiều hứa khúc lã la doãn diệp"
)
SURNAMES = frozenset(_SURNAMES.split())
MIDDLE_NAMES = frozenset(("văn", "thị"))

Key = tuple[str, str]


@lru_cache(maxsize=1 << 16)
def key(syllable: str) -> Key:
    """(letters without the tone mark, the tone mark or ''): the same for "hòa" and "hoà"."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((c for c in decomposed if c in TONES), "")
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    return base, tone


@cache
def dictionary(path: Path = DICTIONARY) -> dict[Key, str]:
    """Valid syllables by key, each with its spelling in the dictionary; empty when it is not installed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[Key, str] = {}
    for line in lines[1:]:
        word = unicodedata.normalize("NFC", line.strip()).lower()
        if word and " " not in word and word.isalpha():
            out.setdefault(key(word), word)
    return out


def valid_spellings(found: Key, words: dict[Key, str]) -> set[str]:
    """The dictionary's spelling and the other tone placement of oa/oe/uy ("hòa" and "hoà")."""
    spellings = {words[found]}
    base, tone = found
    for pair in ("oa", "oe", "uy"):
        at = base.find(pair)
        if tone and at >= 0:
            for offset in (0, 1):
                letters = list(base)
                letters[at + offset] = unicodedata.normalize("NFC", letters[at + offset] + tone)
                spellings.add("".join(letters))
    return spellings


@cache
def _glyphs(letter: str) -> frozenset[str]:
    """Every glyph of the letter's family with any tone mark: "o" -> o ò ó ... ô ồ ... ơ ờ ...; d -> d đ."""
    base = unicodedata.normalize("NFD", letter)[0]
    plain = unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", letter) if c not in TONES)
    )
    family = FAMILY.get(plain, FAMILY.get(base, plain))
    if family == "dđ":
        return frozenset(family)
    return frozenset(unicodedata.normalize("NFC", g + t) for g in family for t in ("", *TONES))


def edits(lower: str, confused: bool = False, marks_only: bool = False) -> set[str]:
    """Strings one glyph away from `lower`: another hat or tone mark on one letter, d/đ unless `marks_only`;
    with `confused`, also the letters OCR mixes up."""
    out: set[str] = set()
    for i, letter in enumerate(lower):
        if marks_only and letter in "dđ":
            continue
        others = set(_glyphs(letter))
        if confused:
            others |= set(CONFUSED.get(letter, ""))
        for glyph in others - {letter}:
            out.add(lower[:i] + glyph + lower[i + 1 :])
    return out


def candidates(
    lower: str, words: dict[Key, str], confused: bool = False, marks_only: bool = False
) -> set[Key]:
    """The valid syllables one glyph away from `lower` (see `edits`), not `lower` itself."""
    own = key(lower)
    found = set()
    for edit in edits(lower, confused, marks_only):
        decomposed = unicodedata.normalize("NFD", edit)
        if sum(c in TONES for c in decomposed) > 1:
            continue  # a second tone mark: no syllable
        k = key(edit)
        if k != own and k in words:
            found.add(k)
    return found
