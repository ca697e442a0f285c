"""Page cleaning on synthetic rendered pages: geometry, borders, illumination, specks, blank and colour."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from dossier.digitize.clean import clean_page, clean_page_for_ocr, dark_border_mask, rotate_by
from dossier.digitize.colour import remove_specks
from dossier.digitize.orientation import Orientation, detect_orientation, estimate_skew, rotate_quarter
from dossier.fonts import font_path
from dossier.models import ColourMode

FONT = str(font_path())
PARAGRAPH = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập, tự do, hạnh phúc. Đơn đề nghị cấp giấy chứng nhận "
    "quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất. Kính gửi ủy ban nhân dân "
    "phường Bến Nghé. Tôi xin cam đoan những lời khai trên là đúng sự thật, nếu sai tôi xin chịu trách "
    "nhiệm trước pháp luật. Việc ghi chép thông tin được thực hiện theo hướng dẫn của cán bộ tiếp nhận "
    "hồ sơ tại bộ phận một cửa, kiểm tra đầy đủ giấy tờ và hẹn ngày trả kết quả cho người nộp. "
)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def render_page(
    dpi: int = 150, text: str = PARAGRAPH * 4, size_pt: float = 12, max_lines: int = 99
) -> np.ndarray:
    """A white A4 page (grey uint8) with wrapped Vietnamese text starting one inch from the top-left."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(size_pt * dpi / 72))
    y = dpi
    for line in wrap(text, font, width - 2 * dpi)[:max_lines]:
        if y > height - dpi:
            break
        draw.text((dpi, y), line, font=font, fill=0)
        y += round(size_pt * 1.5 * dpi / 72)
    return np.asarray(image).copy()


def skewed(gray: np.ndarray, angle: float) -> np.ndarray:
    """Turn the page content counter-clockwise by `angle` degrees, as a crooked scan would."""
    return np.asarray(Image.fromarray(gray).rotate(angle, resample=Image.BICUBIC, fillcolor=255)).copy()


def add_specks(gray: np.ndarray, count: int, seed: int = 0, size: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = gray.copy()
    ys = rng.integers(0, gray.shape[0] - size, count)
    xs = rng.integers(0, gray.shape[1] - size, count)
    for dy in range(size):
        for dx in range(size):
            out[ys + dy, xs + dx] = 0
    return out


def on_yellow_gradient(gray: np.ndarray) -> np.ndarray:
    """BGR page on yellowish paper that darkens towards the left, like a curled or lamp-lit scan."""
    shade = np.linspace(0.62, 0.95, gray.shape[1], dtype=np.float32)[None, :, None]
    paper = np.array([0.80, 0.93, 1.0], np.float32)  # B, G, R: yellowish
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR).astype(np.float32) * shade * paper
    return bgr.astype(np.uint8)


def output_skew(cleaned: np.ndarray) -> float:
    gray = cleaned if cleaned.ndim == 2 else cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return estimate_skew((small < 128).astype(np.uint8)).angle


@pytest.fixture(scope="module")
def text_page() -> np.ndarray:
    return render_page()


@pytest.mark.parametrize("angle", [7.0, -12.0, 15.0, 2.0])
def test_known_skews_are_corrected(text_page: np.ndarray, angle: float) -> None:
    cleaned, result = clean_page(skewed(text_page, angle), dpi=150)
    assert result.skew == pytest.approx(-angle, abs=0.3)
    assert abs(output_skew(cleaned)) <= 0.3
    assert result.rotation == 0


def test_straight_page_is_not_rotated(text_page: np.ndarray) -> None:
    cleaned, result = clean_page(text_page, dpi=150)
    assert result.skew == 0.0
    assert result.rotation == 0
    assert cleaned.shape == text_page.shape


@pytest.mark.tesseract
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_quarter_turns_are_found(text_page: np.ndarray, turn: int) -> None:
    turned = rotate_quarter(skewed(text_page, 2.5), turn)
    cleaned, result = clean_page(turned, dpi=150)
    assert result.rotation == (360 - turn) % 360
    assert cleaned.shape[0] > cleaned.shape[1]  # portrait again
    assert abs(output_skew(cleaned)) <= 0.3


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_profile_orientation_needs_no_osd(text_page: np.ndarray, turn: int) -> None:
    small = cv2.resize(
        rotate_quarter(text_page, turn), None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA
    )
    found = detect_orientation((small < 128).astype(np.uint8))
    assert found.method == "profile"
    assert found.rotation == (360 - turn) % 360


def test_orientation_can_be_switched_off(text_page: np.ndarray) -> None:
    _, result = clean_page(rotate_quarter(text_page, 180), dpi=150, detect_orientation=False)
    assert result.rotation == 0


def test_dark_scanner_border_is_removed(text_page: np.ndarray) -> None:
    page = text_page.copy()
    page[:, :60] = 15  # lid shadow on the left
    page[-80:, :] = 30  # and at the bottom
    cleaned, result = clean_page(page, dpi=150)
    x, y, w, h = result.crop
    assert x > 0 and y + h < page.shape[0]
    assert cleaned.shape == (h, w)
    assert cleaned[:, :20].min() == 255 and cleaned[-20:, :].min() == 255
    assert (cleaned == 0).mean() > 0.02  # the text is still there


def test_border_mask_ignores_text_touching_nothing(text_page: np.ndarray) -> None:
    assert not dark_border_mask(text_page, 150).any()


def test_grey_gradient_becomes_white(text_page: np.ndarray) -> None:
    dim = on_yellow_gradient(text_page)
    for mode in (ColourMode.gray, ColourMode.auto):
        cleaned, result = clean_page(dim, dpi=150, mode=mode)
        assert cleaned.ndim == 2
        margin = cleaned[20:120, 20:-20]  # above the text, across the whole gradient
        assert np.percentile(margin, 1) >= 245
        assert (cleaned < 128).mean() > 0.02
    assert result.mode is ColourMode.bw


def test_red_seal_stays_red_and_page_is_colour(text_page: np.ndarray) -> None:
    page = on_yellow_gradient(text_page)
    centre, radius = (page.shape[1] - 350, page.shape[0] - 450), 110
    cv2.circle(page, centre, radius, (40, 40, 200), 6)
    cv2.circle(page, centre, radius - 25, (40, 40, 200), 3)
    cleaned, result = clean_page(page, dpi=150)
    assert result.mode is ColourMode.colour
    assert result.colour_fraction > 0.0003
    ring = np.zeros(page.shape[:2], np.uint8)
    cv2.circle(ring, centre, radius, 1, 2)
    hsv = cv2.cvtColor(cleaned, cv2.COLOR_BGR2HSV)[ring > 0]
    hue = hsv[:, 0].astype(int)
    assert np.median(hsv[:, 1]) > 150
    assert ((hue <= 8) | (hue >= 172)).mean() > 0.95
    background = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY)[20:120, 20:-20]
    assert np.percentile(background, 1) >= 240


def test_plain_text_is_bitonal(text_page: np.ndarray) -> None:
    cleaned, result = clean_page(cv2.cvtColor(text_page, cv2.COLOR_GRAY2BGR), dpi=150)
    assert result.mode is ColourMode.bw
    assert result.colour_fraction == 0.0
    assert cleaned.ndim == 2 and cleaned.dtype == np.uint8
    assert set(np.unique(cleaned)) == {0, 255}


def test_photo_is_gray(text_page: np.ndarray) -> None:
    page = text_page.copy()
    ramp = np.tile(np.linspace(60, 200, 600, dtype=np.uint8), (500, 1))
    page[900:1400, 300:900] = ramp
    cleaned, result = clean_page(page, dpi=150)
    assert result.mode is ColourMode.gray
    assert len(np.unique(cleaned[950:1350, 350:850])) > 50


def test_forced_modes_are_honoured(text_page: np.ndarray) -> None:
    colour, result = clean_page(text_page, dpi=150, mode=ColourMode.colour)
    assert result.mode is ColourMode.colour and colour.ndim == 3
    gray, result = clean_page(text_page, dpi=150, mode=ColourMode.gray)
    assert result.mode is ColourMode.gray and gray.ndim == 2 and len(np.unique(gray)) > 2


def test_noisy_empty_page_is_blank() -> None:
    empty = np.full((1754, 1240), 235, np.uint8)
    empty = add_specks(empty, 3000, size=1)
    empty = add_specks(empty, 300, seed=1, size=2)
    empty[:, :50] = 20  # scanner border only
    _, result = clean_page(empty, dpi=150)
    assert result.is_blank
    assert result.rotation == 0 and result.skew == 0.0


def test_two_short_lines_are_not_blank() -> None:
    page = render_page(text="Kính gửi: Ủy ban nhân dân phường. Ngày nhận: mười hai tháng ba.", max_lines=2)
    _, result = clean_page(add_specks(page, 500), dpi=150)
    assert not result.is_blank


def test_specks_go_but_diacritic_dots_stay() -> None:
    dpi = 300
    text = "ệ ị ặ ộ ự ỵ ẹ ọ ụ " * 6
    clean = render_page(dpi=dpi, text=text, size_pt=11, max_lines=3)
    noisy = add_specks(clean, 4000, seed=3, size=2)
    cleaned, result = clean_page(noisy, dpi=dpi, mode=ColourMode.bw)
    assert result.rotation == 0
    ink = (cleaned == 0).astype(np.uint8)
    # far from the text: no speck survives
    assert ink[1400:, :].sum() == 0
    # every dot below the vowels is still there: each small component of the clean render has ink
    _, _, stats, _ = cv2.connectedComponentsWithStats((clean < 128).astype(np.uint8), connectivity=8)
    dots = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] < 200]
    assert len(dots) >= 40
    for x, y, w, h, _ in dots:
        assert ink[y : y + h, x : x + w].sum() > 0.5 * w * h * 0.5


def test_remove_specks_keeps_marks_near_letters() -> None:
    ink = np.zeros((300, 300), np.uint8)
    ink[100:140, 100:120] = 1  # a letter
    ink[92:96, 108:112] = 1  # its dot, just above
    ink[250:252, 250:252] = 1  # a lone speck
    kept = remove_specks(ink, 300)
    assert kept[92:96, 108:112].all()
    assert not kept[250:252, 250:252].any()
    assert kept[100:140, 100:120].all()


@pytest.mark.slow
@pytest.mark.tesseract
def test_cleaned_skewed_noisy_page_ocrs_well() -> None:
    import pytesseract
    from rapidfuzz.distance import Levenshtein

    dpi = 300
    page = render_page(dpi=dpi, text=PARAGRAPH, size_pt=12)
    scan = add_specks(on_yellow_gradient(skewed(page, 7.0))[:, :, 1], 6000, seed=5, size=2)
    cleaned, result = clean_page(scan, dpi=dpi)
    assert result.mode is ColourMode.bw
    height = round(4.2 * dpi)  # the paragraph fits in the top part: OCR only that to stay fast
    text = pytesseract.image_to_string(cleaned[:height], lang="vie", config="--psm 6")
    got = " ".join(text.split())
    want = " ".join(PARAGRAPH.split())
    assert Levenshtein.normalized_distance(got, want) < 0.05


@pytest.mark.tesseract
def test_osd_fallback_reads_upside_down_page(text_page: np.ndarray) -> None:
    from dossier.digitize.orientation import tesseract_osd

    found = tesseract_osd(rotate_quarter(text_page, 180))
    assert found.method == "osd"
    assert found.rotation == 180
    assert tesseract_osd(np.full((400, 300), 255, np.uint8)).method == "unsure"


def test_seal_vanishes_from_the_ocr_view_but_text_stays(text_page: np.ndarray) -> None:
    """Tesseract reads colour pages through the red channel: the seal stamped on text is gone there."""
    page = cv2.cvtColor(text_page, cv2.COLOR_GRAY2BGR)
    centre = (page.shape[1] // 2, page.shape[0] // 3)
    cv2.circle(page, centre, 160, (40, 40, 210), 14)
    cleaned, view, result = clean_page_for_ocr(page, dpi=150)
    assert result.mode is ColourMode.colour
    assert view.ndim == 2 and view.shape == cleaned.shape[:2]
    red = (cleaned[:, :, 2] > 150) & (cleaned[:, :, 1] < 110) & (cleaned[:, :, 0] < 110)
    assert red.sum() > 2000  # the seal is still red in the stored image
    assert np.percentile(view[red], 5) > 180  # ...and nearly white in what Tesseract sees
    text = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY) < 80
    assert np.median(view[text & ~red]) < 80  # black print stays black


def test_bw_page_is_ocred_from_despeckled_grey(text_page: np.ndarray) -> None:
    page = add_specks(text_page, 3000, seed=4)
    cleaned, view, result = clean_page_for_ocr(page, dpi=150)
    assert result.mode is ColourMode.bw
    assert set(np.unique(cleaned)) <= {0, 255}
    assert len(np.unique(view)) > 2  # grey levels kept for Tesseract's own binarisation
    # the stored bitonal page is exactly a threshold of the OCR view: same geometry, same specks removed
    assert view[cleaned == 0].max() < view[cleaned == 255].min()


def test_hyphens_between_words_survive_speck_removal() -> None:
    """A free-standing hyphen, as in the national motto, is small but not a speck."""
    page = render_page(dpi=300, text="Độc lập - Tự do - Hạnh phúc", size_pt=14)
    ink = (page < 128).astype(np.uint8)
    count_before = cv2.connectedComponents(ink)[0]
    kept = remove_specks(ink, 300)
    assert cv2.connectedComponents(kept)[0] == count_before


def test_red_printed_text_stays_in_the_ocr_view_while_the_seal_goes(text_page: np.ndarray) -> None:
    """A red title line (the card name of an ID card copy) is read; only the round seal is suppressed."""
    page = cv2.cvtColor(text_page, cv2.COLOR_GRAY2BGR)
    image = Image.fromarray(page[:, :, ::-1].copy())
    ImageDraw.Draw(image).text((200, 60), "CĂN CƯỚC", font=ImageFont.truetype(FONT, 50), fill=(200, 35, 45))
    page = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    centre = (page.shape[1] // 2, page.shape[0] // 3)
    cv2.circle(page, centre, 160, (40, 40, 210), 14)
    cleaned, view, result = clean_page_for_ocr(page, dpi=150, detect_orientation=False)
    assert result.mode is ColourMode.colour
    red = (cleaned[:, :, 2] > 150) & (cleaned[:, :, 1] < 110) & (cleaned[:, :, 0] < 110)
    title = red.copy()
    title[120:, :] = False  # the red title sits in the top rows, the seal below them
    seal = red & ~title
    assert title.sum() > 300 and seal.sum() > 2000
    assert np.median(view[title]) < 140  # the red title is dark enough for Tesseract
    assert np.percentile(view[seal], 5) > 180  # the seal is nearly white


@pytest.mark.parametrize("turn", [0, 180])
def test_a_seal_and_signature_under_short_text_do_not_turn_the_page_over(turn: int) -> None:
    """A short paper with a seal below its text: the seal's tall band is not read as descenders."""
    page = render_page(max_lines=18)
    centre = (page.shape[1] // 2, round(page.shape[0] * 0.08) + 18 * 25 + 150)
    cv2.circle(page, centre, 150, 40, 22)  # the seal's ring and star: solid ink on a grey scan
    cv2.circle(page, centre, 60, 40, -1)
    small = cv2.resize(rotate_quarter(page, turn), None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)
    found = detect_orientation((small < 128).astype(np.uint8))
    assert found.rotation == (360 - turn) % 360


def test_the_ocr_view_is_despeckled_only_on_a_speckled_page(text_page: np.ndarray) -> None:
    """A few isolated marks on a clean page (dots, bits of tone marks) reach Tesseract; many specks do not."""
    few = add_specks(text_page, 5, seed=3)
    _, view, result = clean_page_for_ocr(few, dpi=150, detect_orientation=False)
    assert result.mode is not ColourMode.colour
    marks = (few < 128) & (text_page >= 128)
    assert marks.sum() > 0 and np.median(view[marks]) < 128  # kept for Tesseract
    many = add_specks(text_page, 800, seed=3)
    _, view, _ = clean_page_for_ocr(many, dpi=150, detect_orientation=False)
    specks = (many < 128) & (text_page >= 128)
    assert np.median(view[specks]) > 200  # a speckled page is read despeckled


def _reference_rotation(page: np.ndarray, angle: float, factor: int = 8) -> np.ndarray:
    """A near-exact rotation: turned at 8x the resolution, then area-averaged back."""
    h, w = page.shape[:2]
    big = cv2.resize(page, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC)
    matrix = cv2.getRotationMatrix2D((w * factor / 2, h * factor / 2), angle, 1.0)
    big = cv2.warpAffine(big, matrix, (w * factor, h * factor), flags=cv2.INTER_LINEAR, borderValue=255)
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)


def test_deskewing_turns_strokes_smoothly(text_page: np.ndarray) -> None:
    """A small deskew turns the page at twice its resolution: closer to an exact rotation than bilinear."""
    crop = text_page[:600, :900]
    exact = _reference_rotation(crop, 0.7).astype(int)
    plain = rotate_by(crop, 0.7, 255).astype(int)
    smooth = rotate_by(crop, 0.7, 255, supersample=True).astype(int)
    assert np.abs(smooth - exact).mean() < 0.8 * np.abs(plain - exact).mean()
    cleaned, _, result = clean_page_for_ocr(skewed(text_page, 0.7), dpi=150, detect_orientation=False)
    assert result.skew != 0.0 and cleaned.shape[:2] == text_page.shape[:2]


def test_huge_pages_turn_at_their_own_size() -> None:
    huge = np.full((4000, 3100), 255, np.uint8)  # 12.4 million pixels: no 4x copy
    cv2.line(huge, (100, 100), (3000, 120), 0, 3)
    assert np.array_equal(rotate_by(huge, 0.5, 255, supersample=True), rotate_by(huge, 0.5, 255))


def test_paper_edges_beside_a_sparse_two_column_page_are_not_text_lines() -> None:
    """A form's signature page photographed: two columns of short lines at the top, the rest empty, and the
    sheet's edges left as thin dark strips down both sides. Taken for text, the strips make the page look
    sideways (and it was then turned on a guess); without them its own lines show it upright."""
    dpi = 100
    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 17)
    signer = ["(Ký, ghi rõ họ tên)", "", "", "Cao Hoài Tú"]
    for row, role in enumerate(["Ý KIẾN CỦA CHỦ HỘ", *signer, "NGƯỜI KÊ KHAI", *signer]):
        for centre in (240, 590):
            draw.text((centre, 120 + 28 * row), role, font=font, fill=0, anchor="mm")
    draw.line((14, 0, 17, image.height), fill=0, width=6)
    draw.line((image.width - 14, 0, image.width - 12, image.height), fill=0, width=6)
    assert detect_orientation((np.asarray(image) < 128).astype(np.uint8)) == Orientation(0, "profile")
