"""The conservative Vietnamese post-correction: invalid syllables repaired from context or a clear favourite,
valid ones only when the syllable pairs are sure; never numbers, names or foreign lines."""

from __future__ import annotations

import random
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest

from dossier.digitize.vietnamese import correct_line, correct_text, correct_word, dictionary
from dossier.digitize.vietnamese.model import BIGRAMS, SYLLABLES, model
from dossier.samples.render import layout_page
from dossier.samples.text import make_page_content

REPO = Path(__file__).resolve().parents[2]


def fixed(line: str) -> str:
    return " ".join(correct_line(line.split()))


def test_the_dictionary_is_read() -> None:
    assert len(dictionary()) > 6000  # hunspell-vi, installed by `make system-deps`


def test_the_syllable_frequencies_load_and_carry_their_licence() -> None:
    header = [line for line in SYLLABLES.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = " ".join(header)
    assert (
        "CC BY-SA 4.0" in text and "wordfreq" in text and "Robyn Speer" in text and "THIS FILE ONLY" in text
    )
    words = [
        line.split("\t")[0] for line in SYLLABLES.read_text(encoding="utf-8").splitlines()[len(header) :]
    ]
    assert len(words) > 10_000
    assert all(w.isalpha() and w == unicodedata.normalize("NFC", w).lower() for w in words)
    assert model().unigram("của") > model().unigram("cửa") > model().unigram("cưa")


def test_the_syllable_pairs_are_up_to_date_with_the_project_text() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_vi_data.py"), "bigrams", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "not the evaluation corpus" in BIGRAMS.read_text(encoding="utf-8").splitlines()[2]
    assert model().pair("ủy", "ban") > 5 and model().pair("uỷ", "ban") == model().pair("ủy", "ban")


# rule 2: an invalid syllable, decided by its neighbours


def test_an_invalid_syllable_is_repaired_from_its_neighbours() -> None:
    assert fixed("GIÁM ĐOC") == "GIÁM ĐỐC"
    assert fixed("Phó Giám đoc Sở") == "Phó Giám đốc Sở"
    assert fixed("GIÁM ĐÔC") == "GIÁM ĐỐC"


def test_without_neighbours_an_invalid_syllable_with_close_candidates_stays() -> None:
    # đốc, độc, đọc, đóc are all valid; no context and no clear favourite: left alone
    assert correct_word("ĐOC") == "ĐOC"
    assert fixed("ĐOC SÁCH") == "ĐOC SÁCH"


def test_a_neighbour_misread_too_still_gives_context_and_is_then_repaired() -> None:
    assert fixed("GLAM ĐOC") == "GIÁM ĐỐC"  # l for i, then "giám đốc" from the pairs


def test_letters_ocr_confuses_are_tried_only_when_no_mark_repairs_the_word() -> None:
    assert fixed("Tỉnh Vĩnl Long") == "Tỉnh Vĩnh Long"
    assert fixed("Hộ khẩu thường trú: Vĩni Long") == "Hộ khẩu thường trú: Vĩnh Long"
    assert fixed("(Ký, ghi rõ họ tên) l") == "(Ký, ghi rõ họ tên) l"  # never a single letter


def test_a_clear_favourite_wins_without_context_in_a_vietnamese_line() -> None:
    assert fixed("bài chat này") == "bài chất này"
    assert fixed("cộng hoa xã hội") == "cộng hòa xã hội"


# rule 3: a valid syllable, only when the pairs are sure


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("KẾT QUÁ GIẢI QUYẾT", "KẾT QUẢ GIẢI QUYẾT"),
        ("Số vào số cấp GCN", "Số vào sổ cấp GCN"),
        ("TM. UY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN"),
        ("không những nhiễu", "không nhũng nhiễu"),
    ],
)
def test_a_valid_syllable_changes_when_the_pairs_are_sure(read: str, meant: str) -> None:
    assert fixed(read) == meant


def test_two_adjacent_words_read_without_marks_change_together() -> None:
    assert fixed("TM. UY BAN NHAN DAN") == "TM. ỦY BAN NHÂN DÂN"
    assert fixed("CONG HOA XA HOI CHU NGHIA VIET NAM") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert fixed("Số con trong lần sinh này") == "Số con trong lần sinh này"  # "số" has marks: not this rule


@pytest.mark.parametrize(
    "line",
    [
        "SỐ",
        "QUÁ",
        "những",
        "Số con trong lần sinh này",  # "còn trong" is common, but never "số còn"
        "Dân tộc: Kính",  # context never crosses punctuation
        "VŨ CÔNG LỘC",  # a person's name: "vụ công" is common
        "Lý Công Tú",
        "Họ, chữ đệm, tên: HỒ GIA HẢI",
    ],
)
def test_valid_words_stay_without_sure_context(line: str) -> None:
    assert fixed(line) == line


@pytest.mark.parametrize("line", ["Huế", "Tạ Hữu My", "NGUYỄN THỊ MY", "Hà Thị My", "Đắk Lắk", "Chu Văn Tú"])
def test_names_and_words_hunspell_lacks_are_not_respelled_by_frequency(line: str) -> None:
    assert fixed(line) == line


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("1. Họ, chữ đệm và tên: Trân Thị Kim Phát", "1. Họ, chữ đệm và tên: Trần Thị Kim Phát"),
        ("Họ, chữ đệm, tên: ĐÓ NGỌC OANH", "Họ, chữ đệm, tên: ĐỖ NGỌC OANH"),
        ("Họ và tên: La Văn Cầu", "Họ và tên: La Văn Cầu"),  # not "Lã": La is a family name too
        ("Trân trọng cảm ơn", "Trân trọng cảm ơn"),  # no name here
    ],
)
def test_a_misread_family_name_is_repaired_only_where_a_name_is_sure(read: str, meant: str) -> None:
    assert fixed(read) == meant


# rule 1 and the case


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("vỊ", "vị"),
        ("(vỊ),", "(vị),"),
        ("CộNG", "CỘNG"),
        ("đựơc", "được"),
        ("ViỆt", "Việt"),
        ("ThànH", "Thành"),
    ],
)
def test_case_and_tone_placement_are_repaired(read: str, meant: str) -> None:
    assert correct_word(read) == meant


def test_all_caps_and_title_case_are_kept() -> None:
    assert fixed("GIÁM ĐOC") == "GIÁM ĐỐC" and fixed("Tỉnh Vĩnl Long") == "Tỉnh Vĩnh Long"
    assert fixed("Giám đoc") == "Giám đốc"


def test_an_invalid_word_with_no_repair_keeps_its_case() -> None:
    assert fixed("Tổng diện tích sàn: 141 mZ") == "Tổng diện tích sàn: 141 mZ"


# what is never touched


@pytest.mark.parametrize(
    "word",
    ["048196001234", "12/09/2026", "TP01", "CT07", "0Í", "HNGĐ-ST", "123/QĐ-UBND", "Hòa", "hoà", "thuỷ"],
)
def test_numbers_codes_and_valid_words_stay(word: str) -> None:
    assert correct_word(word) == word
    assert fixed(f"Số {word} ngày") == f"Số {word} ngày"


def test_a_foreign_line_is_left_alone_though_its_words_would_be_repaired_in_a_vietnamese_one() -> None:
    english = "Please chat with them at the net desk"
    assert fixed(english) == english
    assert fixed("bài them này") == "bài thêm này" and fixed("màu net đẹp") != "màu net đẹp"
    assert fixed("Liberté, Égalité, Fraternité") == "Liberté, Égalité, Fraternité"


def test_whitespace_and_lines_are_kept() -> None:
    assert correct_text("Số:  048196001234\nvỊ trí\n\nGIÁM ĐOC") == "Số:  048196001234\nvị trí\n\nGIÁM ĐỐC"


def _toml_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _toml_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _toml_strings(v)]
    return []


def test_false_corrections_on_the_shipped_text_stay_under_a_thousandth() -> None:
    rng = random.Random(4)
    lines = [line for _ in range(60) for line in layout_page(make_page_content(rng)).text.splitlines()]
    for path in sorted((REPO / "dossier" / "profiles" / "data").rglob("*.toml")):
        lines += [s for s in _toml_strings(tomllib.loads(path.read_text(encoding="utf-8")))]
    words = changed = 0
    for line in lines:
        split = line.split()
        words += len(split)
        changed += sum(a != b for a, b in zip(split, correct_line(split), strict=True))
    assert words > 10_000 and changed / words < 0.001, changed
