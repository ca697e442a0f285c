"""The scan's manifest: every output file with its SHA-256, where each page came from and what was done to it.

Built here from the scan's result as the typed `Manifest` of `dossier.store.manifest` (which owns the format);
written into the folder by `DossierFolder.write_manifest`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dossier import __version__
from dossier.models import ProcessedPage, ScanResult
from dossier.store.manifest import FailedEntry, Manifest, ManifestFile, PageEntry, PageSource

# Below this mean word confidence Tesseract is mostly guessing: another language or script, handwriting, or
# a very poor image. The page is kept, but the officer is told to look at it.
LOW_OCR_CONFIDENCE = 60.0


def page_entry(page: ProcessedPage, number: int | None = None, file: str | None = None) -> PageEntry:
    extra: dict[str, Any] = {}
    if page.raw.born_digital:
        extra["removed_active_content"] = list(page.raw.removed_active_content)
    if page.clean is not None:
        extra.update(
            rotation=page.clean.rotation,
            skew=round(page.clean.skew, 2),
            crop=list(page.clean.crop),
            mode=str(page.clean.mode),
            colour_fraction=round(page.clean.colour_fraction, 5),
            dpi=round(page.dpi, 1),
            width=page.width,
            height=page.height,
        )
    if page.text is not None and (page.text.left_out or page.text.corrected):
        extra["ocr_words_left_out"] = page.text.left_out
        extra["ocr_words_corrected"] = page.text.corrected
    if page.timings:
        extra["timings"] = {k: round(v, 3) for k, v in page.timings.items()}
    source = page.raw.source
    return PageEntry(
        source=PageSource(str(source.kind), source.name, source.page),
        born_digital=page.raw.born_digital,
        page=number,
        file=file,
        ocr_confidence=page.text.mean_confidence if page.text is not None else None,
        words=len(page.text.words) if page.text is not None else None,
        extra=extra,
    )


def build_manifest(
    result: ScanResult, options: dict[str, object], scan_time: datetime, timings: dict[str, float]
) -> Manifest:
    pdf = result.files[0].path
    return Manifest(
        software=f"dossier {__version__}",
        scan_time=scan_time.isoformat(timespec="seconds"),
        options=options,
        files=tuple(ManifestFile(f.path, f.sha256, f.size, f.pages) for f in result.files),
        pages=tuple(page_entry(p, n, pdf) for n, p in enumerate(result.pages, start=1)),
        blank_pages=tuple(page_entry(p) for p in result.blank_pages),
        failed=tuple(FailedEntry(f.name, f.reason, f.exit_code) for f in result.failed),
        timings={k: round(v, 3) for k, v in timings.items()},
    )


def unreadable_pages(manifest: Manifest) -> list[int]:
    """Pages of scan.pdf that were OCRed but whose text layer is unreliable (no words, or low confidence)."""
    return [
        entry.page
        for entry in manifest.pages
        if entry.page is not None
        and entry.ocr_confidence is not None
        and (not entry.words or entry.ocr_confidence < LOW_OCR_CONFIDENCE)
    ]
