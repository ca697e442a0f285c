"""Small trees of dossiers (a few tiny pages: Tesseract is the cost) and a way to run the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dossier.profiles.checklist import read_page_texts
from tests.conftest import VIETNAMESE_LINES, render_text_page

REPO = Path(__file__).resolve().parents[2]
SMALL = {"size": (620, 877), "font_px": 15, "dpi": 75}


def page_png(path: Path, first_line: int) -> None:
    lines = VIETNAMESE_LINES[first_line : first_line + 4]
    render_text_page(lines, **SMALL).save(path, dpi=(75, 75))


def page_pdf(path: Path, pages: int, first_line: int = 0) -> None:
    images = [
        render_text_page(VIETNAMESE_LINES[first_line + i : first_line + i + 4], **SMALL).convert("RGB")
        for i in range(pages)
    ]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=75)


def make_tree(src: Path) -> Path:
    """2019/hs 001/ (two page images), Hồ sơ B.pdf (two pages), 2019/hỏng.pdf (not a PDF): 4 good pages."""
    folder = src / "2019" / "hs 001"
    folder.mkdir(parents=True)
    page_png(folder / "trang1.png", 0)
    page_png(folder / "trang2.png", 3)
    page_pdf(src / "Hồ sơ B.pdf", 2, 2)
    (src / "2019" / "hỏng.pdf").write_bytes(b"%PDF-1.4 truncated garbage")
    return src


def batch_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "dossier", "batch", *map(str, args)]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "DOSSIER_LANG": "en"}


def run_dossier(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dossier", *map(str, args)]
    return subprocess.run(command, env=env(), capture_output=True, text=True, timeout=timeout)


def run_batch(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(batch_command(*args), env=env(), capture_output=True, text=True, timeout=timeout)


def start_batch(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        batch_command(*args),
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


def wait_for(condition, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def report(dest: Path) -> dict:
    return json.loads((dest / "batch-report.json").read_text(encoding="utf-8"))


def outcomes(document: dict) -> dict[str, str]:
    return {item["source"]: item["outcome"] for item in document["items"]}


def manifest_without_times(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("scan_time", None)
    manifest.pop("timings", None)
    for section in ("pages", "blank_pages"):
        for entry in manifest.get(section, []):
            entry.pop("timings", None)
    for entry in manifest.get("files", []):
        entry.pop("sha256", None)  # the PDF's bytes carry the scan time
        entry.pop("size", None)
    return manifest


def outputs(dest: Path) -> dict[str, tuple[list[str], dict]]:
    """Every output dossier's text layer and manifest (times aside), by folder."""
    return {
        str(m.parent.relative_to(dest)): (read_page_texts(m.parent / "scan.pdf"), manifest_without_times(m))
        for m in sorted(dest.rglob("manifest.json"))
    }
