"""The visible signature: "Ký bởi", agency, signing time in ISO 8601 +07:00 and an optional seal image.

Text is set in an embedded TrueType font (Liberation Serif, shipped in `dossier/fonts/`), subset with a
ToUnicode map: a non-embedded standard font garbles Vietnamese and breaks PDF/A.
"""

from __future__ import annotations

import logging
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from dossier.errors import ConfigError, InputFileError
from dossier.i18n import _
from dossier.signing.settings import STAMP_HEIGHT, STAMP_MARGIN, STAMP_WIDTH

if TYPE_CHECKING:
    from pyhanko.pdf_utils.images import PdfImage

VIETNAM = timezone(timedelta(hours=7), "ICT")
# fontTools warns on stderr about tables it drops while subsetting (FFTM): noise for the officer.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
PDF_GLYPH_UNITS = 1000  # glyph space units per em in PDF text
STAMP_TEXT = "Ký bởi: %(signer_name)s\nCơ quan: %(agency)s\nThời gian ký: %(signing_time)s"
STAMP_TEXT_NO_AGENCY = "Ký bởi: %(signer_name)s\nThời gian ký: %(signing_time)s"
# Every character a stamp may need: ASCII, Latin-1 and the precomposed Vietnamese letters (Latin Ext. A/B,
# Latin Extended Additional). Texts are NFC-normalised, so no shaping tables are needed.
VIETNAMESE_REPERTOIRE = "".join(
    chr(code)
    for start, end in ((0x20, 0x7F), (0xA0, 0x180), (0x1A0, 0x1B1), (0x1EA0, 0x1EFA), (0x2010, 0x2027))
    for code in range(start, end)
)


@dataclass(frozen=True)
class StampSpec:
    """Where and how the visible signature is drawn; `box` None = top-right corner of the page."""

    font: Path
    agency: str | None = None
    page: int = 1  # 1-based; negative counts from the end
    box: tuple[float, float, float, float] | None = None
    seal_image: Path | None = None


def signing_time_text(moment: datetime) -> str:
    """ISO 8601 in Vietnam's time zone, to the second: 2025-03-04T09:30:00+07:00."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def page_index(page: int, page_count: int, path: Path) -> int:
    index = page - 1 if page > 0 else page_count + page
    if not 0 <= index < page_count:
        raise InputFileError(
            _("Tệp không có trang {page} để đặt chữ ký (có {count} trang).").format(
                page=page, count=page_count
            ),
            path,
        )
    return index


def top_right_box(media_box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = media_box
    right = x2 - STAMP_MARGIN
    top = y2 - STAMP_MARGIN
    width = min(STAMP_WIDTH, (x2 - x1) - 2 * STAMP_MARGIN)
    height = min(STAMP_HEIGHT, (y2 - y1) - 2 * STAMP_MARGIN)
    return round(right - width), round(top - height), round(right), round(top)


def reduced_font(font: Path, extra_text: str, directory: Path) -> Path:
    """A copy of `font` with only the Vietnamese repertoire, no layout tables, and 1000 units per em.

    pyHanko 0.38 writes the glyph widths (/W) in the font's own units, which PDF reads as thousandths of an
    em: DejaVu and Liberation have 2048 units per em, so their text would be drawn twice too wide. Scaled to
    1000 the numbers mean the same to both. pyHanko also subsets the font again for every signed file; on the
    full fonts that costs about 0.2 s per file, on this reduced copy a few milliseconds.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError
    from fontTools.ttLib.scaleUpem import scale_upem

    try:
        ttf = TTFont(str(font))
    except (OSError, TTLibError) as error:
        raise ConfigError(
            _("Không đọc được tệp phông chữ {path}: {reason}").format(path=font, reason=error)
        ) from error
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=VIETNAMESE_REPERTOIRE + extra_text)
    subsetter.subset(ttf)
    if ttf["head"].unitsPerEm != PDF_GLYPH_UNITS:
        scale_upem(ttf, PDF_GLYPH_UNITS)
    out = directory / f"stamp-{font.stem}.ttf"
    ttf.save(str(out))
    return out


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class StampStyleFactory:
    """Builds the pyHanko stamp style once per batch (font and seal are loaded once); `close()` at the end."""

    def __init__(self, spec: StampSpec, signer_name: str) -> None:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.stamp import TextStampStyle

        if not spec.font.is_file():
            raise ConfigError(
                _("Không tìm thấy tệp phông chữ cho chữ ký hiện: {path}").format(path=spec.font)
            )
        background = None
        if spec.seal_image is not None:
            background = _seal(spec.seal_image)
        self.spec = spec
        self.signer_name = nfc(signer_name)
        self._workdir = tempfile.TemporaryDirectory(prefix="dossier-stamp-")
        small_font = reduced_font(
            spec.font, self.signer_name + nfc(spec.agency or ""), Path(self._workdir.name)
        )
        self.style = TextStampStyle(
            stamp_text=STAMP_TEXT if spec.agency else STAMP_TEXT_NO_AGENCY,
            text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(small_font)), font_size=10),
            background=background,
            background_opacity=1.0 if background is not None else 0.6,
            border_width=1,
        )

    def text_params(self, moment: datetime) -> dict[str, str]:
        params = {"signer_name": self.signer_name, "signing_time": signing_time_text(moment)}
        if self.spec.agency:
            params["agency"] = nfc(self.spec.agency)
        return params

    def close(self) -> None:
        self._workdir.cleanup()


def _seal(path: Path) -> PdfImage:
    from PIL import Image, UnidentifiedImageError
    from pyhanko.pdf_utils.images import PdfImage

    try:
        with Image.open(path) as image:
            image.load()
            return PdfImage(image.copy())
    except (OSError, UnidentifiedImageError) as error:
        raise InputFileError(_("Không đọc được ảnh con dấu: {reason}").format(reason=error), path) from error
