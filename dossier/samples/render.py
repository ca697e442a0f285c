"""Lay out page content on an A4 300 dpi canvas and draw it; the drawn lines are the ground truth."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PIL import Image, ImageDraw

from dossier.fonts import pil_font, wrap_words
from dossier.samples.text import MOTTO, Block, PageContent, Style

DPI = 300
PAGE_WIDTH = 2480  # A4 at 300 dpi
PAGE_HEIGHT = 3508
MARGIN_LEFT = 295  # 2.5 cm
MARGIN_RIGHT = 236  # 2 cm
MARGIN_TOP = 236
MARGIN_BOTTOM = 236
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
# The header columns keep a wide gap so OCR engines see two blocks rather than lines running across.
LEFT_COLUMN = (MARGIN_LEFT - 30, MARGIN_LEFT + 700)  # agency header, centred in this span
RIGHT_COLUMN = (PAGE_WIDTH - MARGIN_RIGHT - 1090, PAGE_WIDTH - MARGIN_RIGHT)  # motto, date, signature
LINE_SPACING = 1.32


font = pil_font  # the samples' name for it


@dataclass(frozen=True)
class PlacedLine:
    """One drawn line: its words, where its baseline starts and how wide it is set."""

    text: str
    x: int
    baseline: int
    style: str
    size: int
    justify_width: int = 0  # >0: stretch the spaces so the line fills this width
    underline: bool = False


@dataclass(frozen=True)
class PageLayout:
    lines: tuple[PlacedLine, ...]  # in reading order
    signature_box: tuple[int, int, int, int]  # x0, y0, x1, y1 around the signature block

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _column_lines(blocks: tuple[Block, ...], span: tuple[int, int], top: int) -> tuple[list[PlacedLine], int]:
    """Centre each block's (wrapped) lines in a column span; returns the lines and the next free y."""
    lines: list[PlacedLine] = []
    y = top
    for block in blocks:
        y += block.space_before
        for text in wrap_words(block.text, block.style, block.size, span[1] - span[0]):
            width = font(block.style, block.size).getlength(text)
            x = round((span[0] + span[1] - width) / 2)
            y += round(block.size * LINE_SPACING)
            lines.append(PlacedLine(text, x, y, block.style, block.size))
    return lines, y


def _header_lines(
    rows: tuple[tuple[Block | None, Block | None], ...], top: int
) -> tuple[list[PlacedLine], int]:
    """Both header columns on shared baselines, row by row: the order an OCR engine reads them in.

    The last bold line on the left (the agency) and the national motto are underlined, as on real forms.
    """
    lines: list[PlacedLine] = []
    y = top
    last_bold = max(i for i, (left, _) in enumerate(rows) if left is not None and left.style == Style.bold)
    for i, row in enumerate(rows):
        present = [block for block in row if block is not None]
        y += max(b.space_before for b in present) + round(max(b.size for b in present) * LINE_SPACING)
        for block, span in zip(row, (LEFT_COLUMN, RIGHT_COLUMN), strict=True):
            if block is None:
                continue
            width = font(block.style, block.size).getlength(block.text)
            x = round((span[0] + span[1] - width) / 2)
            underline = (span is LEFT_COLUMN and i == last_bold) or block.text == MOTTO
            lines.append(PlacedLine(block.text, x, y, block.style, block.size, underline=underline))
    return lines, y


def _body_lines(blocks: tuple[Block, ...], top: int) -> tuple[list[PlacedLine], int]:
    lines: list[PlacedLine] = []
    y = top
    for block in blocks:
        y += block.space_before
        width = TEXT_WIDTH if block.wrap else 10**6
        wrapped = wrap_words(block.text, block.style, block.size, width, block.indent)
        for i, text in enumerate(wrapped):
            y += round(block.size * LINE_SPACING)
            indent = block.indent if i == 0 else 0
            x = MARGIN_LEFT + indent
            justify = 0
            if block.align == "center":
                x = round(MARGIN_LEFT + (TEXT_WIDTH - font(block.style, block.size).getlength(text)) / 2)
            elif block.align == "justify" and i < len(wrapped) - 1:
                justify = TEXT_WIDTH - indent
            lines.append(PlacedLine(text, x, y, block.style, block.size, justify))
    return lines, y


def layout_page(content: PageContent) -> PageLayout:
    """Place every line; drops trailing body blocks (never the title) until the page fits."""
    body = content.body
    while True:
        layout = _layout(replace(content, body=body))
        if layout.signature_box[3] <= PAGE_HEIGHT - MARGIN_BOTTOM or len(body) <= 2:
            return layout
        body = body[:-1]


def _layout(content: PageContent) -> PageLayout:
    header, header_bottom = _header_lines(content.header, MARGIN_TOP)
    body, body_bottom = _body_lines(content.body, header_bottom)
    signature, bottom = _column_lines(content.signature, RIGHT_COLUMN, body_bottom)
    box_top = body_bottom + content.signature[0].space_before
    box = (RIGHT_COLUMN[0], box_top, RIGHT_COLUMN[1], bottom + 30)
    return PageLayout(tuple(header + body + signature), box)


def _draw_line(draw: ImageDraw.ImageDraw, line: PlacedLine, ink: int) -> None:
    face = font(line.style, line.size)
    if not line.justify_width:
        draw.text((line.x, line.baseline), line.text, font=face, fill=ink, anchor="ls")
    else:
        words = line.text.split(" ")
        gap = (line.justify_width - sum(face.getlength(w) for w in words)) / max(len(words) - 1, 1)
        x = float(line.x)
        for word in words:
            draw.text((round(x), line.baseline), word, font=face, fill=ink, anchor="ls")
            x += face.getlength(word) + gap
    if line.underline:
        width = face.getlength(line.text)
        y = line.baseline + round(line.size * 0.32)
        short = line.x < RIGHT_COLUMN[0]  # the agency's rule is shorter than its name
        left = line.x + round(width * (0.25 if short else 0))
        right = line.x + round(width * (0.75 if short else 1))
        draw.line((left, y, right, y), fill=ink, width=3)


def draw_page(layout: PageLayout, paper: int = 255, ink: int = 0) -> Image.Image:
    """Draw the laid-out lines in grey levels on a blank A4 page."""
    image = Image.new("L", (PAGE_WIDTH, PAGE_HEIGHT), paper)
    draw = ImageDraw.Draw(image)
    for line in layout.lines:
        _draw_line(draw, line, ink)
    return image
