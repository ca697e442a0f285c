"""Pages for measuring Vietnamese text accuracy, written and degraded without the project's own code.

The texts are official letters, notices, reports and decisions in running text (half the pages) and the
corpus's papers (forms, certificates, receipts, leaflets: `bench/corpus`), drawn with other
fonts and another layout than `dossier.samples`; the degradations are written here, not taken from
`dossier.samples.degrade`. Five profiles, as a counter meets them:

- `clean`: the page as printed, at 300 dpi, white paper (a born-digital page printed to an image);
- `office`: an office flatbed in grey: paper tone, a little blur and sensor noise, a slight tilt, JPEG;
- `lowres`: the same desk scanner set to 150 dpi (a common default of multifunction printers);
- `colour`: a colour scan of a page with a red seal over its signature and blue handwriting;
- `photo`: a phone photo on a desk: perspective, uneven light, warm tint, blur, JPEG.

The ground truth is the printed text in drawing order; measures on it should be order-free as well as CER.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from bench.corpus import forms, letters, papers, pictures, strays
from bench.corpus.dossiers import _colour_scan, _phone_photo, _seal_text
from bench.corpus.draw import Sheet, stamp_seal

PROFILES = ("clean", "office", "lowres", "colour", "photo")
# papers that are mostly running text (cards and drawings are measured by the checklist benchmark instead)
WRITERS = (
    papers.birth_declaration,
    papers.hospital_birth_certificate,
    papers.birth_commitment,
    papers.residence_confirmation,
    papers.marriage_declaration,
    papers.marital_status,
    papers.divorce_extract,
    forms.residence_declaration,
    forms.rental_contract,
    forms.business_application,
    forms.household_minutes,
    forms.authorisation,
    forms.building_application,
    pictures.land_certificate,
    strays.fee_receipt,
    strays.counter_receipt,
    strays.medical_leaflet,
    strays.diploma,
    strays.birth_extract,
    strays.transcript,
)


@dataclass(frozen=True)
class OcrPage:
    name: str
    profile: str
    image: Image.Image
    dpi: int
    text: str  # the printed text line by line, two-column header rows column by column
    text_as_drawn: str  # the same with header rows row by row (agency line, motto line, ...)


def ocr_pages(count: int, seed: int, profiles: tuple[str, ...] = PROFILES) -> Iterator[OcrPage]:
    """`count` pages per profile, each profile on its own papers (no paper is measured twice)."""
    rng = random.Random(f"ocr-pages:{seed}")
    for profile in profiles:
        made = 0
        while made < count:
            writer = letters.official_letter if rng.random() < 0.5 else rng.choice(WRITERS)
            for sheet in writer(rng, rng.random() < 0.5):
                if made == count or len(sheet.text) < 80:
                    continue
                nprng = np.random.default_rng(rng.randrange(2**32))
                image, dpi = degrade(sheet, profile, rng, nprng)
                yield OcrPage(
                    f"{profile}-{made + 1:02d}-{writer.__name__}",
                    profile,
                    image,
                    dpi,
                    sheet.text,
                    sheet.text_as_drawn,
                )
                made += 1


def degrade(
    sheet: Sheet, profile: str, rng: random.Random, nprng: np.random.Generator
) -> tuple[Image.Image, int]:
    canvas = sheet.canvas.copy()
    if profile == "clean":
        return canvas.convert("L") if not sheet.colour else canvas, 300
    if profile == "office":
        return _office(canvas.convert("L"), rng, nprng), 300
    if profile == "lowres":
        grey = _office(canvas.convert("L"), rng, nprng, jpeg=False)
        small = cv2.resize(np.asarray(grey), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return Image.fromarray(small), 150
    if profile == "colour":
        if sheet.signature_at is not None:
            x, y = sheet.signature_at
            stamp_seal(canvas, x - rng.randint(120, 220), y + rng.randint(-40, 40), _seal_text(rng), rng)
        return _colour_scan(canvas, rng, nprng), 300
    if profile == "photo":
        return _phone_photo(canvas, rng, nprng), 300
    raise ValueError(profile)


def _office(
    grey: Image.Image, rng: random.Random, nprng: np.random.Generator, jpeg: bool = True
) -> Image.Image:
    arr = np.asarray(grey).astype(np.float32)
    paper, ink = rng.uniform(228, 245), rng.uniform(25, 45)
    arr = ink + (arr / 255.0) * (paper - ink)
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.6, 1.0))
    h, w = arr.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.0, 1.0), 1.0)
    arr = cv2.warpAffine(arr, m, (w, h), borderValue=paper)
    arr += nprng.normal(0, rng.uniform(2, 4), arr.shape).astype(np.float32)
    out = arr.clip(0, 255).astype(np.uint8)
    if jpeg:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
        out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return Image.fromarray(out)
