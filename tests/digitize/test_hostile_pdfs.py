"""`dossier scan` on odd and hostile PDFs: a bad file is a failed source (the good ones kept), real text is
never dropped as blank, broken or active content never reaches the PDF/A, limits refuse bombs before work."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode
from tests.conftest import VIETNAMESE_LINES, render_text_page
from tests.digitize import hostile_pdfs as hostile

pytestmark = pytest.mark.tesseract


def scan(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["scan", *map(str, args), "--jobs", "1"], env=env)


@pytest.fixture
def good_png(tmp_path: Path) -> Path:
    path = tmp_path / "trang-tot.png"
    render_text_page(VIETNAMESE_LINES[:4]).save(path, dpi=(150, 150))
    return path


def json_of(result) -> dict:
    return json.loads(result.stdout)


@pytest.mark.parametrize("maker", [hostile.empty_kids_pdf, hostile.looping_tree_pdf])
def test_a_malformed_page_tree_is_a_failed_source_and_the_good_pages_stay(
    maker, good_png: Path, tmp_path: Path
) -> None:
    bad = maker(tmp_path / "cay-trang-hong.pdf")
    result = scan(bad, good_png, "--out", tmp_path / "hs", "--json")
    assert result.exit_code == ExitCode.partial, result.output
    document = json_of(result)
    assert document["pages"] == 1
    assert [Path(f["source"]).name for f in document["failed"]] == ["cay-trang-hong.pdf"]


def test_junk_before_the_pdf_header_is_read(tmp_path: Path) -> None:
    source = hostile.junk_prefixed_pdf(tmp_path / "rac-dau-tep.pdf", "A page behind fourteen junk bytes")
    result = scan(source, "--out", tmp_path / "hs", "--json")
    assert result.exit_code == ExitCode.ok, result.output
    assert json_of(result)["pages"] == 1


@pytest.mark.parametrize(
    ("texts", "font_size"), [(("Once upon a qoww.",), 6), (("A", "B"), 10), (("Big",), 8)]
)
def test_a_page_with_any_text_is_never_dropped_as_blank(
    texts: tuple[str, ...], font_size: float, tmp_path: Path
) -> None:
    source = hostile.text_pdf(tmp_path / "it-chu.pdf", *texts, font_size=font_size)
    result = scan(source, "--out", tmp_path / "hs", "--json")
    assert result.exit_code == ExitCode.ok, result.output
    document = json_of(result)
    assert (document["pages"], document["blank_pages"]) == (len(texts), [])
    with pikepdf.open(tmp_path / "hs" / "scan.pdf") as pdf:
        assert len(pdf.pages) == len(texts)


def test_a_short_scanned_word_is_kept_and_the_summary_counts_dropped_pages(tmp_path: Path) -> None:
    folder = tmp_path / "anh"
    folder.mkdir()
    render_text_page(["Ký tên"], size=(1240, 1754), font_px=28).save(folder / "01-chu-ky.png", dpi=(150, 150))
    hostile.blank_pdf(folder / "02-trang.pdf")
    render_text_page(VIETNAMESE_LINES[:3]).save(folder / "03-noi-dung.png", dpi=(150, 150))
    result = scan(folder, "--out", tmp_path / "hs")
    assert result.exit_code == ExitCode.ok, result.output
    assert "Đã bỏ 1 trang trắng" in result.stdout
    with pikepdf.open(tmp_path / "hs" / "scan.pdf") as pdf:
        assert len(pdf.pages) == 2


def test_an_all_blank_refusal_names_the_input_and_json_gets_an_error_object(tmp_path: Path) -> None:
    source = hostile.blank_pdf(tmp_path / "chi-trang-trang.pdf")
    out = tmp_path / "thu-muc-ra"
    result = scan(source, "--out", out, "--json")
    assert result.exit_code == ExitCode.input_file
    error = json_of(result)["error"]
    assert error["exit_code"] == ExitCode.input_file and "chi-trang-trang.pdf" in error["path"]
    assert "chi-trang-trang.pdf" in result.stderr and "thu-muc-ra" not in result.stderr


def test_a_page_with_a_broken_image_stream_never_breaks_the_output(tmp_path: Path) -> None:
    source = hostile.broken_jpeg_pdf(tmp_path / "anh-hong.pdf", "This page draws a broken picture inside")
    result = scan(source, "--out", tmp_path / "hs", "--json")
    assert result.exit_code in (ExitCode.ok, ExitCode.input_file), result.output
    if result.exit_code == ExitCode.ok:
        check = subprocess.run(["qpdf", "--check", str(tmp_path / "hs" / "scan.pdf")], capture_output=True)
        assert check.returncode == 0, check.stdout + check.stderr
    else:
        assert "anh-hong.pdf" in result.stderr


def test_active_content_is_stripped_and_recorded(tmp_path: Path) -> None:
    source = hostile.active_content_pdf(tmp_path / "co-ma.pdf", "A born digital page with active content")
    result = scan(source, "--out", tmp_path / "hs", "--json")
    assert result.exit_code == ExitCode.ok, result.output
    with pikepdf.open(tmp_path / "hs" / "scan.pdf") as pdf:
        page = pdf.pages[0].obj
        assert "/AA" not in page and "/OpenAction" not in pdf.Root
        annots = list(page.get("/Annots", []))
        kinds = [str(a.get("/A", {}).get("/S", "")) for a in annots]
        assert "/Launch" not in kinds and "/JavaScript" not in kinds
        assert all(a.get("/Subtype") != pikepdf.Name.FileAttachment for a in annots)
        assert "/URI" in kinds  # a plain web link is allowed in PDF/A and kept
        assert b"calc.exe" not in (tmp_path / "hs" / "scan.pdf").read_bytes()
    manifest = json.loads((tmp_path / "hs" / "manifest.json").read_text(encoding="utf-8"))
    removed = manifest["pages"][0]["removed_active_content"]
    assert {"page-actions", "launch-action", "javascript-action", "embedded-file"} <= set(removed)


def run_scan_process(
    *args: object, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, int]:
    """`dossier scan` in a real process; also its peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(
        [sys.executable, "-m", "dossier", "scan", *map(str, args), "--jobs", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return completed, (peak if peak > before else 0) // 1024


def test_a_huge_page_is_rendered_with_capped_pixels_and_no_warning_leaks(tmp_path: Path) -> None:
    huge = hostile.text_pdf(tmp_path / "trang-khong-lo.pdf", "Big", size=(2083, 2083), font_size=40)
    widget = hostile.orphan_widget_pdf(tmp_path / "o-nhap.pdf", "A form page with a field to fill in")
    completed, peak_mb = run_scan_process(huge, widget, "--out", tmp_path / "hs")
    assert completed.returncode == ExitCode.ok, completed.stderr
    assert "PageCopyWarning" not in completed.stderr and "Warning" not in completed.stderr
    assert peak_mb < 1024, f"peak RSS {peak_mb} MB"


def test_too_many_pages_is_refused_before_work_starts(good_png: Path, tmp_path: Path) -> None:
    many = hostile.many_pages_pdf(tmp_path / "hai-muoi-nghin-trang.pdf", 20_001)
    started = time.monotonic()
    result = scan(many, "--out", tmp_path / "hs", "--json")
    assert result.exit_code == ExitCode.input_file, result.output
    assert time.monotonic() - started < 30
    assert "hai-muoi-nghin-trang.pdf" in json_of(result)["error"]["path"]
    assert "20001" in result.stderr or "20.001" in result.stderr
    # the limit is configurable: a low limit refuses a small file, next to a good source (a failed source)
    few = hostile.text_pdf(tmp_path / "ba-trang.pdf", "one page", "two page", "three page")
    config = tmp_path / "config.toml"
    config.write_text("[scan]\nmax-pages = 2\n", encoding="utf-8")
    limited = scan(few, good_png, "--out", tmp_path / "hs2", "--json", env={"DOSSIER_CONFIG": str(config)})
    assert limited.exit_code == ExitCode.partial, limited.output
    assert [Path(f["source"]).name for f in json_of(limited)["failed"]] == ["ba-trang.pdf"]


def test_a_compressed_stream_bomb_is_refused_quickly_with_little_memory(tmp_path: Path) -> None:
    bomb = hostile.stream_bomb_pdf(tmp_path / "bom-nen.pdf")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.monotonic()
    completed, peak_mb = run_scan_process(bomb, "--out", tmp_path / "hs")
    assert completed.returncode == ExitCode.input_file, completed.stderr
    assert time.monotonic() - started < 60
    assert "bom-nen.pdf" in completed.stderr
    assert peak_mb < 600, f"peak RSS {peak_mb} MB"
