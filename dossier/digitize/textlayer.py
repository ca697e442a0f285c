"""The invisible OCR text layer: a glyphless embedded font and the content stream placing each word."""

from __future__ import annotations

import functools
import io
import statistics
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from dossier.models import PageText, Word, lines_of

FONT_NAME = "GlyphLessFont"
UNITS_PER_EM = 1000
ADVANCE = 500  # every glyph is 0.5 em wide; Tz stretches words to their boxes
# The font size is the printed em, which a line's typical word (capitals, tone marks, ascenders) spans about
# three quarters of; the glyph box (ascent - descent) is the block's typical word height, so what a viewer
# highlights is the ink of the line.
EM_PER_LINE = 1.3
ASCENT = 615
DESCENT = -154  # (ASCENT - DESCENT) * EM_PER_LINE = 1 em
_SURROGATES = range(0xD8, 0xE0)


@dataclass(frozen=True)
class _Line:
    words: tuple[Word, ...]
    top: int
    bottom: int

    @property
    def block(self) -> int:
        return self.words[0].line[0]


@functools.cache
def glyphless_font_program() -> bytes:
    """A minimal TrueType font: .notdef and one empty glyph, both ADVANCE units wide."""
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    glyphs = [".notdef", "blank"]
    builder.setupGlyphOrder(glyphs)
    builder.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({name: empty for name in glyphs})
    builder.setupHorizontalMetrics({name: (ADVANCE, 0) for name in glyphs})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT)
    builder.setupPost()
    buf = io.BytesIO()
    builder.save(buf)
    return buf.getvalue()


def to_unicode_cmap() -> bytes:
    """A ToUnicode CMap for CIDs that are BMP code points: every CID maps to the same code point."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if hi not in _SURROGATES]
    blocks = []
    for start in range(0, len(ranges), 100):  # a bfrange block holds at most 100 entries
        chunk = ranges[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def add_glyphless_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """Add the Type0/CIDFontType2 glyphless font (Identity-H, CID = Unicode) and return it (indirect)."""
    program = glyphless_font_program()
    font_file = _flate_stream(pdf, program)
    font_file.Length1 = len(program)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/" + FONT_NAME),
        Flags=5,  # fixed pitch + symbolic
        FontBBox=[0, DESCENT, ADVANCE, ASCENT],
        ItalicAngle=0,
        Ascent=ASCENT,
        Descent=DESCENT,
        CapHeight=ASCENT,
        StemV=80,
        FontFile2=font_file,
    )
    # CID 0 keeps .notdef; every other CID (= code point) shows the one empty glyph.
    cid_to_gid = _flate_stream(pdf, b"\x00\x00" + b"\x00\x01" * 0xFFFF)
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/" + FONT_NAME),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=ADVANCE,
        CIDToGIDMap=cid_to_gid,
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/" + FONT_NAME),
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[pdf.make_indirect(cid_font)],
        ToUnicode=_flate_stream(pdf, to_unicode_cmap()),
    )
    return pdf.make_indirect(font)


def text_layer_content(text: PageText, dpi: float, page_height: float, font_resource: str) -> bytes:
    """Content stream operators drawing `text` invisibly (render mode 3) over the page image.

    Words of a line share the line's baseline (its words' median bottom); each word is stretched (Tz) to
    its box width; a space follows every word but the last of its line, so extractors see separated words.
    Every line of an engine block gets the block's font size (`block_font_sizes`).
    """
    scale = 72.0 / dpi
    ops = ["BT", "3 Tr"]
    lines = group_lines(text.words)
    sizes = block_font_sizes(lines)
    for line in lines:
        size = max(sizes[line.block] * scale, 1.0)
        # the glyph box sits on the line's bottom, its descent below the baseline
        baseline = page_height - line.bottom * scale + size * -DESCENT / UNITS_PER_EM
        ops.append(f"{font_resource} {_num(size)} Tf")
        for position, word in enumerate(line.words):
            chars = clean_text(word.text)
            if not chars:
                continue
            natural = len(chars) * ADVANCE / UNITS_PER_EM * size
            stretch = 100.0 * max(word.width * scale, 0.1) / natural
            last = position == len(line.words) - 1
            x = word.left * scale
            ops.append(f"{_num(stretch)} Tz 1 0 0 1 {_num(x)} {_num(baseline)} Tm")
            ops.append(f"<{encode_cids(chars if last else chars + ' ')}> Tj")
    ops.append("ET")
    return ("\n".join(ops) + "\n").encode("ascii")


def block_font_sizes(lines: Sequence[_Line]) -> dict[int, float]:
    """One font size (pixels) per engine block: the printed em of its typical line.

    Text extractors read a page by blocks: poppler (pdftotext) joins lines into one block only when their
    font sizes agree within 5 % and their baselines are at most 1.5 sizes apart. Sized line by line from
    the ink, every line was a block of its own, and the two columns of a letter's header (the agency's name
    and number beside the national motto and date) were read row by row, interleaving them; one size per
    block at about the printed em keeps each column's lines together.
    """
    heights: dict[int, list[int]] = {}
    for line in lines:
        heights.setdefault(line.block, []).append(line.bottom - line.top)
    return {block: EM_PER_LINE * statistics.median(hs) for block, hs in heights.items()}


def group_lines(words: Iterable[Word]) -> list[_Line]:
    """Words grouped by their engine line number, lines in order of first appearance."""
    return [_line(tuple(ws)) for ws in lines_of(words).values()]


def _line(words: tuple[Word, ...]) -> _Line:
    """A line's box from its typical word: the median bottom is the baseline (most words have no
    descender), the median height the size (a tone mark or a tall word does not inflate it)."""
    bottom = int(statistics.median(w.top + w.height for w in words))
    height = int(statistics.median(w.height for w in words))
    return _Line(words=words, top=bottom - height, bottom=bottom)


def clean_text(text: str) -> str:
    """NFC text keeping only characters the font can carry: BMP, no controls, no surrogates."""
    nfc = unicodedata.normalize("NFC", text)
    kept = (c if ord(c) <= 0xFFFF else "\ufffd" for c in nfc if not unicodedata.category(c).startswith("C"))
    return "".join(kept).strip()


def encode_cids(chars: Sequence[str]) -> str:
    """Hex string of 2-byte codes (Identity-H): each code is the character's code point."""
    return "".join(f"{ord(c):04X}" for c in chars)


def _flate_stream(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    return stream


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
