"""OCR with Tesseract through pytesseract: words with boxes and confidences, NFC-normalised."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytesseract
from PIL import Image

from dossier.digitize.stacked import Region, reread_stacked
from dossier.digitize.unsure import keep_sure
from dossier.digitize.vietnamese import correct_line
from dossier.errors import MissingDependencyError
from dossier.i18n import _
from dossier.models import PageText, Word
from dossier.tools import tesseract_command

ENGINE = "tesseract"
POSTCORRECT_ENV = "DOSSIER_OCR_POSTCORRECT"
# Tesseract's Vietnamese model sometimes answers the Icelandic eth for đ; Vietnamese never uses it
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def normalised(text: str, vietnamese: bool) -> str:
    """NFC, trimmed; in Vietnamese the eth Tesseract sometimes answers for đ is đ."""
    text = unicodedata.normalize("NFC", text).strip()
    return text.translate(_LOOKALIKES) if vietnamese else text


def tesseract_version() -> str:
    pytesseract.pytesseract.tesseract_cmd = tesseract_command()
    return str(pytesseract.get_tesseract_version())


def ocr_image_file(image_path: Path, language: str, dpi: float, timeout: float = 300) -> PageText:
    """Run Tesseract on a cleaned page image file and return its words (boxes in that image's pixels).

    Words read very unsure (signatures, seals, scribbles: `dossier.digitize.unsure`) are left out; the mean
    confidence counts every word read. A column of item numbers read as vertical text is read again
    (`dossier.digitize.stacked`)."""
    pytesseract.pytesseract.tesseract_cmd = tesseract_command()
    # One Tesseract thread per page: pages run in parallel, OpenMP threads would oversubscribe the cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    vietnamese = "vie" in language.split("+")

    def read_region(region: Region) -> list[Word]:
        with Image.open(image_path) as page:
            crop = page.crop((region.left, region.top, region.right, region.bottom))
        data = _image_to_data(crop, language, f"--psm 6 --dpi {round(dpi)}", timeout, image_path)
        return _words(data, vietnamese, region.left, region.top)

    data = _image_to_data(str(image_path), language, f"--psm 3 --dpi {round(dpi)}", timeout, image_path)
    words = list(reread_stacked(_words(data, vietnamese), read_region))
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    kept = keep_sure(tuple(words), vietnamese)
    fixed = postcorrected(kept) if vietnamese and postcorrect_enabled() else kept
    return PageText(
        words=fixed,
        mean_confidence=round(mean, 2),
        engine=ENGINE,
        language=language,
        left_out=len(words) - len(kept),
        corrected=sum(a.text != b.text for a, b in zip(kept, fixed, strict=True)),
    )


def _image_to_data(
    image: str | Image.Image, language: str, config: str, timeout: float, image_path: Path
) -> dict[str, list[Any]]:
    try:
        data: dict[str, list[Any]] = pytesseract.image_to_data(
            image, lang=language, config=config, output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError(
            _("Không tìm thấy chương trình Tesseract OCR."), path=tesseract_command()
        ) from exc
    except (pytesseract.TesseractError, subprocess.SubprocessError, RuntimeError) as exc:
        raise MissingDependencyError(
            _("Tesseract OCR thất bại: {reason}").format(reason=str(exc).strip()[:300]), path=image_path
        ) from exc
    return data


def _words(data: dict[str, list[Any]], vietnamese: bool, dx: int = 0, dy: int = 0) -> list[Word]:
    """Tesseract's words (not its empty block/line rows), boxes shifted by (dx, dy) into page pixels."""
    words = []
    for i, raw_text in enumerate(data["text"]):
        text = normalised(str(raw_text), vietnamese)
        confidence = float(data["conf"][i])
        if not text or confidence < 0:
            continue
        words.append(
            Word(
                text=text,
                left=int(data["left"][i]) + dx,
                top=int(data["top"][i]) + dy,
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=confidence,
                line=(
                    int(data["block_num"][i]),
                    int(data["par_num"][i]),
                    int(data["line_num"][i]),
                ),
            )
        )
    return words


def postcorrect_enabled() -> bool:
    """The Vietnamese post-correction runs unless DOSSIER_OCR_POSTCORRECT=0 (to see Tesseract's own words)."""
    return os.environ.get(POSTCORRECT_ENV, "1").strip() not in ("0", "false", "no", "off")


def postcorrected(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Each OCR line's words through the Vietnamese post-correction (`dossier.digitize.vietnamese`)."""
    lines: dict[tuple[int, int, int], list[int]] = {}
    for index, word in enumerate(words):
        lines.setdefault(word.line, []).append(index)
    out = list(words)
    for indices in lines.values():
        fixed = correct_line([words[i].text for i in indices])
        for i, text in zip(indices, fixed, strict=True):
            if text != words[i].text:
                out[i] = replace(words[i], text=text)
    return tuple(out)
