"""Words Tesseract reads very unsure (a signature, a scribble) stay out of the text layer; print stays in."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from dossier.digitize.ocr import normalised, ocr_image_file
from dossier.digitize.unsure import is_unsure, plausible
from dossier.digitize.vietnamese import is_valid_syllable
from dossier.fonts import pil_font
from dossier.models import Word


def word(text: str, confidence: float) -> Word:
    return Word(text, 0, 0, 10, 10, confidence, (1, 1, 1))


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("(YYx¬", 12.0), ("Việt", 29.0), ("1v,", 12.0), ("/VWV", 39.0), ("^^", 45.0), ("ynh:", 0.0)],
)
def test_unsure_readings_are_left_out(text: str, confidence: float) -> None:
    assert is_unsure(word(text, confidence))


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("Việt", 41.0),
        ("Nam.", 35.0),
        ("(Ký,", 40.0),
        ("118/2025/NĐ-CP", 40.0),
        ("064195374850", 31.0),
        ("Độc-lập", 45.0),
        ("UBND", 50.0),
        ("(YYx¬", 50.0),
    ],
)
def test_valid_syllables_numbers_and_sure_words_stay(text: str, confidence: float) -> None:
    assert not is_unsure(word(text, confidence))


def test_other_languages_are_judged_by_confidence_only() -> None:
    assert not is_unsure(word("Hello", 40.0), vietnamese=False)
    assert is_unsure(word("Hello", 40.0), vietnamese=True)
    assert is_unsure(word("Hello", 20.0), vietnamese=False)


def test_plausible_needs_every_part_to_be_a_syllable() -> None:
    assert plausible("Tự-do")
    assert not plausible("Tự-xyzq")
    assert not plausible("—")


def test_a_signature_is_not_read_into_the_text_layer(tmp_path: Path) -> None:
    page = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(page)
    serif = pil_font("Regular", 50)
    draw.text((270, 200), "Ủy ban nhân dân xã Điện Thắng, tỉnh Quảng Nam", font=serif, fill=0)
    draw.text((270, 300), "Người làm đơn ký và ghi rõ họ tên", font=serif, fill=0)
    stroke = [(1400 + t * 3, 600 + 60 * math.sin(t / 9.0) + 25 * math.sin(t / 3.1)) for t in range(160)]
    draw.line(stroke, fill=30, width=6)
    draw.line([(1450 + t * 2, 700 + 40 * math.cos(t / 6.0)) for t in range(120)], fill=30, width=5)
    path = tmp_path / "signed.png"
    page.save(path)

    text = ocr_image_file(path, "vie", 300)

    words = [w.text for w in text.words]
    assert words[:4] == ["Ủy", "ban", "nhân", "dân"] and "tên" in words
    assert all(w.top < 500 for w in text.words), words  # nothing from the pen strokes below
    assert all(w.confidence >= 50 for w in text.words)
    # the mean still counts what was read in the strokes, so a page of scribbles looks unreadable
    assert text.mean_confidence < sum(w.confidence for w in text.words) / len(text.words)


def test_the_eth_tesseract_sometimes_reads_is_d_with_stroke_in_vietnamese() -> None:
    assert normalised(" BĐÐ ", vietnamese=True) == "BĐĐ"
    assert normalised("ðường", vietnamese=True) == "đường"
    assert normalised("Ðe\u0301", vietnamese=False) == "Ðé"


def test_without_hunspell_the_shipped_syllable_list_decides() -> None:
    assert is_valid_syllable("Nghĩa", words={}) and is_valid_syllable("đốc", words={})
    assert not is_valid_syllable("xyzq", words={}) and not is_valid_syllable("", words={})
    assert is_valid_syllable("nghĩa") and not is_valid_syllable("ĐOC")
