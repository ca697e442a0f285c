"""Residence, business and building papers, written from how the real documents look."""

from __future__ import annotations

import random

from bench.corpus.draw import LEFT, Sheet
from bench.corpus.papers import form_number, motto
from bench.corpus.people import address, card_number, dmy, long_date, name, pick, place


def residence_declaration(rng: random.Random, unseen: bool) -> list[Sheet]:
    """CT01: Tờ khai thay đổi thông tin cư trú; the opinions of the household head on the second page."""
    s = Sheet()
    form_number(
        s,
        pick(
            rng,
            ("Mẫu CT01 ban hành kèm theo Thông tư số 66/2023/TT-BCA",),
            ("Mẫu CT01 ban hành kèm theo Thông tư số 56/2021/TT-BCA", "Mẫu CT01"),
            unseen,
        ),
    )
    motto(s)
    s.line(
        pick(
            rng, ("TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",), ("TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ (CT01)",), unseen
        ),
        "serif-bold",
        56,
        "center",
        gap=50,
    )
    commune, province = place(rng)
    s.line(f"Kính gửi: Công an xã {commune}, tỉnh {province}", "serif", 48, "center", gap=20)
    who = name(rng)
    s.field("1. Họ, chữ đệm và tên:", who)
    s.field("2. Ngày, tháng, năm sinh:", dmy(rng, 1970, 2004))
    s.field("3. Giới tính:", rng.choice(("Nam", "Nữ")))
    s.field("4. Số định danh cá nhân:", card_number(rng, 1990, False))
    s.field("5. Số điện thoại liên hệ:", f"09{rng.randint(10_000_000, 99_999_999)}")
    s.field("6. Email:", "")
    s.field("7. Họ, chữ đệm và tên chủ hộ:", name(rng))
    s.field("8. Mối quan hệ với chủ hộ:", rng.choice(("Con", "Vợ", "Cháu", "Em")))
    s.field("9. Số định danh cá nhân của chủ hộ:", card_number(rng, 1965, False))
    s.field("10. Nội dung đề nghị:", f"Đăng ký thường trú vào hộ gia đình tại {address(rng)}")
    s.line("11. Những thành viên trong hộ gia đình cùng thay đổi:", "serif", 48, gap=10)
    s.line("TT   Họ, chữ đệm và tên   Ngày sinh   Giới tính   Số định danh cá nhân   Quan hệ", "serif", 40)
    s.line(
        f"1    {name(rng)}   {dmy(rng, 2010, 2020)}   Nữ   {card_number(rng, 2012, True)}   Con", "hand", 40
    )
    pages = [s]
    if rng.random() < 0.6:
        s = Sheet()
        pages.append(s)
    s.line(f"{commune}, {long_date(rng)}", "serif-italic", 44, "center", gap=40)
    for pair in (
        (
            pick(rng, ("Ý KIẾN CỦA CHỦ HỘ",), ("Ý KIẾN CỦA CHỦ HỘ (3)",), unseen),
            "Ý KIẾN CỦA CHỦ SỞ HỮU CHỖ Ở HỢP PHÁP",
        ),
        ("Ý KIẾN CỦA CHA, MẸ HOẶC NGƯỜI GIÁM HỘ", "NGƯỜI KÊ KHAI"),
    ):
        y0 = s.y
        s.signature(
            [pair[0]], name(rng), rng, x0=LEFT - 20, x1=1150, note="(Ghi rõ nội dung và ký, ghi rõ họ tên)"
        )
        s.y = y0
        s.signature([pair[1]], who if pair[1] == "NGƯỜI KÊ KHAI" else name(rng), rng)
        s.y += 40
    return pages


def rental_contract(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    motto(s)
    s.line(
        pick(rng, ("HỢP ĐỒNG THUÊ NHÀ Ở",), ("HỢP ĐỒNG CHO THUÊ NHÀ",), unseen),
        "serif-bold",
        56,
        "center",
        gap=50,
    )
    s.paragraph(f"Hôm nay, {long_date(rng)}, tại {address(rng)}, chúng tôi gồm:")
    s.field("BÊN CHO THUÊ (Bên A):", name(rng))
    s.field("BÊN THUÊ (Bên B):", name(rng))
    s.paragraph(
        f"Hai bên thống nhất ký hợp đồng thuê nhà ở tại {address(rng)}, diện tích {rng.randint(30, 90)} m2, "
        f"thời hạn thuê {rng.randint(1, 5)} năm, giá thuê {rng.randint(2, 9)}.000.000 đồng/tháng."
    )
    s.paragraph("Bên A đồng ý cho Bên B đăng ký cư trú tại chỗ ở này trong thời hạn thuê.")
    y0 = s.y
    s.signature(["BÊN A"], None, rng, x0=LEFT, x1=1150, note="(Ký, ghi rõ họ tên)")
    s.y = y0
    s.signature(["BÊN B"], None, rng, note="(Ký, ghi rõ họ tên)")
    return [s]


def business_application(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    form_number(
        s,
        pick(
            rng,
            ("Phụ lục III-1", "Mẫu số III-1"),
            ("Phụ lục III-1 (Ban hành kèm theo Thông tư số 02/2023/TT-BKHĐT)",),
            unseen,
        ),
    )
    motto(s)
    commune, _province = place(rng)
    s.line(f"{commune}, {long_date(rng)}", "serif-italic", 44, "right")
    s.line(
        pick(
            rng,
            ("GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",),
            ("GIẤY ĐỀ NGHỊ", "GIẤY ĐỀ NGHỊ ĐĂNG KÝ THÀNH LẬP HỘ KINH DOANH"),
            unseen,
        ),
        "serif-bold",
        56,
        "center",
        gap=40,
    )
    s.line(f"Kính gửi: Phòng Tài chính - Kế hoạch {commune}", "serif", 48, "center", gap=10)
    owner = name(rng)
    s.field("Tôi là (ghi họ tên bằng chữ in hoa):", owner.upper())
    s.field("Số định danh cá nhân:", card_number(rng, 1987, False))
    s.field("Địa chỉ liên lạc:", address(rng))
    s.line("Đăng ký hộ kinh doanh do tôi là chủ hộ với các thông tin sau đây:", "serif-bold", 48, gap=10)
    trade = rng.choice(
        ("Bán lẻ tạp hóa", "Dịch vụ ăn uống", "Sửa chữa xe máy", "May mặc", "Cắt tóc, gội đầu")
    )
    s.field(
        "1. Tên hộ kinh doanh (ghi bằng chữ in hoa):",
        f"HỘ KINH DOANH {owner.split()[-1].upper()} {rng.randint(1, 99)}",
    )
    s.field("2. Địa chỉ trụ sở hộ kinh doanh:", address(rng))
    s.field("3. Ngành, nghề kinh doanh:", trade)
    s.field("4. Vốn kinh doanh:", f"{rng.randint(50, 900)}.000.000 đồng")
    s.field("5. Số lượng lao động (dự kiến):", str(rng.randint(1, 9)))
    pages = [s]
    s = Sheet()
    pages.append(s)
    s.line("6. Thông tin về các thành viên hộ gia đình tham gia thành lập hộ kinh doanh:", "serif", 48)
    s.line(f"{name(rng)}   {dmy(rng, 1970, 2000)}   {card_number(rng, 1990, True)}", "hand", 42)
    s.line(
        "Tôi và các thành viên hộ gia đình tham gia thành lập hộ kinh doanh cam kết:",
        "serif-bold",
        48,
        gap=20,
    )
    for text in (
        "- Bản thân không thuộc diện pháp luật cấm kinh doanh;",
        "- Không đồng thời là chủ hộ kinh doanh khác;",
        "- Trụ sở hộ kinh doanh thuộc quyền sở hữu, quyền sử dụng hợp pháp của tôi;",
        "- Chịu trách nhiệm trước pháp luật về tính hợp pháp, chính xác và trung thực của nội dung "
        "đăng ký trên.",
    ):
        s.paragraph(text, indent=0, gap=0)
    s.signature(
        [pick(rng, ("CHỦ HỘ KINH DOANH",), ("CHỦ HỘ KINH DOANH (Ký và ghi họ tên)",), unseen)],
        owner,
        rng,
        note="(Ký và ghi họ tên)",
    )
    return pages


def household_minutes(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    motto(s)
    s.line(
        pick(rng, ("BIÊN BẢN HỌP THÀNH VIÊN HỘ GIA ĐÌNH",), ("BIÊN BẢN HỌP GIA ĐÌNH",), unseen),
        "serif-bold",
        56,
        "center",
        gap=50,
    )
    s.line("V/v thành lập hộ kinh doanh", "serif-italic", 48, "center")
    s.paragraph(f"Hôm nay, {long_date(rng)}, tại {address(rng)}, các thành viên hộ gia đình gồm:")
    for i in range(rng.randint(2, 4)):
        s.field(f"{i + 1}. Ông/bà:", f"{name(rng)}, sinh năm {rng.randint(1960, 2002)}")
    s.paragraph("Cùng thống nhất thành lập hộ kinh doanh và cử người đại diện làm chủ hộ kinh doanh.")
    s.paragraph("Biên bản kết thúc vào lúc 10 giờ cùng ngày, các thành viên đã đọc lại và cùng ký tên.")
    s.signature(["CÁC THÀNH VIÊN"], None, rng, note="(Ký, ghi rõ họ tên)")
    return [s]


def authorisation(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    motto(s)
    s.line(
        pick(rng, ("GIẤY ỦY QUYỀN",), ("VĂN BẢN ỦY QUYỀN", "HỢP ĐỒNG ỦY QUYỀN"), unseen),
        "serif-bold",
        58,
        "center",
        gap=50,
    )
    s.line("BÊN ỦY QUYỀN:", "serif-bold", 48, gap=10)
    s.field("Họ và tên:", name(rng))
    s.field("Số định danh cá nhân:", card_number(rng, 1980, False))
    s.line("BÊN ĐƯỢC ỦY QUYỀN:", "serif-bold", 48, gap=10)
    s.field("Họ và tên:", name(rng))
    s.field("Số định danh cá nhân:", card_number(rng, 1996, True))
    s.paragraph(
        "Nội dung ủy quyền: thay mặt tôi nộp hồ sơ, nhận kết quả đăng ký hộ kinh doanh tại cơ quan "
        "đăng ký kinh doanh."
    )
    y0 = s.y
    s.signature(["BÊN ỦY QUYỀN"], None, rng, x0=LEFT, x1=1150)
    s.y = y0
    s.signature(["BÊN ĐƯỢC ỦY QUYỀN"], None, rng)
    return [s]


def building_application(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    form_number(
        s, pick(rng, ("Mẫu số 01 - Phụ lục II",), ("Mẫu số 01 Phụ lục II Nghị định 15/2021/NĐ-CP",), unseen)
    )
    motto(s)
    s.line(
        pick(
            rng,
            ("ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",),
            ("ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG NHÀ Ở RIÊNG LẺ", "ĐƠN XIN CẤP GIẤY PHÉP XÂY DỰNG"),
            unseen,
        ),
        "serif-bold",
        54,
        "center",
        gap=50,
    )
    s.line("(Sử dụng cho công trình: Nhà ở riêng lẻ)", "serif-italic", 46, "center")
    commune, province = place(rng)
    s.line(f"Kính gửi: Ủy ban nhân dân xã {commune}", "serif", 48, "center", gap=10)
    owner = name(rng)
    s.line("1. Thông tin về chủ đầu tư:", "serif-bold", 48, gap=10)
    s.field("- Tên chủ đầu tư:", owner)
    s.field("- Địa chỉ liên hệ:", address(rng))
    s.field("- Số điện thoại:", f"09{rng.randint(10_000_000, 99_999_999)}")
    s.line("2. Thông tin công trình:", "serif-bold", 48, gap=10)
    s.field("- Địa điểm xây dựng: Lô đất số", f"{rng.randint(1, 400)}, diện tích {rng.randint(60, 300)} m2")
    s.field("- Thửa đất số:", f"{rng.randint(1, 900)}, tờ bản đồ số {rng.randint(1, 60)}")
    s.field("- Tại:", f"xã {commune}, tỉnh {province}")
    s.line("3. Nội dung đề nghị cấp phép:", "serif-bold", 48, gap=10)
    s.field("- Cấp công trình:", "III")
    s.field("- Diện tích xây dựng tầng 1 (tầng trệt):", f"{rng.randint(50, 150)} m2")
    s.field("- Tổng diện tích sàn:", f"{rng.randint(100, 400)} m2")
    s.field("- Chiều cao công trình:", f"{rng.randint(7, 15)} m; số tầng: {rng.randint(2, 4)}")
    pages = [s]
    s = Sheet()
    pages.append(s)
    s.field(
        "4. Đơn vị hoặc người chủ nhiệm thiết kế:",
        f"Công ty TNHH Thiết kế {rng.choice(('An Phú', 'Việt Xây', 'Kiến Trúc Mới'))}",
    )
    s.field("5. Dự kiến thời gian hoàn thành công trình:", f"{rng.randint(6, 14)} tháng")
    s.paragraph(
        "6. Cam kết: Tôi xin cam đoan làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu "
        "trách nhiệm và bị xử lý theo quy định của pháp luật."
    )
    s.line("Gửi kèm theo đơn này các tài liệu:", "serif", 48, gap=10)
    s.line("- Bản sao giấy tờ chứng minh quyền sử dụng đất;", "serif", 46)
    s.line("- Hai bộ bản vẽ thiết kế xây dựng.", "serif", 46)
    s.line(f"{commune}, {long_date(rng)}", "serif-italic", 44, "col:1250:2260", gap=30)
    s.signature([pick(rng, ("NGƯỜI LÀM ĐƠN",), ("NGƯỜI LÀM ĐƠN/ĐẠI DIỆN CHỦ ĐẦU TƯ",), unseen)], owner, rng)
    return pages
