"""manifest.json: every output file with its SHA-256, where each page came from and what was done to it."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from dossier import __version__
from dossier.fsutil import atomic_write_text
from dossier.models import ProcessedPage, ScanResult

# Below this mean word confidence Tesseract is mostly guessing: another language or script, handwriting, or
# a very poor image. The page is kept, but the officer is told to look at it.
LOW_OCR_CONFIDENCE = 60.0

MANIFEST_FORMAT = "dossier-scan/1"


def _page_entry(page: ProcessedPage) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "source": {
            "kind": str(page.raw.source.kind),
            "name": page.raw.source.name,
            "page": page.raw.source.page,
        },
        "born_digital": page.raw.born_digital,
    }
    if page.raw.born_digital:
        entry["removed_active_content"] = list(page.raw.removed_active_content)
    if page.clean is not None:
        entry.update(
            rotation=page.clean.rotation,
            skew=round(page.clean.skew, 2),
            crop=list(page.clean.crop),
            mode=str(page.clean.mode),
            colour_fraction=round(page.clean.colour_fraction, 5),
            dpi=round(page.dpi, 1),
            width=page.width,
            height=page.height,
        )
    if page.text is not None:
        entry.update(ocr_confidence=page.text.mean_confidence, words=len(page.text.words))
    if page.timings:
        entry["timings"] = {k: round(v, 3) for k, v in page.timings.items()}
    return entry


def build_manifest(
    result: ScanResult, options: dict[str, object], scan_time: datetime, timings: dict[str, float]
) -> dict[str, Any]:
    pdf = result.files[0].path
    pages = []
    for number, page in enumerate(result.pages, start=1):
        pages.append({"page": number, "file": pdf, **_page_entry(page)})
    return {
        "format": MANIFEST_FORMAT,
        "software": f"dossier {__version__}",
        "scan_time": scan_time.isoformat(timespec="seconds"),
        "options": options,
        "files": [asdict(f) for f in result.files],
        "pages": pages,
        "blank_pages": [{"dropped": True, "reason": "blank", **_page_entry(p)} for p in result.blank_pages],
        "failed": [asdict(f) for f in result.failed],
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def unreadable_pages(manifest: dict[str, Any]) -> list[int]:
    """Pages of scan.pdf that were OCRed but whose text layer is unreliable (no words, or low confidence)."""
    return [
        int(entry["page"])
        for entry in manifest.get("pages", [])
        if "ocr_confidence" in entry
        and (not entry.get("words") or float(entry["ocr_confidence"]) < LOW_OCR_CONFIDENCE)
    ]
