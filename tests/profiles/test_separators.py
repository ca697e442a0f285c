"""Separator sheets: the printed PDF, its QR code read back from a skewed noisy scan, page assignments."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from click.testing import CliRunner

from dossier.profiles.checklist import Status, check_pages
from dossier.profiles.classify import Document
from dossier.profiles.loader import profile_for
from dossier.profiles.separators import (
    SeparatorMark,
    apply_separators,
    assignments_from_separators,
    decode_qr_payloads,
    find_separator,
    parse_payload,
    separator_from_text,
    separator_payload,
    write_separator_pdf,
)
from dossier.profiles.separators_cli import separators


@pytest.fixture(scope="module")
def birth():
    return profile_for("1.001193")


@pytest.fixture(scope="module")
def sheets(birth, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sep") / "to-phan-cach.pdf"
    write_separator_pdf(birth, out)
    return out


def _scanned(pdf: Path, page: int, tmp_path: Path) -> np.ndarray:
    """Page `page` of the PDF rendered at 150 dpi, turned 3 degrees and given scanner grain (BGR)."""
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(tmp_path / "r"),
        ],
        check=True,
    )
    gray = cv2.imread(str(next(tmp_path.glob("r*.png"))), cv2.IMREAD_GRAYSCALE)
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 3, 1.0)
    turned = cv2.warpAffine(gray, matrix, (width, height), borderValue=235)
    noise = np.random.default_rng(7).normal(0, 14, turned.shape)
    grainy = np.clip(turned.astype(np.float32) * 0.85 + 25 + noise, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grainy, cv2.COLOR_GRAY2BGR)


def test_one_pdfa_page_per_component(birth, sheets: Path) -> None:
    with pikepdf.open(sheets) as pdf:
        assert len(pdf.pages) == len(birth.components)
        assert "pdfaid" in str(pdf.open_metadata())
    assert sheets.stat().st_mode & 0o777 == 0o600


def test_qr_decodes_from_a_skewed_noisy_150_dpi_scan(birth, sheets: Path, tmp_path: Path) -> None:
    mark = find_separator(_scanned(sheets, 2, tmp_path))
    assert mark == SeparatorMark(component=birth.components[1].id, procedure="1.001193", source="qr")


def test_an_ordinary_page_has_no_separator() -> None:
    page = np.full((1754, 1240, 3), 240, np.uint8)
    cv2.putText(page, "GIAY CHUNG SINH", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 3, (0, 0, 0), 6)
    assert find_separator(page) is None


def test_payload_round_trip_and_bad_payloads_ignored() -> None:
    assert parse_payload(separator_payload("1.001193", "TP02")) == SeparatorMark("TP02", "1.001193", "qr")
    for bad in (
        "https://example.org",
        "DOSSIER-SEP:2:1.001193:TP02",  # unknown version
        "DOSSIER-SEP:1:1.001193",  # no component
        "DOSSIER-SEP:1:1.001193:TP 02",
        "",
    ):
        assert parse_payload(bad) is None


def test_ocr_text_fallback_mends_the_id(birth) -> None:
    text = "TỜ PHÂN CÁCH\nThành phần TPO2\nGiấy chứng sinh\nThủ tục 1.001193: Đăng ký khai sinh"
    assert separator_from_text(text, birth) == SeparatorMark("TP02", "1.001193", "text")
    no_accents = "TO PHAN CACH\nThanh phan TP01"
    assert separator_from_text(no_accents, birth) == SeparatorMark("TP01", "1.001193", "text")


def test_ocr_text_fallback_needs_the_title_and_a_known_id(birth) -> None:
    assert separator_from_text("TỜ KHAI ĐĂNG KÝ KHAI SINH\nTP01", birth) is None
    assert separator_from_text("TỜ PHÂN CÁCH\nThành phần TP99", birth) is None
    assert separator_from_text("", birth) is None


def test_assignments_from_separators() -> None:
    sep = SeparatorMark
    marks = [
        None,
        sep("TP01", "x", "qr"),
        None,
        None,
        sep("TP02", None, "text"),
        None,
        sep("TP07", "x", "qr"),
    ]
    assert assignments_from_separators(marks) == {
        2: "none",
        3: "TP01",
        4: "TP01",
        5: "none",
        6: "TP02",
        7: "none",
    }
    assert assignments_from_separators([None, None]) == {}


def test_separators_drive_the_checklist(birth) -> None:
    """Pages after a separator count as its component even when their text matches nothing."""
    texts = [
        "TỜ PHÂN CÁCH\nThành phần TP01",
        "trang mờ không đọc được",
        "TỜ PHÂN CÁCH\nThành phần TP02",
        "abc",
    ]
    marks = [separator_from_text(t, birth) for t in texts]
    report = check_pages(texts, birth, assignments_from_separators(marks))
    status = {item.component.id: item for item in report.items}
    assert status["TP01"].status is Status.present and status["TP01"].pages == (2,)
    assert status["TP02"].status is Status.present and status["TP02"].pages == (4,)
    assert report.unclassified_pages == ()


def test_apply_separators_keeps_sheet_evidence() -> None:
    documents = (
        Document(None, (1,), 0.0, "?"),
        Document(None, (2, 3), 0.0, "?"),
        Document("TP05", (4,), 0.9, "t"),
    )
    marks = [SeparatorMark("TP01", "1.001193", "qr"), None, None, None]
    result = apply_separators(documents, marks)
    assert [(d.component, d.pages) for d in result] == [("TP01", (2, 3, 4))]
    assert "trang 1" in result[0].evidence


def test_cli_writes_the_sheets(tmp_path: Path) -> None:
    out = tmp_path / "sep.pdf"
    result = CliRunner().invoke(separators, ["--procedure", "1.001193", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == len(profile_for("1.001193").components)
    assert "Ví dụ" in CliRunner().invoke(separators, ["--help"]).output


@pytest.mark.tesseract
def test_tesseract_text_of_a_scanned_sheet_is_recognised(birth, sheets: Path, tmp_path: Path) -> None:
    import pytesseract

    text = pytesseract.image_to_string(_scanned(sheets, 3, tmp_path), lang="vie")
    assert separator_from_text(text, birth) == SeparatorMark(birth.components[2].id, "1.001193", "text")


def test_a_foreign_qr_code_is_not_a_separator() -> None:
    import segno

    modules = np.pad(np.array(segno.make("https://example.org/hoa-don/123", micro=False).matrix, bool), 4)
    page = np.full((1754, 1240), 255, np.uint8)
    code = np.where(np.kron(modules, np.ones((10, 10), bool)), 0, 255).astype(np.uint8)
    page[300 : 300 + code.shape[0], 300 : 300 + code.shape[1]] = code
    assert decode_qr_payloads(page) == ["https://example.org/hoa-don/123"]  # read, but not ours
    assert find_separator(page) is None
