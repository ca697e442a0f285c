"""Separator sheets: print one QR-coded sheet per component, find them in a scanned stack, assign the pages.

An officer puts the sheet of a component in front of that component's papers before scanning. A separator
page is recognised by its QR code (payload ``DOSSIER-SEP:1:<procedure>:<component>``) or, when the code is
unreadable, by its printed title "TỜ PHÂN CÁCH" and component id in the OCR text. Separator pages are not part
of the dossier: they map to ``none``; the pages after one belong to its component until the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from dossier.fonts import pil_font, wrap_words
from dossier.i18n import _
from dossier.profiles.classify import Document, fold
from dossier.profiles.model import Component, Profile

PAYLOAD_PREFIX = "DOSSIER-SEP"
PAYLOAD_VERSION = 1
SEPARATOR_TITLE = "TỜ PHÂN CÁCH"
NOT_IN_DOSSIER = "none"  # same word as dossier.profiles.checklist.NOT_IN_DOSSIER (kept apart: no cycle)
SHEET_DPI = 300
SHEET_SIZE = (2480, 3508)  # A4 at 300 dpi
QR_MODULE_PX = 20  # at 300 dpi: ~1.7 mm a module, still ~10 px at 150 dpi
_PAYLOAD = re.compile(rf"^{PAYLOAD_PREFIX}:(\d+):([^:\s]+):([A-Za-z0-9_.-]+)$")
_ID_IN_TEXT = re.compile(r"\b(T\s*P\s*[0-9OoIl]{1,3})\b")
_TITLE_FOLDED = fold(SEPARATOR_TITLE)
# The largest side an image is scaled to before QR detection: detection on a full 300 dpi page is slow
# and no more reliable than on a 150 dpi copy, where a module is still ~10 px.
_DETECT_MAX_SIDE = 1800


@dataclass(frozen=True)
class SeparatorMark:
    """A page found to be a separator sheet: for which component, and how it was recognised."""

    component: str
    procedure: str | None  # None when read from OCR text that does not give it
    source: str  # "qr" or "text"


def separator_payload(procedure: str, component: str) -> str:
    return f"{PAYLOAD_PREFIX}:{PAYLOAD_VERSION}:{procedure}:{component}"


def parse_payload(payload: str) -> SeparatorMark | None:
    """The mark in a QR payload, or None for anything that is not a version-1 separator payload."""
    match = _PAYLOAD.match(payload.strip())
    if match is None or int(match.group(1)) != PAYLOAD_VERSION:
        return None
    return SeparatorMark(component=match.group(3), procedure=match.group(2), source="qr")


# --- printing ---------------------------------------------------------------------------------------------


def _qr_image(payload: str) -> Image.Image:
    import segno

    code = segno.make(payload, error="q", micro=False)
    modules = np.array([[bool(v) for v in row] for row in code.matrix], dtype=bool)
    modules = np.pad(modules, 4)  # the quiet zone the standard asks for
    pixels = np.where(np.kron(modules, np.ones((QR_MODULE_PX, QR_MODULE_PX), dtype=bool)), 0, 255)
    return Image.fromarray(pixels.astype(np.uint8), "L")


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, style: str, size: int) -> int:
    face = pil_font(style, size)
    draw.text(((SHEET_SIZE[0] - face.getlength(text)) / 2, y), text, font=face, fill=0, anchor="ls")
    return y + round(size * 1.35)


def render_separator_sheet(profile: Profile, component: Component) -> np.ndarray:
    """The sheet of one component as a 300 dpi A4 grey image (uint8): title, component, procedure, QR code."""
    image = Image.new("L", SHEET_SIZE, 255)
    draw = ImageDraw.Draw(image)
    y = _centred(draw, 420, SEPARATOR_TITLE, "Bold", 190)
    y = _centred(draw, y + 120, _("Thành phần {id}").format(id=component.id), "Bold", 120)
    for line in wrap_words(component.name, "Regular", 72, SHEET_SIZE[0] - 500)[:4]:
        y = _centred(draw, y + 10, line, "Regular", 72)
    qr = _qr_image(separator_payload(profile.code, component.id))
    top = y + 80
    image.paste(qr, ((SHEET_SIZE[0] - qr.width) // 2, top))
    y = top + qr.height + 60
    for line in wrap_words(
        f"{_('Thủ tục')} {profile.code}: {profile.name}", "Italic", 56, SHEET_SIZE[0] - 500
    ):
        y = _centred(draw, y, line, "Italic", 56)
    note = _("Đặt tờ này ngay trước giấy tờ của thành phần trên khi quét. Tờ này không lưu vào hồ sơ.")
    for line in wrap_words(note, "Regular", 48, SHEET_SIZE[0] - 500):
        y = _centred(draw, y + 30, line, "Regular", 48)
    return np.asarray(image)


def write_separator_pdf(profile: Profile, out: Path, components: Sequence[Component] | None = None) -> int:
    """Write one bw (G4) PDF/A page per component (default: all of the profile's); returns the page count."""
    from dossier import __version__
    from dossier.digitize.encode import encode_page_image
    from dossier.digitize.pdf import PdfMetadata, PdfPageSpec, write_pdf
    from dossier.models import ColourMode

    chosen = tuple(components) if components is not None else profile.components
    pages = [
        PdfPageSpec.scanned(
            encode_page_image(render_separator_sheet(profile, c), ColourMode.bw, SHEET_DPI), None
        )
        for c in chosen
    ]
    metadata = PdfMetadata(
        title=_("Tờ phân cách - thủ tục {code}").format(code=profile.code),
        scan_time=datetime.now().astimezone(),
        device="dossier separators",
        software=f"dossier {__version__}",
    )
    write_pdf(pages, out, metadata)
    return len(pages)


# --- reading ----------------------------------------------------------------------------------------------


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _candidates(gray: np.ndarray) -> list[np.ndarray]:
    """The page as the detector sees it best: scaled down, then binarised (Otsu) when the plain one fails."""
    scale = min(1.0, _DETECT_MAX_SIDE / max(gray.shape))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _threshold, binary = cv2.threshold(
        cv2.GaussianBlur(small, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    return [small, binary]


def decode_qr_payloads(image: np.ndarray) -> list[str]:
    """Every QR payload OpenCV can read on the page (grey or BGR uint8), trying cheap views first."""
    gray = _gray(image)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for view in _candidates(gray):
            text, _points, _straight = detector.detectAndDecode(view)
            if text:
                return [text]
    return []


def find_separator(image_bgr: np.ndarray) -> SeparatorMark | None:
    """The separator mark on a page image, from its QR code; None when the page is not a separator sheet."""
    for payload in decode_qr_payloads(image_bgr):
        mark = parse_payload(payload)
        if mark is not None:
            return mark
    return None


def _component_id(raw: str) -> str:
    digits = re.sub(r"\s", "", raw)[2:].translate(str.maketrans("OoIl", "0011"))
    return f"TP{digits}"


def separator_from_text(text: str, profile: Profile | None = None) -> SeparatorMark | None:
    """The separator mark from a page's OCR text: the title "TỜ PHÂN CÁCH" near the top and a component id.

    With a profile, the id must be one of its components (OCR noise such as "TPO1" is mended first).
    """
    from rapidfuzz import fuzz

    lines = [line for line in text.splitlines() if line.strip()]
    head = " ".join(fold(line) for line in lines[:6])
    if not head or fuzz.partial_ratio(_TITLE_FOLDED, head) < 85:
        return None
    for match in _ID_IN_TEXT.finditer(text):
        component = _component_id(match.group(1))
        if profile is None or profile.component(component) is not None:
            return SeparatorMark(
                component=component, procedure=profile.code if profile else None, source="text"
            )
    return None


# --- using the marks --------------------------------------------------------------------------------------


def assignments_from_separators(marks: Sequence[SeparatorMark | None]) -> dict[int, str]:
    """Page assignments (1-based) for `check_pages`: a separator page -> "none", the pages after it -> its
    component until the next separator. Pages before the first separator are left to the classifier."""
    assignments: dict[int, str] = {}
    current: str | None = None
    for page, mark in enumerate(marks, start=1):
        if mark is not None:
            assignments[page] = NOT_IN_DOSSIER
            current = mark.component
        elif current is not None:
            assignments[page] = current
    return assignments


def apply_separators(
    documents: Sequence[Document], marks: Sequence[SeparatorMark | None]
) -> tuple[Document, ...]:
    """The classifier's documents corrected by separator sheets, with the sheet as evidence.

    Like `checklist.apply_assignments(documents, assignments_from_separators(marks))`, but the evidence reads
    "tờ phân cách (trang N)" instead of "cán bộ chỉ định". Separator pages are dropped.
    """
    owner = {p: (d.component, d.confidence, d.evidence) for d in documents for p in d.pages}
    sheet: tuple[int, str] | None = None  # page of the last separator sheet, its component
    for page, mark in enumerate(marks, start=1):
        if mark is not None:
            sheet = (page, mark.component)
            owner.pop(page, None)
        elif sheet is not None and page in owner:
            evidence = _("tờ phân cách {id} (trang {page})").format(id=sheet[1], page=sheet[0])
            owner[page] = (sheet[1], 1.0, evidence)
    result: list[Document] = []
    for page in sorted(owner):
        component, confidence, evidence = owner[page]
        last = result[-1] if result else None
        if (
            last is not None
            and last.component == component
            and last.evidence == evidence
            and last.pages[-1] == page - 1
        ):
            result[-1] = Document(component, (*last.pages, page), last.confidence, last.evidence)
        else:
            result.append(Document(component, (page,), confidence, evidence))
    return tuple(result)
