"""Which OCR words stay out of the text layer: what Tesseract reads, very unsure, in signatures and scribbles.

A pen signature, a seal's ring or a hand-drawn line is often read as a "word" such as "(YYx¬" or "^^" at
a confidence of 0-30; real print almost never is. Measured on 62 Vietnamese pages in five degradation
profiles (not the pages the benchmark reports on): below 30 % confidence 97 of 99 words were wrong; between
30 % and 50 % half were, and those right were valid Vietnamese syllables or numbers. So a word is left out
when its confidence is under `DROP_BELOW`, or under `DROP_UNLESS_VALID_BELOW` and it is neither a number
nor made of valid Vietnamese syllables. The page's mean confidence still counts every word read, so
unreadable pages stay visible.
"""

from __future__ import annotations

import re

from dossier.digitize.vietnamese import is_valid_syllable
from dossier.models import Word

DROP_BELOW = 30.0
DROP_UNLESS_VALID_BELOW = 50.0
_EDGE = ".,;:()[]!?\"'“”‘’-–/"
_PARTS = re.compile(r"[/\-–]")


def plausible(text: str) -> bool:
    """A number, or letters that make valid Vietnamese syllables (parts between / and - each)."""
    core = text.strip(_EDGE)
    if any(ch.isdigit() for ch in core):
        return True
    parts = [part for part in _PARTS.split(core) if part]
    return bool(parts) and all(part.isalpha() and is_valid_syllable(part) for part in parts)


def is_unsure(word: Word, vietnamese: bool = True) -> bool:
    """True for a word to leave out; for other languages than Vietnamese only the confidence counts."""
    if word.confidence < DROP_BELOW:
        return True
    return vietnamese and word.confidence < DROP_UNLESS_VALID_BELOW and not plausible(word.text)


def keep_sure(words: tuple[Word, ...], vietnamese: bool = True) -> tuple[Word, ...]:
    return tuple(word for word in words if not is_unsure(word, vietnamese))
