"""A column of item numbers that Tesseract reads as vertical text: found by its shape, read again."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dossier.digitize.ocr import ocr_image_file
from dossier.digitize.stacked import Region, is_stacked, reread_stacked
from dossier.models import Word

SERIF = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
ITEMS = [
    ("Họ, chữ đệm và tên:", "Tô Trọng Tú"),
    ("Ngày, tháng, năm sinh:", "01/01/1993"),
    ("Số định danh cá nhân:", "010088275437"),
    ("Nơi thường trú:", "Số 153 đường Lê Lợi, xã Cẩm Lệ, tỉnh Lào Cai"),
    ("Nơi ở hiện tại:", "Thôn 9, xã Thạch Hà, tỉnh Cà Mau"),
    ("Họ, chữ đệm và tên chủ hộ:", "Kiều Minh Phát"),
    ("Quan hệ với chủ hộ:", "Con"),
]


def test_numbers_of_a_residence_confirmation_are_read(tmp_path: Path) -> None:
    """The items of a residence confirmation (CT07), numbered down the left margin as printed: Tesseract's
    page layout takes the numbers for one line of vertical text ("`*IM œŒ CƠI + C2 ĐÔ") and keeps only
    their dots; the text must have "1." to "7." in front of their items, and the items as read."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(SERIF), 48)
    draw.text(
        (270, 520), "Công an xã Thạch Hà xác nhận thông tin về cư trú của công dân như sau:", 0, font, "ls"
    )
    for number, (label, value) in enumerate(ITEMS, start=1):
        y = 520 + 70 * number
        text = f"{number}. {label}"
        draw.text((270, y), text, 0, font, "ls")
        draw.text((270 + font.getlength(text) + 18, y), value, 0, font, "ls")
    draw.text((360, y + 90), "Giấy xác nhận có giá trị 30 ngày kể từ ngày cấp.", 0, font, "ls")
    path = tmp_path / "ct07.png"
    page.save(path, dpi=(300, 300))
    lines = ocr_image_file(path, "vie", 300).text.splitlines()
    for number, (label, _) in enumerate(ITEMS, start=1):
        assert any(line.startswith(f"{number}. {label}") for line in lines), (number, lines)
    assert any(line.endswith("01/01/1993") for line in lines)
    assert not any("œŒ" in line or "C2" in line.split() for line in lines)


def _word(text: str, left: int, top: int, line: tuple[int, int, int], width: int = 36) -> Word:
    return Word(text, left, top, width, 40, 90.0, line)


def _page() -> list[Word]:
    """Three item lines whose numbers were read as one stacked line of garbage (block 1)."""
    column = [_word(t, 266, 700 + 70 * i, (1, 1, 1)) for i, t in enumerate(["œŒ", "CƠI", "C2"])]
    items = []
    for i, label in enumerate(["Họ", "Ngày", "Nơi"]):
        key = (2, 1, i + 1)
        items += [_word(".", 297, 730 + 70 * i, key, 6), _word(label, 319, 700 + 70 * i, key, 90)]
    return [*column, *items]


def test_a_stacked_line_is_told_from_a_line_of_text() -> None:
    words = _page()
    assert is_stacked(words[:3])
    assert not is_stacked([_word(t, 300 + 100 * i, 700, (1, 1, 1)) for i, t in enumerate("abc")])
    # the words of a page lying on its side are taller than wide: not item numbers
    assert not is_stacked(
        [Word(t, 266, 700 + 200 * i, 40, 150, 90.0, (1, 1, 1)) for i, t in enumerate("abc")]
    )


def test_numbers_read_in_the_column_join_their_lines() -> None:
    asked: list[Region] = []

    def read(region: Region) -> list[Word]:
        asked.append(region)
        numbers = [_word(f"{i + 1}.", 268, 702 + 70 * i, (1, 1, i + 1), 40) for i in range(3)]
        return [*numbers, _word("Họ,", 330, 700, (1, 1, 1), 90)]  # an item word: not in the column

    out = reread_stacked(_page(), read)
    assert len(asked) == 1 and asked[0].left < 266 and asked[0].right > 319 + 90
    texts = {key: [w.text for w in out if w.line == key] for key in {w.line for w in out}}
    assert texts == {(2, 1, 1): ["1.", "Họ"], (2, 1, 2): ["2.", "Ngày"], (2, 1, 3): ["3.", "Nơi"]}


def test_a_column_read_again_without_digits_changes_nothing() -> None:
    words = _page()
    assert reread_stacked(words, lambda region: [_word("Ư", 268, 702, (1, 1, 1))]) == tuple(words)


def test_a_line_that_kept_its_number_gets_no_second_one() -> None:
    words = _page()
    words[4] = _word("2.", 270, 770, (2, 1, 2), 40)  # Tesseract read "2." itself on the second line

    def read(region: Region) -> list[Word]:
        return [_word(f"{i + 1}.", 268, 702 + 70 * i, (1, 1, i + 1), 40) for i in range(3)]

    second = [w.text for w in reread_stacked(words, read) if w.line == (2, 1, 2)]
    assert second == ["2.", "Ngày"]
