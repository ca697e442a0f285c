"""Names, places, numbers and dates for corpus pages (own lists, not the sample generator's)."""

from __future__ import annotations

import random

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Tạ",
    "Mai",
    "Cao",
    "Lâm",
    "Châu",
    "Quách",
    "Kiều",
    "Tô",
)
MIDDLE = (
    "Văn",
    "Thị",
    "Hữu",
    "Công",
    "Đình",
    "Quang",
    "Thị Kim",
    "Thị Thu",
    "Ngọc",
    "Minh",
    "Thành",
    "Bá",
    "Diệu",
    "Hoài",
    "Trọng",
    "Phước",
)
GIVEN = (
    "An",
    "Bảo",
    "Chi",
    "Dũng",
    "Đạt",
    "Hòa",
    "Hiền",
    "Huy",
    "Khánh",
    "Lộc",
    "Luân",
    "My",
    "Nhân",
    "Oanh",
    "Phát",
    "Quyên",
    "Sang",
    "Tài",
    "Thủy",
    "Tiến",
    "Toàn",
    "Trâm",
    "Tú",
    "Uyên",
    "Vinh",
    "Xuân",
    "Yên",
    "Nguyệt",
    "Khôi",
    "Loan",
)
PROVINCES = (
    "Quảng Nam",
    "Thanh Hóa",
    "Nghệ An",
    "Hải Dương",
    "Tiền Giang",
    "Bình Thuận",
    "Gia Lai",
    "Ninh Bình",
    "Cà Mau",
    "Lào Cai",
    "Tây Ninh",
    "Hà Nam",
    "Phú Yên",
    "Sóc Trăng",
)
COMMUNES = (
    "Điện Thắng",
    "Quảng Phú",
    "Nghi Lộc",
    "Tân Hiệp",
    "Hòa Khánh",
    "Phước Long",
    "Thạch Hà",
    "Yên Định",
    "Đông Hòa",
    "Long Mỹ",
    "Cẩm Lệ",
    "Vĩnh Trung",
    "Bình Minh",
    "Thuận An",
)
STREETS = (
    "Trần Phú",
    "Lê Lợi",
    "Hùng Vương",
    "Nguyễn Huệ",
    "Quang Trung",
    "Phan Chu Trinh",
    "Hai Bà Trưng",
    "Điện Biên Phủ",
    "Lý Thường Kiệt",
    "Ngô Quyền",
)
CARD_PROVINCES = ("049", "038", "040", "030", "082", "060", "064", "037", "096", "010", "072", "035")


def name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def place(rng: random.Random) -> tuple[str, str]:
    return rng.choice(COMMUNES), rng.choice(PROVINCES)


def address(rng: random.Random) -> str:
    commune, province = place(rng)
    if rng.random() < 0.5:
        return f"Số {rng.randint(2, 299)} đường {rng.choice(STREETS)}, xã {commune}, tỉnh {province}"
    return f"Thôn {rng.randint(1, 12)}, xã {commune}, tỉnh {province}"


def card_number(rng: random.Random, year: int, female: bool) -> str:
    century = (0 if year < 2000 else 2) + int(female)
    return f"{rng.choice(CARD_PROVINCES)}{century}{year % 100:02d}{rng.randint(0, 999_999):06d}"


def date(rng: random.Random, first: int, last: int) -> tuple[int, int, int]:
    return rng.randint(1, 28), rng.randint(1, 12), rng.randint(first, last)


def dmy(rng: random.Random, first: int, last: int) -> str:
    d, m, y = date(rng, first, last)
    return f"{d:02d}/{m:02d}/{y}"


def long_date(rng: random.Random, first: int = 2024, last: int = 2026) -> str:
    d, m, y = date(rng, first, last)
    return f"ngày {d:02d} tháng {m:02d} năm {y}"


def pick(rng: random.Random, dev: tuple[str, ...], holdout: tuple[str, ...], unseen: bool) -> str:
    """A wording: development draws see only `dev`; unseen draws mostly the wordings kept for them."""
    if unseen and holdout and rng.random() < 0.7:
        return rng.choice(holdout)
    return rng.choice(dev)
