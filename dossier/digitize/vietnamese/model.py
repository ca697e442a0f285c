"""The shipped language data: syllable frequencies (wordfreq, CC BY-SA 4.0) and syllable pairs (our own text).

Both files are in dossier/digitize/data and are written by scripts/make_vi_data.py, whose docstring says
where each comes from; vi_syllables.tsv carries its licence in its header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dossier.digitize.vietnamese.syllables import Key, key

DATA = Path(__file__).resolve().parents[1] / "data"
SYLLABLES = DATA / "vi_syllables.tsv"
BIGRAMS = DATA / "vi_bigrams.tsv"


@dataclass(frozen=True)
class Model:
    """Looked up by `key`, so that both tone placements ("hòa", "hoà") are one syllable."""

    frequency: Mapping[Key, float]  # per million words
    spellings: Mapping[Key, str]  # the most frequent spelling ("ủy" rather than "uỷ")
    pairs: Mapping[tuple[Key, Key], int]  # adjacent syllables, counted

    def unigram(self, syllable: str) -> float:
        """The syllable's frequency, a floor (the list's lowest) for syllables it does not hold."""
        return self.frequency.get(key(syllable), 0.5)

    def pair(self, left: str | None, right: str | None) -> int:
        return self.pairs.get((key(left), key(right)), 0) if left and right else 0

    def spelling(self, found: Key, otherwise: str) -> str:
        return self.spellings.get(found, otherwise)


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@cache
def model() -> Model:
    frequency: dict[Key, float] = {}
    spellings: dict[Key, str] = {}
    for word, freq in _rows(SYLLABLES):  # most frequent first
        found = key(word)
        spellings.setdefault(found, word)
        frequency[found] = frequency.get(found, 0.0) + float(freq)
    pairs: dict[tuple[Key, Key], int] = {}
    for left, right, count in _rows(BIGRAMS):
        both = (key(left), key(right))
        pairs[both] = pairs.get(both, 0) + int(count)
    return Model(frequency, spellings, pairs)
