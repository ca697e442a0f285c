"""The one lookup for the Vietnamese serif font shipped with the package (Liberation Serif 2, SIL OFL 1.1).

Liberation Serif is metric-compatible with Times New Roman, the font of Vietnamese official papers, and its
version 2 covers every Vietnamese letter with its tones (version 1 does not). The TTF files travel inside the
package (`dossier/fonts/`, licence in `OFL.txt` beside them), so samples, notices and visible signatures
need no system font on Windows, macOS or Linux.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from PIL import ImageFont

from dossier.errors import MissingDependencyError
from dossier.i18n import _

FONT_DIR = Path(__file__).resolve().parent
FAMILY = "LiberationSerif"
LICENCE = FONT_DIR / "OFL.txt"


class FontStyle(StrEnum):
    regular = "Regular"
    bold = "Bold"
    italic = "Italic"


def font_file(style: FontStyle | str = FontStyle.regular) -> Path:
    """Where the TTF file of `style` is, without checking it is there (for defaults computed at import)."""
    return FONT_DIR / f"{FAMILY}-{FontStyle(style).value}.ttf"


def font_path(style: FontStyle | str = FontStyle.regular) -> Path:
    """The TTF file of `style`; a damaged installation (file missing) is a missing dependency."""
    path = font_file(style)
    if not path.is_file():
        raise MissingDependencyError(
            _("Thiếu phông chữ tiếng Việt đi kèm gói dossier."),
            path=path,
            hint=_("Cài lại gói: pip install --force-reinstall dossier"),
        )
    return path


@cache
def pil_font(style: FontStyle | str, size: int) -> ImageFont.FreeTypeFont:
    """The font for drawing on images (samples, separator sheets), `size` in pixels."""
    return ImageFont.truetype(str(font_path(style)), size, layout_engine=ImageFont.Layout.BASIC)


def wrap_words(text: str, style: str, size: int, width: int, indent: int = 0) -> list[str]:
    """Greedy word wrap to `width` pixels; the first line is `indent` pixels narrower."""
    face = pil_font(style, size)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        limit = width - (indent if not lines else 0)
        if current and face.getlength(candidate) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
