"""The per-page work that runs in worker processes: load, clean, OCR and encode one page."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2

from dossier.digitize.acquire import load_image_page
from dossier.digitize.clean import clean_page_for_ocr
from dossier.digitize.encode import DEFAULT_JPEG_QUALITY, EncodedImage, encode_page_image
from dossier.digitize.ocr import ocr_image_file
from dossier.errors import DossierError
from dossier.models import ColourMode, PageText, ProcessedPage, RawPage


@dataclass(frozen=True)
class PageJob:
    page: RawPage
    work_dir: Path
    language: str
    colour: ColourMode
    default_dpi: float
    jpeg_quality: int | None = None


@dataclass(frozen=True)
class PageOutcome:
    """The result sent back to the parent: small (encoded bytes and words, no raw pixels)."""

    job: PageJob
    processed: ProcessedPage | None
    encoded: EncodedImage | None
    error: DossierError | None = None


# OCR words below this confidence on a near-empty page are speckles read as letters, not text.
REAL_WORD_CONFIDENCE = 50.0


def has_real_words(text: PageText | None) -> bool:
    return text is not None and any(
        word.confidence >= REAL_WORD_CONFIDENCE and any(ch.isalnum() for ch in word.text)
        for word in text.words
    )


def process_page(job: PageJob) -> PageOutcome:
    try:
        return _process(job)
    except DossierError as error:
        return PageOutcome(job, None, None, error)


def _process(job: PageJob) -> PageOutcome:
    page = job.page
    if page.born_digital:
        processed = ProcessedPage(raw=page, clean=None, width=0, height=0, dpi=0, text=None)
        return PageOutcome(job, processed, None)
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    image, dpi = load_image_page(page, job.default_dpi)
    timings["load"] = time.monotonic() - t0

    t0 = time.monotonic()
    cleaned, ocr_view, result = clean_page_for_ocr(image, dpi, job.colour)
    del image
    timings["clean"] = time.monotonic() - t0
    height, width = cleaned.shape[:2]
    if result.is_blank and page.has_text:  # little ink, but real text: never dropped
        result = replace(result, is_blank=False)

    t0 = time.monotonic()
    image_path = job.work_dir / f"{page.index:06d}.clean.png"
    cv2.imwrite(str(image_path), ocr_view, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    text = ocr_image_file(image_path, job.language, dpi)
    image_path.unlink(missing_ok=True)
    timings["ocr"] = time.monotonic() - t0
    if result.is_blank:
        if not has_real_words(text):  # blank: no text and (next to) no ink
            processed = ProcessedPage(page, result, width, height, dpi, None, timings)
            return PageOutcome(job, processed, None)
        result = replace(result, is_blank=False)  # a short word or a signature line on an empty sheet

    t0 = time.monotonic()
    encoded = encode_page_image(cleaned, result.mode, dpi, job.jpeg_quality or DEFAULT_JPEG_QUALITY)
    timings["encode"] = time.monotonic() - t0
    processed = ProcessedPage(page, result, width, height, dpi, text, timings)
    return PageOutcome(job, processed, encoded)
