"""`dossier scan` post-corrects each OCR line in Vietnamese; DOSSIER_OCR_POSTCORRECT=0 turns that off."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from dossier.cli import cli
from dossier.digitize.ocr import postcorrected
from dossier.fonts import pil_font
from dossier.models import Word

pytestmark = pytest.mark.tesseract


def _line(texts: list[str], line: tuple[int, int, int]) -> list[Word]:
    return [Word(t, 100 * i, 0, 80, 30, 90.0, line) for i, t in enumerate(texts)]


def test_each_line_is_corrected_in_its_own_context() -> None:
    words = (*_line(["GIÁM", "ĐOC"], (1, 1, 1)), *_line(["Số:", "064195374850"], (1, 1, 2)))
    fixed = postcorrected(words)
    assert [w.text for w in fixed] == ["GIÁM", "ĐỐC", "Số:", "064195374850"]
    assert fixed[0] is words[0] and fixed[1].left == words[1].left  # boxes kept


@pytest.fixture
def misprinted(tmp_path: Path) -> Path:
    """A letter whose print has an invalid syllable: 'Giám đoc' (the tone mark of 'đốc' missing)."""
    page = Image.new("L", (2480, 1000), 255)
    draw = ImageDraw.Draw(page)
    font = pil_font("Regular", 54)
    draw.text((270, 250), "Kính gửi: Giám đoc Sở Tư pháp tỉnh Quảng Nam", font=font, fill=0)
    draw.text((270, 360), "Đề nghị cấp bản sao trích lục khai sinh.", font=font, fill=0)
    path = tmp_path / "trang.png"
    page.save(path, dpi=(300, 300))
    return path


@pytest.mark.parametrize(("setting", "read"), [(None, "đốc"), ("0", "đoc")])
def test_scan_writes_the_corrected_words_into_the_text_layer(
    misprinted: Path, tmp_path: Path, setting: str | None, read: str
) -> None:
    out = tmp_path / "hs"
    env = {"DOSSIER_OCR_POSTCORRECT": setting} if setting else {}
    result = CliRunner(env=env).invoke(cli, ["scan", str(misprinted), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(out / "scan.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Giám {read} Sở" in text
    page = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["pages"][0]
    assert page.get("ocr_words_corrected", 0) == (1 if setting is None else 0)
