"""Papers with no title line of the usual kind: identity cards, land certificates, construction drawings."""

from __future__ import annotations

import random

from PIL import ImageDraw

from bench.corpus.draw import BLACK, RED, Sheet, face
from bench.corpus.papers import MOTTO, NATION, motto
from bench.corpus.people import address, card_number, dmy, long_date, name, pick, place

CARD_W, CARD_H = 1012, 638  # 85.6 x 54 mm at 300 dpi


def _card_text(s: Sheet, d: ImageDraw.ImageDraw, x: int, y: int, text: str, size: int, bold=False, ink=BLACK):
    d.text((x, y), text, font=face("sans-bold" if bold else "sans", size), fill=ink, anchor="ls")
    s.record(text)


def id_card(rng: random.Random, unseen: bool, colour: bool | None = None) -> list[Sheet]:
    """A copy of both sides of a citizen's card on one A4 sheet: the 2024 'CĂN CƯỚC' or the chip CCCD.

    The card has the national motto and a red card name but no title line; the copy may be in colour."""
    s = Sheet()
    s.colour = rng.random() < 0.6 if colour is None else colour
    new = rng.random() < 0.6 if not unseen else rng.random() < 0.4
    female = rng.random() < 0.5
    year = rng.randint(1965, 2004)
    who = name(rng).upper()
    number = card_number(rng, year, female)
    d = s.draw
    x0, y0 = 700, 300 + rng.randint(0, 200)
    tint = (236, 240, 246) if s.colour else (235, 235, 235)
    for top in (y0, y0 + CARD_H + 160):
        d.rounded_rectangle(
            (x0, top, x0 + CARD_W, top + CARD_H), 30, fill=tint, outline=(90, 90, 90), width=3
        )
    red = RED if s.colour else (70, 70, 70)
    _card_text(s, d, x0 + 260, y0 + 60, NATION, 26, bold=True)
    _card_text(s, d, x0 + 340, y0 + 95, MOTTO, 25, bold=True)
    if new:
        _card_text(s, d, x0 + 300, y0 + 128, "SOCIALIST REPUBLIC OF VIET NAM", 20)
        _card_text(s, d, x0 + 360, y0 + 200, "CĂN CƯỚC", 52, bold=True, ink=red)
        _card_text(s, d, x0 + 390, y0 + 235, "IDENTITY CARD", 24, ink=red)
        fields = (
            ("Số định danh cá nhân/Personal identification number:", number),
            ("Họ, chữ đệm và tên khai sinh/Full name:", who),
            ("Ngày, tháng, năm sinh/Date of birth:", dmy(rng, year, year)),
            ("Giới tính/Sex: " + ("Nữ" if female else "Nam") + "   Quốc tịch/Nationality: Việt Nam", None),
        )
    else:
        _card_text(s, d, x0 + 300, y0 + 190, "CĂN CƯỚC CÔNG DÂN", 44, bold=True, ink=red)
        _card_text(s, d, x0 + 380, y0 + 225, "Citizen Identity Card", 24, ink=red)
        fields = (
            ("Số/No.: " + number, None),
            ("Họ và tên/Full name:", who),
            (
                "Ngày sinh/Date of birth: "
                + dmy(rng, year, year)
                + "  Giới tính/Sex: "
                + ("Nữ" if female else "Nam"),
                None,
            ),
            ("Quốc tịch/Nationality: Việt Nam", None),
            ("Quê quán/Place of origin:", address(rng)[-40:]),
            ("Nơi thường trú/Place of residence:", address(rng)[-40:]),
        )
    d.rectangle((x0 + 40, y0 + 180, x0 + 240, y0 + 440), fill=(150, 150, 150))  # photo
    y = y0 + 280
    for label, value in fields:
        _card_text(s, d, x0 + 270, y, label, 22)
        y += 34
        if value:
            _card_text(s, d, x0 + 290, y, value, 30, bold=True)
            y += 44
    if new:
        _card_text(s, d, x0 + 40, y0 + 560, "Có giá trị đến/Date of expiry: " + dmy(rng, 2030, 2045), 22)
    back = y0 + CARD_H + 160
    if new:
        _card_text(s, d, x0 + 40, back + 70, "Nơi cư trú/Place of residence:", 22)
        _card_text(s, d, x0 + 60, back + 110, address(rng)[-48:], 26)
        _card_text(s, d, x0 + 40, back + 160, "Nơi đăng ký khai sinh/Place of birth:", 22)
        _card_text(s, d, x0 + 60, back + 200, f"Tỉnh {place(rng)[1]}", 26)
        _card_text(
            s, d, x0 + 40, back + 250, "Ngày, tháng, năm cấp/Date of issue: " + dmy(rng, 2024, 2025), 22
        )
        _card_text(s, d, x0 + 40, back + 300, "BỘ CÔNG AN", 26, bold=True)
        _card_text(s, d, x0 + 40, back + 335, "MINISTRY OF PUBLIC SECURITY", 22)
    else:
        _card_text(s, d, x0 + 40, back + 70, "Đặc điểm nhân dạng/Personal identification:", 22)
        _card_text(s, d, x0 + 60, back + 110, "Nốt ruồi C:1cm dưới sau mép trái", 26)
        _card_text(
            s, d, x0 + 40, back + 170, "Ngày, tháng, năm/Date, month, year: " + dmy(rng, 2016, 2023), 22
        )
        _card_text(s, d, x0 + 40, back + 210, "CỤC TRƯỞNG CỤC CẢNH SÁT", 24, bold=True)
        _card_text(s, d, x0 + 40, back + 240, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", 24, bold=True)
    mrz = f"IDVNM{number[3:]}{rng.randint(0, 9)}{number}<<{rng.randint(0, 9)}"
    _card_text(s, d, x0 + 40, back + 480, mrz[:30], 28)
    _card_text(
        s,
        d,
        x0 + 40,
        back + 530,
        f"{year % 100:02d}0101{rng.randint(0, 9)}{'F' if female else 'M'}"
        f"3501019VNM<<<<<<<<<<<{rng.randint(0, 9)}",
        28,
    )
    _card_text(s, d, x0 + 40, back + 580, who.replace(" ", "<<", 1).replace(" ", "<")[:30], 28)
    if rng.random() < 0.3:  # a certified photocopy carries the commune's certification stamp
        certification(s, rng)
    return [s]


def certification(s: Sheet, rng: random.Random) -> None:
    """The certification stamp of a certified copy (bản sao có chứng thực), bottom of the page."""
    s.y = max(s.y, 2500)
    s.line(
        pick(rng, ("CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH",), ("SAO Y BẢN CHÍNH",), False),
        "serif-bold",
        44,
        "col:1150:2260",
    )
    s.line(
        f"Số chứng thực: {rng.randint(10, 999)} Quyển số: {rng.randint(1, 9):02d}/2025-SCT/BS",
        "serif",
        40,
        "col:1150:2260",
    )
    s.line(long_date(rng, 2025, 2026).capitalize(), "serif-italic", 40, "col:1150:2260")
    s.signature(["CÔNG CHỨC TƯ PHÁP - HỘ TỊCH"], name(rng), rng, x0=1150, note="", seal=True)


def land_certificate(rng: random.Random, unseen: bool) -> list[Sheet]:
    """A certified copy of a land-use certificate: cover page with its long title, then the parcel page."""
    s = Sheet()
    motto(s)
    title = pick(
        rng,
        (
            "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
            "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
        ),
        ("GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",),
        unseen,
    )
    s.line(title, "serif-bold", 54, "center", gap=60)
    s.line(
        "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", "serif-bold", 46, gap=40
    )
    s.field("Ông:", f"{name(rng)}, sinh năm {rng.randint(1950, 1990)}", hand=False)
    s.field("Địa chỉ thường trú:", address(rng), hand=False)
    s.line(
        f"Số vào sổ cấp GCN: CH {rng.randint(1000, 99999)}   Số phát hành: {rng.choice(('BĐ', 'CS', 'DE'))} "
        f"{rng.randint(100000, 999999)}",
        "serif",
        44,
        gap=30,
    )
    commune, province = place(rng)
    s.line(f"UBND TỈNH {province.upper()}", "serif-bold", 44, "col:1250:2260", gap=40)
    s.signature(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], name(rng), rng, note="", seal=True)
    pages = [s]
    s = Sheet()
    pages.append(s)
    s.line("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "serif-bold", 46)
    s.field("a) Thửa đất số:", f"{rng.randint(1, 900)}, tờ bản đồ số: {rng.randint(1, 60)}", hand=False)
    s.field("b) Địa chỉ:", f"xã {commune}, tỉnh {province}", hand=False)
    s.field("c) Diện tích:", f"{rng.randint(80, 600)},0 m2 (bằng chữ: ... mét vuông)", hand=False)
    s.field("d) Hình thức sử dụng:", "Sử dụng riêng", hand=False)
    s.field("đ) Mục đích sử dụng:", "Đất ở tại nông thôn", hand=False)
    s.field("e) Thời hạn sử dụng:", "Lâu dài", hand=False)
    s.field("g) Nguồn gốc sử dụng:", "Nhà nước công nhận quyền sử dụng đất", hand=False)
    s.line("III. Sơ đồ thửa đất, nhà ở và tài sản khác gắn liền với đất", "serif-bold", 46, gap=30)
    d = s.draw
    d.polygon(
        [(700, s.y + 60), (1600, s.y + 90), (1550, s.y + 600), (760, s.y + 560)], outline=BLACK, width=4
    )
    s.y += 650
    s.line("IV. Những thay đổi sau khi cấp Giấy chứng nhận", "serif-bold", 46)
    certification(s, rng)
    return pages


def drawing_set(rng: random.Random, unseen: bool) -> list[Sheet]:
    """The design drawings: a cover naming the plot (which also says 'thửa đất số'), then plan sheets."""
    owner = name(rng)
    commune, province = place(rng)
    parcel = (
        f"Thửa đất số {rng.randint(1, 900)}, tờ bản đồ số {rng.randint(1, 60)}, xã {commune}, tỉnh {province}"
    )
    s = Sheet()
    s.y = 700
    s.line(
        pick(
            rng,
            ("HỒ SƠ THIẾT KẾ", "HỒ SƠ BẢN VẼ THIẾT KẾ XÂY DỰNG"),
            ("BẢN VẼ THIẾT KẾ KỸ THUẬT THI CÔNG",),
            unseen,
        ),
        "sans-bold",
        64,
        "center",
    )
    s.line("CÔNG TRÌNH: NHÀ Ở RIÊNG LẺ", "sans-bold", 52, "center", gap=60)
    s.line(f"CHỦ ĐẦU TƯ: {owner.upper()}", "sans", 46, "center", gap=30)
    s.line(f"ĐỊA ĐIỂM: {parcel}", "sans", 44, "center", gap=20)
    s.line(
        f"ĐƠN VỊ THIẾT KẾ: CÔNG TY TNHH TƯ VẤN XÂY DỰNG {rng.choice(('HÒA PHÁT', 'MINH LONG', 'NAM VIỆT'))}",
        "sans",
        42,
        "center",
        gap=400,
    )
    s.line(f"{province}, năm {rng.randint(2024, 2026)}", "sans", 42, "center", gap=40)
    pages = [s]
    views = ["MẶT BẰNG TẦNG 1", "MẶT BẰNG TẦNG 2", "MẶT ĐỨNG CHÍNH", "MẶT CẮT A-A", "MẶT BẰNG MÓNG"]
    for number, view in enumerate(rng.sample(views, rng.randint(1, 3)), start=1):
        s = Sheet()
        d = s.draw
        x, y, w, h = 400, 400, 1700, 2100
        d.rectangle((x, y, x + w, y + h), outline=BLACK, width=8)
        for i in range(1, rng.randint(3, 5)):
            d.line((x + i * w // 4, y, x + i * w // 4, y + h * rng.uniform(0.4, 1)), fill=BLACK, width=5)
            d.line((x, y + i * h // 4, x + w * rng.uniform(0.4, 1), y + i * h // 4), fill=BLACK, width=5)
        for i in range(6):  # dimension ticks
            d.line((x + i * w // 5, y - 80, x + i * w // 5, y - 40), fill=BLACK, width=3)
            s.text_at(x + i * w // 5 + 20, y - 90, str(rng.choice((3300, 3600, 4200, 1200))), "sans", 30)
        s.y = y + h + 60
        s.line(f"{view} - TỶ LỆ 1/100", "sans-bold", 48, "center")
        s.y = 2950
        s.line(f"CHỦ ĐẦU TƯ: {owner.upper()}", "sans", 34, "col:1300:2300")
        s.line("CÔNG TRÌNH: NHÀ Ở RIÊNG LẺ", "sans", 34, "col:1300:2300")
        s.line(f"BẢN VẼ: {view}", "sans", 34, "col:1300:2300")
        s.line(f"KÝ HIỆU: KT-{number:02d}    TỶ LỆ: 1/100", "sans", 34, "col:1300:2300")
        pages.append(s)
    return pages
