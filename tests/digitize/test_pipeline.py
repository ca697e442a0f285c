"""`dossier scan` end to end on generated pages with real Tesseract: outputs, manifest, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image
from rapidfuzz.distance import Levenshtein

from dossier.cli import cli
from dossier.errors import ExitCode
from dossier.fsutil import sha256_file
from tests.conftest import VIETNAMESE_LINES, render_text_page, write_text_pdf

pytestmark = pytest.mark.tesseract

ID_NUMBER = "049196001234"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def cer(expected: str, actual: str) -> float:
    expected, actual = " ".join(expected.split()), " ".join(actual.split())
    return Levenshtein.distance(expected, actual) / max(1, len(expected))


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    first = folder / "01-to-khai.png"
    render_text_page([*VIETNAMESE_LINES, f"Số định danh cá nhân: {ID_NUMBER}"]).save(first, dpi=(150, 150))
    second = folder / "02-rotated.jpg"
    render_text_page(VIETNAMESE_LINES[2:]).rotate(90, expand=True).save(second, dpi=(150, 150), quality=90)
    blank = folder / "03-blank.png"
    Image.new("L", (1240, 1754), 250).save(blank, dpi=(150, 150))
    return {"first": first, "rotated": second, "blank": blank, "folder": folder}


def test_scan_folder_writes_searchable_pdf_and_manifest(pages: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "hs-001"
    result = invoke("scan", str(pages["folder"]), "--out", str(out), "--jobs", "2", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["pages"] == 2
    assert [b["source"] for b in document["blank_pages"]] == [str(pages["blank"])]

    pdf = out / "scan.pdf"
    text = pdftotext(pdf)
    assert cer("\n".join(VIETNAMESE_LINES), text.split("\f")[0].split("Số định danh")[0]) < 0.05
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text.split("\f")[1]  # the rotated page was turned upright

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == [
        {"path": "scan.pdf", "sha256": sha256_file(pdf), "size": pdf.stat().st_size, "pages": 2}
    ]
    first, second = manifest["pages"]
    assert first["source"] == {"kind": "image", "name": str(pages["first"]), "page": 1}
    assert second["rotation"] in (90, 270)
    assert first["ocr_confidence"] > 70
    assert set(first["timings"]) >= {"load", "clean", "ocr", "encode"}
    assert manifest["blank_pages"][0]["source"]["name"] == str(pages["blank"])
    assert manifest["blank_pages"][0]["dropped"] is True
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o600
    assert out.stat().st_mode & 0o777 == 0o700
    assert not list(tmp_path.glob(".hs-001*")), "staging or lock files left behind"


def test_bad_files_are_listed_and_good_pages_still_come_out(pages: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    fake = tmp_path / "ghi-chu.png"
    fake.write_text("tệp văn bản")
    out = tmp_path / "out"
    result = invoke("scan", str(pages["first"]), str(empty), str(fake), "--out", str(out), "--json")
    assert result.exit_code == ExitCode.partial
    document = json.loads(result.stdout)
    assert {f["source"] for f in document["failed"]} == {str(empty), str(fake)}
    assert document["pages"] == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert {f["name"] for f in manifest["failed"]} == {str(empty), str(fake)}


def test_summary_table_lists_bad_sources(pages: dict[str, Path], tmp_path: Path) -> None:
    fake = tmp_path / "ghi-chu.png"
    fake.write_text("tệp văn bản")
    result = invoke("scan", str(pages["first"]), str(fake), "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.partial
    assert "ghi-chu.png" in result.output
    assert "scan.pdf" in result.output


def test_only_bad_input_fails_without_output(tmp_path: Path) -> None:
    fake = tmp_path / "ghi-chu.png"
    fake.write_text("tệp văn bản")
    out = tmp_path / "out"
    result = invoke("scan", str(fake), "--out", str(out))
    assert result.exit_code == ExitCode.input_file
    assert "ghi-chu.png" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ghi-chu.png"]


def test_truncated_image_in_a_run_is_reported(pages: dict[str, Path], tmp_path: Path) -> None:
    truncated = tmp_path / "cut.png"
    data = pages["first"].read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    result = invoke("scan", str(pages["first"]), str(truncated), "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == ExitCode.partial
    (failed,) = json.loads(result.stdout)["failed"]
    assert failed["source"] == str(truncated)
    assert "hỏng" in failed["reason"]


def test_rescan_replaces_the_previous_dossier(pages: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("scan", str(pages["first"]), "--out", str(out)).exit_code == 0
    assert invoke("scan", str(pages["first"]), str(pages["rotated"]), "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["pages"]) == 2


def test_logs_never_show_id_numbers(pages: dict[str, Path], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "-vv", "scan", str(pages["first"]), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "scan.pdf" in result.stdout
    assert ID_NUMBER not in result.stdout + result.stderr
    assert ID_NUMBER in pdftotext(tmp_path / "o" / "scan.pdf").replace(" ", "")


@pytest.mark.slow
def test_kill_mid_run_keeps_the_previous_dossier(pages: dict[str, Path], tmp_path: Path) -> None:
    """SIGKILL while pages are being processed: the old complete dossier stays, the next run cleans up."""
    out = tmp_path / "out"
    assert invoke("scan", str(pages["first"]), "--out", str(out)).exit_code == 0
    before = (out / "scan.pdf").read_bytes()
    many = [str(pages["first"])] * 12
    process = subprocess.Popen(
        [sys.executable, "-m", "dossier", "scan", *many, "--out", str(out), "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.partial-*/.work/*.png")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert (out / "scan.pdf").read_bytes() == before
    assert list(tmp_path.glob(".out.partial-*")), "the killed run should have been mid-way"
    again = invoke("scan", str(pages["first"]), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert not list(tmp_path.glob(".out.partial-*"))


@pytest.mark.scanner
def test_scan_from_the_virtual_scanner(sane_config: Path, tmp_path: Path) -> None:
    page = tmp_path / "trang.ppm"
    render_text_page(VIETNAMESE_LINES).save(page)
    out = tmp_path / "hs"
    result = invoke(
        "scan",
        "--device",
        "pnm:0",
        "--device-option",
        f"filename={page}",
        "--dpi",
        "150",
        "--out",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pages"][0]["source"] == {"kind": "scanner", "name": "pnm:0", "page": 1}
    assert manifest["options"]["device"] == "pnm:0"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdftotext(out / "scan.pdf")
    assert not (tmp_path / ".hs.scans").exists()


def jammed_scanner(sheet: Path) -> list[str]:
    """Options for SANE's virtual `pnm` scanner told to report a paper jam on `sheet`."""
    return [
        "--device",
        "pnm:0",
        "--device-option",
        f"filename={sheet}",
        "--device-option",
        "status-jammed=yes",
    ]


@pytest.mark.scanner
def test_jammed_scanner_is_listed_and_file_pages_still_come_out(
    sane_config: Path, pages: dict[str, Path], tmp_path: Path
) -> None:
    sheet = tmp_path / "trang.ppm"
    render_text_page(VIETNAMESE_LINES).save(sheet)
    out = tmp_path / "hs"
    result = invoke("scan", str(pages["first"]), *jammed_scanner(sheet), "--out", str(out), "--json")
    assert result.exit_code == ExitCode.partial
    document = json.loads(result.stdout)
    assert document["pages"] == 1
    (failed,) = document["failed"]
    assert failed["source"] == "pnm:0"
    assert "kẹt giấy" in failed["reason"]


@pytest.mark.scanner
def test_jammed_scanner_alone_fails_clearly(sane_config: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "trang.ppm"
    render_text_page(VIETNAMESE_LINES).save(sheet)
    result = invoke("scan", *jammed_scanner(sheet), "--out", str(tmp_path / "hs"))
    assert result.exit_code == ExitCode.input_file
    assert "pnm:0" in result.output and "kẹt giấy" in result.output
    assert not (tmp_path / "hs").exists()


def test_empty_folder_is_listed_and_other_sources_come_out(pages: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "thu-muc-rong"
    empty.mkdir()
    result = invoke("scan", str(empty), str(pages["first"]), "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == ExitCode.partial
    document = json.loads(result.stdout)
    assert document["pages"] == 1
    assert [f["source"] for f in document["failed"]] == [str(empty)]


def test_pdf_with_a_text_page_and_a_scanned_page(pages: dict[str, Path], tmp_path: Path) -> None:
    """The page that already carries text is copied untouched; the scanned one is OCRed."""
    text_pdf = tmp_path / "text.pdf"
    write_text_pdf(text_pdf, "Giay chung nhan quyen su dung dat so 123 cap ngay 18 thang 9 nam 2017")
    scanned_pdf = tmp_path / "scanned.pdf"
    Image.open(pages["first"]).convert("RGB").save(scanned_pdf, resolution=150)
    mixed = tmp_path / "mixed.pdf"
    with pikepdf.open(text_pdf) as first, pikepdf.open(scanned_pdf) as second:
        first.pages.extend(second.pages)
        first.save(mixed)
    out = tmp_path / "out"
    result = invoke("scan", str(mixed), "--out", str(out), "--dpi", "200")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert [p["born_digital"] for p in manifest["pages"]] == [True, False]
    assert "ocr_confidence" not in manifest["pages"][0]
    first_text, second_text = pdftotext(out / "scan.pdf").split("\f")[:2]
    assert "Giay chung nhan quyen su dung dat so 123" in first_text
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in second_text


def test_a_page_tesseract_cannot_read_is_flagged(pages: dict[str, Path], tmp_path: Path) -> None:
    """A page in a script the `vie` model does not know (here: glyph-like marks) is kept but flagged."""
    rng = np.random.default_rng(3)
    unreadable = np.full((1754, 1240), 255, np.uint8)
    for row in range(20):
        for col in range(30):
            if rng.random() < 0.7:
                y, x = 200 + row * 60, 100 + col * 34
                cv2.ellipse(unreadable, (x, y), (12, 18), float(rng.integers(0, 180)), 0, 300, 0, 3)
                cv2.line(unreadable, (x - 10, y), (x + 10, y - 15), 0, 3)
    path = tmp_path / "unreadable.png"
    cv2.imwrite(str(path), unreadable)
    result = invoke("scan", str(pages["first"]), str(path), "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["pages"] == 2
    assert document["low_confidence_pages"] == [2]
    checked = invoke("check", str(tmp_path / "o"), "--procedure", "1.001193", "--json")
    assert checked.exit_code != 0  # page 2 matches nothing: never a complete dossier
    assert json.loads(checked.stdout)["unreadable_pages"] == [2]
    told = invoke("check", str(tmp_path / "o"), "--procedure", "1.001193")
    assert "Trang 2: Tesseract hầu như không đọc được chữ" in " ".join(told.stdout.split())
