"""The classifier on papers as they really look: no title line, title prefixes, signature pages, strays."""

from __future__ import annotations

import pytest

from dossier.profiles.checklist import Status, Verdict, check_pages
from dossier.profiles.classify import match_page, split_documents
from dossier.profiles.loader import profile_for

HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
DECLARATION = HEADER + "TỜ KHAI ĐĂNG KÝ KHAI SINH\nKính gửi: Ủy ban nhân dân xã Hòa Tiến\nNgười yêu cầu: mẹ"
BIRTH_CERT = "SỞ Y TẾ QUẢNG NAM\n" + HEADER + "Số: 1234/GCS\nGIẤY CHỨNG SINH\nHọ và tên mẹ: Trần Thị Mỹ Duyên"
# an ID card copy whose red card name was not read: what is left is printed on every card
ID_CARD = (
    HEADER
    + "SOCIALIST REPUBLIC OF VIET NAM\nSố định danh cá nhân/Personal identification number:\n049203012345\n"
    "Họ, chữ đệm và tên khai sinh/Full name:\nTRẦN THỊ MỸ DUYÊN\n"
    "Ngày, tháng, năm sinh/Date of birth: 01/02/2003\n"
    "Giới tính/Sex: Nữ Quốc tịch/Nationality: Việt Nam\nCó giá trị đến/Date of expiry: 01/02/2043\n"
    "Nơi cư trú/Place of residence: Thôn 3, xã Hòa Tiến\nIDVNM2030123450049203012345<<2"
)
SIGNATURE_PAGE = (
    "Tôi cam đoan nội dung đề nghị trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật.\n"
    "Làm tại: xã Hòa Tiến, ngày 18 tháng 9 năm 2026\nNGƯỜI YÊU CẦU\n(Ký, ghi rõ họ, chữ đệm, tên)\n"
    "TRẦN THỊ MỸ DUYÊN"
)


@pytest.fixture(scope="module")
def birth():
    return profile_for("1.001193")


def test_an_id_card_without_its_title_is_known_by_what_is_printed_on_it(birth) -> None:
    found = match_page(1, ID_CARD, birth)
    assert found.component == "TP05" and found.confidence >= 0.8


def test_every_component_with_hints_can_reach_the_present_threshold() -> None:
    """No component is unreachable by construction: all of its key phrases alone count as present."""
    for code in ("1.001193", "1.000894", "2.000720", "local.gpxd-nha-o-rieng-le", "1.004222"):
        profile = profile_for(code)
        for component in profile.components:
            if not component.hints.key_phrases:
                continue
            text = "\n".join(f"Nội dung: {p}." for p in component.hints.key_phrases)
            found = match_page(1, text, profile)
            assert found.confidence >= 0.8, (code, component.id, found)


def test_a_signature_page_continues_the_form_before_it(birth) -> None:
    documents = split_documents([DECLARATION, SIGNATURE_PAGE, BIRTH_CERT], birth)
    assert [(d.component, d.pages) for d in documents] == [("TP01", (1, 2)), ("TP02", (3,))]


def test_a_nearly_empty_page_does_not_join_the_document_before_it(birth) -> None:
    documents = split_documents([DECLARATION, "Nộp thêm 01 bản photo", BIRTH_CERT], birth)
    assert [(d.component, d.pages) for d in documents] == [("TP01", (1,)), (None, (2,)), ("TP02", (3,))]


def test_a_heading_that_is_only_the_start_of_a_title_does_not_match_it(birth) -> None:
    surrogacy = HEADER + "GIẤY XÁC NHẬN\nVề việc thực hiện kỹ thuật hỗ trợ sinh sản\ntrường hợp mang thai hộ"
    assert match_page(1, surrogacy, birth).component == "TP04"


def test_a_drawing_cover_naming_the_parcel_is_not_the_land_certificate() -> None:
    building = profile_for("local.gpxd-nha-o-rieng-le")
    cover = (
        "HỒ SƠ THIẾT KẾ\nCÔNG TRÌNH: NHÀ Ở RIÊNG LẺ\nCHỦ ĐẦU TƯ: NGUYỄN VĂN AN\n"
        "ĐỊA ĐIỂM: Thửa đất số 12, tờ bản đồ số 4, xã Điện Thắng; quyền sử dụng đất của chủ đầu tư"
    )
    request = HEADER + "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG\nDiện tích xây dựng tầng 1: 80 m2\nnhà ở riêng lẻ"
    report = check_pages([request, cover], building)
    assert [d.component for d in report.documents] == ["TP01", "TP03"]
    assert [c.id for c in report.missing] == ["TP02"] and report.verdict is Verdict.incomplete


def test_a_residence_confirmation_is_the_proof_of_residence(birth) -> None:
    ct07 = (
        "CÔNG AN XÃ HÒA TIẾN\n" + HEADER + "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ\nMẫu CT07\n"
        "Nơi thường trú: Thôn 3, xã Hòa Tiến"
    )
    report = check_pages([DECLARATION, BIRTH_CERT, ct07], birth)
    item = next(i for i in report.items if i.component.id == "TP06")
    assert item.status is Status.present and item.pages == (3,)
