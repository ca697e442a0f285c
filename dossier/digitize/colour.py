"""Ink on a cleaned page: what is ink, which specks to drop, and whether the page needs colour or grey."""

from __future__ import annotations

import cv2
import numpy as np

from dossier.models import ColourMode

ANALYSIS_DPI = 100.0
STRONG_SATURATION = 90  # of 255 in HSV: seal red, ballpoint blue; yellowish paper stays far below
STRONG_MIN_VALUE = 60  # darker pixels have unreliable hue (black text fringes)
MEANINGFUL_COLOUR = 0.0003  # share of the page: ~19 mm² of coloured ink on A4
TONE_SHARE = 0.01  # share of the page in solid mid-grey regions (photos, shading) that asks for gray
SPECK_NEAR_TEXT = 0.08  # inches: small marks this close to text are diacritics or punctuation, kept


def ink_threshold(flat: np.ndarray) -> float:
    """Otsu on an illumination-corrected page, kept in a sane band so empty pages do not turn black."""
    otsu, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return float(np.clip(otsu, 110, 200))


def remove_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Drop isolated specks from a 0/1 ink mask; keep small marks near text (Vietnamese diacritics).

    Components up to ~2 px at 300 dpi go everywhere (smaller than any printed dot); components
    smaller than a letter go only when no letter-sized component is within SPECK_NEAR_TEXT, unless
    they are dash-shaped (hyphens between words, as in "Độc lập - Tự do - Hạnh phúc", are small and
    stand apart from letters, while specks are rarely long and flat).
    """
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return ink
    area = stats[:, cv2.CC_STAT_AREA]
    tiny = int(2 * (dpi / 300.0) ** 2)
    small_limit = (0.03 * dpi) ** 2
    big = area >= small_limit
    big[0] = False
    near = _near_mask(big[labels], dpi)
    fy = near.shape[0] / ink.shape[0]
    fx = near.shape[1] / ink.shape[1]
    cy = np.clip((centroids[:, 1] * fy).astype(int), 0, near.shape[0] - 1)
    cx = np.clip((centroids[:, 0] * fx).astype(int), 0, near.shape[1] - 1)
    width = stats[:, cv2.CC_STAT_WIDTH]
    height = stats[:, cv2.CC_STAT_HEIGHT]
    dash = (width >= 0.03 * dpi) & (width >= 2.5 * height)
    keep = big | ((area > tiny) & (near[cy, cx] | dash))
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _near_mask(big: np.ndarray, dpi: float) -> np.ndarray:
    """Letter-sized ink grown by SPECK_NEAR_TEXT, computed at ~75 dpi to stay cheap."""
    factor = min(1.0, 75.0 / dpi)
    small = cv2.resize(big.astype(np.uint8), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    r = max(1, round(SPECK_NEAR_TEXT * dpi * factor))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(small, kernel).astype(bool)


def _analysis_copy(page: np.ndarray, dpi: float) -> np.ndarray:
    factor = min(1.0, ANALYSIS_DPI / dpi)
    return cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def colour_fraction(page: np.ndarray, dpi: float) -> float:
    """Share of pixels with strong colour (saturated and not too dark), at low resolution."""
    hsv = cv2.cvtColor(_analysis_copy(page, dpi), cv2.COLOR_BGR2HSV)
    strong = (hsv[:, :, 1] >= STRONG_SATURATION) & (hsv[:, :, 2] >= STRONG_MIN_VALUE)
    return float(strong.mean())


def has_meaningful_colour(fraction: float) -> bool:
    return fraction >= MEANINGFUL_COLOUR


def has_tone_regions(gray: np.ndarray, dpi: float) -> bool:
    """True for photos and grey shading: solid mid-grey areas wider than any text stroke."""
    small = _analysis_copy(gray, dpi)
    mid = ((small > 40) & (small < 215)).astype(np.uint8)
    k = max(3, round(0.05 * ANALYSIS_DPI))
    solid = cv2.morphologyEx(mid, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return float(solid.mean()) >= TONE_SHARE


def decide_mode(requested: ColourMode, colourful: bool, page: np.ndarray, dpi: float) -> ColourMode:
    """The caller's mode when forced; for auto: colour if it has colour ink, gray for tones, else bw."""
    if requested is not ColourMode.auto:
        return requested
    if colourful:
        return ColourMode.colour
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    return ColourMode.gray if has_tone_regions(gray, dpi) else ColourMode.bw


SEAL_MIN_INCHES = 0.7  # an office seal is 3.5-4.5 cm across; smaller red marks are printed text or ticks
SEAL_MAX_INCHES = 2.6
SEAL_MAX_ASPECT = 1.6  # round: about as wide as high (a red title line is many times wider than high)


def seal_mask(page: np.ndarray, dpi: float) -> np.ndarray:
    """bool mask (full resolution) of the seal-shaped red regions of a BGR page: round, seal-sized.

    Only these are read through the red channel (where the seal fades and black print stays); red printed
    text elsewhere (the red card name "CĂN CƯỚC", red headings) stays in the grey view Tesseract reads.
    """
    small = _analysis_copy(page, dpi)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = (((hue <= 10) | (hue >= 165)) & (sat >= STRONG_SATURATION - 20) & (val >= STRONG_MIN_VALUE)).astype(
        np.uint8
    )
    scale = small.shape[1] / page.shape[1] * dpi  # dots per inch of the small copy
    k = max(3, round(0.12 * scale))
    joined = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    for label in range(1, count):
        w, h = stats[label, cv2.CC_STAT_WIDTH] / scale, stats[label, cv2.CC_STAT_HEIGHT] / scale
        aspect = max(w, h) / max(min(w, h), 1e-6)
        keep[label] = (
            min(w, h) >= SEAL_MIN_INCHES and max(w, h) <= SEAL_MAX_INCHES and aspect <= SEAL_MAX_ASPECT
        )
    if not keep.any():
        return np.zeros(page.shape[:2], dtype=bool)
    mask = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8))
    return cv2.resize(mask, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
