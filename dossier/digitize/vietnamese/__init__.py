"""A conservative Vietnamese post-correction of OCR words: tone marks, hats and letter case.

What is valid: Debian's `hunspell-vi` dictionary (/usr/share/hunspell/vi_VN.dic, one syllable a line; read
at run time, not shipped; without it nothing is changed). What is likely, in dossier/digitize/data (written
by scripts/make_vi_data.py, whose docstring says how):

- vi_syllables.tsv: syllable frequencies from wordfreq 3.1.1 (Robyn Speer; Wikipedia, OpenSubtitles, OSCAR).
  That file alone is under CC BY-SA 4.0, as its header says.
- vi_bigrams.tsv: counts of adjacent syllables in the project's own MIT text: the procedure profiles'
  strings (dossier/profiles/data), the msgids of dossier/locale/en/LC_MESSAGES/dossier.po, the Vietnamese
  string literals of the package's source (notice and apology templates, the sample generator's texts,
  messages) and vi_phrases.txt (common administrative phrases written for this). Never the evaluation
  corpus under bench/. About 5,700 pairs: thin, so it decides only where it has seen the pair.

`correct_line` takes one OCR line's words in reading order. It never touches a word holding a digit (ID
numbers, dates) or anything but letters with punctuation at its edges, nor any word of a line whose words
are mostly neither valid syllables nor hold a letter only Vietnamese has (ă â đ ê ô ơ ư, the hỏi, ngã or
nặng mark): an English or French line. Nor a person's name (a run of capitalised words from a common
family name, "VŨ CÔNG LỘC", or with a middle name second, "Hà Thị My"), but for its case and one repair:
its first word, when a middle name follows or "tên:" comes before, becomes the one family name one mark
away, if there is exactly one ("Trân Thị Kim" -> "Trần Thị Kim"). Context never
crosses punctuation (the pairs are counted the same way). Then:

1. A valid syllable with the tone mark on the other vowel ("đựơc") or a stray capital ("vỊ", "ViỆt") is
   respelled. Case: ALL-CAPS stays ALL-CAPS, Title case stays Title case, a capital inside a word goes.
2. An invalid syllable ("ĐOC", "Vĩnl") gets as candidates the valid syllables one glyph away (another hat
   or tone mark on one letter, or d/đ; if none and the word has 3 letters or more, the letters OCR
   confuses: l/i/h, b/h). Its neighbours' pair counts decide (a neighbour's own one-glyph variants count
   half, so "GLAM ĐOC" still finds "giám đốc"): the candidate seen most wins if its count is at least
   `PAIR_MARGIN` (3) times the runner-up's. Seen with neither, the frequency decides: the most frequent
   wins if at least `FREQUENCY_MARGIN` (5) times as frequent as the runner-up (a sole candidate wins) --
   but not for a capitalised word (likely a name) or one wordfreq knows (`KNOWN`: "huế", "úc", "my").
   Else the word stays as read, case too.
3. A valid syllable is changed only when the pairs are sure, and only to another tone mark or hat on one
   letter: the word is never seen next to either of its valid neighbours, and exactly one candidate is
   seen next to both of them or, with only one valid neighbour, at least `MANY` (3) times next to it
   ("KẾT QUÁ GIẢI" -> "KẾT QUẢ GIẢI", "UY BAN" -> "ỦY BAN"). Two adjacent valid words without any
   mark, never seen together nor with their outer neighbours, change together when exactly one pair of
   such candidates is seen at least `MANY` times together and with the outer neighbours there are (an
   outer neighbour without marks may be read with its own variants): "BAN NHAN DAN" -> "BAN NHÂN DÂN".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from dossier.digitize.vietnamese.model import Model, model
from dossier.digitize.vietnamese.syllables import (
    MIDDLE_NAMES,
    SURNAMES,
    Key,
    candidates,
    dictionary,
    key,
    valid_spellings,
)

__all__ = ["correct_line", "correct_text", "correct_word", "dictionary", "is_valid_syllable"]

PAIR_MARGIN = 3.0
FREQUENCY_MARGIN = 5.0
MANY = 3
KNOWN = 8.0  # per million: an invalid syllable this frequent in wordfreq ("huế", "úc", "my") is a real word
VIETNAMESE_SHARE = 0.5  # of a line's words that must be valid syllables before any word is touched
_SURNAME_KEYS = frozenset(key(s) for s in SURNAMES)
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE)
# letters and marks no English or French word has: a word holding one counts as Vietnamese even if invalid
_VIETNAMESE_ONLY = set("ăâđêôơư\u0309\u0323\u0303")


@dataclass
class _Word:
    lead: str
    core: str
    trail: str
    lower: str  # the current reading, lowercase NFC
    valid: bool


def _parse(word: str, words: dict[Key, str]) -> _Word | None:
    match = _EDGES.match(word)
    if match is None or any(c.isdigit() for c in word):
        return None
    lead, core, trail = match.groups()
    if not core or not core.isalpha():
        return None
    core = unicodedata.normalize("NFC", core)
    lower = core.lower()
    found = key(lower)
    if found in words and lower not in valid_spellings(found, words):
        lower = model().spelling(found, words[found])  # the tone mark on the other vowel
    return _Word(lead, core, trail, lower, found in words)


def _cased(core: str, fixed: str) -> str:
    """`fixed` in the case of `core`: ALL-CAPS, Title or lower; a stray capital inside a word goes."""
    rest = core[1:]
    if len(core) > 1 and core.isupper():
        return fixed.upper()
    if rest and not core[0].islower() and sum(c.isupper() for c in rest) > len(rest) / 2:
        return fixed.upper()  # "CộNG": mostly capitals
    head = fixed[0].upper() if core[0].isupper() else fixed[0]
    return head + fixed[1:]


def _near(word: _Word | None, other: str, left: bool, lm: Model, words: dict[Key, str]) -> float:
    """How often `other` is seen beside `word` (on its left when `left`), its variants counting half."""
    if word is None:
        return 0.0
    seen = lm.pair(word.lower, other) if left else lm.pair(other, word.lower)
    if seen:
        return float(seen)
    variants = [lm.spelling(k, words[k]) for k in candidates(word.lower, words)]
    return max((lm.pair(v, other) if left else lm.pair(other, v) for v in variants), default=0) / 2


def _invalid(word: _Word, left: _Word | None, right: _Word | None, lm: Model, words: dict[Key, str]) -> str:
    found = candidates(word.lower, words)
    if not found and len(word.lower) > 2:
        found = candidates(word.lower, words, confused=True)
    options = {lm.spelling(k, words[k]) for k in found}
    if not options:
        return word.lower
    support = {c: _near(left, c, True, lm, words) + _near(right, c, False, lm, words) for c in options}
    ranked = sorted(options, key=lambda c: (-support[c], -lm.unigram(c), c))
    if support[ranked[0]] > 0:
        runner = support[ranked[1]] if len(ranked) > 1 else 0.0
        return ranked[0] if support[ranked[0]] >= PAIR_MARGIN * runner else word.lower
    if (word.core[0].isupper() and not word.core.isupper()) or lm.unigram(word.lower) >= KNOWN:
        return word.lower  # likely a name ("My", "Huế") or a word hunspell lacks: only context decides
    ranked = sorted(options, key=lambda c: (-lm.unigram(c), c))
    if len(ranked) == 1 or lm.unigram(ranked[0]) >= FREQUENCY_MARGIN * lm.unigram(ranked[1]):
        return ranked[0]
    return word.lower


def _valid(word: _Word, left: _Word | None, right: _Word | None, lm: Model, words: dict[Key, str]) -> str:
    l_ctx = left.lower if left is not None and left.valid else None
    r_ctx = right.lower if right is not None and right.valid else None
    if (l_ctx is None and r_ctx is None) or lm.pair(l_ctx, word.lower) or lm.pair(word.lower, r_ctx):
        return word.lower
    sure = []
    for option in (lm.spelling(k, words[k]) for k in candidates(word.lower, words, marks_only=True)):
        before, after = lm.pair(l_ctx, option), lm.pair(option, r_ctx)
        if (before and after) if l_ctx and r_ctx else max(before, after) >= MANY:
            sure.append(option)
    return sure[0] if len(sure) == 1 else word.lower


def _context(parsed: Sequence[_Word | None], i: int) -> tuple[_Word | None, _Word | None]:
    """The words beside `parsed[i]`, None across punctuation (the pairs are counted so) or at the edge."""
    word = parsed[i]
    left = parsed[i - 1] if i > 0 and word is not None and not word.lead else None
    right = parsed[i + 1] if i + 1 < len(parsed) and word is not None and not word.trail else None
    return (None if left is None or left.trail else left), (None if right is None or right.lead else right)


def _plain(syllable: str) -> bool:
    """No hat, no tone mark: what OCR often leaves of a word in capitals ("NHAN" for "NHÂN")."""
    return unicodedata.normalize("NFD", syllable).isascii()


def _outer(word: _Word | None, other: str, left: bool, lm: Model, words: dict[Key, str]) -> bool:
    """No outer neighbour, or one seen beside `other`, or one without marks whose variant is."""
    if word is None or not word.valid:
        return True
    return (
        bool(_near(word, other, left, lm, words))
        if _plain(word.lower)
        else bool(lm.pair(word.lower, other) if left else lm.pair(other, word.lower))
    )


def _valid_pair(parsed: Sequence[_Word | None], i: int, lm: Model, words: dict[Key, str]) -> None:
    """Two adjacent valid words both misread ("NHAN DAN"): changed together when the pairs are sure."""
    first, second = parsed[i], parsed[i + 1]
    if first is None or second is None or not (first.valid and second.valid) or first.trail or second.lead:
        return
    left, right = _context(parsed, i)[0], _context(parsed, i + 1)[1]
    l_ctx = left.lower if left is not None and left.valid else None
    r_ctx = right.lower if right is not None and right.valid else None
    a, b = first.lower, second.lower
    if not (_plain(a) and _plain(b)) or lm.pair(a, b) or lm.pair(l_ctx, a) or lm.pair(b, r_ctx):
        return
    sure = []
    for ca in {a} | {lm.spelling(k, words[k]) for k in candidates(a, words, marks_only=True)}:
        for cb in {b} | {lm.spelling(k, words[k]) for k in candidates(b, words, marks_only=True)}:
            outer = _outer(left, ca, True, lm, words) and _outer(right, cb, False, lm, words)
            if (ca, cb) != (a, b) and lm.pair(ca, cb) >= MANY and outer:
                sure.append((ca, cb))
    if len(sure) == 1:
        first.lower, second.lower = sure[0]


def _names(parsed: Sequence[_Word | None], words: dict[Key, str]) -> set[int]:
    """Positions of persons' names: a run of capitalised words from a family name ("VŨ CÔNG LỘC") or
    with a middle name second ("Tạ Văn Mỵ"). In a run of the second kind, or after "tên:", a first word
    one mark from exactly one family name is taken for it ("Trân Thị Kim" -> "Trần Thị Kim")."""
    names: set[int] = set()
    run: list[int] = []
    for i, word in enumerate([*parsed, None]):
        if word is not None and word.core[0].isupper() and not (word.lead and run):
            run.append(i)
            if not word.trail:
                continue
        first = parsed[run[0]] if len(run) > 1 else None
        second = parsed[run[1]] if len(run) > 2 else None
        label = parsed[run[0] - 1] if run and run[0] > 0 else None
        named = (second is not None and second.lower in MIDDLE_NAMES) or (
            label is not None and label.lower == "tên" and label.trail.startswith(":")
        )
        if first is not None and first.valid and first.lower not in SURNAMES and named:
            found = [k for k in candidates(first.lower, words, marks_only=True) if k in _SURNAME_KEYS]
            if len(found) == 1:
                first.lower = next(s for s in SURNAMES if key(s) == found[0])
        if first is not None and (first.lower in SURNAMES or named):
            names.update(run)
        run = []
    return names


def correct_line(line: Sequence[str], words: dict[Key, str] | None = None) -> tuple[str, ...]:
    """One OCR line's words (reading order), each repaired where the rules above are sure; else as read."""
    words = dictionary() if words is None else words
    if not words:
        return tuple(line)
    parsed = [_parse(w, words) for w in line]
    letters = [p for p in parsed if p is not None]
    vietnamese = sum(
        p.valid or bool(_VIETNAMESE_ONLY & set(unicodedata.normalize("NFD", p.lower))) for p in letters
    )
    if not letters or vietnamese < VIETNAMESE_SHARE * len(letters):
        return tuple(line)
    lm = model()
    names = _names(parsed, words)
    for rule, which in ((_invalid, False), (_valid, True), (None, True), (_valid, True)):
        for i, word in enumerate(parsed):
            if word is None or word.valid != which or i in names:
                continue
            if rule is None:  # then rule 3 once more: its neighbours may have changed
                if i + 1 < len(parsed) and i + 1 not in names:
                    _valid_pair(parsed, i, lm, words)
                continue
            fixed = rule(word, *_context(parsed, i), lm, words)
            if fixed != word.lower:
                word.lower, word.valid = fixed, True
    out = []
    for original, word in zip(line, parsed, strict=True):
        if word is None or not word.valid:
            out.append(original)
            continue
        fixed = word.lead + _cased(word.core, word.lower) + word.trail
        out.append(fixed if unicodedata.normalize("NFC", original) != fixed else original)
    return tuple(out)


def correct_word(word: str, words: dict[Key, str] | None = None) -> str:
    """One word with no context: case, tone placement, and an invalid syllable's one clear repair."""
    return correct_line([word], words)[0]


def correct_text(text: str, words: dict[Key, str] | None = None) -> str:
    """Each line's words through `correct_line`, whitespace kept."""

    def line(match: re.Match[str]) -> str:
        tokens = list(re.finditer(r"\S+", match.group(0)))
        fixed = iter(correct_line([t.group(0) for t in tokens], words))
        return re.sub(r"\S+", lambda _: next(fixed), match.group(0))

    return re.sub(r"[^\n]+", line, text)


def is_valid_syllable(syllable: str, words: dict[Key, str] | None = None) -> bool:
    """True when the letters are one valid Vietnamese syllable (any case; either tone placement). Without
    hunspell-vi (Windows, macOS) the shipped frequency list says which syllables are in use."""
    words = dictionary() if words is None else words
    if not syllable:
        return False
    found = key(unicodedata.normalize("NFC", syllable).lower())
    return found in words if words else found in model().frequency
