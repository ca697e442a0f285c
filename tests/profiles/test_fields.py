"""Field checks: personal ID structure and OCR search, Vietnamese dates, age limits, red seal, signature ink.

All numbers, names and images here are synthetic.
"""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest

from dossier.profiles.fields import (
    PROVINCE_CODES,
    FieldCheck,
    add_months,
    check_document_age,
    check_personal_id,
    find_personal_ids,
    parse_vietnamese_dates,
)
from dossier.profiles.seal import check_red_seal, check_signature_area, detect_red_seal
from dossier.samples.degrade import SIGNATURE_BLUE, seal_image

DPI = 150
A4_PX = (round(297 / 25.4 * DPI), round(210 / 25.4 * DPI))  # (height, width) = (1754, 1240)
RED_BGR = (38, 28, 205)
BLUE_BGR = (165, 48, 28)


@pytest.fixture(autouse=True)
def vietnamese_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_LANG", "vi")


# --- personal identification numbers -------------------------------------------------------------------


def test_province_table_has_the_63_old_provinces_from_001_to_096() -> None:
    assert len(PROVINCE_CODES) == 63
    assert min(PROVINCE_CODES) == "001" and max(PROVINCE_CODES) == "096"
    # the table some repositories get wrong
    assert PROVINCE_CODES["019"] == "Thái Nguyên"
    assert PROVINCE_CODES["020"] == "Lạng Sơn"
    assert PROVINCE_CODES["025"] == "Phú Thọ"
    assert PROVINCE_CODES["049"] == "Quảng Nam"


@pytest.mark.parametrize(
    ("number", "birth_year", "sex"),
    [
        ("079085123456", 1985, "nam"),  # 0: 1900s male
        ("001199000111", 1999, "nữ"),  # 1: 1900s female
        ("038206004321", 2006, "Nam"),  # 2: 2000s male
        ("049317000001", 2017, "nu"),  # 3: 2000s female, accent-folded
        ("096400000001", 2100, "male"),  # 4: 2100s male
        ("092599000001", 2199, "female"),  # 5: 2100s female
        ("002700123456", 2200, None),  # 6: 2200s
        ("001990123456", 2390, None),  # 9: 2300s female
    ],
)
def test_valid_ids_across_centuries_and_sexes(number: str, birth_year: int, sex: str | None) -> None:
    check = check_personal_id(number, birth_year=birth_year, sex=sex)
    assert check.ok, check.reason
    assert check.name == "personal_id"
    assert PROVINCE_CODES[number[:3]] in check.reason


def test_valid_id_without_declared_data_and_with_spaces() -> None:
    assert check_personal_id("0792 0612 3456").ok


@pytest.mark.parametrize("number", ["003185000111", "099185000111", "000185000111", "097185000111"])
def test_province_code_outside_the_table_is_rejected(number: str) -> None:
    check = check_personal_id(number)
    assert not check.ok
    assert number[:3] in check.reason
    assert "Mã tỉnh" in check.reason


def test_century_digit_inconsistent_with_birth_year_is_rejected() -> None:
    # digit 4 = 0 means 1900s: 079 0 06 ... is born 1906, not 2006
    check = check_personal_id("079006123456", birth_year=2006)
    assert not check.ok
    assert "1906" in check.reason and "2006" in check.reason


def test_year_digits_inconsistent_with_birth_year_are_rejected() -> None:
    check = check_personal_id("079206123456", birth_year=2007)
    assert not check.ok
    assert "2006" in check.reason


def test_sex_digit_inconsistent_with_declared_sex_is_rejected() -> None:
    male_2006 = "079206123456"
    assert check_personal_id(male_2006, birth_year=2006, sex="nam").ok
    check = check_personal_id(male_2006, birth_year=2006, sex="nữ")
    assert not check.ok
    assert "Giới tính" in check.reason


def test_nine_digit_old_number_is_accepted_as_old_format() -> None:
    check = check_personal_id("025123456")
    assert check.ok
    assert "CMND" in check.reason and "9" in check.reason


@pytest.mark.parametrize("text", ["0792061234", "07920612345", "0792061234567", "CCCD", ""])
def test_wrong_lengths_are_rejected(text: str) -> None:
    check = check_personal_id(text)
    assert not check.ok
    assert check.found is None


def test_the_full_number_never_appears_in_a_result() -> None:
    number = "079206123456"
    check = check_personal_id(number, where="dòng 3")
    assert check.found == "079206******"
    assert check.where == "dòng 3"
    assert number not in repr(check)
    assert "123456" not in repr(check)
    found = find_personal_ids(f"CCCD: {number}")
    assert len(found) == 1
    assert number not in repr(found[0])


def test_ocr_confused_ids_are_found_in_text() -> None:
    text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Họ và tên: Nguyễn Văn Thử\n"
        "Số CCCD: O792 O6l2 3456\n"
        "Số CMND cũ: 02512345I, cấp ngày 01/02/2010\n"
        "Số định danh người con: 038 306 004 321\n"
    )
    found = find_personal_ids(text)
    assert [(f.digits, f.line, f.kind) for f in found] == [
        ("079206123456", 3, "cccd"),
        ("025123451", 4, "cmnd"),
        ("038306004321", 5, "cccd"),
    ]
    assert found[0].where == "dòng 3"
    assert text[found[0].start : found[0].end] == "O792 O6l2 3456"
    assert check_personal_id(text[found[0].start : found[0].end], birth_year=2006, sex="nam").ok


@pytest.mark.parametrize(
    "text",
    [
        "Số điện thoại: 0912345678",
        "Điện thoại: 0912 345 678",
        "SĐT: 091234567",  # a phone number with one digit lost by OCR is still not an ID
        "Điện thoại liên hệ: +84 912 345 678",
        "DT 84912345678",
        "Tel: 028 3829 1234",
        "Mã hồ sơ: 000.00.06.H56-231027-0361, ngày 27/10/2023",
        "Lệ phí: 50.000 đồng",
    ],
)
def test_phone_numbers_and_other_numbers_are_not_taken_as_ids(text: str) -> None:
    assert find_personal_ids(text) == []


def test_id_and_phone_on_the_same_line_only_the_id_is_found() -> None:
    found = find_personal_ids("CCCD 079206123456 - SĐT 0912 345 678")
    assert [f.digits for f in found] == ["079206123456"]


def test_words_with_o_and_l_are_not_read_as_numbers() -> None:
    assert find_personal_ids("Ông lOl IOI Do lo lIllOOlIl") == []


# --- Vietnamese dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hà Nội, ngày 18 tháng 9 năm 2017",
        "Hà Nội, Ngày 18 tháng 09 năm 2017",
        "ngay 18 thang 9 nam 2017",  # OCR without diacritics
        "NGÀY 18 THÁNG 9 NĂM 2017",
        "ngày 18/9/2017",
        "cấp ngày: 18/09/2017.",
        "18-09-2017",
        "18.09.2017",
        "ngày 18 / 09 / 2017",
    ],
)
def test_dates_in_every_form(text: str) -> None:
    found = parse_vietnamese_dates(text)
    assert [f.value for f in found] == [date(2017, 9, 18)]
    assert "18" in found[0].text and "2017" in found[0].text
    assert text[found[0].start : found[0].end] == found[0].text


def test_dates_report_their_line_in_order() -> None:
    text = "Giấy khai sinh\nngày 5 tháng 10 năm 2020\nHết hạn 01/02/2030\nNgày nhận: 9/3/2021"
    found = parse_vietnamese_dates(text)
    assert [(f.value, f.where) for f in found] == [
        (date(2020, 10, 5), "dòng 2"),
        (date(2030, 2, 1), "dòng 3"),
        (date(2021, 3, 9), "dòng 4"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2020",
        "ngày 31 tháng 2 năm 2020",
        "29/02/2021",
        "12/13/2020",
        "00/01/2020",
        "ngày 32 tháng 1 năm 2020",
        "18/09/1850",
        "18/09/20171",
        "1/2/3/2020",
        "18/09-2017",
    ],
)
def test_impossible_or_malformed_dates_are_rejected(text: str) -> None:
    assert parse_vietnamese_dates(text) == []


def test_leap_day_is_a_real_date() -> None:
    assert [f.value for f in parse_vietnamese_dates("ngày 29/02/2024")] == [date(2024, 2, 29)]


# --- document age ----------------------------------------------------------------------------------------


def test_age_limit_in_days_counts_the_last_day_as_valid() -> None:
    issued = date(2026, 1, 1)
    assert check_document_age(issued, date(2026, 1, 31), max_days=30).ok
    late = check_document_age(issued, date(2026, 2, 1), max_days=30)
    assert not late.ok
    assert late.found == "01/01/2026"
    assert "31/01/2026" in late.reason


def test_age_limit_in_months_clamps_to_the_end_of_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert check_document_age(date(2024, 1, 31), date(2024, 2, 29), max_months=1).ok
    assert not check_document_age(date(2024, 1, 31), date(2024, 3, 1), max_months=1).ok


def test_age_limit_in_years() -> None:
    issued = date(2020, 2, 29)
    assert check_document_age(issued, date(2025, 2, 28), max_years=5).ok
    assert not check_document_age(issued, date(2025, 3, 1), max_years=5).ok
    check = check_document_age(issued, date(2021, 1, 1), max_years=5, where="dòng 7")
    assert check == FieldCheck("document_age", True, "29/02/2020", "dòng 7", check.reason)
    assert "5 năm" in check.reason


def test_document_issued_after_the_check_date_is_rejected() -> None:
    check = check_document_age(date(2026, 5, 2), date(2026, 5, 1), max_days=30)
    assert not check.ok
    assert "sau ngày kiểm tra" in check.reason


@pytest.mark.parametrize(
    "limits", [{}, {"max_days": 30, "max_months": 1}, {"max_years": -1}], ids=["none", "two", "negative"]
)
def test_age_check_needs_exactly_one_limit(limits: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        check_document_age(date(2026, 1, 1), date(2026, 1, 2), **limits)


# --- red seal ----------------------------------------------------------------------------------------------


def blank_a4(tone: int = 255) -> np.ndarray:
    return np.full((*A4_PX, 3), tone, np.uint8)


def mm(value: float, dpi: float = DPI) -> int:
    return round(value / 25.4 * dpi)


def black_text_lines(page: np.ndarray) -> None:
    for i in range(12):
        cv2.putText(
            page, "CONG HOA XA HOI CHU NGHIA", (120, 200 + 60 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 2
        )


def draw_seal(page: np.ndarray, centre: tuple[int, int], diameter_mm: float) -> tuple[int, int, int, int]:
    """Two red rings, rim lettering and a name in the middle; returns the outer ring's bbox."""
    radius = mm(diameter_mm) // 2
    cv2.circle(page, centre, radius - 3, RED_BGR, 6, cv2.LINE_AA)  # a 6 px ring ends at `radius`
    cv2.circle(page, centre, radius - mm(4), RED_BGR, 2, cv2.LINE_AA)
    for k, letter in enumerate("UY BAN NHAN DAN XA THU"):
        angle = np.deg2rad(200 + k * 7)
        x = round(centre[0] + (radius - mm(2.5)) * np.cos(angle)) - 6
        y = round(centre[1] + (radius - mm(2.5)) * np.sin(angle)) + 6
        cv2.putText(page, letter, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, RED_BGR, 1, cv2.LINE_AA)
    cv2.putText(page, "CHU TICH", (centre[0] - 55, centre[1] + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.7, RED_BGR, 2)
    return centre[0] - radius, centre[1] - radius, 2 * radius + 1, 2 * radius + 1


def assert_bbox_close(found: tuple[int, int, int, int] | None, expected: tuple[int, int, int, int]) -> None:
    assert found is not None
    for got, want in zip(found, expected, strict=True):
        assert abs(got - want) <= 6, (found, expected)


def test_rendered_seal_on_a4_is_found_with_its_bbox() -> None:
    page = blank_a4()
    black_text_lines(page)
    expected = draw_seal(page, (860, 1450), diameter_mm=40)
    cv2.polylines(page, [np.array([[700, 1480], [820, 1420], [900, 1500], [1000, 1440]])], False, BLUE_BGR, 4)
    finding = detect_red_seal(page, DPI)
    assert finding.present
    assert_bbox_close(finding.bbox, expected)
    assert finding.circularity > 0.9
    assert 0.03 < finding.red_fraction < 0.5
    check = check_red_seal(page, DPI)
    assert check.ok
    assert check.where is not None and f"x={finding.bbox[0]}" in check.where  # type: ignore[index]


@pytest.mark.parametrize("diameter_mm", [30, 50])
def test_seals_from_3_to_5_cm_are_found(diameter_mm: float) -> None:
    page = blank_a4()
    expected = draw_seal(page, (600, 900), diameter_mm)
    finding = detect_red_seal(page, DPI)
    assert finding.present
    assert_bbox_close(finding.bbox, expected)


def test_faded_sample_seal_on_a_300_dpi_grey_scan_is_found() -> None:
    rng, noise = random.Random(3), np.random.default_rng(3)
    diameter = mm(40, 300)
    rgb_seal = np.asarray(seal_image("ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM", diameter, rng)).astype(np.float32)
    strength = cv2.resize(noise.uniform(0.45, 0.8, (12, 12)).astype(np.float32), (diameter, diameter))
    stamp = 255 - (255 - rgb_seal[..., ::-1]) * strength[..., None]  # uneven stamp-pad ink, as BGR
    page = np.full((mm(297, 300), mm(210, 300), 3), 236, np.float32)
    page[2000 : 2000 + diameter, 1400 : 1400 + diameter] *= stamp / 255
    cv2.line(page, (1300, 2200), (2000, 2300), SIGNATURE_BLUE[::-1], 6)
    page = np.clip(page + noise.normal(0, 3, page.shape), 0, 255).astype(np.uint8)
    finding = detect_red_seal(page, 300)
    assert finding.present
    # seal_image draws its outer ring 6 px inside the image
    assert_bbox_close(finding.bbox, (1406, 2006, diameter - 12, diameter - 12))


def test_red_underline_and_red_text_lines_are_not_a_seal() -> None:
    page = blank_a4()
    black_text_lines(page)
    cv2.line(page, (120, 1000), (1100, 1000), RED_BGR, 4)
    for i in range(6):
        y = 1100 + 45 * i
        cv2.putText(page, "VAN BAN CO CHU DO", (120, y), cv2.FONT_HERSHEY_SIMPLEX, 1.3, RED_BGR, 3)
    finding = detect_red_seal(page, DPI)
    assert not finding.present
    assert finding.bbox is None
    assert finding.red_fraction > 0  # red was there, it just was not round
    assert not check_red_seal(page, DPI).ok


def test_red_square_stamp_and_small_red_dot_are_not_a_seal() -> None:
    page = blank_a4()
    side = mm(40)
    cv2.rectangle(page, (200, 300), (200 + side, 300 + side), RED_BGR, 5)
    cv2.putText(page, "DA THU TIEN", (215, 300 + side // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.8, RED_BGR, 2)
    cv2.circle(page, (900, 1200), mm(5), RED_BGR, -1)  # a 1 cm red bullet
    assert not detect_red_seal(page, DPI).present


def test_blue_signature_and_blue_round_stamp_are_not_a_seal() -> None:
    page = blank_a4()
    rng = np.random.default_rng(5)
    xs = np.linspace(600, 1000, 300)
    ys = 1400 + 60 * np.sin(xs / 25) + rng.normal(0, 2, xs.size)
    cv2.polylines(page, [np.stack([xs, ys], axis=1).astype(np.int32)], False, BLUE_BGR, 4)
    cv2.circle(page, (400, 1400), mm(20), BLUE_BGR, 6)
    assert not detect_red_seal(page, DPI).present


def test_page_without_red_has_no_seal() -> None:
    page = blank_a4()
    black_text_lines(page)
    finding = detect_red_seal(page, DPI)
    assert finding == type(finding)(False, None, 0.0, 0.0)
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    assert not detect_red_seal(grey, DPI).present


# --- signature area ----------------------------------------------------------------------------------------


def signature_box() -> tuple[int, int, int, int]:
    return 700, 1300, mm(60), mm(30)


def test_blank_signature_area_is_reported_blank_even_with_its_box_rules() -> None:
    page = blank_a4(240)
    x, y, w, h = signature_box()
    cv2.rectangle(page, (x, y), (x + w, y + h), (0, 0, 0), 2)  # the printed box around the area
    noise = np.random.default_rng(1).normal(0, 3, page.shape)
    page = np.clip(page + noise, 0, 255).astype(np.uint8)
    check = check_signature_area(page, (x, y, w, h))
    assert not check.ok
    assert check.reason == "Vùng chữ ký để trống."
    assert check.where is not None and f"x={x}" in check.where


def test_inked_signature_area_is_not_blank() -> None:
    page = blank_a4(240)
    x, y, w, h = signature_box()
    xs = np.linspace(x + 40, x + w - 60, 200)
    ys = y + h / 2 + 40 * np.sin((xs - x) / 18)
    cv2.polylines(page, [np.stack([xs, ys], axis=1).astype(np.int32)], False, BLUE_BGR, 3, cv2.LINE_AA)
    check = check_signature_area(page, (x, y, w, h))
    assert check.ok, check
    assert check.found is not None and check.found.endswith("%")


def test_signature_area_outside_the_image_fails() -> None:
    check = check_signature_area(blank_a4(), (5000, 5000, 100, 100))
    assert not check.ok
    assert check.found is None
