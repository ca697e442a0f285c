"""Papers that belong to no component (strays) and ordinary papers brought to be certified (chứng thực)."""

from __future__ import annotations

import random

from bench.corpus.draw import LEFT, Sheet
from bench.corpus.papers import form_number, motto
from bench.corpus.people import address, dmy, long_date, name, pick, place


def fee_receipt(rng: random.Random, unseen: bool) -> list[Sheet]:
    """PHIẾU THU (accounting form 01-TT): no motto, the fee's reason quotes the procedure's name."""
    s = Sheet()
    commune, province = place(rng)
    s.row(f"Đơn vị: UBND xã {commune}", "Mẫu số: 01 - TT", lfont="serif", rfont="serif", size=42)
    s.row(
        f"Địa chỉ: tỉnh {province}",
        "(Ban hành theo Thông tư số 200/2014/TT-BTC)",
        lfont="serif",
        rfont="serif",
        size=38,
    )
    s.line(
        pick(rng, ("PHIẾU THU",), ("BIÊN LAI THU PHÍ, LỆ PHÍ", "BIÊN LAI THU TIỀN"), unseen),
        "serif-bold",
        60,
        "center",
        gap=60,
    )
    s.line(long_date(rng).capitalize(), "serif-italic", 44, "center")
    s.line(f"Quyển số: {rng.randint(1, 20)}   Số: {rng.randint(100, 9999)}", "serif", 42, "right")
    s.field("Họ và tên người nộp tiền:", name(rng))
    s.field("Địa chỉ:", address(rng))
    reason = rng.choice(
        (
            "Lệ phí đăng ký khai sinh quá hạn",
            "Phí chứng thực bản sao",
            "Lệ phí cấp giấy phép xây dựng",
            "Lệ phí đăng ký hộ kinh doanh",
            "Lệ phí đăng ký cư trú",
        )
    )
    s.field("Lý do nộp:", reason)
    s.field("Số tiền:", f"{rng.randint(1, 10) * 10}.000 đồng")
    y0 = s.y
    s.signature(["Người nộp tiền"], None, rng, x0=LEFT, x1=1150)
    s.y = y0
    s.signature(["Thủ quỹ"], None, rng)
    return [s]


def counter_receipt(rng: random.Random, unseen: bool) -> list[Sheet]:
    """The one-stop's own receipt: it lists the components by name (a trap for phrase matching)."""
    s = Sheet()
    commune, _province = place(rng)
    motto(
        s,
        (f"UBND XÃ {commune.upper()}", "BỘ PHẬN MỘT CỬA"),
        f"Mã hồ sơ: 000.00.{rng.randint(10, 40)}.H47-{rng.randint(240101, 261228)}-{rng.randint(1, 999):04d}",
    )
    s.line(
        pick(
            rng,
            ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",),
            ("PHIẾU TIẾP NHẬN HỒ SƠ", "BIÊN NHẬN HỒ SƠ"),
            unseen,
        ),
        "serif-bold",
        54,
        "center",
        gap=40,
    )
    s.field("Tiếp nhận hồ sơ của Ông (Bà):", name(rng))
    s.field(
        "Nội dung yêu cầu giải quyết:",
        rng.choice(
            (
                "Đăng ký khai sinh",
                "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                "Đăng ký thành lập hộ kinh doanh",
                "Đăng ký kết hôn",
            )
        ),
    )
    s.line("1. Thành phần hồ sơ, số lượng mỗi loại giấy tờ:", "serif-bold", 46, gap=10)
    for item in (
        "Tờ khai theo mẫu",
        "Bản sao giấy tờ chứng minh quyền sử dụng đất",
        "Bản vẽ thiết kế xây dựng",
        "Giấy chứng sinh",
        "Giấy đề nghị đăng ký hộ kinh doanh",
    ):
        if rng.random() < 0.6:
            s.line(f"- {item}: 01 bản", "serif", 44)
    s.line("2. Số lượng hồ sơ: 01 bộ", "serif", 46)
    s.line(f"3. Thời gian trả kết quả: {long_date(rng)}", "serif", 46)
    y0 = s.y
    s.signature(["NGƯỜI NỘP HỒ SƠ"], None, rng, x0=LEFT, x1=1150)
    s.y = y0
    s.signature(["NGƯỜI TIẾP NHẬN HỒ SƠ"], None, rng)
    return [s]


def sticky_note(rng: random.Random, unseen: bool) -> list[Sheet]:
    """A nearly empty page: a handwritten note or a phone number on a scrap of paper."""
    s = Sheet()
    s.y = rng.randint(400, 1500)
    text = pick(
        rng,
        ("Nộp thêm 01 bản photo", "SĐT liên hệ: 09" + str(rng.randint(10_000_000, 99_999_999))),
        ("Đã nhận đủ, hẹn thứ Sáu", "Ghi chú: bổ sung sau"),
        unseen,
    )
    s.line(text, "hand", 56, "left", x=LEFT + rng.randint(0, 600))
    return [s]


def medical_leaflet(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    s.line(
        pick(
            rng,
            ("HƯỚNG DẪN TIÊM CHỦNG CHO TRẺ", "THÔNG BÁO LỊCH HỌP TỔ DÂN PHỐ"),
            ("GIẤY MỜI", "THÔNG BÁO NỘP THUẾ"),
            unseen,
        ),
        "serif-bold",
        56,
        "center",
        gap=80,
    )
    for _ in range(rng.randint(3, 6)):
        s.paragraph(
            rng.choice(
                (
                    "Phụ huynh đưa trẻ đến trạm y tế đúng lịch hẹn, mang theo sổ tiêm chủng.",
                    f"Thời gian: 7 giờ 30, {long_date(rng)}, tại nhà văn hóa thôn.",
                    "Mọi thắc mắc xin liên hệ cán bộ phụ trách trong giờ hành chính.",
                    "Đề nghị các hộ gia đình tham dự đầy đủ, đúng giờ.",
                )
            )
        )
    return [s]


STRAYS = (fee_receipt, counter_receipt, sticky_note, medical_leaflet)


def diploma(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    motto(s)
    s.line(
        pick(
            rng,
            ("BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG",),
            ("BẰNG CỬ NHÂN", "BẰNG TỐT NGHIỆP TRUNG HỌC CƠ SỞ"),
            unseen,
        ),
        "serif-bold",
        58,
        "center",
        gap=80,
    )
    _commune, province = place(rng)
    s.line(f"GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH {province.upper()}", "serif-bold", 46, "center", gap=40)
    s.line("cấp cho", "serif-italic", 46, "center", gap=20)
    s.field("Họ và tên:", name(rng), hand=False)
    s.field("Ngày sinh:", dmy(rng, 1990, 2007), hand=False)
    s.field("Nơi sinh:", f"tỉnh {province}", hand=False)
    s.field("Năm tốt nghiệp:", str(rng.randint(2010, 2025)), hand=False)
    s.field("Xếp loại:", rng.choice(("Khá", "Giỏi", "Trung bình")), hand=False)
    s.line(f"{province}, {long_date(rng, 2010, 2025)}", "serif-italic", 44, "col:1250:2260", gap=40)
    s.signature(["GIÁM ĐỐC"], name(rng), rng, note="", seal=True)
    s.line(
        f"Số hiệu: {rng.randint(100000, 999999)}  Số vào sổ cấp bằng: {rng.randint(10, 9999)}", "serif", 40
    )
    return [s]


def birth_extract(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    commune, province = place(rng)
    motto(
        s,
        (f"UBND TỈNH {province.upper()}", f"UBND XÃ {commune.upper()}"),
        f"Số: {rng.randint(10, 999)}/TLKS-BS",
    )
    s.line(
        pick(rng, ("TRÍCH LỤC KHAI SINH",), ("GIẤY KHAI SINH",), unseen), "serif-bold", 58, "center", gap=60
    )
    s.line("(BẢN SAO)", "serif-bold", 46, "center")
    for label, value in (
        ("Họ, chữ đệm, tên:", name(rng).upper()),
        ("Ngày, tháng, năm sinh:", dmy(rng, 1995, 2020)),
        ("Giới tính:", "Nữ"),
        ("Dân tộc:", "Kinh"),
        ("Quốc tịch:", "Việt Nam"),
        ("Nơi sinh:", f"Trạm y tế xã {commune}"),
        ("Họ, chữ đệm, tên người mẹ:", name(rng)),
        ("Họ, chữ đệm, tên người cha:", name(rng)),
    ):
        s.field(label, value, hand=False)
    s.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], name(rng), rng, note="", seal=True)
    return [s]


def transcript(rng: random.Random, unseen: bool) -> list[Sheet]:
    s = Sheet()
    form_number(s, "Mẫu số 1")
    s.line("HỌC BẠ", "serif-bold", 64, "center", gap=100)
    s.line("TRUNG HỌC CƠ SỞ", "serif-bold", 52, "center", gap=20)
    s.field("Họ và tên học sinh:", name(rng), hand=True)
    s.field("Ngày sinh:", dmy(rng, 2005, 2012), hand=True)
    s.field("Nơi ở hiện tại:", address(rng), hand=True)
    s.field("Họ và tên cha:", name(rng), hand=True)
    s.field("Họ và tên mẹ:", name(rng), hand=True)
    s.signature(["HIỆU TRƯỞNG"], name(rng), rng, note="(Ký, ghi rõ họ tên và đóng dấu)", seal=True)
    return [s]


ORIGINALS = (diploma, birth_extract, transcript)
