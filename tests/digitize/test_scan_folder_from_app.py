"""Scanning on Windows: an app (NAPS2's console) writes an image per page, then `dossier scan FOLDER`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.digitize.acquire import expand_sources
from tests.conftest import VIETNAMESE_LINES, render_text_page

# `NAPS2.Console.exe -o "C:\quet\hs-001\hs-$(YYYY)$(MM)$(DD)-$(nnnn).jpg" --split` writes these names;
# `$(n)` (no padding) gives trang-1.jpg ... trang-10.jpg, whose order only a natural sort keeps.
NAPS2_PADDED = [f"hs-20261202-{n:04d}.jpg" for n in (1, 2, 3)]
NAPS2_UNPADDED = [f"trang-{n}.jpg" for n in range(1, 12)]


def test_unpadded_numbers_come_in_page_order(tmp_path: Path) -> None:
    for name in reversed(NAPS2_UNPADDED):  # written in another order than the names say
        (tmp_path / name).write_bytes(b"\xff\xd8 not read here")
    (tmp_path / "Thumbs.db").write_bytes(b"windows thumbnail cache")  # ignored: not an image or PDF
    assert [p.name for p in expand_sources([tmp_path])] == NAPS2_UNPADDED


@pytest.mark.tesseract
def test_scan_of_a_folder_written_by_a_scanning_app(tmp_path: Path) -> None:
    folder = tmp_path / "quet" / "hs-001"
    folder.mkdir(parents=True)
    for number, name in reversed(list(enumerate(NAPS2_PADDED, start=1))):
        page = render_text_page([f"TRANG SO {number}", *VIETNAMESE_LINES[:4]])
        page.convert("L").save(folder / name, dpi=(200, 200), quality=85)  # JPEG, as the app writes it
        os.utime(folder / name, (1_000_000 + 10 * (4 - number),) * 2)  # newest first: order is by name
    out = tmp_path / "hs-001"
    result = CliRunner().invoke(cli, ["scan", str(folder), "--out", str(out), "--jobs", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pages"] == 3
    (pdf,) = out.glob("*.pdf")
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in (1, 2, 3)
    ]
    found = [f"TRANGSO{n}" in "".join(text.split()) for n, text in enumerate(pages, start=1)]
    assert found == [True, True, True]  # page n of the PDF is the app's page n
