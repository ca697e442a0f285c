"""Synthetic Vietnamese administrative page content: headers, title, filled-in fields, prose, signature."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import overload

FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
    "Lương",
    "Trịnh",
)
MIDDLE_NAMES = (
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quốc",
    "Thu",
    "Xuân",
    "Hồng",
    "Gia",
    "Bảo",
    "Khánh",
    "Mỹ",
    "Thùy",
    "Tuấn",
    "Phương",
)
GIVEN_NAMES = (
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Duyên",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hùng",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trí",
    "Tuyết",
    "Vân",
    "Việt",
    "Yến",
    "Lưu",
    "Thư",
    "Hưng",
    "Kỳ",
    "Mỹ",
    "Uyên",
)
PROVINCES = (
    "Bắc Giang",
    "Hà Tĩnh",
    "Bình Định",
    "Đồng Nai",
    "An Giang",
    "Nghệ An",
    "Thanh Hóa",
    "Quảng Ninh",
    "Bắc Ninh",
    "Khánh Hòa",
    "Lâm Đồng",
    "Thừa Thiên Huế",
    "Đắk Lắk",
    "Quảng Ngãi",
    "Vĩnh Long",
    "Hưng Yên",
    "Thái Nguyên",
    "Phú Thọ",
)
COMMUNES = (
    "An Bình",
    "Tân Phú",
    "Hòa Lợi",
    "Phước Hưng",
    "Thạch Bàn",
    "Nghĩa Đô",
    "Vĩnh Thạnh",
    "Đông Hưng",
    "Xuân Trường",
    "Long Biên",
    "Mỹ Đức",
    "Hải Châu",
    "Quỳnh Lưu",
    "Ngũ Hành Sơn",
    "Thủy Nguyên",
    "Cẩm Lệ",
    "Diễn Châu",
    "Yên Thế",
    "Thượng Cát",
    "Phú Mỹ",
)
STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Đình Phùng",
    "Nguyễn Huệ",
    "Quang Trung",
    "Điện Biên Phủ",
    "Hoàng Diệu",
    "Bà Triệu",
    "Lạc Long Quân",
)
ETHNICITIES = ("Kinh", "Kinh", "Kinh", "Tày", "Mường", "Thái", "Khmer")
BUSINESS_LINES = (
    "Bán lẻ hàng tạp hóa, đồ uống và thực phẩm chế biến sẵn",
    "Dịch vụ ăn uống, giải khát và phục vụ lưu động",
    "Sửa chữa xe máy, bảo dưỡng và thay thế phụ tùng",
    "May mặc, sửa chữa quần áo và hàng dệt may",
    "Cắt tóc, gội đầu và dịch vụ chăm sóc sắc đẹp",
)
PROCEDURES = (
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Đăng ký thành lập hộ kinh doanh",
    "Chứng thực bản sao từ bản chính",
)

CIVIL_STATUS_BASES = (
    "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;",
    "Căn cứ Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 của Chính phủ quy định chi tiết"
    " một số điều và biện pháp thi hành Luật Hộ tịch;",
)
BUILDING_BASES = (
    "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014 và Luật sửa đổi, bổ sung một số điều của Luật Xây dựng;",
)
BUSINESS_BASES = (
    "Căn cứ Nghị định số 01/2021/NĐ-CP ngày 04 tháng 01 năm 2021 của Chính phủ về đăng ký doanh nghiệp;",
)
ONE_STOP_BASES = (
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa,"
    " một cửa liên thông trong giải quyết thủ tục hành chính;",
)
PROSE = (
    "Tôi xin cam đoan những nội dung khai trên đây là đúng sự thật, được sự thỏa thuận nhất trí của các bên"
    " liên quan theo quy định pháp luật và chịu hoàn toàn trách nhiệm trước pháp luật về lời khai của mình.",
    "Hồ sơ đã được kiểm tra đầy đủ thành phần theo quy định; trường hợp hồ sơ chưa hợp lệ, cơ quan tiếp nhận"
    " sẽ hướng dẫn người nộp bổ sung, hoàn thiện trong thời hạn không quá hai ngày làm việc.",
    "Người đề nghị có trách nhiệm thực hiện đúng các quy định về quản lý trật tự xây dựng, bảo đảm an toàn"
    " cho công trình lân cận và giữ gìn vệ sinh môi trường trong suốt quá trình thi công.",
    "Kết quả giải quyết thủ tục hành chính được trả trực tiếp tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính"
    " công ích theo yêu cầu của tổ chức, cá nhân, bảo đảm đúng thời hạn đã hẹn.",
    "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết theo đúng trình tự, thủ tục; mọi thắc mắc xin liên hệ"
    " số điện thoại đường dây nóng được niêm yết công khai tại trụ sở để được hướng dẫn kịp thời.",
    "Những thông tin cá nhân ghi trong hồ sơ chỉ được sử dụng cho mục đích giải quyết thủ tục hành chính,"
    " được lưu trữ, bảo mật theo quy định và không cung cấp cho bên thứ ba khi chưa có sự đồng ý.",
    "Trường hợp quá hạn trả kết quả, cơ quan giải quyết có văn bản xin lỗi và hẹn lại thời gian trả kết quả;"
    " người dân có quyền phản ánh, kiến nghị về thái độ phục vụ của cán bộ, công chức.",
)


NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


class Style:
    """Font styles a line can use (names of LiberationSerif faces)."""

    regular = "Regular"
    bold = "Bold"
    italic = "Italic"


@dataclass(frozen=True)
class Block:
    """A run of text laid out together: one paragraph (wrapped) or fixed lines (never wrapped)."""

    text: str
    style: str = Style.regular
    size: int = 56  # pixels at 300 dpi (56 px is 13.5 pt)
    align: str = "left"  # left, center, justify, or "column:<name>" for the two header columns
    indent: int = 0  # first-line indent in pixels
    space_before: int = 0  # extra pixels above
    wrap: bool = True


@dataclass(frozen=True)
class PageContent:
    """Everything printed on one page, in reading order, before layout."""

    # Header rows sharing one baseline: (left column: agency, right column: national motto and date).
    header: tuple[tuple[Block | None, Block | None], ...]
    body: tuple[Block, ...]  # title, fields, prose
    signature: tuple[Block, ...]  # right-hand signature block
    signer: str  # name printed in the signature block (where the seal and signature go)
    seal_text: str  # the issuing agency, as written around a round seal


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def personal_id(rng: random.Random) -> str:
    """A synthetic 12-digit number shaped like a CCCD: 0xx province code, then the century/sex digit 2."""
    return f"0{rng.randint(1, 96):02d}2{rng.randint(0, 99_999_999):08d}"


def vn_date(rng: random.Random, first_year: int = 1960, last_year: int = 2024) -> str:
    return f"ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm {rng.randint(first_year, last_year)}"


def address(rng: random.Random) -> str:
    return (
        f"Số {rng.randint(1, 250)} đường {rng.choice(STREETS)}, xã {rng.choice(COMMUNES)},"
        f" tỉnh {rng.choice(PROVINCES)}"
    )


def phone(rng: random.Random) -> str:
    return f"09{rng.randint(0, 99_999_999):08d}"


def _field(label: str, value: str) -> Block:
    return Block(f"{label}: {value}")


def _birth_fields(rng: random.Random, applicant: str) -> list[Block]:
    child = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    return [
        _field("Họ, chữ đệm, tên người yêu cầu", applicant),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Nơi cư trú", address(rng)),
        _field("Quan hệ với người được khai sinh", rng.choice(("Cha", "Mẹ", "Ông nội", "Bà ngoại"))),
        Block("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", space_before=20),
        _field("Họ, chữ đệm, tên", child.upper()),
        _field("Ngày, tháng, năm sinh", vn_date(rng, 2022, 2025)),
        _field("Giới tính", rng.choice(("Nam", "Nữ")) + f"; Dân tộc: {rng.choice(ETHNICITIES)}"),
        _field("Nơi sinh", f"Bệnh viện Đa khoa tỉnh {rng.choice(PROVINCES)}"),
        _field("Quê quán", f"xã {rng.choice(COMMUNES)}, tỉnh {rng.choice(PROVINCES)}"),
    ]


def _business_fields(rng: random.Random, applicant: str) -> list[Block]:
    return [
        _field("Tên hộ kinh doanh", f"Hộ kinh doanh {rng.choice(GIVEN_NAMES)} {rng.choice(COMMUNES)}"),
        _field("Địa chỉ trụ sở hộ kinh doanh", address(rng)),
        _field("Điện thoại", phone(rng)),
        _field("Ngành, nghề kinh doanh", rng.choice(BUSINESS_LINES)),
        _field("Vốn kinh doanh", f"{rng.randint(5, 90) * 10_000_000:,} đồng".replace(",", ".")),
        _field("Số lượng lao động", f"{rng.randint(1, 9)} người"),
        _field("Họ và tên chủ hộ kinh doanh", applicant),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Nơi cư trú", address(rng)),
    ]


def _building_fields(rng: random.Random, applicant: str) -> list[Block]:
    return [
        _field("Tên chủ đầu tư", applicant),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Địa chỉ liên hệ", address(rng)),
        _field("Địa điểm xây dựng", f"Lô đất số {rng.randint(1, 300)}, thửa đất số {rng.randint(10, 999)}"),
        _field("Diện tích xây dựng tầng một", f"{rng.randint(40, 180)} m²"),
        _field(
            "Tổng diện tích sàn", f"{rng.randint(90, 540)} m², chiều cao công trình {rng.randint(7, 18)} m"
        ),
        _field("Số tầng", f"{rng.randint(1, 5)} tầng, không có tầng hầm"),
        _field("Dự kiến thời gian hoàn thành công trình", f"{rng.randint(4, 18)} tháng"),
    ]


def _marriage_fields(rng: random.Random, applicant: str) -> list[Block]:
    partner = f"{rng.choice(FAMILY_NAMES)} Thị {rng.choice(GIVEN_NAMES)}"
    return [
        _field("Họ, chữ đệm, tên bên nam", applicant),
        _field("Ngày, tháng, năm sinh", vn_date(rng, 1970, 2003)),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Nơi cư trú", address(rng)),
        _field("Họ, chữ đệm, tên bên nữ", partner),
        _field("Ngày, tháng, năm sinh", vn_date(rng, 1972, 2004)),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Nơi cư trú", address(rng)),
        _field("Kết hôn lần thứ", rng.choice(("nhất", "hai"))),
    ]


def _receipt_fields(rng: random.Random, applicant: str) -> list[Block]:
    return [
        _field("Tiếp nhận hồ sơ của", f"Ông/bà {applicant}"),
        _field("Số định danh cá nhân", personal_id(rng)),
        _field("Địa chỉ", address(rng)),
        _field("Số điện thoại", phone(rng)),
        _field("Nội dung yêu cầu giải quyết", rng.choice(PROCEDURES)),
        Block("Thành phần hồ sơ gồm:", space_before=20),
        Block("1. Tờ khai theo mẫu quy định (bản chính);"),
        Block("2. Bản sao giấy tờ chứng minh nơi cư trú hợp pháp;"),
        Block("3. Giấy tờ chứng minh quyền sử dụng đất theo quy định của pháp luật."),
        _field("Số lượng hồ sơ", f"0{rng.randint(1, 3)} bộ"),
        _field("Thời gian giải quyết hồ sơ theo quy định", f"{rng.randint(3, 15)} ngày làm việc"),
        _field("Thời gian nhận hồ sơ", f"{rng.randint(7, 16)} giờ {rng.randint(0, 59):02d} phút"),
    ]


@dataclass(frozen=True)
class FormKind:
    title: str
    addressee: str  # "" when the form has no "Kính gửi" line
    fields: Callable[[random.Random, str], list[Block]]
    signer_role: str
    legal_bases: tuple[str, ...]


FORMS = (
    FormKind(
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Ủy ban nhân dân xã {commune}",
        _birth_fields,
        "NGƯỜI YÊU CẦU",
        CIVIL_STATUS_BASES,
    ),
    FormKind(
        "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH",
        "Phòng Tài chính - Kế hoạch",
        _business_fields,
        "CHỦ HỘ KINH DOANH",
        BUSINESS_BASES,
    ),
    FormKind(
        "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG",
        "Ủy ban nhân dân xã {commune}",
        _building_fields,
        "NGƯỜI LÀM ĐƠN",
        BUILDING_BASES,
    ),
    FormKind(
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        "Ủy ban nhân dân xã {commune}",
        _marriage_fields,
        "BÊN NAM",
        CIVIL_STATUS_BASES,
    ),
    FormKind(
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "", _receipt_fields, "NGƯỜI TIẾP NHẬN", ONE_STOP_BASES
    ),
)
FORM_TITLES = tuple(form.title for form in FORMS)


def _agency(rng: random.Random, commune: str, province: str) -> tuple[str, tuple[str, ...]]:
    """The parent authority line and the issuing agency's line(s), as printed top left."""
    if rng.random() < 0.5:
        return "UBND TỈNH " + province.upper(), ("UBND XÃ " + commune.upper(),)
    return "UBND TỈNH " + province.upper(), ("TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG")


def make_page_content(rng: random.Random) -> PageContent:
    """One page of a random form type, filled with synthetic names, numbers, places and dates."""
    form = rng.choice(FORMS)
    commune, province = rng.choice(COMMUNES), rng.choice(PROVINCES)
    applicant = person_name(rng)
    upper_agency, agency = _agency(rng, commune, province)
    number = f"Số: {rng.randint(1, 999)}/{rng.randint(2023, 2025)}/TN"
    header = [
        (Block(upper_agency, size=50), Block(NATION, style=Style.bold, size=52)),
        (Block(agency[0], style=Style.bold, size=50), Block(MOTTO, style=Style.bold)),
        *((Block(line, style=Style.bold, size=50), None) for line in agency[1:]),
        (
            Block(number, size=50, space_before=36),
            Block(f"{province}, {vn_date(rng, 2024, 2025)}", style=Style.italic, size=54, space_before=36),
        ),
    ]
    body: list[Block] = [
        Block(form.title, style=Style.bold, size=60, align="center", space_before=90, wrap=False)
    ]
    if form.addressee:
        body.append(
            Block("Kính gửi: " + form.addressee.format(commune=commune), align="center", space_before=30)
        )
    if rng.random() < 0.6:
        body.append(
            Block(
                rng.choice(form.legal_bases), style=Style.italic, align="justify", indent=118, space_before=30
            )
        )
    blocks = form.fields(rng, applicant)
    body.append(Block(blocks[0].text, space_before=40))
    body.extend(blocks[1:])
    for i, sentence in enumerate(rng.sample(PROSE, rng.randint(2, 3))):
        body.append(Block(sentence, align="justify", indent=118, space_before=40 if i == 0 else 12))
    signature = (
        Block(form.signer_role, style=Style.bold, align="column:sign", space_before=70, wrap=False),
        Block("(Ký, ghi rõ họ tên)", style=Style.italic, align="column:sign", wrap=False),
        Block(
            applicant if form.signer_role != "NGƯỜI TIẾP NHẬN" else person_name(rng),
            style=Style.bold,
            align="column:sign",
            space_before=260,
            wrap=False,
        ),
    )
    return PageContent(
        header=tuple((_nfc_block(a), _nfc_block(b)) for a, b in header),
        body=tuple(_nfc_block(b) for b in body),
        signature=tuple(_nfc_block(b) for b in signature),
        signer=nfc(signature[-1].text),
        seal_text=nfc(f"{' '.join(agency)} * {upper_agency} *"),
    )


@overload
def _nfc_block(block: Block) -> Block: ...
@overload
def _nfc_block(block: None) -> None: ...
def _nfc_block(block: Block | None) -> Block | None:
    if block is None:
        return None
    return replace(block, text=nfc(block.text))
