"""The conservative Vietnamese post-correction: only invalid syllables, never numbers or valid words."""

from __future__ import annotations

import random

import pytest

from dossier.digitize.vietnamese import correct_text, correct_word, dictionary
from dossier.samples.render import layout_page
from dossier.samples.text import make_page_content


def test_the_dictionary_is_read() -> None:
    assert len(dictionary()) > 6000  # hunspell-vi, installed by `make system-deps`


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("vỊ", "vị"),
        ("(vỊ),", "(vị),"),
        ("CộNG", "CỘNG"),
        ("đựơc", "được"),
        ("Ngàỳ", "Ngày"),
        ("ViỆt", "Việt"),
    ],
)
def test_invalid_syllables_are_repaired(read: str, meant: str) -> None:
    assert correct_word(read) == meant


@pytest.mark.parametrize("word", ["nhũng", "QUÁ", "Hòa", "hoà", "thuỷ", "048196001234", "12/09/2026", "TP01"])
def test_valid_words_and_numbers_stay(word: str) -> None:
    assert correct_word(word) == word


def test_false_corrections_on_correct_text_stay_under_a_thousandth() -> None:
    rng = random.Random(4)
    words = [w for _ in range(60) for w in layout_page(make_page_content(rng)).text.split()]
    changed = sum(correct_word(w) != w for w in words)
    assert len(words) > 10_000 and changed / len(words) < 0.001


def test_whitespace_is_kept() -> None:
    assert correct_text("Số:  048196001234\nvỊ trí") == "Số:  048196001234\nvị trí"
