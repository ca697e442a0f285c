"""The papers of a dossier, written from how the real documents look (not from any profile's hints).

Each writer returns the pages (`Sheet`s) of one paper. Wordings come in two pools: `dev` (what the classifier
may be developed against) and `holdout` (kept for the unseen draw); see `people.pick`.
"""

from __future__ import annotations

import random

from bench.corpus.draw import LEFT, Sheet
from bench.corpus.people import address, card_number, date, dmy, long_date, name, pick, place

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def motto(sheet: Sheet, agency: tuple[str, ...] = (), number: str | None = None) -> None:
    """The national motto: alone and centred (citizens' forms) or with the issuing agency on the left."""
    if not agency:
        sheet.line(NATION, "serif-bold", 48, "center")
        sheet.line(MOTTO, "serif-bold", 48, "center")
        sheet.line("—————————————", "serif", 30, "center")
        return
    rows = [(agency[0], NATION), (agency[1] if len(agency) > 1 else None, MOTTO)]
    rows += [(a, None) for a in agency[2:]]
    for left, right in rows:
        sheet.row(left, right, size=44, underline=right == MOTTO)
    if number:
        sheet.row(number, None, lfont="serif", size=44)


def form_number(sheet: Sheet, text: str) -> None:
    sheet.line(text, "serif-italic", 40, "right")


def commune_people(rng: random.Random) -> tuple[str, str]:
    commune, province = place(rng)
    return f"ỦY BAN NHÂN DÂN XÃ {commune.upper()}", province


# ---------------------------------------------------------------- civil status (hộ tịch)


def birth_declaration(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    if rng.random() < 0.6:
        form_number(s, pick(rng, ("Mẫu TP/HT-2020-KS.1",), ("Mẫu số 01/TP-HT", "Mẫu TK-KS"), unseen))
    motto(s)
    title = pick(
        rng, ("TỜ KHAI ĐĂNG KÝ KHAI SINH",), ("TỜ KHAI ĐĂNG KÝ KHAI SINH LẠI", "TỜ KHAI KHAI SINH"), unseen
    )
    s.line(title, "serif-bold", 58, "center", gap=50)
    commune, province = place(rng)
    s.line(f"Kính gửi: Ủy ban nhân dân xã {commune}, tỉnh {province}", "serif", 48, "center", gap=20)
    parent = name(rng)
    child = name(rng)
    s.field("Họ, chữ đệm, tên người yêu cầu:", parent)
    s.field("Nơi cư trú:", address(rng))
    s.field("Giấy tờ tùy thân:", f"Thẻ căn cước số {card_number(rng, 1992, True)}")
    s.field("Quan hệ với người được khai sinh:", rng.choice(("Mẹ", "Cha", "Bà ngoại")))
    s.line("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", "serif-bold", 48, gap=20)
    s.field("Họ, chữ đệm, tên:", child.upper())
    d, m, y = date(rng, 2024, 2026)
    s.field("Ngày, tháng, năm sinh:", f"{d:02d}/{m:02d}/{y}")
    s.field("Giới tính:", rng.choice(("Nam", "Nữ")))
    s.field("Dân tộc:", "Kinh")
    s.field("Quốc tịch:", "Việt Nam")
    s.field("Nơi sinh:", f"Bệnh viện đa khoa tỉnh {province}")
    s.field("Quê quán:", f"xã {commune}, tỉnh {province}")
    mother, father = name(rng), name(rng)
    s.field("Họ, chữ đệm, tên người mẹ:", mother)
    s.field("Năm sinh:", str(rng.randint(1985, 2002)))
    s.field("Họ, chữ đệm, tên người cha:", father)
    s.field("Năm sinh:", str(rng.randint(1980, 2000)))
    closing = (
        "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
        "nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước "
        "pháp luật về nội dung cam đoan của mình."
    )
    pages = [s]
    if rng.random() < 0.5:  # two-page form: the second page carries only the closing and the signature
        s = Sheet()
        pages.append(s)
    s.paragraph(closing)
    s.line(f"Làm tại: xã {commune}, {long_date(rng)}", "serif-italic", 46, "col:1250:2260", gap=20)
    s.signature(
        [pick(rng, ("Người yêu cầu",), ("NGƯỜI YÊU CẦU",), unseen)],
        parent,
        rng,
        note="(Ký, ghi rõ họ, chữ đệm, tên)",
    )
    s.line("Đề nghị cấp bản sao trích lục khai sinh: Có [x] Không [ ] Số lượng: 02 bản", "serif", 44, gap=40)
    return pages


def hospital_birth_certificate(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    commune, province = place(rng)
    hospital = pick(
        rng,
        (f"BỆNH VIỆN ĐA KHOA TỈNH {province.upper()}", f"TRUNG TÂM Y TẾ HUYỆN {commune.upper()}"),
        (f"BỆNH VIỆN SẢN - NHI {province.upper()}", f"TRẠM Y TẾ XÃ {commune.upper()}"),
        unseen,
    )
    number = f"Số: {rng.randint(100, 9999)}/GCS"
    motto(s, (f"SỞ Y TẾ {province.upper()}", hospital), number)
    s.line(f"Quyển số: {rng.randint(1, 30):02d}", "serif", 44, "left")
    title = pick(rng, ("GIẤY CHỨNG SINH",), ("GIẤY CHỨNG SINH (Bản 2: cấp cho gia đình)",), unseen)
    s.line(title, "serif-bold", 60, "center", gap=40)
    mother = name(rng)
    s.field("Họ và tên mẹ/Người nuôi dưỡng:", mother)
    s.field("Năm sinh:", str(rng.randint(1985, 2003)))
    s.field("Nơi đăng ký thường trú:", address(rng))
    s.field("Số định danh cá nhân:", card_number(rng, 1994, True), hand=False)
    s.field("Dân tộc:", "Kinh")
    d, m, y = date(rng, 2024, 2026)
    s.field(
        "Đã sinh con vào lúc:",
        f"{rng.randint(0, 23)} giờ {rng.randint(0, 59)} phút, ngày {d} tháng {m} năm {y}",
    )
    s.field("Tại:", hospital.title())
    s.field("Số con trong lần sinh này:", "01")
    s.field("Giới tính của con:", rng.choice(("Nam", "Nữ")))
    s.field("Cân nặng:", f"{rng.randint(2600, 3900)} gam")
    s.field("Dự định đặt tên con là:", name(rng))
    s.field("Ghi chú:", "Sinh thường")
    s.line(f"{province}, {long_date(rng)}", "serif-italic", 44, "col:1250:2260", gap=30)
    y0 = s.y
    s.signature(["Người đỡ đẻ"], name(rng), rng, x0=LEFT, x1=1150, note="(Ký, ghi rõ họ tên)")
    s.y = y0
    s.signature(["THỦ TRƯỞNG CƠ SỞ KHÁM BỆNH, CHỮA BỆNH"], name(rng), rng, note="(Ký, đóng dấu)", seal=True)
    return [s]


def birth_commitment(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    motto(s)
    title = pick(
        rng,
        ("VĂN BẢN CAM ĐOAN VỀ VIỆC SINH", "GIẤY CAM ĐOAN VỀ VIỆC SINH"),
        ("VĂN BẢN XÁC NHẬN VỀ VIỆC SINH CỦA NGƯỜI LÀM CHỨNG",),
        unseen,
    )
    s.line(title, "serif-bold", 56, "center", gap=50)
    who = name(rng)
    s.field("Tôi là:", who)
    s.field("Nơi cư trú:", address(rng))
    s.paragraph(
        f"Tôi xin cam đoan cháu {name(rng)} được sinh ra vào {long_date(rng)} tại nhà riêng, "
        f"là con của bà {name(rng)}. Việc sinh không có giấy chứng sinh do sinh ngoài cơ sở y tế."
    )
    s.paragraph("Tôi xin chịu trách nhiệm trước pháp luật về nội dung cam đoan của mình.")
    s.signature(["NGƯỜI CAM ĐOAN"], who, rng)
    return [s]


def residence_confirmation(rng: random.Random, unseen: bool) -> list[Sheet]:
    """CT07: the police's confirmation of residence information."""
    s = Sheet()
    commune, province = place(rng)
    form_number(
        s,
        pick(
            rng,
            ("Mẫu CT07 ban hành kèm theo Thông tư số 66/2023/TT-BCA",),
            ("Mẫu CT07 ban hành kèm theo Thông tư số 56/2021/TT-BCA",),
            unseen,
        ),
    )
    motto(
        s,
        (f"CÔNG AN TỈNH {province.upper()}", f"CÔNG AN XÃ {commune.upper()}"),
        f"Số: {rng.randint(10, 999)}/XN-CAX",
    )
    s.line(
        pick(rng, ("XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",), ("GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",), unseen),
        "serif-bold",
        56,
        "center",
        gap=40,
    )
    s.paragraph(f"Công an xã {commune} xác nhận thông tin về cư trú của công dân như sau:")
    who = name(rng)
    s.field("1. Họ, chữ đệm và tên:", who, hand=False)
    s.field("2. Ngày, tháng, năm sinh:", dmy(rng, 1970, 2000), hand=False)
    s.field("3. Số định danh cá nhân:", card_number(rng, 1988, False), hand=False)
    s.field("4. Nơi thường trú:", address(rng), hand=False)
    s.field("5. Nơi ở hiện tại:", address(rng), hand=False)
    s.field("6. Họ, chữ đệm và tên chủ hộ:", name(rng), hand=False)
    s.field("7. Quan hệ với chủ hộ:", "Con", hand=False)
    s.paragraph("Giấy xác nhận có giá trị 30 ngày kể từ ngày cấp.")
    s.signature(["TRƯỞNG CÔNG AN XÃ"], name(rng), rng, note="(Ký, ghi rõ họ tên, đóng dấu)", seal=True)
    return [s]


def surrogacy_confirmation(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    _commune, province = place(rng)
    motto(s, ("BỘ Y TẾ", f"BỆNH VIỆN PHỤ SẢN {province.upper()}"), f"Số: {rng.randint(10, 900)}/XN-BV")
    s.line("GIẤY XÁC NHẬN", "serif-bold", 58, "center", gap=40)
    s.line("Về việc thực hiện kỹ thuật hỗ trợ sinh sản", "serif-bold", 48, "center")
    s.paragraph(
        f"Bệnh viện xác nhận đã thực hiện kỹ thuật thụ tinh trong ống nghiệm cho bà {name(rng)} "
        f"trong trường hợp mang thai hộ vì mục đích nhân đạo theo quy định."
    )
    s.paragraph(f"Người mang thai hộ: bà {name(rng)}, cư trú tại {address(rng)}.")
    s.signature(["GIÁM ĐỐC"], name(rng), rng, note="(Ký tên, đóng dấu)", seal=True)
    return [s]


def marriage_declaration(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    if rng.random() < 0.5:
        form_number(s, pick(rng, ("Mẫu TP/HT-2020-KH.1",), ("Mẫu số 02/TP-HT",), unseen))
    motto(s)
    s.line(
        pick(rng, ("TỜ KHAI ĐĂNG KÝ KẾT HÔN",), ("TỜ KHAI ĐĂNG KÝ KẾT HÔN (dùng cho hai bên)",), unseen),
        "serif-bold",
        58,
        "center",
        gap=50,
    )
    commune, province = place(rng)
    s.line(f"Kính gửi: Ủy ban nhân dân xã {commune}, tỉnh {province}", "serif", 48, "center", gap=20)
    s.line("Thông tin            Bên nữ            Bên nam", "serif-bold", 46, gap=20)
    woman, man = name(rng), name(rng)
    for label, a, b in (
        ("Họ, chữ đệm, tên", woman, man),
        ("Ngày, tháng, năm sinh", dmy(rng, 1990, 2002), dmy(rng, 1988, 2000)),
        ("Dân tộc", "Kinh", "Kinh"),
        ("Quốc tịch", "Việt Nam", "Việt Nam"),
        ("Nơi cư trú", f"xã {commune}", f"xã {place(rng)[0]}"),
        ("Giấy tờ tùy thân", card_number(rng, 1995, True), card_number(rng, 1993, False)),
        ("Kết hôn lần thứ mấy", "Thứ nhất", "Thứ nhất"),
    ):
        s.field(f"{label}:", f"{a}  |  {b}")
    text = (
        "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự "
        "nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam."
    )
    pages = [s]
    if rng.random() < 0.5:
        s = Sheet()
        pages.append(s)
    s.paragraph(text)
    s.paragraph(
        "Chúng tôi chịu trách nhiệm trước pháp luật về lời cam đoan của mình. Đề nghị Quý cơ quan đăng ký."
    )
    s.line(f"Làm tại: xã {commune}, {long_date(rng)}", "serif-italic", 46, "center", gap=20)
    y0 = s.y
    s.signature(["Bên nữ"], woman, rng, x0=LEFT, x1=1150)
    s.y = y0
    s.signature(["Bên nam"], man, rng)
    return pages


def marital_status(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    agency, province = commune_people(rng)
    motto(s, (f"UBND TỈNH {province.upper()}", agency), f"Số: {rng.randint(10, 400)}/UBND-XNTTHN")
    s.line(
        pick(rng, ("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",), ("XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",), unseen),
        "serif-bold",
        56,
        "center",
        gap=40,
    )
    who = name(rng)
    s.paragraph(f"Xét đề nghị của ông/bà {who} về việc cấp Giấy xác nhận tình trạng hôn nhân,")
    s.line("XÁC NHẬN:", "serif-bold", 48, gap=10)
    s.field("Họ, chữ đệm, tên:", who, hand=False)
    s.field("Ngày, tháng, năm sinh:", dmy(rng, 1985, 2002), hand=False)
    s.field("Giấy tờ tùy thân:", card_number(rng, 1994, False), hand=False)
    s.field("Nơi cư trú:", address(rng), hand=False)
    s.field("Tình trạng hôn nhân:", "Hiện tại chưa đăng ký kết hôn với ai.", hand=False)
    s.field("Giấy này được cấp để:", "Làm thủ tục đăng ký kết hôn.", hand=False)
    s.paragraph("Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.")
    s.signature(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], name(rng), rng, note="", seal=True)
    return [s]


def divorce_extract(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    _agency, province = commune_people(rng)
    motto(
        s,
        (f"UBND TỈNH {province.upper()}", f"SỞ TƯ PHÁP TỈNH {province.upper()}"),
        f"Số: {rng.randint(10, 400)}/TLGCLH",
    )
    s.line(
        pick(rng, ("TRÍCH LỤC GHI CHÚ LY HÔN",), ("TRÍCH LỤC GHI VÀO SỔ VIỆC LY HÔN",), unseen),
        "serif-bold",
        56,
        "center",
        gap=40,
    )
    s.field("Họ, chữ đệm, tên người yêu cầu:", name(rng), hand=False)
    s.field("Đã ghi vào sổ việc ly hôn theo:", f"Bản án số {rng.randint(10, 300)}/2019/HNGĐ-ST", hand=False)
    s.field("Quyển số:", f"{rng.randint(1, 9):02d}/2024", hand=False)
    s.signature(["GIÁM ĐỐC"], name(rng), rng, note="", seal=True)
    return [s]
