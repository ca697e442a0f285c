"""Draw corpus pages: a small line-by-line layout on an A4 300 dpi RGB canvas, with coloured ink.

Deliberately separate from `dossier.samples.render` (other fonts, other layout): the corpus must not look like
the pages the project's own tests and demo are made of. Text drawn here is also recorded, in reading order, as
the page's ground truth for OCR measurements.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 2480, 3508  # A4 at 300 dpi
LEFT, RIGHT, TOP = 270, 2480 - 220, 210
BLACK = (20, 20, 20)
PEN_BLUE = (35, 55, 150)  # ballpoint: how filled-in fields and signatures look
RED = (200, 35, 45)
FONTS = {
    "serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "serif-bold": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "serif-italic": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "hand": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
}


@cache
def face(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS[name], size, layout_engine=ImageFont.Layout.BASIC)


@dataclass
class Sheet:
    """One page being drawn: its canvas, a cursor, and the text drawn so far (the ground truth)."""

    canvas: Image.Image = field(default_factory=lambda: Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255)))
    y: int = TOP
    lines: list[str] = field(default_factory=list)
    header: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))  # rows not yet in `lines`
    drawn: list[str] = field(default_factory=list)  # the same text in drawing order: header rows row by row
    sealed: bool = False  # a red seal is stamped over the signature
    colour: bool = False  # printed in colour (red titles, colour card)
    signature_at: tuple[int, int] | None = None

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.canvas)

    def text_at(self, x: int, y: int, text: str, font: str = "serif", size: int = 50, ink=BLACK) -> int:
        self.draw.text((x, y), text, font=face(font, size), fill=ink, anchor="ls")
        self.record(text)
        return round(face(font, size).getlength(text))

    def record(self, text: str) -> None:
        """Add drawn text to the truth, after the header rows drawn before it."""
        self.lines.extend(self.header[0] + self.header[1] + [text])
        self.drawn.append(text)
        self.header[0].clear()
        self.header[1].clear()

    def line(
        self,
        text: str,
        font: str = "serif",
        size: int = 50,
        align: str = "left",
        ink=BLACK,
        gap: int = 0,
        x: int | None = None,
    ) -> None:
        """One line (wrapped if too long) at the cursor; align left/center/right or 'col:x0:x1' (centred)."""
        self.y += gap
        f = face(font, size)
        x0, x1 = (LEFT, RIGHT)
        if align.startswith("col:"):
            _, a, b = align.split(":")
            x0, x1 = int(a), int(b)
        for part in wrap(text, f, x1 - x0 if x is None else x1 - x):
            self.y += round(size * 1.35)
            width = f.getlength(part)
            if x is not None:
                at = x
            elif align == "left":
                at = x0
            elif align == "right":
                at = round(x1 - width)
            else:
                at = round((x0 + x1 - width) / 2)
            self.text_at(at, self.y, part, font, size, ink)

    def row(
        self,
        left: str | None,
        right: str | None,
        lfont="serif-bold",
        rfont="serif-bold",
        size=46,
        underline: bool = False,
    ) -> None:
        """Two header columns on one baseline: agency on the left, national motto on the right.

        The truth reads consecutive rows column by column (the agency's lines and its number, then the
        motto's), the document's own units, not row by row, which would interleave the agency's name with
        the motto; a row's text joins `lines` when the next text outside a row is drawn.
        """
        self.y += round(size * 1.35)
        spans = ((left, (LEFT - 40, LEFT + 760), lfont), (right, (1180, RIGHT + 20), rfont))
        for column, (text, span, f) in enumerate(spans):
            if not text:
                continue
            width = face(f, size).getlength(text)
            x = round((span[0] + span[1] - width) / 2)
            self.draw.text((x, self.y), text, font=face(f, size), fill=BLACK, anchor="ls")
            self.header[column].append(text)
            self.drawn.append(text)
            if underline and span[0] > 1000:
                self.draw.line((x, self.y + 14, x + width, self.y + 14), fill=BLACK, width=3)

    def field(self, label: str, value: str, size: int = 48, hand: bool = True) -> None:
        """A printed label and its value; the value filled in by hand (blue, slanted) or typed."""
        self.y += round(size * 1.45)
        f = face("serif", size)
        width = self.text_at(LEFT, self.y, label, "serif", size)
        x = LEFT + width + 18
        dots_to = RIGHT
        if hand:
            self.draw.line((x, self.y + 8, dots_to, self.y + 8), fill=(120, 120, 120), width=2)
            self.text_at(x + 10, self.y - 4, value, "hand", size - 2, PEN_BLUE)
        else:
            avail = RIGHT - x
            parts = wrap(value, f, avail)
            self.text_at(x, self.y, parts[0], "serif", size)
            for part in parts[1:]:
                self.y += round(size * 1.35)
                self.text_at(LEFT, self.y, part, "serif", size)

    def paragraph(self, text: str, size: int = 48, indent: int = 90, gap: int = 10) -> None:
        self.y += gap
        f = face("serif", size)
        parts = wrap(text, f, RIGHT - LEFT - indent)
        rest = wrap(" ".join(parts[1:]), f, RIGHT - LEFT) if len(parts) > 1 else []
        self.y += round(size * 1.4)
        self.text_at(LEFT + indent, self.y, parts[0], "serif", size)
        for part in rest:
            self.y += round(size * 1.4)
            self.text_at(LEFT, self.y, part, "serif", size)

    def signature(
        self,
        roles: list[str],
        name: str | None,
        rng: random.Random,
        x0: int = 1250,
        x1: int = RIGHT,
        note: str = "(Ký, ghi rõ họ tên)",
        seal: bool = False,
    ) -> None:
        """A signature block: role in bold caps, the note, a pen scrawl, the name."""
        for role in roles:
            self.line(role, "serif-bold", 46, f"col:{x0}:{x1}")
        if note:
            self.line(note, "serif-italic", 42, f"col:{x0}:{x1}")
        top = self.y + 30
        scrawl(self.canvas, (x0 + x1) // 2 - 200, top, 400, 150, rng)
        self.signature_at = ((x0 + x1) // 2, top + 75)
        self.sealed = self.sealed or seal
        self.y += 230
        if name:
            self.line(name, "serif-bold", 46, f"col:{x0}:{x1}")

    def fits(self, margin: int = 300) -> bool:
        return self.y < HEIGHT - margin

    @property
    def text(self) -> str:
        return "\n".join(self.lines + self.header[0] + self.header[1])

    @property
    def text_as_drawn(self) -> str:
        """The text with header rows read row by row (agency line, motto line, ...): a second truth."""
        return "\n".join(self.drawn)


def wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    out: list[str] = []
    for word in text.split():
        if out and f.getlength(f"{out[-1]} {word}") <= width:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    return out or [""]


def scrawl(canvas: Image.Image, x: int, y: int, w: int, h: int, rng: random.Random) -> None:
    t = np.linspace(0, 1, 300)
    loops = rng.uniform(2, 4.5)
    xs = x + w * t + 25 * np.sin(2 * math.pi * loops * t + rng.uniform(0, 6))
    ys = y + h * (0.5 + 0.35 * np.sin(2 * math.pi * loops * t) * (1 - 0.6 * t))
    points = np.stack([xs, ys], axis=1).round().astype(np.int32)
    arr = np.asarray(canvas).copy()
    cv2.polylines(arr, [points], False, PEN_BLUE, thickness=5, lineType=cv2.LINE_AA)
    canvas.paste(Image.fromarray(arr))


def stamp_seal(canvas: Image.Image, cx: int, cy: int, text: str, rng: random.Random) -> None:
    """A red round seal (two rings, the agency around the rim, a star), multiplied onto the paper."""
    d = rng.randint(430, 500)
    seal = Image.new("RGB", (d, d), (255, 255, 255))
    draw = ImageDraw.Draw(seal)
    draw.ellipse((5, 5, d - 5, d - 5), outline=RED, width=8)
    draw.ellipse((d * 0.17, d * 0.17, d * 0.83, d * 0.83), outline=RED, width=4)
    f = face("sans-bold", 28)
    radius = d / 2 - 42
    total = sum(f.getlength(c) for c in text) / radius
    phi = -min(total, math.radians(320)) / 2
    step = min(total, math.radians(320)) / max(len(text), 1)
    for ch in text:
        glyph = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(glyph).text((30, 30), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(phi), resample=Image.Resampling.BILINEAR)
        seal.paste(
            RED,
            (round(d / 2 + radius * math.sin(phi) - 30), round(d / 2 - radius * math.cos(phi) - 30)),
            glyph,
        )
        phi += step
    r = d * 0.12
    pts = [
        (
            d / 2 + (r if i % 2 == 0 else r * 0.4) * math.cos(math.pi / 5 * i - math.pi / 2),
            d / 2 + (r if i % 2 == 0 else r * 0.4) * math.sin(math.pi / 5 * i - math.pi / 2),
        )
        for i in range(10)
    ]
    draw.polygon(pts, fill=RED)
    seal = seal.rotate(rng.uniform(-30, 30), fillcolor=(255, 255, 255))
    ink = np.asarray(seal).astype(np.float32) / 255.0
    strength = cv2.resize(np.random.default_rng(rng.randrange(2**32)).uniform(0.6, 1.0, (10, 10)), (d, d))
    ink = 1 - (1 - ink) * strength[..., None].astype(np.float32)
    arr = np.asarray(canvas).astype(np.float32)
    x0, y0 = cx - d // 2, cy - d // 2
    region = arr[y0 : y0 + d, x0 : x0 + d]
    region *= ink[: region.shape[0], : region.shape[1]]
    canvas.paste(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))
