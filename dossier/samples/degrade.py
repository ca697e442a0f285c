"""Degrade a clean rendered page the way desk scanners and phone cameras do, recording what was done."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from dossier.samples.render import font

PROFILES = (
    "clean",
    "scan",
    "skewed",
    "photo",
    "dark_border",
    "noisy",
    "seal",
    "rotated90",
    "rotated180",
    "blank",
)
SEAL_RED = (205, 28, 38)
SIGNATURE_BLUE = (28, 48, 165)


@dataclass(frozen=True)
class PageToDegrade:
    """The clean page and what the degradation needs to know about it."""

    image: Image.Image  # mode L, white paper, black ink
    signature_box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the signature block
    seal_text: str


@dataclass(frozen=True, eq=False)
class Degraded:
    """A degraded page image and the corrections a cleaner must find (counter-clockwise degrees)."""

    image: Image.Image  # mode L or RGB
    rotation: int  # 0, 90, 180, 270: Image.rotate(rotation, expand=True) brings the text upright
    skew: float  # Image.rotate(skew) straightens the page
    has_seal: bool
    blank: bool


def _tone(page: np.ndarray, paper: float, ink: float) -> np.ndarray:
    """Map white/black to paper/ink grey levels (float32)."""
    return ink + (paper - ink) * (page.astype(np.float32) / 255.0)


def _noise(arr: np.ndarray, sigma: float, nprng: np.random.Generator) -> np.ndarray:
    """Add sensor grain: triangular noise of about `sigma` grey levels, in 2x2-pixel grains.

    Half-resolution grain is cheap to draw and to compress, and looks like paper texture under a scanner.
    """
    height, width = arr.shape[:2]
    half = ((height + 1) // 2, (width + 1) // 2)
    spread = max(1, round(sigma * 1.22))  # two uniforms on [-spread, spread] sum to sd ~ sigma
    grain: np.ndarray = nprng.integers(-spread, spread + 1, half, dtype=np.int8).astype(np.float32)
    grain += nprng.integers(-spread, spread + 1, half, dtype=np.int8)
    grain = cv2.resize(grain * 0.5, (half[1] * 2, half[0] * 2), interpolation=cv2.INTER_NEAREST)[
        :height, :width
    ]
    return arr + (grain[..., None] if arr.ndim == 3 else grain)


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    return np.clip(arr, 0, 255, out=arr).astype(np.uint8)


def _rotate_expanded(arr: np.ndarray, angle: float, fill: float | tuple[float, ...]) -> np.ndarray:
    """Rotate counter-clockwise by `angle` degrees on a canvas large enough to keep the whole page."""
    height, width = arr.shape[:2]
    rad = math.radians(angle)
    new_w = math.ceil(abs(width * math.cos(rad)) + abs(height * math.sin(rad)))
    new_h = math.ceil(abs(width * math.sin(rad)) + abs(height * math.cos(rad)))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    matrix[0, 2] += (new_w - width) / 2
    matrix[1, 2] += (new_h - height) / 2
    border = fill if isinstance(fill, tuple) else (fill, fill, fill)
    return cv2.warpAffine(
        arr,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def _signed(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high) * rng.choice((-1, 1)), 2)


def _degraded(arr: np.ndarray, rotation: int = 0, skew: float = 0.0, seal: bool = False) -> Degraded:
    mode = "RGB" if arr.ndim == 3 else "L"
    return Degraded(Image.fromarray(_to_uint8(arr), mode), rotation, skew, seal, blank=False)


def clean(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    return Degraded(page.image, 0, 0.0, has_seal=False, blank=False)


def scan(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    paper = rng.uniform(222, 242)
    arr = _tone(np.asarray(page.image), paper, rng.uniform(18, 40))
    arr = cv2.GaussianBlur(arr, (0, 0), 0.6)
    angle = _signed(rng, 0.3, 2.0)
    arr = _rotate_expanded(arr, angle, paper)
    return _degraded(_noise(arr, rng.uniform(3, 6), nprng), skew=-angle)


def skewed(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    paper = rng.uniform(232, 248)
    arr = _tone(np.asarray(page.image), paper, rng.uniform(15, 35))
    angle = _signed(rng, 5.0, 15.0)
    arr = _rotate_expanded(arr, angle, rng.uniform(245, 255))
    return _degraded(_noise(arr, 3.0, nprng), skew=-angle)


def _illumination(height: int, width: int, rng: random.Random) -> np.ndarray:
    """A smooth light falloff: a linear gradient in a random direction times a soft vignette."""
    ys = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    theta = rng.uniform(0, 2 * math.pi)
    gradient = 0.5 * (math.cos(theta) * xs + math.sin(theta) * ys)  # -0.7..0.7
    vignette = 1 - 0.12 * (xs**2 + ys**2)
    return (rng.uniform(0.88, 0.95) + rng.uniform(0.12, 0.2) * gradient) * vignette


def photo(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    grey = _tone(np.asarray(page.image), rng.uniform(225, 245), rng.uniform(30, 55))
    grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(1.0, 1.4))
    angle = _signed(rng, 0.2, 1.5)
    grey = _rotate_expanded(grey, angle, rng.uniform(90, 140))  # table or desk around the sheet
    grey = grey * _illumination(grey.shape[0], grey.shape[1], rng)
    tint = np.array([1.0, rng.uniform(0.93, 0.97), rng.uniform(0.78, 0.86)], dtype=np.float32)
    rgb = grey[..., None] * tint
    return _degraded(_noise(rgb, 4.0, nprng), skew=-angle)


def _dark_bands(arr: np.ndarray, rng: random.Random, nprng: np.random.Generator) -> np.ndarray:
    """Black scanner-lid bands along 2 to 4 edges: slightly slanted, with a little jitter on the edge."""
    height, width = arr.shape
    for side in rng.sample(("top", "bottom", "left", "right"), rng.randint(2, 4)):
        depth = rng.randint(40, 160)
        length = width if side in ("top", "bottom") else height
        slant = np.linspace(0, rng.uniform(-30, 30), length)
        edge = (depth + slant + nprng.integers(0, 4, length)).clip(10, None).astype(int)
        level = rng.uniform(8, 30)
        for i in range(0, length, 4):  # 4-pixel runs keep this fast
            d = int(edge[i])
            if side == "top":
                arr[:d, i : i + 4] = level
            elif side == "bottom":
                arr[height - d :, i : i + 4] = level
            elif side == "left":
                arr[i : i + 4, :d] = level
            else:
                arr[i : i + 4, width - d :] = level
    return arr


def dark_border(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    arr = _tone(np.asarray(page.image), rng.uniform(225, 242), rng.uniform(20, 40))
    angle = _signed(rng, 0.5, 2.5)
    arr = _rotate_expanded(arr, angle, rng.uniform(5, 25))
    arr = _dark_bands(arr, rng, nprng)
    return _degraded(_noise(arr, 4.0, nprng), skew=-angle)


def _speckle(arr: np.ndarray, density: float, nprng: np.random.Generator) -> np.ndarray:
    """Salt-and-pepper single pixels plus small dark blobs of dust."""
    height, width = arr.shape
    count = int(arr.size * density)
    ys, xs = nprng.integers(0, height, count), nprng.integers(0, width, count)
    arr[ys, xs] = np.where(nprng.random(count) < 0.6, 0.0, 255.0).astype(np.float32)
    for _ in range(int(nprng.integers(300, 700))):
        center = (int(nprng.integers(0, width)), int(nprng.integers(0, height)))
        cv2.circle(arr, center, int(nprng.integers(1, 4)), float(nprng.uniform(0, 60)), -1)
    return arr


def noisy(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    arr = _tone(np.asarray(page.image), rng.uniform(215, 235), rng.uniform(25, 45))
    arr = _speckle(arr, rng.uniform(0.003, 0.006), nprng)
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.9, 1.2))
    angle = _signed(rng, 0.2, 1.0)
    arr = _rotate_expanded(arr, angle, 240.0)
    return _degraded(_noise(arr, rng.uniform(8, 12), nprng), skew=-angle)


def _curved_text(image: Image.Image, text: str, center: float, radius: float, size: int) -> None:
    """Write `text` clockwise around the circle, letters upright towards the outside, centred on the top."""
    face = font("Bold", size)
    advances = [face.getlength(ch) * 1.08 for ch in text]
    span = sum(advances) / radius  # radians
    phi = -span / 2
    for ch, advance in zip(text, advances, strict=True):
        mid = phi + advance / 2 / radius
        phi += advance / radius
        if ch == " ":
            continue
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), ch, font=face, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid), resample=Image.Resampling.BILINEAR)
        x = center + radius * math.sin(mid) - size
        y = center - radius * math.cos(mid) - size
        image.paste(SEAL_RED, (round(x), round(y)), glyph)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, outer: float) -> None:
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else outer * 0.4
        a = math.pi / 5 * i - math.pi / 2
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(points, fill=SEAL_RED)


def seal_image(text: str, diameter: int, rng: random.Random) -> Image.Image:
    """A red round office seal (con dấu): two rings, the agency name around the rim, a star in the middle."""
    image = Image.new("RGB", (diameter, diameter), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    c = diameter / 2
    draw.ellipse((6, 6, diameter - 6, diameter - 6), outline=SEAL_RED, width=9)
    draw.ellipse((c * 0.3, c * 0.3, diameter - c * 0.3, diameter - c * 0.3), outline=SEAL_RED, width=4)
    radius = c * 0.82
    size = 34
    # shrink the letters until the name fits in about 330 degrees of the rim
    while size > 18 and sum(font("Bold", size).getlength(ch) * 1.08 for ch in text) > radius * math.radians(
        330
    ):
        size -= 1
    _curved_text(image, text, c, radius - size * 0.45, size)
    _star(draw, c, c, c * 0.32)
    return image.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR, fillcolor=(255, 255, 255))


def _signature_stroke(rng: random.Random, x0: int, y0: int, width: int, height: int) -> list[np.ndarray]:
    """Two pen strokes: a looping scrawl of uneven loops and a flourish under it."""
    t = np.linspace(0, 1, 500)
    loops = rng.uniform(2.5, 5)
    wobble = 1 + 0.35 * np.sin(2 * math.pi * rng.uniform(0.7, 1.6) * t + rng.uniform(0, 6))
    pace = t + 0.08 * np.sin(2 * math.pi * rng.uniform(1, 3) * t)  # the pen speeds up and slows down
    xs = (
        x0 + width * 0.85 * pace + width * 0.07 * wobble * np.sin(2 * math.pi * loops * t + rng.uniform(0, 6))
    )
    ys = y0 + height * (0.45 + 0.3 * wobble * np.sin(2 * math.pi * loops * t) * (1 - 0.5 * t) - 0.15 * t)
    scrawl = np.stack([xs, ys], axis=1)
    t2 = np.linspace(0, 1, 150)
    flourish = np.stack(
        [x0 + width * (0.05 + 0.95 * t2), y0 + height * (0.9 - 0.3 * t2**1.5 + 0.1 * np.sin(math.pi * t2))],
        axis=1,
    )
    return [scrawl.round().astype(np.int32), flourish.round().astype(np.int32)]


def _stamp(rgb: np.ndarray, ink: np.ndarray, x: int, y: int) -> None:
    """Multiply an ink layer (white background) onto the page at x, y, as ink on paper does."""
    h, w = ink.shape[:2]
    region = rgb[y : y + h, x : x + w]
    region *= ink[: region.shape[0], : region.shape[1]].astype(np.float32) / 255.0


def seal(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    paper = rng.uniform(228, 245)
    grey = _tone(np.asarray(page.image), paper, rng.uniform(18, 35))
    rgb = np.repeat(grey[..., None], 3, axis=2)
    x0, y0, x1, y1 = page.signature_box
    sig_w, sig_h = (x1 - x0) // 2, (y1 - y0) // 2
    sig_x, sig_y = x0 + (x1 - x0) // 4 + rng.randint(-40, 40), y0 + (y1 - y0) // 4 + rng.randint(-20, 20)
    layer = np.full((sig_h + 40, sig_w + 40, 3), 255, np.uint8)
    for stroke in _signature_stroke(rng, 20, 20, sig_w, sig_h):
        cv2.polylines(
            layer, [stroke], False, SIGNATURE_BLUE, thickness=rng.randint(4, 6), lineType=cv2.LINE_AA
        )
    _stamp(rgb, layer, sig_x - 20, sig_y - 20)
    diameter = rng.randint(450, 500)  # about 4 cm
    stamp = np.asarray(seal_image(page.seal_text, diameter, rng)).astype(np.float32)
    strength = cv2.resize(nprng.uniform(0.55, 1.0, (12, 12)).astype(np.float32), (diameter, diameter))
    stamp = 255 - (255 - stamp) * strength[..., None]  # uneven stamp-pad ink
    seal_x = x0 + rng.randint(-60, 60)
    seal_y = (y0 + y1) // 2 - diameter // 2 + rng.randint(-40, 40)
    _stamp(rgb, stamp, seal_x, seal_y)
    angle = _signed(rng, 0.2, 1.0)
    rgb = _rotate_expanded(rgb, angle, (paper, paper, paper))
    return _degraded(_noise(rgb, 3.0, nprng), skew=-angle, seal=True)


def _rotated(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator, turns: int) -> Degraded:
    arr = _tone(np.asarray(page.image), rng.uniform(228, 245), rng.uniform(18, 35))
    arr = np.ascontiguousarray(np.rot90(_noise(arr, 3.0, nprng), turns))  # turns counter-clockwise
    return _degraded(arr, rotation=(-90 * turns) % 360)


def rotated90(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    return _rotated(page, rng, nprng, rng.choice((1, 3)))


def rotated180(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    return _rotated(page, rng, nprng, 2)


def blank(page: PageToDegrade, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    arr: np.ndarray = np.full(np.asarray(page.image).shape, rng.uniform(225, 245), np.float32)
    if rng.random() < 0.5:
        arr = _dark_bands(arr, rng, nprng)
    for _ in range(rng.randint(0, 6)):  # a few faint specks of dust
        center = (rng.randint(300, arr.shape[1] - 300), rng.randint(300, arr.shape[0] - 300))
        cv2.circle(arr, center, rng.randint(1, 3), rng.uniform(120, 200), -1)
    arr = _noise(arr, rng.uniform(2, 4), nprng)
    return Degraded(Image.fromarray(_to_uint8(arr), "L"), 0, 0.0, has_seal=False, blank=True)


DEGRADERS: dict[str, Callable[[PageToDegrade, random.Random, np.random.Generator], Degraded]] = {
    "clean": clean,
    "scan": scan,
    "skewed": skewed,
    "photo": photo,
    "dark_border": dark_border,
    "noisy": noisy,
    "seal": seal,
    "rotated90": rotated90,
    "rotated180": rotated180,
    "blank": blank,
}


def degrade(page: PageToDegrade, profile: str, rng: random.Random, nprng: np.random.Generator) -> Degraded:
    return DEGRADERS[profile](page, rng, nprng)
