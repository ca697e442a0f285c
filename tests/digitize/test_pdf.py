"""The PDF/A-2b writer: image encodings, invisible Vietnamese text layer, metadata, atomic output."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import time
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from dossier.digitize.encode import CCITT, DCT, EncodedImage, encode_page_image
from dossier.digitize.pdf import DOSSIER_XMP_NS, PdfMetadata, PdfPageSpec, write_pdf
from dossier.digitize.textlayer import text_layer_content
from dossier.errors import InputFileError, OutputError
from dossier.fonts import font_path
from dossier.models import ColourMode, PageText, Word

FONT = str(font_path())
A4_300 = (2480, 3508)
HEADER = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Họ và tên người yêu cầu: Nguyễn Thị Hương",
]
BODY_TEXT = (
    "Họ và tên người yêu cầu: Nguyễn Thị Hương, sinh ngày 01 tháng 01 năm 1990, nơi cư trú tại phường "
    "Bến Nghé, quận Một, thành phố Hồ Chí Minh, đề nghị cơ quan có thẩm quyền xem xét giải quyết hồ sơ "
    "theo đúng quy định của pháp luật hiện hành."
)
BODY = BODY_TEXT.split(" ")
VN = timezone(timedelta(hours=7))
META = PdfMetadata(
    title="Hồ sơ đăng ký khai sinh",
    scan_time=datetime(2024, 5, 1, 9, 30, 15, tzinfo=VN),
    device="test:virtual-scanner",
    software="dossier 0.1.0",
    dossier_id="HS-TEST-0001",
)


# ---- synthetic pages -------------------------------------------------------------------------------


def text_page(
    lines: list[str], size: tuple[int, int] = A4_300, font_px: int = 50, gap: int = 90
) -> tuple[np.ndarray, PageText]:
    """A white gray page with `lines` drawn in black, plus the exact word boxes as fake OCR words."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, font_px)
    words: list[Word] = []
    y = 300 if size[1] > 1000 else 20
    for number, line in enumerate(lines):
        x = 250 if size[0] > 1000 else 20
        for text in line.split(" "):
            left, top, right, bottom = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=0)
            words.append(Word(text, left, top, right - left, bottom - top, 95.0, (1, 1, number)))
            x = right + draw.textlength(" ", font=font)
        y += gap
    return np.array(img), PageText(tuple(words), 95.0, "test", "vie")


def body_lines(count: int, per_line: int = 11) -> list[str]:
    return [" ".join(BODY[(n * per_line + k) % len(BODY)] for k in range(per_line)) for n in range(count)]


def scanned(gray: np.ndarray, rng: np.random.Generator, noise: float = 2.0) -> np.ndarray:
    """Blur, contrast loss and sensor noise of a real 300 dpi scan."""
    out = (
        cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 0.8) * 0.85 + 30 + rng.normal(0, noise, gray.shape)
    )
    return np.clip(out, 0, 255).astype(np.uint8)


def bw_page(lines: list[str], size: tuple[int, int] = A4_300) -> tuple[np.ndarray, PageText]:
    gray, text = text_page(lines, size)
    return np.where(gray < 128, 0, 255).astype(np.uint8), text


def seal_page(rng: np.random.Generator) -> tuple[np.ndarray, PageText, tuple[int, int]]:
    """BGR colour page: black text on warm paper, a red seal and a blue signature across the text."""
    gray, text = text_page(HEADER[:2] + body_lines(30))
    paper = scanned(gray, rng)
    bgr = np.dstack([paper * 0.96, paper * 0.99, paper]).astype(np.float32)
    centre = (800, 2650)
    seal = np.zeros(gray.shape, np.uint8)
    cv2.circle(seal, centre, 260, 255, 14)
    cv2.circle(seal, centre, 200, 255, 6)
    cv2.putText(seal, "UBND", (centre[0] - 150, centre[1] + 30), cv2.FONT_HERSHEY_SIMPLEX, 3.5, 255, 14)
    signature = np.zeros(gray.shape, np.uint8)
    xs = np.linspace(0, 12, 200)
    points = np.stack([550 + 60 * xs, 2750 + 80 * np.sin(xs)], axis=1).astype(np.int32)
    cv2.polylines(signature, [points], False, 255, 7)
    for mask, ink in ((seal, (40, 30, 200)), (signature, (160, 60, 20))):
        alpha = (cv2.GaussianBlur(mask, (0, 0), 1.0).astype(np.float32) / 255 * 0.85)[:, :, None]
        bgr = bgr * (1 - alpha) + bgr * np.array(ink, np.float32) / 255 * alpha  # ink multiplies
    return np.clip(bgr, 0, 255).astype(np.uint8), text, centre


def photo_page(rng: np.random.Generator, size: tuple[int, int] = A4_300) -> np.ndarray:
    """A gray page filled with a photo-like picture: gradients, texture, shapes and sensor noise."""
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    pic = 128 + 60 * np.sin(xx / 300) * np.cos(yy / 410) + 40 * np.sin((xx + yy) / 90)
    pic += cv2.GaussianBlur(rng.normal(0, 40, (height, width)).astype(np.float32), (0, 0), 6)
    for _ in range(30):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.circle(pic, centre, int(rng.integers(30, 300)), float(rng.integers(0, 255)), -1)
    pic = cv2.GaussianBlur(pic, (0, 0), 2) + rng.normal(0, 2, (height, width))
    return np.clip(pic, 0, 255).astype(np.uint8)


# ---- helpers -----------------------------------------------------------------------------------------


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def image_facts(path: Path) -> list[dict[str, object]]:
    """Filter, colour space and mask flag of every image on every page."""
    with pikepdf.open(path) as pdf:
        return [
            {
                "filter": str(obj.get("/Filter")),
                "colour_space": str(obj.get("/ColorSpace")),
                "mask": bool(obj.get("/ImageMask", False)),
            }
            for page in pdf.pages
            for obj in page.Resources.XObject.values()
        ]


def render(path: Path, dpi: int, tmp_path: Path) -> np.ndarray:
    """Render page 1 with poppler and return it as an RGB array."""
    prefix = tmp_path / "render"
    run("pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", path, prefix)
    return np.array(Image.open(f"{prefix}.png").convert("RGB"))


def write_one(tmp_path: Path, image: EncodedImage, text: PageText | None, name: str = "out.pdf") -> Path:
    out = tmp_path / name
    write_pdf([PdfPageSpec.scanned(image, text)], out, META)
    return out


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PageText]:
    """A bw A4 page with Vietnamese lines whose OCR words arrive NFD-decomposed, written once."""
    image, text = bw_page([*HEADER, "Kính gửi: Ủy ban nhân dân phường Bến Nghé"])
    nfd = tuple(
        Word(unicodedata.normalize("NFD", w.text), w.left, w.top, w.width, w.height, w.confidence, w.line)
        for w in text.words
    )
    out = tmp_path_factory.mktemp("pdf") / "text.pdf"
    nfd_text = PageText(nfd, text.mean_confidence, text.engine, text.language)
    write_pdf([PdfPageSpec.scanned(encode_page_image(image, ColourMode.bw, 300), nfd_text)], out, META)
    return out, text


def born_digital_source(path: Path) -> Path:
    """A two-page born-digital PDF with real (ASCII, Helvetica) text on each page."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for label in ("First digital page", "Second digital page"):
        content = f"BT /F1 18 Tf 72 720 Td ({label}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pikepdf.Stream(pdf, content),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


# ---- text layer --------------------------------------------------------------------------------------


def test_pdftotext_gives_exact_nfc_vietnamese_in_reading_order(text_pdf: tuple[Path, PageText]) -> None:
    out, _ = text_pdf
    for args in ((), ("-layout",)):
        extracted = run("pdftotext", *args, out, "-")
        lines = [" ".join(line.split()) for line in extracted.splitlines() if line.strip()]
        assert lines == [*HEADER, "Kính gửi: Ủy ban nhân dân phường Bến Nghé"], args
        assert unicodedata.is_normalized("NFC", extracted)
    assert "người yêu cầu" in run("pdftotext", out, "-")


def test_side_by_side_lines_share_a_baseline() -> None:
    """The two header columns of a form: one line with a letter reaching below the baseline, one
    without. Both get the same baseline (their words' median bottom), not one pulled down by the dot."""
    left = [
        Word("UBND", 100, 100, 200, 50, 95.0, (1, 1, 1)),
        Word("TỈNH", 320, 100, 150, 50, 95.0, (1, 1, 1)),
    ]
    right = [
        Word("CỘNG", 1300, 100, 200, 62, 95.0, (2, 1, 1)),  # the dot below Ộ reaches lower
        Word("HÒA", 1520, 98, 150, 52, 95.0, (2, 1, 1)),
        Word("XÃ", 1690, 98, 100, 52, 95.0, (2, 1, 1)),
    ]
    content = text_layer_content(PageText((*left, *right), 95.0, "test", "vie"), 300, 842, "/F1").decode()
    placements = re.findall(r"([\d.]+) Tf|1 0 0 1 [\d.]+ ([\d.]+) Tm", content)
    baselines = [float(baseline) for _, baseline in placements if baseline]
    assert len(baselines) == 5
    assert max(baselines) - min(baselines) < 0.5


def _column_words(lines: list[str], x: int, block: int, draw: ImageDraw.ImageDraw) -> list[Word]:
    font = ImageFont.truetype(FONT, 44)
    words = []
    for number, line in enumerate(lines, start=1):
        left, y = x, 250 + 60 * number  # 44 px type, 60 px apart: an official letter's header
        for text in line.split(" "):
            x0, top, x1, bottom = draw.textbbox((left, y), text, font=font, anchor="ls")
            words.append(Word(text, x0, top, x1 - x0, bottom - top, 95.0, (block, 1, number)))
            left = x1 + round(draw.textlength(" ", font=font))
    return words


def test_two_header_columns_are_read_column_by_column(tmp_path: Path) -> None:
    """An official letter's header: the agency's name and number on the left, the national motto and the
    date on the right, one engine block each, side by side on the same baselines, lines of uneven ink
    height (tone marks, capitals). pdftotext must read each column's lines together, not row by row,
    which would interleave the agency's name with the motto."""
    agency = ["ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH", "Số: 1354/BC-UBND"]
    motto = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ninh Bình, ngày 11 tháng 09 năm 2026",
    ]
    draw = ImageDraw.Draw(Image.new("L", A4_300, 255))
    words = (*_column_words(agency, 260, 1, draw), *_column_words(motto, 1300, 2, draw))
    white = encode_page_image(np.full(A4_300[::-1], 255, np.uint8), ColourMode.bw, 300)
    out = write_one(tmp_path, white, PageText(words, 95.0, "test", "vie"))
    assert " ".join(run("pdftotext", out, "-").split()) == " ".join([*agency, *motto])


def test_words_land_inside_their_boxes(text_pdf: tuple[Path, PageText]) -> None:
    out, text = text_pdf
    html = run("pdftotext", "-bbox", out, "-")
    boxes = [
        (m.group(5), *(float(m.group(i)) for i in range(1, 5)))
        for m in re.finditer(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html
        )
    ]
    assert [b[0] for b in boxes] == [w.text for w in text.words]
    scale = 72 / 300
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in text.words:
        lines.setdefault(word.line, []).append(word)
    for (_, x0, y0, x1, y1), word in zip(boxes, text.words, strict=True):
        line = lines[word.line]
        top = min(w.top for w in line) * scale
        bottom = max(w.top + w.height for w in line) * scale
        assert abs(x0 - word.left * scale) < 1.0
        assert abs(x1 - (word.left + word.width) * scale) < 1.0
        # the invisible text sits inside the line's ink box and covers the word's middle
        assert top - 1.0 <= y0 < y1 <= bottom + 1.0
        assert y0 <= (word.top + word.height / 2) * scale <= y1


def test_text_is_invisible(text_pdf: tuple[Path, PageText], tmp_path: Path) -> None:
    """Rendering the text-only part (no image) shows nothing: render mode 3."""
    _, text = text_pdf
    blank = tmp_path / "blank.pdf"
    empty = np.full((3508, 2480), 255, np.uint8)
    bare = tmp_path / "bare.pdf"
    encoded = encode_page_image(empty, ColourMode.bw, 300)
    write_pdf([PdfPageSpec.scanned(encoded, text)], blank, META)
    write_pdf([PdfPageSpec.scanned(encoded, None)], bare, META)
    assert "Độc lập" in run("pdftotext", blank, "-")
    assert np.array_equal(render(blank, 36, tmp_path), render(bare, 36, tmp_path))


def test_every_font_is_embedded(text_pdf: tuple[Path, PageText]) -> None:
    rows = run("pdffonts", text_pdf[0]).splitlines()[2:]
    assert rows, "the text layer must use a font"
    for row in rows:
        emb, _sub, uni = row.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), row


# ---- image encodings -----------------------------------------------------------------------------------


def test_g4_round_trips_pixel_exact(tmp_path: Path) -> None:
    image, text = bw_page(["Độc lập - Tự do - Hạnh phúc"], size=(700, 130))
    image[0, :7] = 0  # odd width and edge pixels
    encoded = encode_page_image(image, ColourMode.bw, 300)
    out = write_one(tmp_path, encoded, text)
    assert image_facts(out) == [{"filter": CCITT, "colour_space": "/DeviceGray", "mask": False}]
    with pikepdf.open(out) as pdf:
        (xobj,) = pdf.pages[0].Resources.XObject.values()
        decoded = np.array(pikepdf.PdfImage(xobj).as_pil_image().convert("L"))
    assert np.array_equal(decoded, image)
    rendered = render(out, 300, tmp_path)[:, :, 0]
    # poppler agrees on polarity (its image smoothing may move a few edge pixels)
    assert np.mean((rendered < 128) != (image == 0)) < 0.01


def test_gray_and_colour_pages_use_dct(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    gray = photo_page(rng, size=(600, 400))
    colour = cv2.cvtColor(photo_page(rng, size=(600, 400)), cv2.COLOR_GRAY2BGR)
    pages = [
        PdfPageSpec.scanned(encode_page_image(gray, ColourMode.gray, 300), None),
        PdfPageSpec.scanned(encode_page_image(colour, ColourMode.colour, 300, mrc=False), None),
    ]
    out = tmp_path / "dct.pdf"
    write_pdf(pages, out, META)
    assert image_facts(out) == [
        {"filter": DCT, "colour_space": "/DeviceGray", "mask": False},
        {"filter": DCT, "colour_space": "/DeviceRGB", "mask": False},
    ]


@pytest.mark.parametrize("mrc", [True, False])
def test_red_seal_stays_red_and_text_black(tmp_path: Path, mrc: bool) -> None:
    image, text, (cx, cy) = seal_page(np.random.default_rng(4))
    encoded = encode_page_image(image, ColourMode.colour, 300, mrc=mrc)
    out = write_one(tmp_path, encoded, text)
    facts = image_facts(out)
    if mrc:
        assert facts == [
            {"filter": DCT, "colour_space": "/DeviceRGB", "mask": False},
            {"filter": CCITT, "colour_space": "None", "mask": True},
        ]
    rgb = render(out, 100, tmp_path).astype(int)
    scale = 100 / 300
    # the outer ring at the seal's left and right, away from text lines: clearly red, not pink or gray
    for x in (cx - 260, cx + 260):
        patch = rgb[
            round((cy - 40) * scale) : round((cy + 40) * scale),
            round((x - 8) * scale) : round((x + 8) * scale),
        ]
        red = patch[(patch[:, :, 0] - patch[:, :, 2]) > 60]
        assert len(red) > 5
        assert red[:, 0].mean() > 150 and red[:, 1].mean() < 110 and red[:, 2].mean() < 120
    # the first word of the title is still dark text
    first = text.words[0]
    box = rgb[
        round(first.top * scale) : round((first.top + first.height) * scale),
        round(first.left * scale) : round((first.left + first.width) * scale),
    ]
    assert box.min() < 60


def test_mrc_is_much_smaller_than_one_jpeg() -> None:
    image, _, _ = seal_page(np.random.default_rng(5))
    mrc = encode_page_image(image, ColourMode.colour, 300)
    plain = encode_page_image(image, ColourMode.colour, 300, mrc=False)
    assert mrc.is_mrc and not plain.is_mrc
    assert mrc.nbytes * 3 < plain.nbytes


def test_encoded_image_is_picklable_and_rejects_auto() -> None:
    image, _ = bw_page(["Tự do"], size=(200, 100))
    encoded = encode_page_image(image, ColourMode.bw, 200)
    assert pickle.loads(pickle.dumps(encoded)) == encoded
    with pytest.raises(ValueError):
        encode_page_image(image, ColourMode.auto, 200)


# ---- PDF/A structure and metadata ----------------------------------------------------------------------


def test_xmp_and_docinfo_carry_pdfa_id_and_metadata(text_pdf: tuple[Path, PageText]) -> None:
    with pikepdf.open(text_pdf[0]) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert meta["dc:title"] == META.title
        assert set(meta["dc:language"]) == {"vi"}
        assert meta["xmp:CreatorTool"] == "dossier 0.1.0"
        assert meta["pdf:Producer"].startswith("dossier 0.1.0")
        assert meta["xmp:CreateDate"] == "2024-05-01T09:30:15+07:00"
        assert meta["xmp:ModifyDate"] == meta["xmp:MetadataDate"]
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "/Filter" not in pdf.Root.Metadata  # PDF/A: metadata streams are not filtered
        for prop, value in (("DossierId", "HS-TEST-0001"), ("PageCount", "1"), ("Device", META.device)):
            assert f"<dossier:{prop}>{value}</dossier:{prop}>" in xmp
        assert "2024-05-01T09:30:15+07:00</dossier:ScanTime>" in xmp
        assert f"<pdfaSchema:namespaceURI>{DOSSIER_XMP_NS}</pdfaSchema:namespaceURI>" in xmp
        assert str(pdf.docinfo.Title) == META.title
        assert str(pdf.docinfo.Creator) == "dossier 0.1.0"
        assert str(pdf.docinfo.CreationDate) == "D:20240501093015+07'00"
        assert len(pdf.trailer.ID) == 2
        assert "/Encrypt" not in pdf.trailer
        assert pdf.pdf_version == "1.7"


def test_output_intent_embeds_a_three_component_icc(text_pdf: tuple[Path, PageText]) -> None:
    with pikepdf.open(text_pdf[0]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert icc[12:20] == b"mntrRGB " and icc[36:40] == b"acsp"


def test_qpdf_check_passes(text_pdf: tuple[Path, PageText]) -> None:
    result = subprocess.run(["qpdf", "--check", text_pdf[0]], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_pikepdf_pdfa_validator_only_questions_our_extension_schema(tmp_path: Path) -> None:
    """pikepdf's allow-list validator passes everything but custom XMP namespaces, which it never allows
    (ISO 19005-2 6.6.2.3.2 does, when described by a PDF/A extension schema, as ours are)."""
    import pikepdf.pdfa as pdfa

    image, text, _ = seal_page(np.random.default_rng(6))
    gray, gray_text = text_page(HEADER)
    pages = [
        PdfPageSpec.scanned(encode_page_image(image, ColourMode.colour, 300), text),
        PdfPageSpec.scanned(encode_page_image(gray, ColourMode.gray, 300), gray_text),
        PdfPageSpec.scanned(encode_page_image(gray, ColourMode.bw, 300), gray_text),
    ]
    out = tmp_path / "mixed.pdf"
    write_pdf(pages, out, META)
    report = pdfa.validate_written(out, "2b")
    others = [f for f in report.findings if "6.6.2.3.1-1" not in f.rule]
    assert others == []
    questioned = " ".join(f.message for f in report.findings)
    assert "dossier" in questioned or not report.findings


# ---- born-digital pages and atomic output ---------------------------------------------------------


def test_born_digital_page_is_copied_with_its_text(tmp_path: Path) -> None:
    source = born_digital_source(tmp_path / "digital.pdf")
    image, text = bw_page(HEADER[:2])
    out = tmp_path / "mixed.pdf"
    pages = [
        PdfPageSpec.scanned(encode_page_image(image, ColourMode.bw, 300), text),
        PdfPageSpec.born_digital(source, 1),
    ]
    write_pdf(pages, out, META)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        assert "<dossier:PageCount>2</dossier:PageCount>" in pdf.Root.Metadata.read_bytes().decode()
    assert "Second digital page" in run("pdftotext", "-f", "2", "-l", "2", out, "-")
    assert "Độc lập - Tự do - Hạnh phúc" in run("pdftotext", "-f", "1", "-l", "1", out, "-")


def test_output_file_is_private(text_pdf: tuple[Path, PageText]) -> None:
    assert os.stat(text_pdf[0]).st_mode & 0o777 == 0o600


def test_failure_in_the_middle_leaves_no_file(tmp_path: Path) -> None:
    source = born_digital_source(tmp_path / "digital.pdf")
    image, text = bw_page(HEADER[:1])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "dossier.pdf"
    pages = [
        PdfPageSpec.scanned(encode_page_image(image, ColourMode.bw, 300), text),
        PdfPageSpec.born_digital(source, 5),  # the source has only two pages
    ]
    with pytest.raises(InputFileError):
        write_pdf(pages, out, META)
    assert list(out_dir.iterdir()) == []


def test_failure_keeps_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    out.write_bytes(b"old")
    with pytest.raises(InputFileError):
        write_pdf([PdfPageSpec.born_digital(tmp_path / "missing.pdf", 0)], out, META)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier.pdf"]


def test_unwritable_folder_raises_output_error(tmp_path: Path) -> None:
    image, text = bw_page(HEADER[:1], size=(300, 100))
    with pytest.raises(OutputError):
        write_one(tmp_path / "no" / "such" / "folder", encode_page_image(image, ColourMode.bw, 300), text)


def test_invalid_specs_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        PdfPageSpec()
    with pytest.raises(ValueError):
        write_pdf([], tmp_path / "x.pdf", META)
    naive = PdfMetadata("t", datetime(2024, 1, 1), "d", "dossier 0.1.0")  # naive on purpose
    with pytest.raises(ValueError):
        write_pdf([PdfPageSpec.born_digital(tmp_path / "x.pdf", 0)], tmp_path / "x.pdf", naive)


# ---- sizes and timings ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_sizes_and_timings_per_a4_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes per 300 dpi A4 page in the written PDF, and encode + write time per page."""
    rng = np.random.default_rng(7)
    text_gray, body = text_page([*HEADER[:2], *body_lines(34)])
    bw = np.where(scanned(text_gray, rng) < 128, 0, 255).astype(np.uint8)
    seal, seal_text, _ = seal_page(rng)
    cases = {
        "bw text": (bw, ColourMode.bw, body, 60_000),
        "gray photo": (photo_page(rng), ColourMode.gray, None, 250_000),
        "colour seal (MRC)": (seal, ColourMode.colour, seal_text, 250_000),
    }
    empty = tmp_path / "empty.pdf"
    write_pdf([PdfPageSpec.scanned(encode_page_image(bw[:8, :8], ColourMode.bw, 300), None)], empty, META)
    overhead = empty.stat().st_size  # fonts, ICC profile, XMP: paid once per file
    report = [f"file overhead {overhead} B"]
    for name, (image, mode, text, limit) in cases.items():
        start = time.perf_counter()
        encoded = encode_page_image(image, mode, 300)
        encoded_at = time.perf_counter()
        out = write_one(tmp_path, encoded, text, name=f"{mode}.pdf")
        done = time.perf_counter()
        size = out.stat().st_size - overhead
        timing = f"encode {encoded_at - start:.2f} s, write {done - encoded_at:.2f} s"
        report.append(f"{name}: {size / 1024:.1f} KB/page, {timing}")
        assert size < limit, report[-1]
    with capsys.disabled():
        print("\n" + "\n".join(report))
