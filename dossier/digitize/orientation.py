"""Page geometry: find the skew angle and the 0/90/180/270 orientation of a binarised page."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 15.0
MAX_POINTS = 60_000  # ink pixels used for the projection search (random subset beyond that)
SIDEWAYS_RATIO = 1.3  # profile sharpness across lines must beat the other axis by this to call it
UPRIGHT_RATIO = 1.5  # ink above the x-height band vs below must beat this to call up or down
MIN_LINES = 3
OSD_MIN_CONFIDENCE = 5.0


@dataclass(frozen=True)
class SkewEstimate:
    """Deskew correction (degrees, counter-clockwise positive as in cv2.getRotationMatrix2D)."""

    angle: float
    sharpness: float  # normalised projection-profile peakiness at that angle (>= 1)


@dataclass(frozen=True)
class Orientation:
    """Counter-clockwise correction in degrees and how it was decided."""

    rotation: int  # 0, 90, 180 or 270
    method: str  # "profile", "osd" or "unsure"


def ink_points(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float coordinates (x, y) of ink pixels (non-zero), a fixed random subset on busy pages."""
    ys, xs = np.nonzero(binary)
    if len(xs) > MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(xs), MAX_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    return xs.astype(np.float32), ys.astype(np.float32)


def _profile_sharpness(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Normalised sum of squares of the row profile after rotating the points by each angle."""
    scores = np.empty(len(angles_deg))
    for i, a in enumerate(np.deg2rad(angles_deg)):
        proj = ys * np.cos(a) - xs * np.sin(a)
        bins = (proj - proj.min()).astype(np.int32)
        hist = np.bincount(bins).astype(np.float64)
        scores[i] = len(hist) * float(np.square(hist).sum()) / max(float(hist.sum()) ** 2, 1.0)
    return scores


def estimate_skew(binary: np.ndarray, max_angle: float = MAX_SKEW) -> SkewEstimate:
    """Coarse-to-fine projection-profile search for the angle that makes text lines horizontal."""
    xs, ys = ink_points(binary)
    if len(xs) < 50:
        return SkewEstimate(0.0, 1.0)
    best, step = 0.0, 1.0
    angles = np.arange(-max_angle, max_angle + step / 2, step)
    for _ in range(4):
        scores = _profile_sharpness(xs, ys, angles)
        best = float(angles[int(np.argmax(scores))])
        step /= 5
        angles = np.arange(best - 5 * step, best + 5.5 * step, step)
    sharpness = float(_profile_sharpness(xs, ys, np.array([best]))[0])
    # the projection rotates the points by `best` clockwise on screen (y down); the image correction
    # is the opposite rotation expressed counter-clockwise, which is the same number
    return SkewEstimate(round(best, 2), sharpness)


def _line_core_asymmetry(binary: np.ndarray) -> tuple[float, float, int]:
    """Ink above vs below the x-height band, summed over text lines of a deskewed, horizontal page."""
    profile = (binary > 0).sum(axis=1).astype(np.float64)
    on = profile > 0.02 * max(profile.max(), 1.0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
    above = below = 0.0
    lines = 0
    bands = list(zip(edges[::2], edges[1::2], strict=True))
    typical = float(np.median([b - t for t, b in bands])) if bands else 0.0
    for top, bottom in bands:
        band = profile[top:bottom]
        # a band much taller than a text line is a seal, a signature or a picture, not ascenders/descenders
        if len(band) < 4 or len(band) > 2.5 * typical:
            continue
        core = np.flatnonzero(band >= 0.5 * band.max())
        core_top, core_bottom = core[0], core[-1]
        above += band[:core_top].sum()
        below += band[core_bottom + 1 :].sum()
        lines += 1
    return above, below, lines


def _upright_guess(binary: np.ndarray) -> int | None:
    """0 if text looks upright, 180 if upside down, None when ascenders/descenders do not tell."""
    above, below, lines = _line_core_asymmetry(binary)
    if lines < MIN_LINES:
        return None
    if above > UPRIGHT_RATIO * below:
        return 0
    if below > UPRIGHT_RATIO * above:
        return 180
    return None


def tesseract_osd(gray: np.ndarray, min_characters: int = 50) -> Orientation:
    """Ask Tesseract's OSD (slow, ~0.7 s at 150 dpi); return the correction only when it is confident."""
    import pytesseract  # heavy import, only needed for ambiguous pages

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        text = pytesseract.image_to_osd(gray, config=f"--psm 0 -c min_characters_to_try={min_characters}")
    except pytesseract.TesseractError:
        return Orientation(0, "unsure")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if not rotate or not confidence or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return Orientation(0, "unsure")
    clockwise = int(rotate.group(1)) % 360
    return Orientation((360 - clockwise) % 360, "osd")


def rotate_quarter(image: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate by 0/90/180/270 degrees counter-clockwise, exactly (no resampling)."""
    codes = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    return image if rotation % 360 == 0 else cv2.rotate(image, codes[rotation % 360])


def without_sheet_edges(binary: np.ndarray) -> np.ndarray:
    """The ink less straight runs longer than a quarter of the page along its outer sixteenth.

    Those are the edges of a photographed sheet that the border mask left as thin strips, not text: two of
    them down the sides of a sparse signature page made its columns look sharper than its lines, and the
    page was turned sideways. Rules inside the page (a drawing's walls, a table) are kept: the orientation
    of a drawing is read from them as before."""
    height, width = binary.shape[:2]
    ink = (binary > 0).astype(np.uint8)
    tall = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(height // 4, 3)))
    )
    wide = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(width // 4, 3), 1))
    )
    margin_x, margin_y = max(width // 16, 1), max(height // 16, 1)
    tall[:, margin_x : width - margin_x] = 0
    wide[margin_y : height - margin_y, :] = 0
    edges = cv2.dilate(cv2.bitwise_or(tall, wide), np.ones((3, 3), np.uint8))
    return np.where(edges > 0, 0, binary).astype(binary.dtype)


def detect_orientation(binary: np.ndarray, osd_image: Callable[[], np.ndarray] | None = None) -> Orientation:
    """Find the quarter turn that makes the text upright, from ink profiles, with OSD only as a fallback.

    `binary` is the page at low resolution (ink non-zero). Sideways text is recognised by comparing
    how sharp the line profile is along each axis; upside-down text by the ascender/diacritic band
    being below the x-height band. When a step is ambiguous and `osd_image` is given (it returns a ~150 dpi
    binarised copy, black on white), Tesseract OSD decides; otherwise the page is left as it is.
    """
    binary = without_sheet_edges(binary)
    xs, ys = ink_points(binary)
    if len(xs) < 200:
        return Orientation(0, "unsure")
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.5, 1.0)
    across_rows = _profile_sharpness(xs, ys, coarse).max()
    across_cols = _profile_sharpness(ys, xs, coarse).max()
    if across_cols > SIDEWAYS_RATIO * across_rows:
        turns = (90, 270)
    elif across_rows > SIDEWAYS_RATIO * across_cols:
        turns = (0, 180)
    else:
        return _osd_or_unsure(osd_image)
    candidate = rotate_quarter(binary, turns[0])
    skew = estimate_skew(candidate)
    if abs(skew.angle) >= 0.1:
        centre = (candidate.shape[1] / 2, candidate.shape[0] / 2)
        matrix = cv2.getRotationMatrix2D(centre, skew.angle, 1.0)
        size = (candidate.shape[1], candidate.shape[0])
        candidate = cv2.warpAffine(candidate, matrix, size, flags=cv2.INTER_NEAREST)
    upright = _upright_guess(candidate)
    if upright is None:
        return _osd_or_unsure(osd_image)
    return Orientation(turns[0] if upright == 0 else turns[1], "profile")


def _osd_or_unsure(osd_image: Callable[[], np.ndarray] | None) -> Orientation:
    return tesseract_osd(osd_image()) if osd_image is not None else Orientation(0, "unsure")
