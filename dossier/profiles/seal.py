"""Image field checks: a round red seal on the page, and ink in a signature area."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from dossier.i18n import _
from dossier.profiles.fields import FieldCheck

RED_SEAL_CHECK = "red_seal"
SIGNATURE_CHECK = "signature"
MM_PER_INCH = 25.4
# Seals of Vietnamese agencies are about 3-5 cm across; allow some scan/print tolerance around that.
SEAL_MIN_MM, SEAL_MAX_MM = 25.0, 60.0
# Width/height ratio of the seal's box, and its area over the area of its enclosing circle (a square: 0.64).
SEAL_MAX_ASPECT = 1.3
SEAL_MIN_CIRCULARITY = 0.72
# Red ink of rings and lettering covers at least this much of the box (a thin ring alone is about 0.05).
SEAL_MIN_RED_FRACTION = 0.03
# Analyse at most at this resolution: plenty for 3 cm objects and fast on 300-600 dpi scans.
WORK_DPI = 100.0
CLOSING_MM = 2.0
# OpenCV hue runs 0-179; red wraps around 0.
RED_HUE_LOW, RED_HUE_HIGH = 12, 160
RED_MIN_SATURATION, RED_MIN_VALUE = 70, 60
INK_MAX_GRAY = 170
INK_MIN_SATURATION = 80
SIGNATURE_MIN_INK_FRACTION = 0.004
# Leave the region's edges out: box rules and the neighbouring text are not a signature.
SIGNATURE_MARGIN = 0.04

BBox = tuple[int, int, int, int]


@dataclass(frozen=True)
class SealFinding:
    """The best round red seal candidate on a page; bbox is (x, y, width, height) in input pixels."""

    present: bool
    bbox: BBox | None
    red_fraction: float
    circularity: float


def format_bbox(bbox: BBox) -> str:
    x, y, w, h = bbox
    return _("vùng x={x}, y={y}, rộng {w}, cao {h} px").format(x=x, y=y, w=w, h=h)


def red_mask(image_bgr: np.ndarray) -> np.ndarray:
    """255 where the pixel is a saturated red (both hue bands around 0), else 0."""
    hsv = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = (
        ((hue <= RED_HUE_LOW) | (hue >= RED_HUE_HIGH)) & (sat >= RED_MIN_SATURATION) & (val >= RED_MIN_VALUE)
    )
    return red.astype(np.uint8) * 255


def _as_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _kernel(size_px: int) -> np.ndarray:
    size = max(3, size_px | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


@dataclass(frozen=True)
class _Candidate:
    bbox: BBox
    red_fraction: float
    circularity: float
    diameter_mm: float


def _candidates(mask: np.ndarray, closed: np.ndarray, dpi: float) -> list[_Candidate]:
    contours, _hierarchy = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        _centre, radius = cv2.minEnclosingCircle(contour)
        if radius < 2:
            continue
        # the convex hull, not the contour: a ring broken where a signature or the compression crosses it
        # is still a disc's outline, while lines, text and squares stay far from their enclosing circle
        circularity = float(cv2.contourArea(cv2.convexHull(contour))) / (math.pi * radius * radius)
        red_fraction = float(np.count_nonzero(mask[y : y + h, x : x + w])) / float(w * h)
        diameter_mm = max(w, h) / dpi * MM_PER_INCH
        found.append(_Candidate((x, y, w, h), red_fraction, min(circularity, 1.0), diameter_mm))
    return found


def _is_seal(candidate: _Candidate) -> bool:
    _x, _y, w, h = candidate.bbox
    return (
        SEAL_MIN_MM <= candidate.diameter_mm <= SEAL_MAX_MM
        and max(w, h) / max(1, min(w, h)) <= SEAL_MAX_ASPECT
        and candidate.circularity >= SEAL_MIN_CIRCULARITY
        and candidate.red_fraction >= SEAL_MIN_RED_FRACTION
    )


def detect_red_seal(image_bgr: np.ndarray, dpi: float) -> SealFinding:
    """Find the largest red component that is round (a disc, or a ring with text) and about 3-5 cm across.

    Red is thresholded in HSV in two hue bands, closed morphologically (2 mm) so rings and lettering merge
    into one blob, and each blob's outer contour is measured. Without a seal, the largest red blob's numbers
    are still reported (present=False, bbox=None).
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    image = _as_bgr(image_bgr)
    scale = min(1.0, WORK_DPI / dpi)
    work = (
        image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )
    work_dpi = dpi * scale
    mask = red_mask(work)
    closing_px = round(CLOSING_MM / MM_PER_INCH * work_dpi)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(closing_px))
    candidates = sorted(
        _candidates(mask, closed, work_dpi), key=lambda c: c.bbox[2] * c.bbox[3], reverse=True
    )
    seals = [c for c in candidates if _is_seal(c)]
    if not seals:
        if not candidates:
            return SealFinding(False, None, 0.0, 0.0)
        return SealFinding(
            False, None, round(candidates[0].red_fraction, 4), round(candidates[0].circularity, 4)
        )
    best = seals[0]
    x, y, w, h = (round(v / scale) for v in best.bbox)
    height, width = image.shape[:2]
    bbox = (x, y, min(w, width - x), min(h, height - y))
    return SealFinding(True, bbox, round(best.red_fraction, 4), round(best.circularity, 4))


def check_red_seal(image_bgr: np.ndarray, dpi: float) -> FieldCheck:
    """`detect_red_seal` as a field check: where the seal is, or why none was accepted."""
    finding = detect_red_seal(image_bgr, dpi)
    if finding.present and finding.bbox is not None:
        where = format_bbox(finding.bbox)
        reason = _("Có dấu đỏ tròn ({where}).").format(where=where)
        return FieldCheck(RED_SEAL_CHECK, True, _("dấu đỏ"), where, reason)
    return FieldCheck(RED_SEAL_CHECK, False, None, None, _("Không thấy dấu đỏ tròn cỡ 3-5 cm trên trang."))


def ink_fraction(image: np.ndarray, bbox: BBox) -> float | None:
    """Share of inked pixels (dark, or strongly coloured) inside bbox minus a thin margin; None if outside."""
    image = _as_bgr(image)
    height, width = image.shape[:2]
    x, y, w, h = bbox
    mx, my = round(w * SIGNATURE_MARGIN), round(h * SIGNATURE_MARGIN)
    x0, y0 = max(0, x + mx), max(0, y + my)
    x1, y1 = min(width, x + w - mx), min(height, y + h - my)
    if x1 <= x0 or y1 <= y0:
        return None
    region = cv2.medianBlur(np.ascontiguousarray(image[y0:y1, x0:x1]), 3)
    gray = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)
    sat = cv2.cvtColor(region, cv2.COLOR_BGR2HSV)[..., 1]
    ink = (gray <= INK_MAX_GRAY) | (sat >= INK_MIN_SATURATION)
    return float(np.count_nonzero(ink)) / float(ink.size)


def check_signature_area(
    image: np.ndarray, bbox: BBox, *, min_ink_fraction: float = SIGNATURE_MIN_INK_FRACTION
) -> FieldCheck:
    """The signature area (x, y, width, height in pixels) is not blank: enough ink inside it."""
    where = format_bbox(bbox)
    fraction = ink_fraction(image, bbox)
    if fraction is None:
        return FieldCheck(SIGNATURE_CHECK, False, None, where, _("Vùng chữ ký nằm ngoài ảnh."))
    found = f"{fraction:.1%}"
    if fraction < min_ink_fraction:
        return FieldCheck(SIGNATURE_CHECK, False, found, where, _("Vùng chữ ký để trống."))
    reason = _("Vùng chữ ký có nét mực ({percent} diện tích).").format(percent=found)
    return FieldCheck(SIGNATURE_CHECK, True, found, where, reason)
