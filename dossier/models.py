"""The typed objects that flow between the digitizing stages. Frozen dataclasses, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class ColourMode(StrEnum):
    """How a page is stored in the PDF. `auto` picks per page from its content."""

    auto = "auto"
    bw = "bw"
    gray = "gray"
    colour = "colour"


class SourceKind(StrEnum):
    scanner = "scanner"
    image = "image"
    pdf = "pdf"


@dataclass(frozen=True)
class SourceRef:
    """Where a page came from: a file (and the page inside it) or a scanner device."""

    kind: SourceKind
    name: str  # file path as given, or the SANE device name
    page: int  # 1-based page (or sheet side) within that source


@dataclass(frozen=True)
class RawPage:
    """A page as acquired, before cleaning: where to read it from, not its pixels."""

    index: int  # 1-based position in the whole scan
    source: SourceRef
    path: Path  # the file holding the page: an image, a scanner's PNG in the work folder, or a PDF
    frame: int  # 0-based frame (multi-page TIFF) or page (PDF) inside `path`
    dpi: float  # resolution from the file or the scanner; 0 means "guess from the page size"
    born_digital: bool = False  # a PDF page with real text: copied as it is, never OCRed
    has_text: bool = False  # any extractable text at all: never dropped as blank
    removed_active_content: tuple[str, ...] = ()  # what PDF/A forbids, stripped when the page is copied


@dataclass(frozen=True)
class CleanResult:
    """What the cleaner did to one page (angles in degrees, counter-clockwise positive)."""

    rotation: int  # 0, 90, 180 or 270 applied to bring text upright
    skew: float  # deskew angle applied
    crop: tuple[int, int, int, int]  # x, y, width, height kept, in the rotated, deskewed image
    is_blank: bool
    mode: ColourMode  # bw, gray or colour after the auto decision
    colour_fraction: float  # share of pixels with strong colour (seals, signatures)


@dataclass(frozen=True)
class Word:
    """One OCR word with its box in pixels of the cleaned page image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0..100
    line: tuple[int, int, int]  # (block, paragraph, line) numbers from the engine


def lines_of(words: Iterable[Word]) -> dict[tuple[int, int, int], list[Word]]:
    """Words grouped by their engine line number, lines in order of first appearance."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return lines


@dataclass(frozen=True)
class PageText:
    words: tuple[Word, ...]
    mean_confidence: float  # over every word read (also those left out), 0..100; 0 when there are none
    engine: str
    language: str
    left_out: int = 0  # words read so unsure they are not in `words` (signatures, scribbles)
    corrected: int = 0  # words the Vietnamese post-correction changed

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in ws) for ws in lines_of(self.words).values())


@dataclass(frozen=True)
class ProcessedPage:
    """A processed page: its source, what cleaning did, its size and its OCR (no pixels)."""

    raw: RawPage
    clean: CleanResult | None  # None for born-digital pages
    width: int
    height: int
    dpi: float
    text: PageText | None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FailedSource:
    """A source that could not be read, with the reason shown to the officer."""

    name: str
    reason: str
    exit_code: int


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the dossier folder
    sha256: str
    size: int
    pages: int


@dataclass(frozen=True)
class ScanResult:
    """The outcome of `dossier scan`: written files, pages kept and dropped, failures."""

    out_dir: Path
    files: tuple[OutputFile, ...]
    pages: tuple[ProcessedPage, ...]
    blank_pages: tuple[ProcessedPage, ...]
    failed: tuple[FailedSource, ...]
    seconds: float
