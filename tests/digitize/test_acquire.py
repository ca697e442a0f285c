"""Acquiring pages from files: formats, folders, PDFs, and every kind of bad input."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from dossier.digitize import acquire
from dossier.errors import InputFileError
from dossier.models import SourceKind
from tests.conftest import VIETNAMESE_LINES, render_text_page, write_text_pdf


def test_multipage_tiff_lists_each_frame(tmp_path: Path) -> None:
    pages = [render_text_page(VIETNAMESE_LINES[:2]), render_text_page(VIETNAMESE_LINES[2:4])]
    path = tmp_path / "ho-so.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(150, 150))
    found = acquire.probe_file(path, first_index=5)
    assert [p.index for p in found] == [5, 6]
    assert [p.frame for p in found] == [0, 1]
    assert all(p.dpi == pytest.approx(150, abs=1) for p in found)
    image, dpi = acquire.load_image_page(found[1], default_dpi=300)
    assert image.shape[:2] == (1754, 1240)
    assert dpi == pytest.approx(150, abs=1)


def test_folder_is_expanded_in_natural_order(tmp_path: Path) -> None:
    for name in ["page10.png", "page2.png", "page1.jpg", "notes.txt", ".hidden.png"]:
        (tmp_path / name).write_bytes(b"x")
    names = [p.name for p in acquire.expand_sources([tmp_path])]
    assert names == ["page1.jpg", "page2.png", "page10.png"]


def test_image_without_dpi_guesses_a4(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (1200, 1700), "white").save(path, quality=80)
    (page,) = acquire.probe_file(path, 1)
    _, dpi = acquire.load_image_page(page, default_dpi=300)
    assert dpi == pytest.approx(1700 / 11.69, rel=0.01)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.png", b"", "rỗng"),
        ("notes.png", "Đây là một tệp văn bản, không phải ảnh.\n".encode(), "Không phải là tệp ảnh"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage", "PDF bị hỏng"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        acquire.probe_file(path, 1)
    assert caught.value.path == path
    assert reason in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="Không tìm thấy"):
        acquire.probe_file(tmp_path / "absent.png", 1)


def test_truncated_png_fails_when_decoded(tmp_path: Path, text_page_png: Path) -> None:
    data = text_page_png.read_bytes()
    path = tmp_path / "truncated.png"
    path.write_bytes(data[: len(data) // 2])
    pages = acquire.probe_file(path, 1)  # the header is intact
    with pytest.raises(InputFileError, match="hỏng") as caught:
        acquire.load_image_page(pages[0], 300)
    assert caught.value.path == path


def test_truncated_jpeg_fails_when_decoded(tmp_path: Path, text_page_png: Path) -> None:
    jpeg = tmp_path / "full.jpg"
    Image.open(text_page_png).save(jpeg, quality=85)
    path = tmp_path / "truncated.jpg"
    path.write_bytes(jpeg.read_bytes()[:3000])
    with pytest.raises(InputFileError):
        pages = acquire.probe_file(path, 1)
        acquire.load_image_page(pages[0], 300)


def _png_bomb(path: Path, width: int, height: int) -> None:
    """A tiny PNG that claims to be width x height pixels (decompression bomb): header and one IDAT chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * 1000)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    _png_bomb(path, 50000, 50000)
    assert path.stat().st_size < 2000
    with pytest.raises(InputFileError, match="quá lớn"):
        acquire.probe_file(path, 1)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(InputFileError, match="mật khẩu"):
        acquire.probe_file(path, 1)


def test_scanned_pdf_is_rasterized_and_text_pdf_is_born_digital(tmp_path: Path, text_page_png: Path) -> None:
    scanned = tmp_path / "scanned.pdf"
    Image.open(text_page_png).convert("RGB").save(scanned, resolution=150)
    (page,) = acquire.probe_file(scanned, 1)
    assert page.source.kind == SourceKind.pdf
    assert not page.born_digital
    image, dpi = acquire.load_image_page(page, default_dpi=200)
    assert dpi == 200
    assert image.shape[2] == 3
    assert abs(image.shape[1] - 8.27 * 200) < 5
    assert np.mean(image) > 200  # mostly white paper

    text_pdf = tmp_path / "born-digital.pdf"
    write_text_pdf(text_pdf, "Giấy chứng nhận quyền sử dụng đất số 123 cấp ngày 18 tháng 9 năm 2017")
    (page,) = acquire.probe_file(text_pdf, 1)
    assert page.born_digital


def test_probe_files_keeps_good_files_and_reports_bad_ones(tmp_path: Path, text_page_png: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("không phải ảnh")
    pages, failures = acquire.probe_files([text_page_png, bad, text_page_png])
    assert [p.index for p in pages] == [1, 2]
    assert [f.name for f in failures] == [str(bad)]
